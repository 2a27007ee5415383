"""Configuration › Import configuration: edit, test connections, history, export and import.

Administrators only (`configure_import`); everyone else gets 403, on GET and POST alike.
Secrets are never rendered back: their inputs stay empty, and empty means "unchanged".
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.config_forms import ConfigForm
from console.views.common import require
from jobs import config
from jobs.akeneo.errors import AkeneoError
from jobs.config import connections, jsontext
from jobs.config.models import ConfigVersion
from jobs.config.services import changes, form_document, in_force, previous_document
from jobs.joblog import MASK
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
    document, problems = form_document(form.document(current))
    relevant = [p for p in problems if p.startswith(f"{section}.")]
    if relevant:
        form.add_problems(relevant)
        result["error"] = "Correct the fields marked below first."
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
    return _page(request, form, version, test=result)


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
    for secret in (
        document["akeneo"]["secret"],
        document["akeneo"]["password"],
        document["delivery"]["client_secret"],
    ):
        if secret and len(secret) > 3:
            text = text.replace(secret, MASK)
    return text
