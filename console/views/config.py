"""Configuration › Import configuration: edit, test connections, history, export and import.

Administrators only (`configure_import`); everyone else gets 403, on GET and POST alike.
Secrets are never rendered back: their inputs stay empty, and empty means "unchanged".
"""

import copy
import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.config_forms import ConfigForm
from console.views.common import require
from jobs import audit, config
from jobs.akeneo.errors import AkeneoError
from jobs.config import connections, jsontext
from jobs.config.models import ConfigVersion
from jobs.config.schema import SECRET_PATHS, get_path
from jobs.config.services import changes, form_document, in_force, previous_document
from jobs.models import AuditEntry
from jobs.redaction import Redactor
from jobs.sfcc.errors import SfccError

HISTORY_PAGE_SIZE = 20
MAX_IMPORT_BYTES = 1024 * 1024


@login_required
def config_edit(request):
    require(request.user, "configure")
    current, version = _current()
    if request.method != "POST":
        form = ConfigForm(initial=ConfigForm.initial_for(current, version))
        return _page(request, form, version)
    form = ConfigForm(request.POST)
    if form.is_valid():
        try:
            saved = config.save(
                form.document(current),
                user=request.user,
                comment=form.cleaned_data["comment"],
                based_on=form.cleaned_data["based_on"],
            )
        except config.ConfigInvalid as exc:
            form.add_problems(exc.problems)
        else:
            if saved.number == version:
                messages.info(request, f"Nothing changed: version {version} is still in force.")
            else:
                messages.success(request, f"Configuration version {saved.number} saved and in force.")
            return redirect("config")
    return _page(request, form, version, status=400)


@require_POST
@login_required
def config_test(request, target):
    """Test connection with the values on the form, stored secrets where left empty."""
    require(request.user, "configure")
    current, version = _current()
    form = ConfigForm(request.POST)
    section = "akeneo" if target == "akeneo" else "delivery"
    result = {"section": section}
    if not form.is_valid():
        result["error"] = "Correct the fields marked below first."
        return _page(request, form, version, test=result, status=400)
    stored = copy.deepcopy(current)  # form.document() writes the form's values into current
    document, problems = form_document(form.document(current))
    relevant = [p for p in problems if p.startswith(f"{section}.")]
    if relevant:
        form.add_problems(relevant)
        result["error"] = "Correct the fields marked below first."
        return _page(request, form, version, test=result, status=400)
    moved = _stored_secrets_sent_elsewhere(form, stored, document, section)
    if moved:
        result["error"] = moved
        _audit_test(request.user, section, document, result)
        return _page(request, form, version, test=result, status=400)
    try:
        if target == "akeneo":
            result["ok"] = connections.test_akeneo(document["akeneo"])
        else:
            result["ok"] = connections.test_delivery(document["delivery"])
    except (AkeneoError, SfccError) as exc:
        result["error"] = str(exc)
    for outcome in ("ok", "error"):
        if outcome in result:
            result[outcome] = _mask(result[outcome], document)
    _audit_test(request.user, section, document, result)
    return _page(request, form, version, test=result)


# The fields whose host a section's stored secrets were saved for, and the secrets' form fields.
_SECRET_HOSTS = {
    "akeneo": (("url",), ("akeneo_secret", "akeneo_password")),
    "delivery": (("instance_url", "token_url"), ("sfcc_client_secret",)),
}


def _origin(url) -> tuple[str, str, int | None]:
    parts = urlsplit(str(url or ""))
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _stored_secrets_sent_elsewhere(form, current: dict, document: dict, section: str) -> str | None:
    """A stored secret is only ever sent to the host it was saved for: with a changed host,
    the secrets must be typed again (else anyone who may configure could harvest them)."""
    url_fields, secret_fields = _SECRET_HOSTS[section]
    if all(form.cleaned_data.get(name) for name in secret_fields):
        return None  # every secret typed on the form: nothing stored is sent
    if section == "delivery" and document["delivery"].get("target") != "sfcc":
        return None  # local delivery connects to nothing
    for name in url_fields:
        saved, tried = current[section].get(name), document[section].get(name)
        if saved and tried and _origin(saved) != _origin(tried):
            host = urlsplit(str(tried)).netloc
            return (
                f"{section}.{name} now points at {host}, not the host the stored secrets were saved for: "
                "type the secrets again to test this host."
            )
    return None


def _audit_test(user, section: str, document: dict, result: dict) -> None:
    url = document[section].get("url" if section == "akeneo" else "instance_url") or "local"
    host = urlsplit(str(url)).netloc or str(url)[:100]
    outcome = "connected" if "ok" in result else "failed"
    audit.record(
        user=user, action=AuditEntry.Action.CONFIGURE, message=f"Test connection {section} {host}: {outcome}"
    )


@login_required
def config_history(request):
    require(request.user, "configure")
    versions = ConfigVersion.objects.select_related("user")
    page = Paginator(versions, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (row, [_shown(change) for change in changes(previous_document(row), row.document)]) for row in page
    ]
    return render(request, "config/history.html", {"page": page, "rows": rows})


@login_required
def config_export(request):
    require(request.user, "configure")
    _, version = in_force()
    body = json.dumps(config.export_document(), indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="import-configuration-v{version}.json"'
    return response


@require_POST
@login_required
def config_import(request):
    require(request.user, "configure")
    upload = request.FILES.get("file")
    document, problems = _read_upload(upload)
    if not problems:
        try:
            saved = config.import_document(document, user=request.user)
        except config.ConfigInvalid as exc:
            problems = exc.problems
        else:
            messages.success(
                request, f"{upload.name} imported: configuration version {saved.number} in force."
            )
            return redirect("config")
    current, version = _current()
    form = ConfigForm(initial=ConfigForm.initial_for(current, version))
    return _page(request, form, version, import_problems=problems, status=400)


def _read_upload(upload) -> tuple[object, list[str]]:
    """The uploaded JSON, or why it cannot be read."""
    if upload is None:
        return None, ["Choose a JSON file to import."]
    if upload.size > MAX_IMPORT_BYTES:
        return None, [
            f"{upload.name}: larger than {MAX_IMPORT_BYTES // 1024} KB; a configuration is far smaller."
        ]
    try:
        return jsontext.loads(upload.read().decode("utf-8")), []
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [f"{upload.name}: not valid JSON ({exc})."]


def _current() -> tuple[dict, int]:
    _, version = in_force()
    return config.export_document(), version


def _page(request, form, version, *, status=200, **context):
    context |= {
        "form": form,
        "version": version,
        "latest": ConfigVersion.objects.select_related("user").first(),
    }
    return render(request, "config/edit.html", context, status=status)


def _shown(change) -> dict:
    """A change as the history shows it: values as short JSON, a secret only as "changed"."""
    if change.secret:
        return {"path": change.path, "secret": True}
    return {"path": change.path, "old": _short(change.old), "new": _short(change.new)}


def _short(value, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mask(text: str, document: dict) -> str:
    """Error messages come from the clients and name no secret; this makes sure of it."""
    return Redactor(*(get_path(document, path) for path in SECRET_PATHS))(text)
