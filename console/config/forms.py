"""The Configuration page's form: one field per document path, in the page's sections.

Each field is built from its schema kind (jobs/config/schema.py): label, help, whether it is
required, bounds and lengths are written there once; this module keeps only what is the page's
own (its sections, the pickers of Akeneo codes, the comment). The form only turns text into
JSON values (`key = value` lines, comma-separated codes, a
JSON textarea); `jobs.config` validates the whole document and its problems, named by dotted
path, are put back beside the fields they concern.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from jobs.config import jsontext
from jobs.config.schema import (
    Choice,
    Flag,
    Number,
    Search,
    Secret,
    Storefronts,
    StrList,
    StrMap,
    Text,
    get_path,
    kind_of,
    leaf_paths,
    set_path,
    too_long,
)

UNCHANGED = "unchanged — leave empty to keep"


class KeyValueField(forms.CharField):
    """A `dict[str, str]` as lines of `key = value`."""

    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{key} = {item}" for key, item in value.items())
        return value

    def to_python(self, value):
        result = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, item = line.partition("=")
            if not sep or not key.strip() or not item.strip():
                raise ValidationError(f"Line {number}: write code = value.")
            if key.strip() in result:
                raise ValidationError(f"Line {number}: {key.strip()} is listed twice.")
            result[key.strip()] = item.strip()
        return result


class StorefrontsField(KeyValueField):
    """The storefronts as lines of `storefront catalog id = Akeneo category code`, in order."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{item['catalog_id']} = {item['category']}" for item in value)
        return value

    def to_python(self, value):
        return [{"catalog_id": key, "category": code} for key, code in super().to_python(value).items()]


class CodeListField(forms.CharField):
    """A list of codes, separated by commas, spaces or new lines."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [code for code in (value or "").replace(",", " ").split() if code]


class JsonObjectField(forms.CharField):
    """Raw JSON: an object, or empty for none."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "code"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False)
        return "" if value is None else value

    def to_python(self, value):
        if not (value or "").strip():
            return None
        try:
            parsed = jsontext.loads(value)
        except ValueError as exc:
            raise ValidationError(f"Not valid JSON: {exc}.") from None
        if not isinstance(parsed, dict):
            raise ValidationError(
                'Write a JSON object, like {"family": [{"operator": "IN", "value": ["x"]}]}.'
            )
        return parsed


class OptionalBooleanField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        choices = [("", "Any"), ("true", "Enabled only"), ("false", "Disabled only")]
        super().__init__(
            choices=choices, coerce=lambda v: v == "true", empty_value=None, required=False, **kwargs
        )

    def prepare_value(self, value):
        return {True: "true", False: "false"}.get(value, "")


class TextField(forms.CharField):
    """A `Text` kind: at most its schema's characters, refused in the schema's own words."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def validate(self, value):
        super().validate(value)
        if value and (problem := too_long(value, self.max_length)):
            raise ValidationError(problem)


def form_field(kind) -> forms.Field:
    """The page's field for a schema kind: its words, bounds and lengths are the schema's."""
    words = {"label": kind.label, "help_text": kind.help}
    match kind:
        case Secret():  # never rendered back: empty keeps the stored one
            widget = forms.PasswordInput(
                render_value=False, attrs={"placeholder": UNCHANGED, "autocomplete": "new-password"}
            )
            return TextField(required=False, max_length=kind.max_length, widget=widget, **words)
        case Text():
            return TextField(required=kind.required, max_length=kind.max_length, **words)
        case Number():
            number = forms.IntegerField if kind.integer else forms.FloatField
            return number(required=not kind.nullable, min_value=kind.minimum, max_value=kind.maximum, **words)
        case Flag() if kind.nullable:
            return OptionalBooleanField(**words)
        case Flag():
            return forms.BooleanField(required=False, **words)
        case Choice():
            widget = forms.RadioSelect if kind.radio else None
            return forms.ChoiceField(choices=kind.options(), widget=widget, **words)
        case StrMap():
            return KeyValueField(**words)
        case StrList():
            return CodeListField(**words)
        case Search():
            return JsonObjectField(**words)
        case Storefronts():
            return StorefrontsField(**words)
    raise TypeError(f"no form field for {kind!r}")


def name_of(path: str) -> str:
    """A document path's form field (its HTML name, `id_…` its id): `mapping.channel` →
    `mapping_channel`."""
    return path.replace(".", "_")


def _fields(prefix: str, names: str) -> list[str]:
    return [f"{prefix}.{name}" for name in names.split()]


def _all(prefix: str, *, but: tuple[str, ...] = ()) -> list[str]:
    return [path for path in leaf_paths() if path.startswith(f"{prefix}.") and path not in but]


# The page's sections: (anchor, title, [(sub-heading or "", document paths in order)]). The
# document's other fields are not on the page and keep their values when it is saved.
SECTIONS = [
    ("akeneo", "Akeneo connection", [("", _all("akeneo"))]),
    ("locales", "Channel & locales", [("", _fields("mapping", "channel locales default_locale catalog_id"))]),
    ("catalogs", "Catalogs & sites", [
        ("Storefronts", ["catalogs.storefronts"]),
        ("Categories", _fields("catalogs", "write_categories categories_online primary_category category_positions")),
        ("Removals", ["catalogs.removed_products"]),
    ]),
    ("mapping", "Mapping", [
        ("Attributes", _fields("mapping", "attribute_prefix system_attributes custom_attributes "
                                          "custom_attribute_types excluded_attributes")),
        ("Associations and images", _fields("mapping", "recommendation_types link_types quantified_types "
                                                       "image_view_types asset_view_types")),
        ("Product models", ["mapping.model_mode"]),
        ("Reference entities", _fields("mapping", "content_library content_site")),
        ("Prices", _fields("mapping", "price_attribute pricebook_id_pattern pricebook_name_pattern currencies")),
    ]),
    ("filters", "Filters", [
        ("Products", _all("filters.products")),
        # Akeneo's product models have no enabled flag.
        ("Product models", _all("filters.product_models", but=("filters.product_models.enabled",))),
    ]),
    ("delivery", "Delivery", [("", _fields("delivery", "target instance_url client_id client_secret token_url "
                                                       "api_version import_mode keep_archive job_timeout"))]),
    ("import", "Import", [("", _all("import"))]),
]  # fmt: skip

# Form field → document path, for every field of the page, in page order.
PATHS = {name_of(path): path for _, _, groups in SECTIONS for _, paths in groups for path in paths}
if len(PATHS) != sum(len(paths) for _, _, groups in SECTIONS for _, paths in groups):
    raise ValueError("two document paths have the same form field name, or a path is listed twice")

# Fields whose codes are Akeneo's: path → (list loaded from Akeneo, how a pick is written).
# A single code gets the datalist on its own input; a list field gets a picker that adds a
# `code = ` line ("pair"), `en_US = en-US` ("locale") or `, code` ("code") to its text.
PICKS = {
    "mapping.channel": ("channels", "value"),
    "mapping.default_locale": ("locales", "value"),
    "mapping.price_attribute": ("attributes", "value"),
    "mapping.locales": ("locales", "locale"),
    "mapping.system_attributes": ("attributes", "pair"),
    "mapping.custom_attributes": ("attributes", "pair"),
    "mapping.custom_attribute_types": ("attributes", "pair"),
    "mapping.excluded_attributes": ("attributes", "code"),
    "mapping.image_view_types": ("attributes", "pair"),
    "mapping.asset_view_types": ("attributes", "pair"),
    "mapping.recommendation_types": ("association_types", "pair"),
    "mapping.link_types": ("association_types", "pair"),
    "mapping.quantified_types": ("association_types", "pair"),
    "filters.products.completeness.locales": ("locales", "code"),
    "filters.product_models.completeness.locales": ("locales", "code"),
}
PICK_WORDS = {
    "channels": "a channel",
    "locales": "a locale",
    "attributes": "an attribute",
    "association_types": "an association type",
}
LIST_KINDS = tuple(PICK_WORDS)


def _fields_from_the_schema(form_class):
    """One field per path of the page, before the form's own (comment, based_on)."""
    fields = {name: form_field(kind_of(path)) for name, path in PATHS.items()}
    for path, (kind, _) in PICKS.items():
        if not isinstance(fields[name_of(path)], KeyValueField | CodeListField):
            fields[name_of(path)].widget.attrs["list"] = f"akeneo-{kind}"
    form_class.base_fields = fields | form_class.base_fields
    return form_class


@_fields_from_the_schema
class ConfigForm(forms.Form):
    comment = forms.CharField(label="Comment", required=False, max_length=500)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, document: dict, version: int) -> dict:
        """Initial values from an exported document (its secrets already blanked)."""
        initial = {name: get_path(document, path) for name, path in PATHS.items()}
        initial["based_on"] = version
        return initial

    def document(self, current: dict) -> dict:
        """`current` (the exported configuration in force) with this form's values applied:
        the document fields the page does not show keep their values, and so do the fields
        whose text could not be read (so the rest can still be checked)."""
        for name, path in PATHS.items():
            if name in self.cleaned_data:
                set_path(current, path, self.cleaned_data[name])
        return current

    def add_problems(self, problems: list[str]) -> None:
        """Put each `dotted.path: message` beside the field of the longest matching path; a
        field that already says what is wrong with its text is not told more."""
        by_path = sorted(((path, name) for name, path in PATHS.items()), key=lambda item: -len(item[0]))
        already = set(self.errors)
        for problem in problems:
            path, _, message = problem.partition(": ")
            field = next(
                (
                    name
                    for known, name in by_path
                    if path == known or path.startswith((f"{known}.", f"{known}["))
                ),
                None,
            )
            if field in already:
                continue
            detail = path[len(PATHS[field]) :].lstrip(".") if field else ""
            self.add_error(field, f"{detail}: {message}" if detail else (message if field else problem))

    def sections(self):
        for key, title, groups in SECTIONS:
            yield key, title, [(heading, [self[name_of(p)] for p in paths]) for heading, paths in groups]

    def summary(self) -> list[dict]:
        """Every problem on the form in page order, each with the anchor of its field (none for
        a problem of the whole configuration): the list at the top of the page."""
        found = [{"anchor": "", "label": "", "section": "", "message": m} for m in self.non_field_errors()]
        for _, title, groups in SECTIONS:
            for _, paths in groups:
                for name in map(name_of, paths):
                    for message in self.errors.get(name, []):
                        anchor = self[name].id_for_label or f"row-{name}"
                        found.append(
                            {
                                "anchor": anchor,
                                "label": self[name].label,
                                "section": title,
                                "message": message,
                            }
                        )
        return found

    def picker(self, name: str) -> dict | None:
        """The "pick from Akeneo" input under a list field: its datalist and how a pick is added."""
        path = PATHS.get(name)
        if path not in PICKS or not isinstance(self.fields[name], KeyValueField | CodeListField):
            return None
        kind, add_as = PICKS[path]
        return {"list": f"akeneo-{kind}", "add_as": add_as, "what": PICK_WORDS[kind]}
