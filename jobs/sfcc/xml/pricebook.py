"""`pricebooks/<pricebook-id>.xml`: one pricebook (header, price tables) per file (pricebook.xsd)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from lxml import etree

from jobs.sfcc.records import Mode, PricebookHeader, PriceTable

from .stream import (
    Document,
    InvalidRecordError,
    Spool,
    SubElement,
    add_localized,
    attr_xml,
    build,
    check_id,
    flag,
    xml_bytes,
)

NAMESPACE = "http://www.demandware.com/xml/impex/pricebook/2006-10-31"


class PricebookWriter:
    """Price tables are spooled beside the file (serialized by hand: a pricebook has one per
    product) and copied in when the writer closes; memory stays constant.

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
        self._prices = Spool(self.path.parent)
        return self

    def price(self, table: PriceTable) -> None:
        self._prices.write_bytes(build(_price_table_xml, table))
        self.price_count += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._doc.write_spool(self._prices)
                self._doc.close()
            else:
                self._doc.abort()
        finally:
            self._prices.close()


def _header_element(h: PricebookHeader) -> etree._Element:
    check_id(h.id, 256, "pricebook id")
    if len(h.currency) != 3 or not h.currency.isascii() or not h.currency.isupper():
        raise InvalidRecordError(h.id, f"currency {h.currency!r} is not an ISO 4217 code")
    el = etree.Element("header", {"pricebook-id": h.id})
    SubElement(el, "currency").text = h.currency
    add_localized(el, "display-name", h.display_name, h.id, 4000)
    SubElement(el, "online-flag").text = flag(h.online)
    return el


def _price_table_xml(t: PriceTable) -> bytes:
    check_id(t.product_id, 100, "product id")
    head = f'<price-table product-id="{attr_xml(t.product_id)}"'
    if t.mode == Mode.DELETE:
        return xml_bytes(f'{head} mode="delete"/>')
    xml_bytes(head)  # an id XML cannot hold is cleaned (by build) before any error names it
    amount = _decimal(t.amount, t.product_id)
    return xml_bytes(f'{head}><amount quantity="{t.quantity}">{amount}</amount></price-table>')


def _decimal(amount: Decimal, product_id: str) -> str:
    amount = Decimal(amount)
    if not amount.is_finite():
        raise InvalidRecordError(product_id, f"price {amount} is not a number")
    # xsd:decimal has no exponent: Decimal("1E+2") must be written "100".
    return format(amount, "f")
