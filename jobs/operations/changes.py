"""What the console changes in the operations' settings, each with its audit entry in the same
transaction: report and retention settings, chains, alert rules, API tokens and API clients.
Views validate forms and call these; they write no model themselves."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from jobs import audit
from jobs.models import AuditEntry
from jobs.operations import chains
from jobs.operations.models import (
    ApiAccessToken,
    ApiClient,
    ApiToken,
    JobAlertRule,
    JobChain,
    OperationsSettings,
)


def _audit(user, job_id: str, message: str) -> None:
    audit.record(user=user, action=AuditEntry.Action.CONFIGURE, job_id=job_id, message=message)


def settings_save(user, data: dict) -> None:
    """`data`: report_recipients, retention_days, retention_keep."""
    recipients = data["report_recipients"] or "nobody"
    described = f"report to {recipients}; keep {data['retention_days']} days, at least {data['retention_keep']} per job"
    with transaction.atomic():
        OperationsSettings.objects.update_or_create(pk=1, defaults=data)
        _audit(user, "", f"Report and retention settings: {described}")


def chain_add(user, *, source: str, target: str) -> JobChain:
    """Raises `chains.ChainInvalid` (nothing written) for an unknown job, a loop, a duplicate."""
    with transaction.atomic():
        chain = chains.chain_add(source=source, target=target, user=user)
        _audit(user, source, f"Chain added: {target} starts after {source} ends OK or WARN")
    return chain


def chain_toggle(user, chain: JobChain) -> None:
    chain.enabled = not chain.enabled
    with transaction.atomic():
        chain.save(update_fields=["enabled"])
        _audit(user, chain.source_job, f"Chain {chain} {'enabled' if chain.enabled else 'disabled'}")


def chain_remove(user, chain: JobChain) -> None:
    with transaction.atomic():
        chain.delete()
        _audit(user, chain.source_job, f"Chain removed: {chain}")


def alerts_save(user, job_id: str, data: dict) -> None:
    """`data`: recipients, hanging_minutes (None: no hanging threshold)."""
    hanging = (
        f"hanging after {data['hanging_minutes']} min" if data["hanging_minutes"] else "no hanging threshold"
    )
    with transaction.atomic():
        JobAlertRule.objects.update_or_create(job_id=job_id, defaults=data)
        _audit(user, job_id, f"Alerts: e-mails to {data['recipients'] or 'nobody'}; {hanging}")


def token_issue(user, *, name: str, days: int | None) -> tuple[ApiToken, str]:
    """A personal API token; returns the row and the token, shown once."""
    return ApiToken.issue(user=user, name=name, days=days)


def access_token_issue(client: ApiClient, *, seconds: int) -> tuple[ApiAccessToken, str, int]:
    """An access token for a client that signed in (Account Manager's client credentials grant):
    the row, the token and its lifetime in seconds."""
    return ApiAccessToken.issue(client=client, seconds=seconds)


# last_used is written at most this often per token or client, not on every call.
LAST_USED_PRECISION = timedelta(minutes=1)


def note_use(row: ApiToken | ApiClient) -> None:
    """Remember that a token or a client was just used (to the minute)."""
    now = timezone.now()
    if row.last_used is None or now - row.last_used > LAST_USED_PRECISION:
        type(row).objects.filter(pk=row.pk).update(last_used=now)


def token_revoke(token: ApiToken) -> None:
    token.delete()


def api_client_issue(user, *, name: str, role: str, days: int) -> tuple[ApiClient, str]:
    """A client for Salesforce's tools; returns the row and its secret, shown once."""
    with transaction.atomic():
        client, secret = ApiClient.issue(name=name, role=role, days=days, user=user)
        _audit(
            user, "",
            f"API client {client.name} ({client.client_id}) created: role {client.role}, "
            f"expires {client.expires:%Y-%m-%d}",
        )  # fmt: skip
    return client, secret


def api_client_revoke(user, client: ApiClient) -> bool:
    """Revokes the client and its tokens; False (nothing written) when it already was."""
    if client.revoked is not None:
        return False
    with transaction.atomic():
        ApiClient.objects.filter(pk=client.pk).update(revoked=timezone.now())
        client.access_tokens.all().delete()
        _audit(user, "", f"API client {client.name} ({client.client_id}) revoked")
    return True
