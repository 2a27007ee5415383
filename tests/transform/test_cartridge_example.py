"""The worked example in tests/fixtures/cartridge-example, reproduced from its Akeneo JSON: two
products with cross-sells (recommendations of SFRA's type 1) and a record link, one storefront
catalog holding its sub-tree's categories, the assignments and the recommendations of the
products it shows, and a reference entity's record as a content asset. The fixtures are valid
against Salesforce's schemas and the writers produce them exactly (canonical XML)."""

import json
from pathlib import Path

import pytest
from lxml import etree

from jobs.pipeline.common import labels_of
from jobs.sfcc.records import CatalogHeader
from jobs.sfcc.xml import CatalogWriter, LibraryWriter
from jobs.transform import MappingConfig, MasterAccumulator, ProductTransformer, transform_categories
from jobs.transform.entities import transform_entity
from jobs.transform.sites import Placement
from tests.conftest import XSD_DIR

EXAMPLE = Path(__file__).parent.parent / "fixtures" / "cartridge-example"
MASTER = "akeneo-master"
LIBRARY = "SharedLibrary"
FILES = {
    f"catalogs/{MASTER}/catalog.xml": "catalog.xsd",
    "catalogs/storefront-fashion/catalog.xml": "catalog.xsd",
    f"libraries/{LIBRARY}/library.xml": "library.xsd",
}


def write_example(out: Path) -> None:
    """The product import's and job 4's steps, on the example's records."""
    data = json.loads((EXAMPLE / "akeneo.json").read_text())
    config = MappingConfig(
        catalog_id=MASTER,
        locales={"en_US": "en-US", "fr_FR": "fr-FR"},
        recommendation_types={"X_SELL": "1"},
        content_library=LIBRARY,
    )
    trees = {
        catalog_id: transform_categories(data["categories"], code, config)
        for catalog_id, code in data["storefronts"].items()
    }
    labels = {data["reference_entity"]["code"]: {r["code"]: labels_of(r) for r in data["records"]}}
    transformer = ProductTransformer(
        config, data["attributes"], {}, [], {},
        placement=Placement.of({c: tree.ids for c, tree in trees.items()}), records=labels,
    )  # fmt: skip
    for name in FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
    with (
        CatalogWriter(out / f"catalogs/{MASTER}/catalog.xml", CatalogHeader(MASTER)) as master,
        CatalogWriter(
            out / "catalogs/storefront-fashion/catalog.xml", CatalogHeader("storefront-fashion")
        ) as storefront,
    ):
        for category in trees["storefront-fashion"].categories:
            storefront.category(category)
        masters = MasterAccumulator()
        for record in data["products"]:
            result = transformer.product(record, masters)
            assert result.problems == []
            master.product(result.product, recommendations=False)
            for assignment in result.assignments:
                storefront.assignment(assignment)
            if "storefront-fashion" in result.catalogs:
                storefront.recommend(result.product.id, result.product.recommendations)
    entity = transform_entity(data["reference_entity"], data["records"], config)
    assert entity.problems == []
    with LibraryWriter(out / f"libraries/{LIBRARY}/library.xml", library_id=LIBRARY) as library:
        for folder in entity.folders:
            library.folder(folder)
        for asset in entity.assets:
            library.content(asset)


def canonical(path: Path) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.parse(str(path), parser), method="c14n")


@pytest.mark.parametrize("name", sorted(FILES))
def test_the_example_is_valid_against_the_schema(name):
    schema = etree.XMLSchema(etree.parse(str(XSD_DIR / FILES[name])))
    schema.assertValid(etree.parse(str(EXAMPLE / name)))


def test_the_writers_produce_the_example(tmp_path):
    write_example(tmp_path)
    for name in FILES:
        assert canonical(tmp_path / name) == canonical(EXAMPLE / name), name
