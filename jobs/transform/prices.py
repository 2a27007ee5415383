"""The price-collection attribute → one SFCC pricebook per currency.

A product's prices arrive as `[(currency, Decimal)]` from its price value (see `values`); this
module names the pricebook of each currency and builds its header and price tables. Variants
inherit their model's prices through the values Akeneo merges into them (and through the
`MasterAccumulator`'s inherited values when the caller keeps them).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jobs.sfcc.records import PricebookHeader, PriceTable
from jobs.transform.config import MappingConfig
from jobs.transform.locales import X_DEFAULT


def pricebook_header(currency: str, config: MappingConfig) -> PricebookHeader:
    return PricebookHeader(
        id=config.pricebook_id(currency),
        currency=currency.upper(),
        display_name={X_DEFAULT: config.pricebook_name(currency)},
    )


def pricebook_headers(currencies: Iterable[str], config: MappingConfig) -> list[PricebookHeader]:
    """Headers for the configured currencies, or for `currencies` (e.g. Akeneo's enabled ones)."""
    chosen = config.currencies or tuple(dict.fromkeys(c.upper() for c in currencies))
    return [pricebook_header(currency, config) for currency in chosen]


def price_tables(
    product_id: str,
    prices: Iterable[tuple[str, Decimal]],
    config: MappingConfig,
    currencies: frozenset[str] | None = None,
) -> tuple[list[tuple[str, PriceTable]], list[str]]:
    """`(pricebook id, PriceTable)` for each price in an exported currency (upper-case
    `currencies`, else the configured ones; None and none configured: every currency), and the
    currencies of the prices left out. A price in a currency the channel does not sell in is no
    error: Akeneo keeps a price per enabled currency, whichever channels use it."""
    wanted = currencies if currencies is not None else (frozenset(config.currencies) or None)
    tables: list[tuple[str, PriceTable]] = []
    left_out: list[str] = []
    for currency, amount in prices:
        if wanted is None or currency.upper() in wanted:
            tables.append((config.pricebook_id(currency), PriceTable(product_id=product_id, amount=amount)))
        else:
            left_out.append(currency.upper())
    return tables, left_out
