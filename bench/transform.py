"""Benchmark of the product transform, the hot path of a full import.

    python -m bench.transform [N]

Builds N synthetic products shaped like Akeneo's REST API output (about 30 values each: two
locales, three channels, selects, metrics, prices, images, categories, associations), then
times `ProductTransformer.product` over them on one core and prints products per second.
Generation is not timed.
"""

from __future__ import annotations

import random
import sys
import time

from jobs.transform.config import MappingConfig
from jobs.transform.products import ProductTransformer

LOCALES = ("en_US", "fr_FR", "de_DE")
CHANNELS = ("ecommerce", "mobile", "print")
COLORS = [f"color_{i}" for i in range(40)]


def _attribute(code: str, kind: str, **extra) -> dict:
    return {"code": code, "type": f"pim_catalog_{kind}", "labels": {"en_US": code}, **extra}


def catalog() -> tuple[list[dict], dict[str, list[dict]]]:
    attributes = [
        _attribute("sku", "identifier"),
        _attribute("name", "text", localizable=True),
        _attribute("description", "textarea", localizable=True, scopable=True),
        _attribute("short_description", "textarea", localizable=True, scopable=True),
        _attribute("ean", "text"),
        _attribute("brand", "simpleselect"),
        _attribute("color", "simpleselect"),
        _attribute("materials", "multiselect"),
        _attribute("weight", "metric"),
        _attribute("width", "metric"),
        _attribute("pieces", "number", decimals_allowed=False),
        _attribute("rating", "number", decimals_allowed=True),
        _attribute("waterproof", "boolean"),
        _attribute("release_date", "date", scopable=True),
        _attribute("image", "image"),
        _attribute("manual", "file"),
        _attribute("price", "price_collection"),
    ]
    attributes += [_attribute(f"text_{i}", "text") for i in range(8)]
    options = {
        "brand": [{"code": f"brand_{i}", "labels": {"en_US": f"Brand {i}"}} for i in range(200)],
        "color": [{"code": c, "labels": {"en_US": c.title(), "fr_FR": c}} for c in COLORS],
        "materials": [{"code": f"mat_{i}", "labels": {"en_US": f"Mat {i}"}} for i in range(30)],
    }
    return attributes, options


def _v(data, locale=None, scope=None) -> dict:
    return {"locale": locale, "scope": scope, "data": data}


def product(n: int, rng: random.Random) -> dict:
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 6
    values = {
        "sku": [_v(f"SKU{n}")],
        "name": [_v(f"Product {n} {loc}", loc) for loc in LOCALES],
        "description": [_v(text, loc, ch) for loc in LOCALES for ch in CHANNELS],
        "short_description": [_v(text[:80], loc, ch) for loc in LOCALES for ch in CHANNELS],
        "ean": [_v(f"{4000000000000 + n}")],
        "brand": [_v(f"brand_{rng.randrange(200)}")],
        "color": [_v(rng.choice(COLORS))],
        "materials": [_v([f"mat_{rng.randrange(30)}", f"mat_{rng.randrange(30)}"])],
        "weight": [_v({"amount": f"{rng.randrange(1, 5000)}.0000", "unit": "GRAM"})],
        "width": [_v({"amount": f"{rng.random() * 100:.4f}", "unit": "CENTIMETER"})],
        "pieces": [_v(str(rng.randrange(1, 20)))],
        "rating": [_v(f"{rng.random() * 5:.4f}")],
        "waterproof": [_v(rng.random() < 0.5)],
        "release_date": [_v("2021-05-04T00:00:00+00:00", None, ch) for ch in CHANNELS],
        "image": [_v(f"a/b/c/d/{n:040x}_front.jpg")],
        "manual": [_v(f"e/f/{n:040x}_manual.pdf")],
        "price": [_v([{"amount": f"{rng.randrange(1, 999)}.99", "currency": c} for c in ("EUR", "USD")])],
    }
    values.update({f"text_{i}": [_v(f"value {i} of {n}")] for i in range(8)})
    return {
        "identifier": f"SKU{n}",
        "enabled": True,
        "family": "goods",
        "parent": None,
        "categories": [f"cat_{rng.randrange(500)}" for _ in range(3)],
        "values": values,
        "associations": {
            "X_SELL": {"products": [f"SKU{rng.randrange(n + 1)}"], "product_models": [], "groups": []}
        },
        "quantified_associations": {},
    }


def main(count: int = 20_000) -> float:
    attributes, options = catalog()
    config = MappingConfig(
        locales={"en_US": "en-US", "fr_FR": "fr-FR"}, image_view_types={"image": "large"}, currencies=("EUR",)
    )
    transformer = ProductTransformer(
        config, attributes, options, [], {f"cat_{i}": f"cat_{i}" for i in range(250)}, known_locales=LOCALES
    )
    rng = random.Random(42)
    products = [product(n, rng) for n in range(count)]
    started = time.perf_counter()
    problems = 0
    for data in products:
        problems += len(transformer.product(data).problems)
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(f"{count} products in {elapsed:.2f} s: {rate:,.0f} products/s ({problems} problems)")
    return rate


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
