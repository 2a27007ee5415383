"""Every URL of the console, taken from the URLconf, with an object behind each argument, and
who may use it. A URL added to the URLconf without a row here fails the tests: nothing escapes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jobs.operations.models import ApiToken, JobChain
from tests.pages_fixtures import make_execution

ANONYMOUS, ADMIN, MERCHANDISER, SUPPORT, NOBODY = "anonymous", "admin", "merchandiser", "support", "nobody"
ROLES = (ANONYMOUS, ADMIN, MERCHANDISER, SUPPORT, NOBODY)
STAFF = frozenset({ADMIN, MERCHANDISER, SUPPORT})  # the three console roles
ADMINS = frozenset({ADMIN})
RUNNERS = frozenset({ADMIN, MERCHANDISER})
SIGNED_IN = frozenset({ADMIN, MERCHANDISER, SUPPORT, NOBODY})
OPEN = frozenset(ROLES)
NO_ONE = None  # the method is not allowed (405)


@dataclass(frozen=True)
class Access:
    get: frozenset | None
    post: frozenset | None
    # "session": anonymous users go to the login page; "token": the REST API answers 401
    # without a bearer token and ignores the session; "public": no sign-in needed; "client":
    # the token endpoint, which wants an API client's id and secret (401 for everyone else).
    auth: str = "session"


# url name → who may GET and POST it. POST on a page that only shows something re-renders it
# (nothing changes); the state changes are the POST-only rows.
ACCESS: dict[str, Access] = {
    "/": Access(OPEN, OPEN, auth="public"),  # redirects to the Jobs page (which wants a role)
    "login": Access(OPEN, OPEN, auth="public"),
    "logout": Access(NO_ONE, OPEN, auth="public"),
    "jobs": Access(STAFF, STAFF),
    "jobs_table": Access(STAFF, STAFF),
    "media_ship_again": Access(NO_ONE, ADMINS),
    "job_run": Access(NO_ONE, RUNNERS),
    "job_schedule_delete": Access(NO_ONE, ADMINS),
    "job_schedule": Access(STAFF, ADMINS),
    "job": Access(STAFF, STAFF),
    "history": Access(STAFF, STAFF),
    "execution": Access(STAFF, STAFF),
    "execution_live": Access(STAFF, STAFF),
    "execution_stop": Access(NO_ONE, RUNNERS),
    "execution_rerun": Access(NO_ONE, RUNNERS),
    "execution_log": Access(STAFF, STAFF),
    "execution_artifact": Access(STAFF, STAFF),
    "audit": Access(ADMINS, ADMINS),
    "users": Access(ADMINS, ADMINS),
    "user": Access(ADMINS, ADMINS),
    "user_active": Access(NO_ONE, ADMINS),
    "user_password": Access(NO_ONE, ADMINS),
    "config": Access(ADMINS, ADMINS),
    "config_test_akeneo": Access(NO_ONE, ADMINS),
    "config_test_sfcc": Access(NO_ONE, ADMINS),
    "config_history": Access(ADMINS, ADMINS),
    "config_compare": Access(ADMINS, ADMINS),
    "config_restore": Access(NO_ONE, ADMINS),
    "config_akeneo_lists": Access(ADMINS, ADMINS),
    "config_export": Access(ADMINS, ADMINS),
    "config_import": Access(NO_ONE, ADMINS),
    "status_report": Access(STAFF, STAFF),
    "status_report_csv": Access(STAFF, STAFF),
    "operations_settings": Access(NO_ONE, ADMINS),
    "job_operations": Access(STAFF, STAFF),
    "job_chain_add": Access(NO_ONE, ADMINS),
    "job_chain_toggle": Access(NO_ONE, ADMINS),
    "job_chain_delete": Access(NO_ONE, ADMINS),
    "job_alerts": Access(NO_ONE, ADMINS),
    # Personal API tokens: every signed-in account lists and revokes its own; an account with a
    # role creates them (a token acts with that role).
    "tokens": Access(SIGNED_IN, STAFF),
    # The time zone pages show times in: any signed-in account chooses its own.
    "time_zone": Access(SIGNED_IN, SIGNED_IN),
    "token_revoke": Access(NO_ONE, SIGNED_IN),
    "api_jobs": Access(STAFF, NO_ONE, auth="token"),
    "api_executions": Access(NO_ONE, RUNNERS, auth="token"),
    "api_execution": Access(STAFF, NO_ONE, auth="token"),
    "api_schema": Access(OPEN, NO_ONE, auth="public"),  # the OpenAPI document
    "api_clients": Access(ADMINS, ADMINS),
    "api_client_revoke": Access(NO_ONE, ADMINS),
    # What Salesforce's tools call: the token endpoint, OCAPI's job resources, WebDAV logs.
    "ocapi_access_token": Access(NO_ONE, NO_ONE, auth="client"),
    "ocapi_executions": Access(NO_ONE, RUNNERS, auth="token"),
    "ocapi_execution": Access(STAFF, NO_ONE, auth="token"),
    "ocapi_search": Access(NO_ONE, STAFF, auth="token"),
    "webdav_sites": Access(STAFF, NO_ONE, auth="token"),
}


def url_names() -> set[str]:
    """Every URL name (or path, when unnamed) outside the Django admin (which has its own staff login)."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace != "admin":
                names.add(pattern.name or f"/{pattern.pattern}")  # an unnamed one by its path

    walk(get_resolver().url_patterns, None)
    return names


@dataclass
class World:
    """Objects for the URLs' arguments: a finished execution with a log and an artifact, a
    chain, an API token per user, an account for the Users and Roles pages."""

    execution: object
    chain: JobChain
    tokens: dict
    account: object

    def url(self, name: str) -> str:
        job, pk = "Test-Quick", self.execution.pk
        args = {
            "job": [job],
            "job_run": [job],
            "job_schedule": [job],
            "job_schedule_delete": [job],
            "job_operations": [job],
            "job_chain_add": [job],
            "job_chain_toggle": [job, self.chain.pk],
            "job_chain_delete": [job, self.chain.pk],
            "job_alerts": [job],
            "execution": [pk],
            "execution_live": [pk],
            "execution_stop": [pk],
            "execution_rerun": [pk],
            "execution_log": [pk],
            "execution_artifact": [pk, 0],
            "token_revoke": [0],
            "api_executions": [job],
            "api_execution": [job, pk],
            "user": [self.account.pk],
            "user_active": [self.account.pk],
            "user_password": [self.account.pk],
            "api_client_revoke": [0],
            "ocapi_executions": ["v19_5", job],
            "ocapi_execution": ["v19_5", job, str(pk)],
            "ocapi_search": ["v19_5"],
            "webdav_sites": [f"Impex/log/{self.execution.log_file_name}"],
        }
        if name.startswith("/"):
            return name
        return reverse(name, args=args.get(name, []))


def make_world(users, storage_root) -> World:
    execution = make_execution(artifacts=[{"name": "X.zip", "path": "artifacts/sec/X.zip", "size": 3}])
    log = storage_root / "logs" / execution.log_file_name
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("a line\n")
    artifact = storage_root / "artifacts" / "sec" / "X.zip"
    artifact.parent.mkdir(parents=True, exist_ok=True)
    artifact.write_bytes(b"zip")
    chain = JobChain.objects.create(source_job="Test-Quick", target_job="Test-Free")
    tokens = {role: ApiToken.issue(user=user, name="security test")[1] for role, user in users.items()}
    account = User.objects.create_user("account", "account@example.com", "account-pass-123")
    return World(execution, chain, tokens, account)
