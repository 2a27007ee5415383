"""The icecat catalog as Akeneo's REST API returns it, and a transformer over it."""

import json

import pytest

from jobs.transform import MappingConfig, ModelImportMode, ProductTransformer, transform_categories
from tests.conftest import ICECAT_API


def load(name: str) -> list[dict]:
    with open(ICECAT_API / name, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def icecat_options() -> dict[str, list[dict]]:
    return {
        path.name.split("__")[1]: load(path.name) for path in ICECAT_API.glob("attributes__*__options.jsonl")
    }


def icecat_family_variants() -> list[dict]:
    return [variant for path in ICECAT_API.glob("families__*__variants.jsonl") for variant in load(path.name)]


def example_config(**changes) -> MappingConfig:
    """The mapping example's configuration (../shared/mapping-example/README.md)."""
    settings = {
        "channel": "ecommerce",
        "locales": {"en_US": "en-US", "fr_FR": "fr-FR"},
        "default_locale": "en_US",
        "image_view_types": {"image": "large"},
        "model_mode": ModelImportMode.MASTER_GROUP_VARIATION,
    }
    return MappingConfig(**{**settings, **changes})


def icecat_transformer(config: MappingConfig) -> ProductTransformer:
    categories = transform_categories(load("categories.jsonl"), "master", config)
    return ProductTransformer(
        config,
        load("attributes.jsonl"),
        icecat_options(),
        icecat_family_variants(),
        categories.ids,
        known_locales=[locale["code"] for locale in load("_locales.jsonl")],
    )


@pytest.fixture(scope="session")
def icecat(shared_dir):
    """Every icecat resource by name, loaded once."""
    return {
        "attributes": load("attributes.jsonl"),
        "options": icecat_options(),
        "groups": load("attribute-groups.jsonl"),
        "categories": load("categories.jsonl"),
        "family_variants": icecat_family_variants(),
        "models": load("product-models.jsonl"),
        "products": load("products.jsonl"),
    }
