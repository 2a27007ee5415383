"""Configuration › Import configuration: edit, test connections, history, export and import.

Administrators only (`configure_import`); everyone else gets 403, on GET and POST alike.
Secrets are never rendered back: their inputs stay empty, and empty means "unchanged".
"""

import copy
import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from console.common import require
from console.config import diff as config_diff
from console.config.forms import LIST_KINDS, ConfigForm, name_of
from console.pagination import page_of
from jobs import audit, config
from jobs.akeneo.errors import AkeneoError
from jobs.config import connections, jsontext
from jobs.config.models import ConfigVersion
from jobs.config.schema import SECRET_PATHS, get_path
from jobs.config.services import form_document, in_force, previous_document, version_document
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
    if not form.is_valid():
        # Also check what could be read, so every problem is named at once, not one phase at a time.
        _, problems = form_document(form.document(current))
        form.add_problems(problems)
        return _page(request, form, version, status=400)
    try:
        saved = config.save(
            form.document(current),
            user=request.user,
            comment=form.cleaned_data["comment"],
            based_on=form.cleaned_data["based_on"],
        )
    except config.ConfigInvalid as exc:
        form.add_problems(exc.problems)
        return _page(request, form, version, status=400)
    if saved.number == version:
        messages.info(request, f"Nothing changed: version {version} is still in force.")
    else:
        messages.success(request, f"Configuration version {saved.number} saved and in force.")
    return redirect("config")


@require_POST
@login_required
def config_test(request, target):
    """Test connection with the values on the form, stored secrets where left empty. Asked by
    htmx, only the result panel is sent back, so what was typed (secrets too) stays on the form."""
    require(request.user, "configure")
    current, version = _current()
    form = ConfigForm(request.POST)
    section = "akeneo" if target == "akeneo" else "delivery"
    result = {"section": section}
    stored = copy.deepcopy(current)  # form.document() writes the form's values into current
    form.is_valid()  # a problem elsewhere on the page does not stop this section's test
    document, problems = form_document(form.document(current))
    form.add_problems([p for p in problems if p.startswith(f"{section}.")])
    here = [p for p in form.summary() if p["section"] == _SECTION_TITLES[section]]
    if here:
        result["error"] = "Correct these fields first:"
        result["problems"] = here
        return _test_answer(request, form, version, result, status=400)
    moved = _stored_secrets_sent_elsewhere(form, stored, document, section)
    if moved:
        result |= moved
        _audit_test(request.user, section, document, result)
        return _test_answer(request, form, version, result, status=400)
    try:
        if target == "akeneo":
            result["ok"] = connections.test_akeneo(document["akeneo"])
        else:
            result["ok"] = connections.test_delivery(document["delivery"])
    except (AkeneoError, SfccError) as exc:
        result |= _diagnosis(exc, section, document)
    for outcome in ("ok", "error", "action", "detail"):
        if outcome in result:
            result[outcome] = _mask(result[outcome], document)
    _audit_test(request.user, section, document, result)
    return _test_answer(request, form, version, result)


_SECTION_TITLES = {"akeneo": "Akeneo connection", "delivery": "Delivery"}


def _diagnosis(exc, section: str, document: dict) -> dict:
    if section == "akeneo":
        url, service = document["akeneo"]["url"], "Akeneo"
        timeout = connections.read_timeout(document["akeneo"])
    else:
        url, service = document["delivery"]["instance_url"], "SFCC"
        timeout = min(document["delivery"]["request_timeout"], connections.TEST_TIMEOUT)
        if "Account Manager" in str(exc) or "token URL" in str(exc):
            url = document["delivery"]["token_url"]
    found = connections.diagnose(exc, service=service, url=url, timeout=timeout)
    return {"error": found.cause, "action": found.action, "detail": found.detail}


def _test_answer(request, form, version, result: dict, *, status: int = 200):
    if request.headers.get("HX-Request") == "true":
        # htmx swaps 2xx answers only; the panel itself says whether the test failed.
        return render(request, "config/_test_result.html", {"test": result, "key": result["section"]})
    return _page(request, form, version, test=result, status=status)


# The fields whose host a section's stored secrets were saved for.
_SECRET_HOSTS = {"akeneo": ("url",), "delivery": ("instance_url", "token_url")}


def _origin(url) -> tuple[str, str, int | None]:
    parts = urlsplit(str(url or ""))
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _stored_secrets_sent_elsewhere(form, current: dict, document: dict, section: str) -> dict | None:
    """A stored secret is only ever sent to the host it was saved for: with a changed host,
    the secrets must be typed again (else anyone who may configure could harvest them)."""
    url_fields = _SECRET_HOSTS[section]
    secret_fields = [name_of(path) for path in SECRET_PATHS if path.startswith(f"{section}.")]
    if all(form.cleaned_data.get(name) for name in secret_fields):
        return None  # every secret typed on the form: nothing stored is sent
    if section == "delivery" and document["delivery"].get("target") != "sfcc":
        return None  # local delivery connects to nothing
    for name in url_fields:
        saved, tried = current[section].get(name), document[section].get(name)
        if saved and tried and _origin(saved) != _origin(tried):
            host = urlsplit(str(tried)).netloc
            return {
                "error": f"{section}.{name} now points at {host}, not the host the stored secrets were "
                "saved for: they are not sent there.",
                "action": "Type the secrets again to test this host ("
                + ", ".join(
                    str(form[field].label) for field in secret_fields if not form.cleaned_data.get(field)
                )
                + ").",
            }
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
    page = page_of(versions, HISTORY_PAGE_SIZE, request)
    rows = [(row, config_diff.diff(previous_document(row), row.document)) for row in page]
    numbers = list(ConfigVersion.objects.values_list("number", flat=True))
    return render(
        request,
        "config/history.html",
        {"page": page, "rows": rows, "numbers": numbers, "in_force": numbers[0] if numbers else 0},
    )


@login_required
def config_compare(request):
    """Two versions field by field (`a` before `b`; 0 is the default configuration)."""
    require(request.user, "configure")
    numbers = list(ConfigVersion.objects.values_list("number", flat=True))
    try:
        a, b = int(request.GET.get("a", "")), int(request.GET.get("b", ""))
        old, new = version_document(a), version_document(b)
    except (ValueError, ConfigVersion.DoesNotExist):
        messages.error(request, "Choose two saved versions to compare.")
        return redirect("config_history")
    context = {"a": a, "b": b, "diffs": config_diff.diff(old, new), "numbers": numbers}
    return render(request, "config/compare.html", context)


@require_POST
@login_required
def config_restore(request):
    """Version N saved again as a new version; the ones between stay in the history."""
    require(request.user, "configure")
    try:
        number = int(request.POST.get("number", ""))
        based_on = int(request.POST.get("based_on", ""))
    except ValueError:
        messages.error(request, "Choose the version to restore.")
        return redirect("config_history")
    try:
        saved = config.restore(number, user=request.user, based_on=based_on)
    except ConfigVersion.DoesNotExist:
        messages.error(request, f"There is no version {number} to restore.")
        return redirect("config_history")
    except config.ConfigInvalid as exc:
        messages.error(request, str(exc))
        return redirect("config_history")
    if saved.number == based_on:
        messages.info(
            request, f"Nothing changed: version {based_on} already says what version {number} says."
        )
    else:
        messages.success(request, f"Version {number} restored as version {saved.number}, now in force.")
    return redirect("config_history")


@login_required
def config_akeneo_lists(request):
    """Akeneo's attributes, locales, channels and association types, from the saved connection,
    as the datalists the page's pickers use (asked by the "Load from Akeneo" button)."""
    require(request.user, "configure")
    _, version = in_force()
    context = {"kinds": LIST_KINDS}
    document, problems = form_document(config.export_document())
    akeneo_problems = [p for p in problems if p.startswith("akeneo.")]
    if version == 0:
        context["error"] = "Nothing is saved yet: save the Akeneo connection first, then load its lists."
    elif akeneo_problems:
        context["error"] = "The saved Akeneo connection cannot be used: " + "; ".join(akeneo_problems)
    else:
        try:
            context["lists"] = connections.akeneo_lists(document["akeneo"])
        except AkeneoError as exc:
            found = connections.diagnose(
                exc,
                service="Akeneo",
                url=document["akeneo"]["url"],
                timeout=connections.read_timeout(document["akeneo"]),
            )
            context |= {
                "error": _mask(found.cause, document),
                "action": _mask(found.action, document),
                "detail": _mask(found.detail, document),
            }
    return render(request, "config/_akeneo_lists.html", context)


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


def _mask(text: str, document: dict) -> str:
    """Error messages come from the clients and name no secret; this makes sure of it."""
    return Redactor(*(get_path(document, path) for path in SECRET_PATHS))(text)
