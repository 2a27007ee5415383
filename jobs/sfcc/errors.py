"""Why talking to an SFCC instance failed, one class per cause the console shows."""


class SfccError(Exception):
    """Base class: anything that stops a delivery to SFCC."""


class SfccConfigError(SfccError):
    """The delivery configuration is incomplete or wrong (missing instance URL, client id, …)."""


class SfccAuthError(SfccError):
    """Account Manager refused the API client's credentials, or SFCC refused its token."""


class SfccUnavailableError(SfccError):
    """SFCC kept answering 5xx, timing out or refusing connections after every retry."""


class SfccRequestError(SfccError):
    """SFCC rejected a request (a 4xx other than 401), e.g. missing OCAPI or WebDAV permissions."""

    def __init__(self, message: str, status: int | None = None, fault_type: str | None = None):
        super().__init__(message)
        self.status = status
        self.fault_type = fault_type


class SfccJobAlreadyRunningError(SfccRequestError):
    """`sfcc-site-archive-import` was still busy with another import after every retry."""


class SfccJobError(SfccError):
    """The import job ended with exit status ERROR or was aborted."""

    def __init__(self, message: str, execution_id: str | None = None, data_errors: list | None = None):
        super().__init__(message)
        self.execution_id = execution_id
        self.data_errors = data_errors or []


class SfccJobTimeoutError(SfccError):
    """The import job did not reach a final status within the configured time."""
