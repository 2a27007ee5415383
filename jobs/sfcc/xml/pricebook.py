"""`pricebooks/<pricebook-id>.xml`: one pricebook (header, price tables) per file (pricebook.xsd)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lxml import etree

from jobs.sfcc.records import Mode, PricebookHeader, PriceTable

from .stream import (
    Document,
    InvalidRecordError,
    SubElement,
    add_localized,
    build,
    check_id,
    flag,
)

NAMESPACE = "http://www.demandware.com/xml/impex/pricebook/2006-10-31"


class PricebookWriter:
    """The header is known up front, so price tables stream straight into the file.

    with PricebookWriter(path, PricebookHeader("akeneo-eur-list-prices", "EUR")) as w:
        w.price(PriceTable("1111111119", Decimal("899.00")))
    """

    def __init__(self, path: Path | str, header: PricebookHeader):
        self.path = Path(path)
        self.header = header
        self.price_count = 0

    def __enter__(self) -> PricebookWriter:
        header = build(_header_element, self.header)
        self._doc = Document(self.path, NAMESPACE, "pricebooks")
        self._doc.open("pricebook")
        self._doc.write(header)
        self._doc.open("price-tables")
        return self

    def price(self, table: PriceTable) -> None:
        element = build(_price_table_element, table)
        self._doc.write(element)
        self.price_count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._doc.close()
        else:
            self._doc.abort()


def _header_element(h: PricebookHeader) -> etree._Element:
    check_id(h.id, 256, "pricebook id")
    if len(h.currency) != 3 or not h.currency.isascii() or not h.currency.isupper():
        raise InvalidRecordError(h.id, f"currency {h.currency!r} is not an ISO 4217 code")
    el = etree.Element("header", {"pricebook-id": h.id})
    SubElement(el, "currency").text = h.currency
    add_localized(el, "display-name", h.display_name, h.id, 4000)
    SubElement(el, "online-flag").text = flag(h.online)
    return el


def _price_table_element(t: PriceTable) -> etree._Element:
    check_id(t.product_id, 100, "product id")
    if t.mode == Mode.DELETE:
        return etree.Element("price-table", {"product-id": t.product_id, "mode": "delete"})
    el = etree.Element("price-table", {"product-id": t.product_id})
    SubElement(el, "amount", {"quantity": str(t.quantity)}).text = _decimal(t.amount, t.product_id)
    return el


def _decimal(amount: Decimal, product_id: str) -> str:
    amount = Decimal(amount)
    if not amount.is_finite():
        raise InvalidRecordError(product_id, f"price {amount} is not a number")
    # xsd:decimal has no exponent: Decimal("1E+2") must be written "100".
    return format(amount, "f")
