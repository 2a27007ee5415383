"""Master and storefront catalogs: where products, categories and category assignments go.

SFCC sites are built as Salesforce's SFRA demo data is: products (masters, variants, sets,
bundles, links, images) belong to one **master catalog**; each site's categories and category
assignments are in its own **storefront catalog**. A `CatalogLayout` names the storefronts,
each with the Akeneo category whose children become its top-level categories (a tree's root,
or a sub-tree: one Akeneo tree per business unit with one sub-tree per site). With no
storefront, the channel's tree goes into the master catalog itself: one simple site.

`Placement` answers, for a product's Akeneo categories, its assignments in every catalog: a
product classified in two sites' sub-trees is assigned in both, and is primary (when the
layout asks for a primary category) in the first category of each catalog it is in. The
catalogs a product is in also receive its recommendations (as SFRA's storefront catalog holds
them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from jobs.sfcc.records import CategoryAssignment

_AKENEO_CODE = re.compile(r"^[A-Za-z0-9_]+$")
_SFCC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class RemovedProducts(StrEnum):
    """What the import does to a product the previous import to the same target exported and
    this one does not (disabled and filtered out, deleted, moved out of scope)."""

    # Merge: set it offline and remove its category assignments; SFCC keeps the product.
    OFFLINE = "offline"
    # Replace: delete it from the master catalog (its assignments go with it).
    DELETE = "delete"
    # Leave it as it is in SFCC (the behaviour before removals were tracked).
    KEEP = "keep"


@dataclass(frozen=True)
class Storefront:
    catalog_id: str
    # The Akeneo category (a tree root or any category of a tree) whose children become the
    # storefront catalog's top-level categories; it is the catalog's `root`.
    category: str


@dataclass(frozen=True)
class CatalogLayout:
    storefronts: tuple[Storefront, ...] = ()
    write_categories: bool = True  # off: assignments only, to categories SFCC already has
    categories_online: bool = True
    primary_category: bool = True  # the first category of a product (per catalog) is primary
    category_positions: bool = True  # Akeneo's order of siblings → `<position>`
    removed_products: RemovedProducts = RemovedProducts.OFFLINE

    def validate(self, master_catalog_id: str) -> dict[str, list[str]]:
        """Problems by field name (`storefronts` for every storefront problem)."""
        errors: dict[str, list[str]] = {}
        seen: set[str] = set()
        for index, storefront in enumerate(self.storefronts, 1):
            if not _SFCC_ID.match(storefront.catalog_id or ""):
                errors.setdefault("storefronts", []).append(
                    f"storefront {index}: {storefront.catalog_id!r} is not a catalog id "
                    "(letters, digits, '.', '_', '-')."
                )
            elif storefront.catalog_id == master_catalog_id:
                errors.setdefault("storefronts", []).append(
                    f"storefront {index}: {storefront.catalog_id!r} is the master catalog; "
                    "leave the storefronts empty to keep categories in the master catalog."
                )
            elif storefront.catalog_id in seen:
                errors.setdefault("storefronts", []).append(
                    f"storefront {index}: the catalog {storefront.catalog_id!r} is listed twice."
                )
            seen.add(storefront.catalog_id)
            if not _AKENEO_CODE.match(storefront.category or ""):
                errors.setdefault("storefronts", []).append(
                    f"storefront {index}: {storefront.category!r} is not an Akeneo category code."
                )
        try:
            RemovedProducts(self.removed_products)
        except ValueError:
            errors["removed_products"] = [f"Choose {', '.join(m.value for m in RemovedProducts)}."]
        return errors


@dataclass(slots=True)
class Placement:
    """Lower-cased Akeneo category code → the (catalog id, SFCC category id) pairs it is
    exported as. A catalog id of None is the master catalog (single-site layout)."""

    places: dict[str, list[tuple[str | None, str]]] = field(default_factory=dict)
    primary: bool = True

    @classmethod
    def of(cls, catalogs: Mapping[str | None, Mapping[str, str]], *, primary: bool = True) -> Placement:
        """From each catalog's `CategoriesResult.ids` (lower-cased code → SFCC id)."""
        placement = cls(primary=primary)
        for catalog_id, ids in catalogs.items():
            for code, category_id in ids.items():
                placement.places.setdefault(code, []).append((catalog_id, category_id))
        return placement

    def catalogs(self, categories: Iterable[str] | None) -> set[str | None]:
        """The catalogs in which any of these Akeneo categories is exported."""
        return {
            catalog_id
            for code in categories or ()
            if isinstance(code, str)
            for catalog_id, _ in self.places.get(code.lower(), ())
        }

    def assignments(
        self, product_id: str, categories: Iterable[str] | None, *, exclude: Iterable[str] = ()
    ) -> list[CategoryAssignment]:
        """The product's assignments in Akeneo's order of its categories; categories outside
        every exported tree are left out, and so are those in `exclude` (a variant's master has
        them already; the master's catalogs then have their primary)."""
        excluded = {code.lower() for code in exclude}
        taken_catalogs = {c for code in excluded for c, _ in self.places.get(code, ())}
        assignments: list[CategoryAssignment] = []
        seen: set[tuple[str | None, str]] = set()
        for code in categories or ():
            if not isinstance(code, str) or code.lower() in excluded:
                continue
            for catalog_id, category_id in self.places.get(code.lower(), ()):
                if (catalog_id, category_id) in seen:
                    continue
                first = catalog_id not in taken_catalogs
                taken_catalogs.add(catalog_id)
                seen.add((catalog_id, category_id))
                assignments.append(
                    CategoryAssignment(
                        product_id,
                        category_id,
                        primary=first if self.primary else None,
                        catalog_id=catalog_id,
                    )
                )
        return assignments
