"""What the pipeline reads: the configuration in force as immutable values, secrets in clear.

Built from a normalized document whose secrets are already decrypted (`jobs.config.load`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from jobs.config.schema import catalog_layout, mapping_config, plain_config
from jobs.transform.config import MappingConfig
from jobs.transform.sites import CatalogLayout

MB = 1024 * 1024


@dataclass(frozen=True)
class AkeneoConnection:
    url: str
    client_id: str
    secret: str
    username: str
    password: str
    timeout: float  # read timeout of one request, in seconds
    concurrency: int = 4  # calls at once (Akeneo allows 4 per connection): streams of a full import

    def __repr__(self) -> str:
        return f"AkeneoConnection(url={self.url!r}, client_id={self.client_id!r}, username={self.username!r})"


@dataclass(frozen=True)
class Filters:
    """Which products (or product models) an import asks Akeneo for.

    `enabled` and `completeness_percent` are None when they do not filter. Empty tuples do not
    filter either. `search` is raw Akeneo `search` JSON, added to what the fields generate.
    """

    enabled: bool | None = None
    completeness_percent: int | None = None
    completeness_locales: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    search: dict | None = None
    for_models: bool = False

    def akeneo_search(self, *, channel: str, updated_after: datetime | None = None) -> dict:
        """The `search` query parameter's JSON for Akeneo's product (or product model) list.

        Completeness of products: at least the percentage on every listed locale of `channel`
        (`GREATER OR EQUALS THAN ON ALL LOCALES`), or on any of its locales when none is listed
        (`>=`). Product models have no percentage in Akeneo, only complete / incomplete: a set
        percentage (validation allows only 100) selects models with at least one complete
        variant (`AT LEAST COMPLETE`), so that a master is imported with its complete variants
        (the product filter still drops the incomplete ones).
        Categories match their subtrees (`IN CHILDREN`). `updated_after` (naive means UTC) is
        written in Akeneo's `yyyy-mm-dd HH:MM:SS` in UTC. Conditions on a property already in
        the raw `search` are added to its list: Akeneo requires all of them.
        """
        search: dict[str, list[dict]] = {}
        if self.enabled is not None and not self.for_models:
            search["enabled"] = [{"operator": "=", "value": self.enabled}]
        if self.families:
            search["family"] = [{"operator": "IN", "value": list(self.families)}]
        if self.categories:
            search["categories"] = [{"operator": "IN CHILDREN", "value": list(self.categories)}]
        if self.completeness_percent is not None:
            search["completeness"] = [self._completeness(channel)]
        if updated_after is not None:
            search["updated"] = [{"operator": ">", "value": akeneo_datetime(updated_after)}]
        for prop, conditions in (self.search or {}).items():
            search[prop] = search.get(prop, []) + [dict(c) for c in conditions]
        return search

    def _completeness(self, channel: str) -> dict:
        condition: dict = {"scope": channel}
        if self.completeness_locales:
            condition["locales"] = list(self.completeness_locales)
        if self.for_models:
            return {"operator": "AT LEAST COMPLETE", **condition}
        operator = "GREATER OR EQUALS THAN ON ALL LOCALES" if self.completeness_locales else ">="
        return {"operator": operator, "value": self.completeness_percent, **condition}

    @classmethod
    def from_section(cls, section: dict, *, for_models: bool, imported_locales) -> Filters:
        """From a normalized `filters.products` / `filters.product_models` section. A completeness
        filter that names no locale applies to every imported locale."""
        percent = section["completeness"]["percent"]
        locales = section["completeness"]["locales"] or (
            list(imported_locales) if percent is not None else []
        )
        return cls(
            enabled=section["enabled"],
            completeness_percent=percent,
            completeness_locales=tuple(locales),
            families=tuple(section["families"]),
            categories=tuple(section["categories"]),
            search=section["search"],
            for_models=for_models,
        )


def akeneo_datetime(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class ImportSettings:
    akeneo: AkeneoConnection
    mapping: MappingConfig
    product_filters: Filters
    model_filters: Filters
    delivery: dict  # for jobs.sfcc.delivery.delivery_from_config
    error_threshold: int | None
    failed_percent: float | None  # see schema: import.failed_percent, import.failed_minimum
    failed_minimum: int
    archive_max_bytes: int
    version: int  # 0: the default configuration, nothing saved yet
    media_max_bytes: int = 50 * MB  # larger media files are data errors
    catalogs: CatalogLayout = CatalogLayout()

    def __repr__(self) -> str:
        return f"ImportSettings(version={self.version}, channel={self.mapping.channel!r})"

    def secrets(self) -> list[str]:
        """Every secret value, for the job log to mask."""
        values = [self.akeneo.secret, self.akeneo.password, self.delivery.get("client_secret", "")]
        return [value for value in values if value]

    @classmethod
    def from_document(cls, document: dict, *, version: int) -> ImportSettings:
        """From a normalized document whose secrets are in clear."""
        mapping = mapping_config(document["mapping"])
        filters = document["filters"]
        delivery = dict(document["delivery"])
        if delivery["target"] == "local":
            delivery = {"target": "local"}
        return cls(
            akeneo=plain_config(AkeneoConnection, document["akeneo"]),
            mapping=mapping,
            product_filters=Filters.from_section(
                filters["products"], for_models=False, imported_locales=mapping.locales
            ),
            model_filters=Filters.from_section(
                filters["product_models"], for_models=True, imported_locales=mapping.locales
            ),
            delivery=delivery,
            error_threshold=document["import"]["error_threshold"],
            failed_percent=document["import"]["failed_percent"],
            failed_minimum=document["import"]["failed_minimum"],
            archive_max_bytes=document["import"]["archive_max_mb"] * MB,
            media_max_bytes=document["import"]["media_max_mb"] * MB,
            catalogs=catalog_layout(document["catalogs"]),
            version=version,
        )
