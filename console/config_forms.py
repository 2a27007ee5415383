"""The Configuration page's form: one field per document path, in the page's sections.

The form only turns text into JSON values (`key = value` lines, comma-separated codes, a
JSON textarea); `jobs.config` validates the whole document and its problems, named by dotted
path, are put back beside the fields they concern.
"""

import json

from django import forms
from django.core.exceptions import ValidationError

from jobs.config import jsontext
from jobs.config.schema import SCHEMA, Number, get_path, set_path

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


def _secret(label: str) -> forms.CharField:
    widget = forms.PasswordInput(
        render_value=False, attrs={"placeholder": UNCHANGED, "autocomplete": "new-password"}
    )
    return forms.CharField(label=label, required=False, strip=True, widget=widget)


def _choices(path: str):
    return [(value, value) for value in get_path(SCHEMA, path).choices]


def _filter_fields(prefix: str, *, with_enabled: bool) -> dict:
    fields = {}
    if with_enabled:
        fields[f"{prefix}_enabled"] = OptionalBooleanField(label="Enabled")
    fields |= {
        f"{prefix}_completeness": forms.IntegerField(label="Completeness at least (%)", required=False),
        f"{prefix}_completeness_locales": CodeListField(label="Completeness locales"),
        f"{prefix}_families": CodeListField(label="Families"),
        f"{prefix}_categories": CodeListField(label="Categories (with their subcategories)"),
        f"{prefix}_search": JsonObjectField(label="Advanced Akeneo search (JSON)"),
    }
    return fields


# Form field → document path. The sections of the page list these names in order.
PATHS = {
    "akeneo_url": "akeneo.url",
    "akeneo_client_id": "akeneo.client_id",
    "akeneo_secret": "akeneo.secret",
    "akeneo_username": "akeneo.username",
    "akeneo_password": "akeneo.password",
    "akeneo_timeout": "akeneo.timeout",
    "akeneo_concurrency": "akeneo.concurrency",
    "channel": "mapping.channel",
    "locales": "mapping.locales",
    "default_locale": "mapping.default_locale",
    "catalog_id": "mapping.catalog_id",
    "attribute_prefix": "mapping.attribute_prefix",
    "system_attributes": "mapping.system_attributes",
    "excluded_attributes": "mapping.excluded_attributes",
    "link_types": "mapping.link_types",
    "recommendation_types": "mapping.recommendation_types",
    "quantified_types": "mapping.quantified_types",
    "custom_attributes": "mapping.custom_attributes",
    "custom_attribute_types": "mapping.custom_attribute_types",
    "content_library": "mapping.content_library",
    "content_site": "mapping.content_site",
    "image_view_types": "mapping.image_view_types",
    "asset_view_types": "mapping.asset_view_types",
    "model_mode": "mapping.model_mode",
    "price_attribute": "mapping.price_attribute",
    "pricebook_id_pattern": "mapping.pricebook_id_pattern",
    "pricebook_name_pattern": "mapping.pricebook_name_pattern",
    "currencies": "mapping.currencies",
    "products_enabled": "filters.products.enabled",
    "products_completeness": "filters.products.completeness.percent",
    "products_completeness_locales": "filters.products.completeness.locales",
    "products_families": "filters.products.families",
    "products_categories": "filters.products.categories",
    "products_search": "filters.products.search",
    "models_completeness": "filters.product_models.completeness.percent",
    "models_completeness_locales": "filters.product_models.completeness.locales",
    "models_families": "filters.product_models.families",
    "models_categories": "filters.product_models.categories",
    "models_search": "filters.product_models.search",
    "delivery_target": "delivery.target",
    "sfcc_instance_url": "delivery.instance_url",
    "sfcc_client_id": "delivery.client_id",
    "sfcc_client_secret": "delivery.client_secret",
    "sfcc_token_url": "delivery.token_url",
    "sfcc_api_version": "delivery.api_version",
    "sfcc_import_mode": "delivery.import_mode",
    "sfcc_keep_archive": "delivery.keep_archive",
    "sfcc_job_timeout": "delivery.job_timeout",
    "error_threshold": "import.error_threshold",
    "failed_percent": "import.failed_percent",
    "failed_minimum": "import.failed_minimum",
    "archive_max_mb": "import.archive_max_mb",
    "media_max_mb": "import.media_max_mb",
    "storefronts": "catalogs.storefronts",
    "write_categories": "catalogs.write_categories",
    "categories_online": "catalogs.categories_online",
    "primary_category": "catalogs.primary_category",
    "category_positions": "catalogs.category_positions",
    "removed_products": "catalogs.removed_products",
}

# Fields whose codes are Akeneo's: field → (list loaded from Akeneo, how a pick is written).
# A single code gets the datalist on its own input; a list field gets a picker that adds a
# `code = ` line ("pair"), `en_US = en-US` ("locale") or `, code` ("code") to its text.
PICKS = {
    "channel": ("channels", "value"),
    "default_locale": ("locales", "value"),
    "price_attribute": ("attributes", "value"),
    "locales": ("locales", "locale"),
    "system_attributes": ("attributes", "pair"),
    "custom_attributes": ("attributes", "pair"),
    "custom_attribute_types": ("attributes", "pair"),
    "excluded_attributes": ("attributes", "code"),
    "image_view_types": ("attributes", "pair"),
    "asset_view_types": ("attributes", "pair"),
    "recommendation_types": ("association_types", "pair"),
    "link_types": ("association_types", "pair"),
    "quantified_types": ("association_types", "pair"),
    "products_completeness_locales": ("locales", "code"),
    "models_completeness_locales": ("locales", "code"),
}
PICK_WORDS = {
    "channels": "a channel",
    "locales": "a locale",
    "attributes": "an attribute",
    "association_types": "an association type",
}
LIST_KINDS = tuple(PICK_WORDS)

# The page's sections: (anchor, title, [(sub-heading or "", field names)]).
SECTIONS = [
    ("akeneo", "Akeneo connection", [("", [name for name in PATHS if name.startswith("akeneo_")])]),
    ("locales", "Channel & locales", [("", ["channel", "locales", "default_locale", "catalog_id"])]),
    ("catalogs", "Catalogs & sites", [
        ("Storefronts", ["storefronts"]),
        ("Categories", ["write_categories", "categories_online", "primary_category", "category_positions"]),
        ("Removals", ["removed_products"]),
    ]),
    ("mapping", "Mapping", [
        ("Attributes", ["attribute_prefix", "system_attributes", "custom_attributes", "custom_attribute_types",
                        "excluded_attributes"]),
        ("Associations and images", ["recommendation_types", "link_types", "quantified_types", "image_view_types",
                                     "asset_view_types"]),
        ("Product models", ["model_mode"]),
        ("Reference entities", ["content_library", "content_site"]),
        ("Prices", ["price_attribute", "pricebook_id_pattern", "pricebook_name_pattern", "currencies"]),
    ]),
    ("filters", "Filters", [
        ("Products", [name for name in PATHS if name.startswith("products_")]),
        ("Product models", [name for name in PATHS if name.startswith("models_")]),
    ]),
    ("delivery", "Delivery", [("", [name for name in PATHS if name.startswith(("delivery_", "sfcc_"))])]),
    ("import", "Import", [("", ["error_threshold", "failed_percent", "failed_minimum", "archive_max_mb", "media_max_mb"])]),
]  # fmt: skip


def _bounded(fields: dict) -> dict:
    """A number field accepts what the schema says (bounds, integer or not): the page and the
    document are refused by the same rule, written once in jobs/config/schema.py."""
    for name, declared in list(fields.items()):
        spec = get_path(SCHEMA, PATHS[name]) if name in PATHS else None
        if isinstance(spec, Number):
            kind = forms.IntegerField if spec.integer else forms.FloatField
            fields[name] = kind(
                label=declared.label,
                help_text=declared.help_text,
                required=declared.required,
                min_value=spec.minimum,
                max_value=spec.maximum,
            )
    return fields


def _bounds_from_the_schema(form_class):
    _bounded(form_class.base_fields)
    return form_class


@_bounds_from_the_schema
class ConfigForm(forms.Form):
    akeneo_url = forms.CharField(label="URL", help_text="e.g. https://pim.example.com")
    akeneo_client_id = forms.CharField(label="Client id")
    akeneo_secret = _secret("Secret")
    akeneo_username = forms.CharField(label="Username")
    akeneo_password = _secret("Password")
    akeneo_timeout = forms.FloatField(label="Request timeout (s)")
    akeneo_concurrency = forms.IntegerField(
        label="Calls at once",
        help_text="Akeneo allows 4 concurrent calls per connection (10 per instance); a full product "
        "import fetches over as many streams, and job 2 downloads as many media files at once.",
    )  # fmt: skip

    channel = forms.CharField(label="Channel", help_text="Its category tree becomes the catalog's tree.")
    locales = KeyValueField(
        label="Locales", help_text="One per line: Akeneo locale = xml:lang, e.g. en_US = en-US"
    )
    default_locale = forms.CharField(label="Default locale", help_text="Also written as x-default.")
    catalog_id = forms.CharField(
        label="Master catalog id", help_text="Products go here; categories too when no storefront is listed."
    )

    storefronts = StorefrontsField(
        label="Storefront catalogs",
        help_text="One per line: storefront catalog id = Akeneo category code, e.g. "
        "storefront-catalog-en = site_en. The category's children become the catalog's top-level "
        "categories. Empty: one site, categories in the master catalog.",
    )
    write_categories = forms.BooleanField(
        label="Write categories", required=False, help_text="Off: only assignments, to existing categories."
    )
    categories_online = forms.BooleanField(label="Categories online", required=False)
    primary_category = forms.BooleanField(
        label="First category is primary", required=False, help_text="Per catalog, in Akeneo's order."
    )
    category_positions = forms.BooleanField(label="Category position from Akeneo's order", required=False)
    removed_products = forms.ChoiceField(
        label="Products no longer exported",
        choices=[
            ("offline", "Set offline, remove their assignments (merge)"),
            ("delete", "Delete from the master catalog (replace)"),
            ("keep", "Leave them as they are"),
        ],
        help_text="Disabled, deleted or moved out of scope in Akeneo since the last import to this target.",
    )

    attribute_prefix = forms.CharField(label="Custom attribute prefix", required=False)
    system_attributes = KeyValueField(
        label="Attributes → system attributes", help_text="e.g. name = display-name"
    )
    custom_attributes = KeyValueField(
        label="Attributes → the storefront's custom attributes",
        help_text="No definition is exported for these, e.g. color = color",
    )
    custom_attribute_types = KeyValueField(
        label="Their types in SFCC", help_text="Checked against the Akeneo type, e.g. color = string"
    )
    excluded_attributes = CodeListField(label="Attributes not imported")
    recommendation_types = KeyValueField(
        label="Association types → recommendation types",
        help_text="SFCC's recommendationType values, e.g. X_SELL = 1 (wins over a link type)",
    )
    quantified_types = KeyValueField(
        label="Quantified association types → bundle or set",
        help_text="Unlisted types make bundles, e.g. OUTFIT = set",
    )
    link_types = KeyValueField(
        label="Association types → product link types", help_text="e.g. X_SELL = cross-sell"
    )
    image_view_types = KeyValueField(label="Image attributes → view types", help_text="e.g. picture = large")
    asset_view_types = KeyValueField(
        label="Asset collection attributes → view types", help_text="e.g. gallery = large"
    )
    content_library = forms.CharField(
        label="Shared content library", required=False, help_text="Its id, e.g. RefArchSharedLibrary"
    )
    content_site = forms.CharField(
        label="Or the site whose private library", required=False, help_text="A site id, e.g. RefArch"
    )
    model_mode = forms.ChoiceField(label="Product model import", choices=_choices("mapping.model_mode"))
    price_attribute = forms.CharField(label="Price attribute")
    pricebook_id_pattern = forms.CharField(
        label="Pricebook id", help_text="{currency} is the lower-case code."
    )
    pricebook_name_pattern = forms.CharField(
        label="Pricebook name", help_text="{currency} is the upper-case code."
    )
    currencies = CodeListField(label="Currencies", help_text="Empty: every currency of the channel.")

    delivery_target = forms.ChoiceField(
        label="Deliver archives",
        choices=[("local", "Keep locally"), ("sfcc", "Import into an SFCC instance")],
        widget=forms.RadioSelect,
    )
    sfcc_instance_url = forms.CharField(
        label="Instance URL", required=False, help_text="https://<instance>.dx.commercecloud.salesforce.com"
    )
    sfcc_client_id = forms.CharField(label="API client id", required=False)
    sfcc_client_secret = _secret("API client secret")
    sfcc_token_url = forms.CharField(label="Token URL", required=False)
    sfcc_api_version = forms.CharField(label="OCAPI version")
    sfcc_import_mode = forms.ChoiceField(label="Import mode", choices=_choices("delivery.import_mode"))
    sfcc_keep_archive = forms.BooleanField(
        label="Keep the archive on the instance after the import", required=False
    )
    sfcc_job_timeout = forms.FloatField(label="Wait for the import at most (s)")

    error_threshold = forms.IntegerField(
        label="Data error threshold",
        required=False,
        help_text="More data errors fail the execution. Empty: no limit.",
    )
    failed_percent = forms.FloatField(
        label="Fail when more than this % of products fail",
        required=False,
        help_text="Products and product models not imported for a data error. A product import in which "
        "none could be imported also fails. Empty: never.",
    )
    failed_minimum = forms.IntegerField(
        label="…and at least this many",
        help_text="A few bad products of a small catalog end WARN, not ERROR.",
    )
    archive_max_mb = forms.IntegerField(label="Split archives above (MB)")
    media_max_mb = forms.IntegerField(
        label="Largest media file (MB)",
        help_text="A larger image or asset file is a data error; the others are still imported.",
    )

    comment = forms.CharField(label="Comment", required=False, max_length=500)
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)  # fmt: skip

    @classmethod
    def initial_for(cls, document: dict, version: int) -> dict:
        """Initial values from an exported document (its secrets already blanked)."""
        initial = {name: get_path(document, path) for name, path in PATHS.items()}
        initial["based_on"] = version
        return initial

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The two filter sections have the same fields (product models without "enabled").
        self.fields.update(_bounded(_filter_fields("products", with_enabled=True)))
        self.fields.update(_bounded(_filter_fields("models", with_enabled=False)))
        for name, (kind, _) in PICKS.items():
            if not isinstance(self.fields[name], KeyValueField | CodeListField):
                self.fields[name].widget.attrs["list"] = f"akeneo-{kind}"

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
            yield key, title, [(heading, [self[name] for name in names]) for heading, names in groups]

    def summary(self) -> list[dict]:
        """Every problem on the form in page order, each with the anchor of its field (none for
        a problem of the whole configuration): the list at the top of the page."""
        found = [{"anchor": "", "label": "", "section": "", "message": m} for m in self.non_field_errors()]
        for _, title, groups in SECTIONS:
            for _, names in groups:
                for name in names:
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
        if name not in PICKS or not isinstance(self.fields[name], KeyValueField | CodeListField):
            return None
        kind, add_as = PICKS[name]
        return {"list": f"akeneo-{kind}", "add_as": add_as, "what": PICK_WORDS[kind]}
