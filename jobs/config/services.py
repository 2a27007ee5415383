"""Reading and saving the import configuration: one `ConfigVersion` row per save, the newest in force.

A secret submitted empty (or left out) means "unchanged": the stored one is kept. Secrets are
stored encrypted and come out in clear only through `load()` (for the pipeline) and
`export_document(with_secrets=True)`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from jobs import audit
from jobs.config import crypto
from jobs.config.models import ConfigVersion
from jobs.config.schema import SECRET_PATHS, default_document, get_path, leaf_paths, normalize, set_path
from jobs.config.values import ImportSettings
from jobs.models import AuditEntry


class ConfigInvalid(ValueError):
    """The document was refused; `problems` lists each as `dotted.path: message`."""

    def __init__(self, problems: list[str], summary: str = ""):
        self.problems = list(problems)
        count = len(self.problems)
        summary = summary or f"{count} problem{'s' if count != 1 else ''}"
        super().__init__(f"{summary}: " + "; ".join(self.problems))


def in_force() -> tuple[dict, int]:
    """The stored document in force (secrets encrypted; the default's in clear) and its version."""
    row = ConfigVersion.objects.order_by("-number").first()
    if row is None:
        return default_document(), 0
    return copy.deepcopy(row.document), row.number


def load() -> ImportSettings:
    """The configuration in force, secrets in clear: what an execution runs with."""
    stored, version = in_force()
    clear, problems = _reveal_secrets(stored)
    cleaned, invalid = normalize(clear)
    problems += invalid
    if problems and version == 0:
        raise ConfigInvalid(
            problems, "The import is not configured yet (Administration › Import configuration)"
        )
    if problems:
        raise ConfigInvalid(problems)
    return ImportSettings.from_document(cleaned, version=version)


def save(document: dict, *, user=None, comment: str = "", based_on: int | None = None) -> ConfigVersion:
    """Validate the whole document and store it as the next version. `based_on` (the version
    the editor started from) refuses the save when someone else saved in between."""
    try:
        with transaction.atomic():
            return _save(document, user=user, comment=comment.strip(), based_on=based_on)
    except IntegrityError:
        # Another save took the same version number between our read and our insert.
        raise ConfigInvalid(["configuration: saved by someone else at the same moment; try again"]) from None


def _save(document: dict, *, user, comment: str, based_on: int | None) -> ConfigVersion:
    base, number = in_force()
    if based_on is not None and based_on != number:
        raise ConfigInvalid(
            [f"configuration: version {number} was saved while you edited version {based_on}; reload it"]
        )
    cleaned, problems = normalize(_keep_unchanged_secrets(document, base))
    if problems:
        raise ConfigInvalid(problems)
    stored = _encrypt_secrets(cleaned, base)
    changed = [change.path for change in changes(base, stored)]
    if number and not changed:
        # Nothing to record: the version in force already says exactly this.
        return ConfigVersion.objects.get(number=number)
    row = ConfigVersion.objects.create(number=number + 1, document=stored, user=user, comment=comment)
    summary = ", ".join(changed) if changed else "no field changed from the default"
    audit.record(
        user=user,
        action=AuditEntry.Action.CONFIGURE,
        message=f"Configuration version {row.number}: {summary}" + (f". {comment}" if comment else ""),
    )
    return row


def import_document(document: dict, *, user=None) -> ConfigVersion:
    """A whole document (as `export_document` writes it) becomes the next version, or nothing
    is stored and `ConfigInvalid` lists every problem."""
    return save(document, user=user, comment="Imported from a configuration file")


def export_document(*, with_secrets: bool = False) -> dict:
    """The configuration in force as one document. Secrets are written "" (importing that keeps
    the stored ones) unless `with_secrets`; `env:NAME` references are written as they are."""
    stored, _ = in_force()
    document, _ = normalize(stored)
    for path in SECRET_PATHS:
        value = get_path(document, path)
        if value.startswith(crypto.ENV_PREFIX):
            continue
        set_path(document, path, crypto.reveal(value) if with_secrets else "")
    return document


def form_document(document: dict) -> tuple[dict, list[str]]:
    """A submitted document as saving would read it, secrets in clear (the stored ones where
    left empty) — what Test connection tries before anything is saved."""
    base, _ = in_force()
    cleaned, problems = normalize(_keep_unchanged_secrets(document, base))
    clear, unavailable = _reveal_secrets(cleaned)
    return clear, problems + unavailable


@dataclass(frozen=True)
class Change:
    path: str
    old: object
    new: object
    secret: bool


def changes(old: dict, new: dict) -> list[Change]:
    """Fields whose value differs between two stored documents, in schema order. Secrets are
    compared in clear where they can be decrypted (each encryption of a value differs)."""
    found = []
    for path in leaf_paths():
        before, after = _get(old, path), _get(new, path)
        if path in SECRET_PATHS:
            if not _same_secret(before, after):
                found.append(Change(path, None, None, secret=True))
        elif before != after:
            found.append(Change(path, before, after, secret=False))
    return found


def restore(number: int, *, user=None, based_on: int | None = None) -> ConfigVersion:
    """Version `number` saved again as the next version (its secrets, `env:` references
    included, as they were), audited like any save. `ConfigVersion.DoesNotExist` when there is
    no such version; `ConfigInvalid` when it cannot be brought back (a secret whose key is
    gone, a value today's rules refuse)."""
    row = ConfigVersion.objects.get(number=number)
    document, problems = _reveal_secrets(row.document, keep_env=True)
    if problems:
        raise ConfigInvalid(problems, f"Version {number} cannot be restored")
    return save(document, user=user, comment=f"Restored version {number}", based_on=based_on)


def version_document(number: int) -> dict:
    """The stored document of version `number`; 0 is the default configuration."""
    if number == 0:
        return default_document()
    return ConfigVersion.objects.get(number=number).document


def previous_document(row: ConfigVersion) -> dict:
    """What `row` replaced: the version before it, or the default for the first."""
    before = ConfigVersion.objects.filter(number__lt=row.number).order_by("-number").first()
    return before.document if before else default_document()


# --- secrets --------------------------------------------------------------------------------


def _keep_unchanged_secrets(document, base: dict):
    if not isinstance(document, dict):
        return document
    document = copy.deepcopy(document)
    for path in SECRET_PATHS:
        section_name, key = path.split(".")
        section = document.setdefault(section_name, {})
        if isinstance(section, dict) and section.get(key) in (None, ""):
            section[key] = _get(base, path) or ""
    return document


def _encrypt_secrets(document: dict, base: dict) -> dict:
    stored = copy.deepcopy(document)
    for path in SECRET_PATHS:
        value, kept = get_path(document, path), _get(base, path) or ""
        if crypto.is_encrypted(kept) and (value == kept or _clear(kept) == value):
            set_path(stored, path, kept)
        else:
            set_path(stored, path, crypto.encrypt(value))
    return stored


def _reveal_secrets(document: dict, *, keep_env: bool = False) -> tuple[dict, list[str]]:
    clear, problems = copy.deepcopy(document), []
    for path in SECRET_PATHS:
        value = _get(document, path)
        if not isinstance(value, str):
            continue  # normalize() names the wrong type
        if keep_env and value.startswith(crypto.ENV_PREFIX):
            continue  # a reference stays one: saving it stores the reference, not its value
        try:
            set_path(clear, path, crypto.reveal(value))
        except crypto.SecretUnavailable as exc:
            problems.append(f"{path}: {exc}")
    return clear, problems


def _clear(stored: str) -> str | None:
    try:
        return crypto.reveal(stored) if crypto.is_encrypted(stored) else stored
    except crypto.SecretUnavailable:
        return None


def _same_secret(a, b) -> bool:
    if a == b:
        return True
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    clear_a = _clear(a)
    return clear_a is not None and clear_a == _clear(b)


def _get(document: dict, path: str):
    try:
        return get_path(document, path)
    except (KeyError, TypeError):
        return None
