"""Delivering a site import archive, chosen by configuration:

- `local`: the archive stays where it is; the engine keeps it as the execution's artifact.
- `sfcc`: upload it to the instance's IMPEX folder over WebDAV, run the system job
  `sfcc-site-archive-import` through the OCAPI Data API, poll it to a final status, read its
  job log for `DATAERROR` lines (SFCC says OK even when it rejected records; we do not),
  and remove the uploaded archive unless told to keep it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from .errors import (
    SfccConfigError,
    SfccError,
    SfccJobAlreadyRunningError,
    SfccJobError,
    SfccJobTimeoutError,
    SfccRequestError,
)
from .http import DEFAULT_TOKEN_URL, Log, SfccSession, json_document
from .impexlog import RejectedRecord, parse_data_errors

IMPORT_JOB = "sfcc-site-archive-import"
WEBDAV = "/on/demandware.servlet/webdav/Sites"
IMPEX_DIR = "Impex/src/instance"
FINAL_STATUSES = {"finished", "aborted"}  # "pending" and "running" are never final
_ALREADY_RUNNING = "JobAlreadyRunningException"


@dataclass
class DeliveryResult:
    """What happened to one archive; `data_errors` are records SFCC rejected."""

    archive: Path
    target: str  # "local" | "sfcc"
    message: str
    execution_id: str | None = None
    exit_status: str | None = None  # SFCC's exit status code: "OK" (or ERROR, raised instead)
    log_file: str | None = None
    data_errors: list[RejectedRecord] = field(default_factory=list)
    archive_removed: bool = False


class LocalDelivery:
    """Keeps the archive where the builder wrote it."""

    target = "local"

    def deliver(self, archive: Path | str) -> DeliveryResult:
        archive = Path(archive)
        return DeliveryResult(archive, self.target, f"{archive.name} kept locally at {archive}")

    def test_connection(self) -> str:
        return "Local delivery: archives are kept as execution artifacts, nothing to connect to."


@dataclass(frozen=True)
class SfccConfig:
    instance_url: str  # https://<instance>.dx.commercecloud.salesforce.com
    client_id: str
    client_secret: str = field(repr=False)
    token_url: str = DEFAULT_TOKEN_URL
    api_version: str = "v24_5"
    import_mode: str = "merge"
    keep_archive: bool = False
    request_timeout: float = 60.0
    upload_timeout: float = 900.0  # per upload attempt: archives go up to 190 MB
    max_retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    poll_interval: float = 5.0
    job_timeout: float = 3600.0
    already_running_retries: int = 12
    already_running_wait: float = 30.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> SfccConfig:
        known = {f.name for f in fields(cls)}
        config = {k: v for k, v in values.items() if k in known}
        missing = [name for name in ("instance_url", "client_id", "client_secret") if not config.get(name)]
        if missing:
            raise SfccConfigError(f"SFCC delivery needs {', '.join(missing)}")
        return cls(**config)


class SfccDelivery:
    target = "sfcc"

    def __init__(
        self, config: SfccConfig, log: Log | None = None, sleep: Callable[[float], None] = time.sleep
    ):
        if not config.instance_url.startswith(("https://", "http://")):
            raise SfccConfigError(f"instance URL {config.instance_url!r} must start with https://")
        self.config = config
        self._base = config.instance_url.rstrip("/")
        self._log = log or (lambda level, message: None)
        self._sleep = sleep
        self._session = SfccSession(
            client_id=config.client_id,
            client_secret=config.client_secret,
            token_url=config.token_url,
            timeout=config.request_timeout,
            max_retries=config.max_retries,
            backoff=config.backoff,
            max_backoff=config.max_backoff,
            log=self._log,
            sleep=sleep,
        )

    def close(self) -> None:
        self._session.close()

    def test_connection(self) -> str:
        """For the console's Test connection button: a token, then a WebDAV listing of IMPEX."""
        self._session.token()
        response = self._session.request(
            "PROPFIND",
            self._webdav(f"{IMPEX_DIR}/"),
            headers={"Depth": "1"},
            timeout=self.config.request_timeout,
        )
        _expect(response, (207,), f"listing WebDAV {IMPEX_DIR}")
        return f"Connected to {self._base}: token granted, WebDAV {IMPEX_DIR} readable."

    def deliver(self, archive: Path | str) -> DeliveryResult:
        """Upload, import, wait, read the job log; raises an `SfccError` subclass naming the cause.
        The uploaded archive is removed (unless configured to keep it) whatever happened."""
        archive = Path(archive)
        self._upload(archive)
        try:
            execution = self._start_import(archive.name)
            execution = self._wait_for(execution)
            data_errors = self._read_data_errors(execution)
            result = self._result(archive, execution, data_errors)
        finally:
            removed = self._cleanup(archive.name)
        result.archive_removed = removed
        return result

    # --- steps ------------------------------------------------------------------------

    def _upload(self, archive: Path) -> None:
        size = archive.stat().st_size
        self._log("INFO", f"Uploading {archive.name} ({size / 1e6:.1f} MB) to WebDAV {IMPEX_DIR}")
        with open(archive, "rb") as body:
            response = self._session.request(
                "PUT",
                self._webdav(f"{IMPEX_DIR}/{archive.name}"),
                body=body,
                headers={"Content-Type": "application/zip"},
                timeout=self.config.upload_timeout,
            )
        _expect(response, (200, 201, 204), f"uploading {archive.name}")
        self._log("INFO", f"Uploaded {archive.name}")

    def _start_import(self, file_name: str) -> dict:
        bodies = [
            {"file_name": file_name, "mode": self.config.import_mode},
            # The form older OCAPI versions and some instances insist on.
            {"parameters": [{"name": "ImportFile", "value": file_name}]},
        ]
        url = self._ocapi(f"jobs/{IMPORT_JOB}/executions")
        for retry in range(self.config.already_running_retries + 1):
            for index, body in enumerate(bodies):
                response = self._session.request("POST", url, json=body)
                fault = _fault_type(response)
                if response.ok:
                    execution = json_document(response, what="OCAPI", expected=f"a {IMPORT_JOB} execution")
                    self._log(
                        "INFO", f"Started {IMPORT_JOB} for {file_name}: execution {execution.get('id')}"
                    )
                    return execution
                if fault == _ALREADY_RUNNING:
                    break
                if index == 0 and response.status_code == 400:
                    self._log(
                        "WARN",
                        f"{IMPORT_JOB} refused the file_name/mode body ({fault}), retrying with parameters",
                    )
                    continue
                _expect(response, (200, 202), f"starting {IMPORT_JOB}")
            if retry < self.config.already_running_retries:
                wait = self.config.already_running_wait
                self._log("WARN", f"{IMPORT_JOB} is already running; trying again in {wait:g}s")
                self._sleep(wait)
        raise SfccJobAlreadyRunningError(
            f"{IMPORT_JOB} was still busy after {self.config.already_running_retries} retries",
            400,
            _ALREADY_RUNNING,
        )

    def _wait_for(self, execution: dict) -> dict:
        execution_id = str(execution["id"])
        url = self._ocapi(f"jobs/{IMPORT_JOB}/executions/{quote(execution_id)}")
        status = execution.get("execution_status")
        self._log("INFO", f"Execution {execution_id}: {status}")
        # Counting polls instead of reading a clock keeps the bound exact with an injected sleep.
        polls = max(1, math.ceil(self.config.job_timeout / self.config.poll_interval))
        for _ in range(polls):
            if status in FINAL_STATUSES:
                return execution
            self._sleep(self.config.poll_interval)
            response = self._session.request("GET", url)
            _expect(response, (200,), f"reading execution {execution_id}")
            execution = json_document(response, what="OCAPI", expected=f"execution {execution_id}")
            if execution.get("execution_status") != status:
                status = execution.get("execution_status")
                self._log("INFO", f"Execution {execution_id}: {status}")
        if status in FINAL_STATUSES:
            return execution
        raise SfccJobTimeoutError(
            f"{IMPORT_JOB} execution {execution_id} still {status} after {self.config.job_timeout:g}s"
        )

    def _read_data_errors(self, execution: dict) -> list[RejectedRecord]:
        path = _log_webdav_path(execution)
        if path is None:
            self._log("WARN", f"Execution {execution.get('id')} names no log file; data errors unknown")
            return []
        response = self._session.request("GET", self._webdav(path))
        if response.status_code == 404:
            self._log("WARN", f"Job log {path} not found on WebDAV; data errors unknown")
            return []
        _expect(response, (200,), f"reading job log {path}")
        errors = parse_data_errors(response.content.decode("utf-8", errors="replace"))
        self._log("INFO", f"Read job log {path.rsplit('/', 1)[-1]}: {len(errors)} data errors")
        for error in errors:
            self._log("WARN", f"SFCC rejected {error.identifier}: {error.message}")
        return errors

    def _result(self, archive: Path, execution: dict, data_errors: list[RejectedRecord]) -> DeliveryResult:
        execution_id = str(execution.get("id"))
        code, message = _exit_status(execution)
        if execution.get("execution_status") == "aborted" or code != "OK":
            self._log("ERROR", f"Execution {execution_id} ended {code or 'aborted'}: {message}")
            raise SfccJobError(
                f"{IMPORT_JOB} execution {execution_id} ended {code or 'aborted'}: {message or 'no message'}",
                execution_id,
                data_errors,
            )
        summary = f"{archive.name} imported by execution {execution_id}: OK"
        if data_errors:
            summary += f", {len(data_errors)} records rejected"
        return DeliveryResult(
            archive, self.target, summary, execution_id, code, execution.get("log_file_path"), data_errors
        )

    def _cleanup(self, file_name: str) -> bool:
        if self.config.keep_archive:
            self._log("INFO", f"Keeping {file_name} in {IMPEX_DIR} as configured")
            return False
        try:
            response = self._session.request("DELETE", self._webdav(f"{IMPEX_DIR}/{file_name}"))
        except SfccError as exc:
            self._log("WARN", f"Could not remove {file_name} from {IMPEX_DIR}: {exc}")
            return False
        if response.status_code in (200, 204, 404):
            self._log("INFO", f"Removed {file_name} from {IMPEX_DIR}")
            return True
        self._log("WARN", f"Could not remove {file_name} from {IMPEX_DIR}: HTTP {response.status_code}")
        return False

    def _webdav(self, path: str) -> str:
        return f"{self._base}{WEBDAV}/{quote(path)}"

    def _ocapi(self, path: str) -> str:
        return f"{self._base}/s/-/dw/data/{self.config.api_version}/{path}"


def delivery_from_config(config: Mapping[str, Any], log: Log | None = None, **kwargs: Any):
    """`{"target": "local"}` or `{"target": "sfcc", "instance_url": …, "client_id": …, …}`."""
    target = config.get("target", "local")
    if target == "local":
        return LocalDelivery()
    if target == "sfcc":
        return SfccDelivery(SfccConfig.from_mapping(config), log=log, **kwargs)
    raise SfccConfigError(f"unknown delivery target {target!r} (expected 'local' or 'sfcc')")


@dataclass(frozen=True)
class DeliveryTarget:
    """Where an import's files land: an SFCC instance's catalog, or local archives of a catalog.
    `key` is what records of shipped files are kept under (stable: scheme, case and a default
    port do not change it); `label` is how pages name it."""

    key: str
    label: str


def delivery_target(config: Mapping[str, Any], catalog_id: str) -> DeliveryTarget:
    if config.get("target") != "sfcc":
        return DeliveryTarget(f"local/{catalog_id}", f"local archives, catalog {catalog_id}")
    parts = urlsplit(str(config.get("instance_url") or ""))
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return DeliveryTarget(f"sfcc:{host}/{catalog_id}", f"SFCC instance {host}, catalog {catalog_id}")


def _expect(response, statuses: tuple[int, ...], what: str) -> None:
    if response.status_code in statuses:
        return
    fault = _fault_type(response)
    detail = _fault_message(response)
    reason = (
        f"HTTP {response.status_code}" + (f" {fault}" if fault else "") + (f": {detail}" if detail else "")
    )
    raise SfccRequestError(
        f"SFCC refused {what}: {reason}",
        response.status_code,
        fault,
    )


def _fault(response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body.get("fault", {}) if isinstance(body, dict) else {}


def _fault_type(response) -> str | None:
    return _fault(response).get("type")


def _fault_message(response) -> str:
    return str(_fault(response).get("message", ""))[:300]


def _exit_status(execution: dict) -> tuple[str | None, str]:
    """OCAPI's exit_status is a status document: `{"code": "OK", "status": "ok", "message": …}`."""
    status = execution.get("exit_status") or {}
    code = status.get("code") or status.get("status")
    return (code.upper() if code else None), str(status.get("message") or "")


def _log_webdav_path(execution: dict) -> str | None:
    """OCAPI names the log `/Sites/LOGS/jobs/<job>/Job-….log`; WebDAV serves it as
    `/on/demandware.servlet/webdav/Sites/Logs/jobs/<job>/Job-….log`."""
    path = execution.get("log_file_path")
    if path:
        relative = path.split("/Sites/", 1)[-1].lstrip("/")
        head, _, rest = relative.partition("/")
        return f"Logs/{rest}" if head.lower() == "logs" else relative
    name = execution.get("log_file_name")
    return f"Logs/jobs/{execution.get('job_id', IMPORT_JOB)}/{name}" if name else None
