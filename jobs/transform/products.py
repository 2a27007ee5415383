"""Akeneo products and product models → SFCC products, category assignments and prices.

Build one `ProductTransformer` per run from the attributes, their options, the family variants
and the exported category ids: it compiles a `ValueRule` per attribute once, so transforming a
product is a loop over its values with a dict lookup each. Then, with a `MasterAccumulator`:

    masters = MasterAccumulator()
    for model in product_models:            # all models first: variants need their parents
        emit(transformer.add_model(model, masters))     # a variation group, or nothing yet
    for product in products:
        emit(transformer.product(product, masters))     # standard, bundle or variant
    for root in root_models:                # kept, or paged again: see MasterAccumulator
        emit(transformer.master(root, masters))
    problems += masters.unresolved()

Every call returns a `ProductResult`: the record (or None), its category assignments, its
`(pricebook id, PriceTable)`s and its problems. A fatal problem means the item was skipped.

Decisions: category assignments go to standard products, bundles and masters; a variant gets
only the categories it has beyond its root model's (Akeneo lets a variant be classified further;
variation groups take their master's, as in the mapping example). Where assignments go, and
which one is primary, is the `Placement`'s (see `sites`): the first category of each catalog. Masters and variation groups get no prices
(SFCC prices a master from its variants). A variation group carries its display name and its
level-1 axis values, as in the mapping example.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from jobs.sfcc.records import (
    BundledProduct,
    CategoryAssignment,
    CustomValue,
    ImageGroup,
    PriceTable,
    Product,
    ProductKind,
    ProductLink,
    Recommendation,
    VariationAttribute,
    VariationValue,
)
from jobs.transform.config import MappingConfig, ModelImportMode
from jobs.transform.locales import X_DEFAULT, localize_or_code
from jobs.transform.masters import MasterAccumulator, MasterState, ModelInfo
from jobs.transform.media import asset_media_path
from jobs.transform.prices import price_tables
from jobs.transform.problems import Problem
from jobs.transform.shapes import describe, model_problem, product_problem, record_name
from jobs.transform.sites import Placement
from jobs.transform.values import (
    LABEL_SUFFIX,
    RecordLabels,
    Target,
    ValueRule,
    compile_rules,
    mapping_problem,
)

_LOCALIZED_FIELDS = ("display_name", "long_description", "short_description")


@dataclass(slots=True)
class ProductResult:
    identifier: str
    product: Product | None = None  # None: skipped (see problems) or nothing to write yet
    assignments: list[CategoryAssignment] = field(default_factory=list)
    prices: list[tuple[str, PriceTable]] = field(default_factory=list)  # (pricebook id, table)
    problems: list[Problem] = field(default_factory=list)
    # Currencies of prices not exported: not a currency of the channel (or of the configuration).
    unpriced: list[str] = field(default_factory=list)
    # The catalogs the product is in (None: the master catalog, single site): those of its
    # assignments, and for a variant also its master's. Its recommendations go there.
    catalogs: set[str | None] = field(default_factory=set)

    @property
    def skipped(self) -> bool:
        return any(problem.fatal for problem in self.problems)

    def fail(self, message: str) -> ProductResult:
        self.product = None
        self.problems.append(Problem(self.identifier, message, fatal=True))
        return self


@dataclass(slots=True)
class _Values:
    """What applying values produced besides the Product fields."""

    images: dict[str, list[str]] = field(default_factory=dict)  # view type → paths
    prices: list[tuple[str, Decimal]] = field(default_factory=list)


class ProductTransformer:
    def __init__(
        self,
        config: MappingConfig,
        attributes: Iterable[dict],
        options: Mapping[str, Iterable[dict]],
        family_variants: Iterable[dict],
        category_ids: Mapping[str, str],
        *,
        known_locales: Iterable[str] | None = None,
        currencies: Iterable[str] | None = None,
        asset_path: Callable[[str, str], str] = asset_media_path,
        placement: Placement | None = None,
        records: RecordLabels | None = None,
    ) -> None:
        """`family_variants`: every family's variants (Akeneo's families/<code>/variants), each
        with its `code` and `variant_attribute_sets`. `category_ids`: lower-cased category code →
        SFCC id, as `CategoriesResult.ids`. `known_locales`: Akeneo's locale codes; a value in a
        locale outside them is reported, one in a known but unmapped locale is skipped quietly
        (None: skip every unmapped locale quietly). `currencies`: the channel's; prices are
        exported in the configured currencies, else in these (None: in every currency). `placement`:
        the assignments' catalogs when categories go to storefront catalogs; without it every
        assignment is to `category_ids` in the product's own catalog. `records`: reference entity
        code → record code → labels by locale, for the labels of record links."""
        attributes = list(attributes)
        options = {code: list(items) for code, items in options.items()}
        self.config = config
        self.rules: dict[str, ValueRule] = compile_rules(attributes, options, config, asset_path, records)
        # Attributes whose configured target cannot hold their values: not imported (say so once).
        self.mapping_problems = [
            Problem(a["code"], message)
            for a in attributes
            if (message := mapping_problem(a, config)) is not None
        ]
        self._rules_lower = {code.lower(): rule for code, rule in self.rules.items()}
        self._labels = {a["code"]: a.get("labels") or {} for a in attributes}
        self._options = options
        self._option_display: dict[str, dict[str, tuple[int, dict]]] = {}
        self._axes = {fv["code"]: _axes(fv) for fv in family_variants}
        self._placement = placement if placement is not None else Placement.of({None: category_ids})
        self._langs = dict(config.locales)
        self._default_lang = config.default_lang
        self._known_locales = (
            None if known_locales is None else frozenset(known_locales) | set(config.locales)
        )
        self._group_mode = config.model_mode == ModelImportMode.MASTER_GROUP_VARIATION
        chosen = config.currencies or (None if currencies is None else tuple(currencies))
        self.currencies = None if chosen is None else frozenset(c.upper() for c in chosen)

    # --- values -------------------------------------------------------------------------

    def _apply(self, product: Product, values: Mapping, problems: list[Problem]) -> _Values:
        """Every value of one product onto `product`; the hot path of a product import."""
        out = _Values()
        notes: list[str] = []
        rules, channel, langs = self.rules, self.config.channel, self._langs
        custom = product.custom
        for code, entries in values.items():
            rule = rules.get(code) or self._rules_lower.get(code.lower())
            if rule is None:
                problems.append(Problem(product.id, f"unknown attribute {code!r}; value ignored"))
                continue
            target = rule.target
            if target is Target.SKIP:
                continue
            # Per value only what varies: the rule's fields are read once per attribute.
            scopable, localizable, convert, name = rule.scopable, rule.localizable, rule.convert, rule.name
            if entries.__class__ is not list:
                problems.append(
                    Problem(product.id, f"{code}: {describe(entries)} is not a list of values; ignored")
                )
                continue
            for entry in entries:
                if entry.__class__ is not dict:
                    problems.append(
                        Problem(product.id, f"{code}: value {describe(entry)} is not an object; ignored")
                    )
                    continue
                if scopable and entry.get("scope") != channel:
                    continue
                lang = None
                if localizable:
                    locale = entry.get("locale")
                    lang = langs.get(locale) if locale.__class__ is str else None
                    if lang is None:
                        self._unmapped_locale(product.id, code, locale, problems)
                        continue
                data = entry.get("data")
                if data is None or data == "" or data == []:
                    continue
                value = convert(data, notes)
                if notes:
                    problems.extend(Problem(product.id, f"{code}: {note}") for note in notes)
                    notes.clear()
                if value is None:
                    continue
                if target is Target.CUSTOM:  # most values: no call to _put
                    custom.append(CustomValue(name, value, lang))
                    if rule.labels is not None:
                        self._record_labels(custom, rule, value, lang)
                else:
                    self._put(product, out, rule, target, value, lang)
        _add_x_default(product, self._default_lang)
        return out

    @staticmethod
    def _record_labels(custom: list[CustomValue], rule: ValueRule, value, lang) -> None:
        """The linked records' labels beside their codes; a localizable link's in its own locale."""
        name = rule.name + LABEL_SUFFIX
        for label_lang, text in rule.labels(value):
            if lang is None or label_lang == lang:
                custom.append(CustomValue(name, text, label_lang))

    def _put(self, product: Product, out: _Values, rule: ValueRule, target, value, lang) -> None:
        if target is Target.CUSTOM:
            product.custom.append(CustomValue(rule.name, value, lang))
        elif target is Target.LOCALIZED:
            getattr(product, rule.name)[lang or X_DEFAULT] = value
        elif target is Target.SCALAR:
            if lang is None or lang == self._default_lang:
                setattr(product, rule.name, value)
        elif target is Target.IMAGES:
            paths = out.images.setdefault(rule.name, [])
            paths.extend(value) if isinstance(value, list) else paths.append(value)
        elif target is Target.PRICES:
            out.prices.extend(value)

    def _unmapped_locale(self, identifier: str, code: str, locale, problems: list[Problem]) -> None:
        if locale is None:
            problems.append(Problem(identifier, f"{code}: localizable value without a locale; ignored"))
        elif not isinstance(locale, str):
            problems.append(
                Problem(identifier, f"{code}: locale {describe(locale)} is not a locale code; ignored")
            )
        elif self._known_locales is not None and locale not in self._known_locales:
            problems.append(Problem(identifier, f"{code}: unknown locale {locale!r}; value ignored"))

    def _axis_value(self, values: Mapping, axis: str, notes: list[str]) -> str | None:
        """A variation axis value as a string (option code, "true", "800 GRAM", …)."""
        rule = self.rules.get(axis)
        entries = values.get(axis)
        if rule is None or entries.__class__ is not list:
            return None  # a malformed value list is reported when the values are applied
        for entry in entries:
            if entry.__class__ is not dict or (rule.scopable and entry.get("scope") != self.config.channel):
                continue
            if entry.get("data") not in (None, "", []):
                value = rule.convert(entry["data"], notes)
                return ",".join(value) if isinstance(value, list) else value
        return None

    # --- products -------------------------------------------------------------------------

    def product(self, data: Mapping, masters: MasterAccumulator | None = None) -> ProductResult:
        """A product: standard (or bundle) without parent, variant with one. Variants need
        `masters` filled with every product model first. A product without identifier value (SaaS
        allows it) is skipped: SFCC needs an id."""
        result = ProductResult(record_name(data, "identifier", "product"))
        problem = product_problem(data)
        if problem is not None:
            return result.fail(problem)
        identifier = data.get("identifier")
        if not identifier:
            return result.fail("product has no identifier value")
        parent = data.get("parent")
        if parent:
            return self._variant(data, parent, masters, result)
        product = Product(id=identifier, online=bool(data.get("enabled", True)))
        out = self._apply(product, data.get("values") or {}, result.problems)
        product.images = _image_groups(out.images)
        self._associate(product, data.get("associations"), masters)
        self._quantified(product, data.get("quantified_associations"), result.problems)
        if not data.get("family"):
            result.problems.append(Problem(identifier, "product has no family"))
        result.product = product
        result.assignments = self._assignments(identifier, data.get("categories"))
        result.catalogs = {a.catalog_id for a in result.assignments}
        result.prices, result.unpriced = price_tables(identifier, out.prices, self.config, self.currencies)
        return result

    def _variant(self, data: Mapping, parent: str, masters, result: ProductResult) -> ProductResult:
        identifier = result.identifier
        if masters is None:  # a caller's bug, not a data error
            raise ValueError("variants need the MasterAccumulator filled with their product models")
        chain = masters.chain(parent)
        if chain is None:
            return result.fail(f"parent model {parent!r} does not exist; skipped")
        root, levels = chain[-1], self._axes.get(chain[-1].family_variant)
        if levels is None:
            return result.fail(f"unknown family variant {root.family_variant!r}; skipped")
        values = data.get("values") or {}
        if masters.keep_values:
            values = _inherit(values, chain)
        product = Product(id=identifier, kind=ProductKind.VARIANT, online=bool(data.get("enabled", True)))
        out = self._apply(product, values, result.problems)
        axis_values = self._variant_axes(product, values, levels, chain, result.problems)
        product.images = _image_groups(out.images)
        self._associate(product, data.get("associations"), masters)
        if data.get("quantified_associations"):
            result.problems.append(Problem(identifier, "a variant cannot be a bundle; quantities ignored"))
        state = masters.add_variant(root.code, identifier, axis_values)
        state.add_images(axis_values.get(levels[0][0]), out.images)
        result.product = product
        result.assignments = self._placement.assignments(
            identifier, _codes(data.get("categories")), exclude=root.categories
        )
        result.catalogs = self._placement.catalogs(root.categories) | {
            a.catalog_id for a in result.assignments
        }
        result.prices, result.unpriced = price_tables(identifier, out.prices, self.config, self.currencies)
        return result

    def _variant_axes(self, product, values, levels, chain, problems) -> dict[str, str]:
        """The variant's value for every axis of its family variant. One Akeneo did not merge into
        the variant is taken from its sub-model and added as a custom value, so SFCC can tell the
        variants apart."""
        notes: list[str] = []
        found: dict[str, str] = {}
        for axis in (axis for level in levels for axis in level):
            value = self._axis_value(values, axis, notes)
            if value is None:
                value = next((m.axis_values[axis] for m in chain if axis in m.axis_values), None)
                rule = self.rules.get(axis)
                if value is not None and rule is not None and rule.target is Target.CUSTOM:
                    product.custom.append(CustomValue(rule.name, value))
            if value is None:
                problems.append(Problem(product.id, f"no value for variation axis {axis!r}"))
            else:
                found[axis] = value
        return found

    # --- product models -------------------------------------------------------------------

    def add_model(self, model: Mapping, masters: MasterAccumulator) -> ProductResult:
        """Register a product model. For a sub-model in master-group-variation mode the result
        holds its variation group product; otherwise `product` is None (masters come later)."""
        result = ProductResult(record_name(model, "code", "product model"))
        problem = model_problem(model)
        if problem is not None:
            return result.fail(problem)
        code = model.get("code") or ""
        levels = self._axes.get(model.get("family_variant") or "")
        if not code:
            return result.fail("product model without code; skipped")
        if levels is None:
            return result.fail(f"unknown family variant {model.get('family_variant')!r}; skipped")
        parent = model.get("parent") or None
        values = model.get("values") or {}
        notes: list[str] = []
        axis_values = {}
        if parent:
            axis_values = {axis: v for axis in levels[0] if (v := self._axis_value(values, axis, notes))}
            result.problems.extend(Problem(code, note) for note in notes)
        info = ModelInfo(
            code, parent.lower() if parent else None, model["family_variant"], axis_values, values,
            categories=() if parent else _codes(model.get("categories")),
        )  # fmt: skip
        problem = masters.add_model(info)
        if problem is not None:
            return result.fail(problem.message)
        if parent:
            self._sub_model(model, levels, axis_values, masters.state(parent), result)
        return result

    def _sub_model(self, model, levels, axis_values, state: MasterState, result: ProductResult) -> None:
        """A sub-model's images speak for its first-axis value on the master; in
        master-group-variation mode it also becomes a variation group product."""
        product = Product(id=model["code"], kind=ProductKind.VARIATION_GROUP)
        out = self._apply(product, model.get("values") or {}, result.problems)
        state.add_images(axis_values.get(levels[0][0]), out.images)
        if not self._group_mode or len(levels) < 2:
            return
        axis_ids = {self.rules[axis].name for axis in axis_values}
        result.product = Product(
            id=product.id,
            kind=ProductKind.VARIATION_GROUP,
            display_name=product.display_name,
            custom=[value for value in product.custom if value.attribute_id in axis_ids],
        )
        present = {value.attribute_id for value in result.product.custom}
        for axis, value in axis_values.items():  # axis values Akeneo did not merge in
            if self.rules[axis].name not in present and self.rules[axis].target is Target.CUSTOM:
                result.product.custom.append(CustomValue(self.rules[axis].name, value))

    # --- masters --------------------------------------------------------------------------

    def master(self, model: Mapping, masters: MasterAccumulator) -> ProductResult:
        """The master of a root product model, once its variants have streamed by."""
        result = ProductResult(record_name(model, "code", "product model"))
        problem = model_problem(model)
        if problem is not None:
            return result.fail(problem)
        code = model.get("code") or ""
        levels = self._axes.get(model.get("family_variant") or "")
        if levels is None:
            return result.fail(f"unknown family variant {model.get('family_variant')!r}; skipped")
        if model.get("parent"):
            return result.fail("not a root product model; a sub-model has no master of its own")
        state = masters.state(code)
        product = Product(id=code, kind=ProductKind.MASTER)
        out = self._apply(product, model.get("values") or {}, result.problems)
        product.images = _image_groups(out.images) + self._variation_images(levels[0][0], state)
        product.variation_attributes = [
            self._variation_attribute(axis, state.axis_values.get(axis, {}))
            for level in levels
            for axis in level
        ]
        product.variants = list(state.variants)
        if self._group_mode and len(levels) > 1:
            product.variation_groups = list(state.groups)
        if not product.variants:
            result.problems.append(Problem(code, "master without variants"))
        self._associate(product, model.get("associations"), masters)
        result.product = product
        result.assignments = self._assignments(code, model.get("categories"))
        result.catalogs = {a.catalog_id for a in result.assignments}
        return result

    def _variation_attribute(self, axis: str, seen: Mapping[str, None]) -> VariationAttribute:
        config = self.config
        display = self._option_displays(axis)
        ordered = sorted(seen, key=lambda value: display.get(value.lower(), (len(display), {}))[0])
        return VariationAttribute(
            attribute_id=self._attribute_id(axis),
            display_name=localize_or_code(
                self._labels.get(axis), axis, config.locales, config.default_locale
            ),
            values=[
                VariationValue(value, display.get(value.lower(), (0, {X_DEFAULT: value}))[1])
                for value in ordered
            ],
        )

    def _option_displays(self, axis: str) -> dict[str, tuple[int, dict]]:
        """Lower-cased option code → (Akeneo sort position, localized label); cached per axis."""
        cached = self._option_display.get(axis)
        if cached is None:
            config = self.config
            options = sorted(self._options.get(axis, ()), key=lambda o: (o.get("sort_order") or 0, o["code"]))
            cached = self._option_display[axis] = {
                option["code"].lower(): (
                    position,
                    localize_or_code(
                        option.get("labels"), option["code"], config.locales, config.default_locale
                    ),
                )
                for position, option in enumerate(options)
            }
        return cached

    def _variation_images(self, first_axis: str, state: MasterState) -> list[ImageGroup]:
        axis_id = self._attribute_id(first_axis)
        return [
            ImageGroup(view_type, paths, variation_attribute=axis_id, variation_value=value)
            for value, images in state.images.items()
            for view_type, paths in images.items()
        ]

    def _attribute_id(self, code: str) -> str:
        rule = self.rules.get(code)
        return (
            rule.name
            if rule is not None and rule.target is Target.CUSTOM
            else self.config.attribute_prefix + code
        )

    # --- links, bundles, categories -------------------------------------------------------

    def _associate(self, product: Product, associations, masters: MasterAccumulator | None) -> None:
        """Association types mapped to a recommendation type → recommendations, to a link type →
        product links; unmapped types and groups are not exported. An association to a sub-model
        goes to its master in master-variation mode (there is no product for the sub-model)."""
        recommendation_types, link_types = self.config.recommendation_types, self.config.link_types
        identifier = product.id.lower()
        seen: set[str] = set()
        for type_code, targets in (associations or {}).items():
            recommendation_type = recommendation_types.get(type_code)
            link_type = None if recommendation_type is not None else link_types.get(type_code)
            if (recommendation_type is None and link_type is None) or not isinstance(targets, dict):
                continue
            ids = list(targets.get("products") or ())
            ids += [self._model_link_target(code, masters) for code in targets.get("product_models") or ()]
            for target in ids:
                key = f"{recommendation_type or ''}\0{link_type or ''}\0{target.lower()}"
                if key in seen or target.lower() == identifier:
                    continue
                seen.add(key)
                if recommendation_type is not None:
                    product.recommendations.append(Recommendation(target, recommendation_type))
                else:
                    product.links.append(ProductLink(target, link_type))

    def _model_link_target(self, code: str, masters: MasterAccumulator | None) -> str:
        info = masters.model(code) if masters is not None else None
        if info is None or info.parent is None or self._group_mode:
            return code
        root = masters.model(info.parent)
        return root.code if root is not None else code

    def _quantified(self, product: Product, quantified, problems: list[Problem]) -> None:
        """Quantified associations → a bundle (its products with their quantities) or, for the
        types configured so, a product set (SFCC's sets have no quantities). A product cannot be
        both: a bundle wins and the set's products are reported and left out."""
        bundles = {
            k: v for k, v in (quantified or {}).items() if self.config.quantified_types.get(k) != "set"
        }
        sets = {k: v for k, v in (quantified or {}).items() if k not in bundles}
        product.bundled = self._bundled(product.id, bundles, problems)
        members = [item.product_id for item in self._bundled(product.id, sets, problems)]
        if members and product.bundled:
            problems.append(
                Problem(product.id, f"{', '.join(sets)}: a bundle cannot also be a product set; set ignored")
            )
        elif members:
            product.set_products = list(dict.fromkeys(members))
        product.kind = (
            ProductKind.BUNDLE
            if product.bundled
            else ProductKind.SET
            if product.set_products
            else ProductKind.STANDARD
        )

    def _bundled(self, identifier: str, quantified, problems: list[Problem]) -> list[BundledProduct]:
        bundled: list[BundledProduct] = []
        for type_code, targets in (quantified or {}).items():
            for item in (targets or {}).get("products") or ():
                quantity = item.get("quantity")
                if not isinstance(quantity, int) or quantity < 1:
                    problems.append(
                        Problem(identifier, f"{type_code}: quantity {quantity!r} is not positive")
                    )
                    continue
                name = item["identifier"] if item.get("identifier") is not None else item["uuid"]
                bundled.append(BundledProduct(name, quantity))
            for item in (targets or {}).get("product_models") or ():
                problems.append(
                    Problem(
                        identifier, f"{type_code}: product model {item.get('identifier')!r} cannot be bundled"
                    )
                )
        return bundled

    def _assignments(self, identifier: str, categories) -> list[CategoryAssignment]:
        """Assignments to categories of the exported trees (see `Placement.assignments`)."""
        return self._placement.assignments(identifier, _codes(categories))


def _codes(categories) -> tuple[str, ...]:
    """Akeneo's category codes of a record; anything else in the list is not a code."""
    if not isinstance(categories, list | tuple):
        return ()
    return tuple(code for code in categories if isinstance(code, str))


def _axes(family_variant: Mapping) -> tuple[tuple[str, ...], ...]:
    """A family variant's axes by level: `((color,), (size,))`."""
    sets = sorted(family_variant.get("variant_attribute_sets") or (), key=lambda s: s.get("level", 0))
    return tuple(tuple(s.get("axes") or ()) for s in sets if s.get("axes"))


def _inherit(values: Mapping, chain: list[ModelInfo]) -> dict:
    """The variant's values plus the ones it inherits and lacks (its own win)."""
    merged = dict(values)
    for info in chain:
        for code, entries in (info.values or {}).items():
            merged.setdefault(code, entries)
    return merged


def _image_groups(images: Mapping[str, list[str]]) -> list[ImageGroup]:
    return [ImageGroup(view_type, paths) for view_type, paths in images.items() if paths]


def _add_x_default(product: Product, default_lang: str) -> None:
    """A localizable system value is written for each locale and, from the default locale, as
    x-default first; a non-localizable one was stored as x-default directly."""
    for name in _LOCALIZED_FIELDS:
        texts = getattr(product, name)
        if texts and X_DEFAULT not in texts and default_lang in texts:
            setattr(product, name, {X_DEFAULT: texts[default_lang], **texts})
