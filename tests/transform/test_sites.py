"""Master and storefront catalogs: sub-trees per site, assignments per catalog, category options,
a variant's own classification; the catalogs written validate against catalog.xsd."""

import pytest

from jobs.sfcc.records import CatalogHeader, Mode, Recommendation
from jobs.sfcc.xml import CatalogWriter, InvalidRecordError
from jobs.transform import MasterAccumulator, ProductTransformer, transform_categories
from jobs.transform.sites import CatalogLayout, Placement, RemovedProducts, Storefront
from tests.sfcc.conftest import assert_valid
from tests.transform import factories as f

NS = {"c": "http://www.demandware.com/xml/impex/catalog/2006-10-31"}

# One business unit's tree, one sub-tree per site (as the generated demo catalog has it).
TREE = [
    {"code": "master", "parent": None, "labels": {"en_US": "Master"}},
    {"code": "site_a", "parent": "master", "labels": {"en_US": "Site A"}},
    {"code": "site_b", "parent": "master", "labels": {"en_US": "Site B"}},
    {"code": "a_shirts", "parent": "site_a", "labels": {"en_US": "Shirts"}},
    {"code": "a_shoes", "parent": "site_a", "labels": {"en_US": "Shoes"}},
    {"code": "a_shirts_deals", "parent": "a_shirts", "labels": {"en_US": "Deals"}},
    {"code": "b_home", "parent": "site_b", "labels": {"en_US": "Home"}, "position": 7},
    {"code": "other_tree", "parent": None},
]


def placement(*, primary=True) -> Placement:
    config = f.config()
    return Placement.of(
        {
            "store-a": transform_categories(TREE, "site_a", config).ids,
            "store-b": transform_categories(TREE, "site_b", config).ids,
        },
        primary=primary,
    )


def test_it_makes_a_sub_tree_the_storefront_catalogs_root_with_its_children_on_top():
    result = transform_categories(TREE, "site_a", f.config(), positions=True, online=False)
    assert result.problems == []  # a sub-tree's parent is expected, the rest is another site's
    by_id = {c.id: c for c in result.categories}
    assert list(by_id) == ["root", "a_shirts", "a_shoes", "a_shirts_deals"]
    assert by_id["a_shirts"].parent == "root" and by_id["a_shirts_deals"].parent == "a_shirts"
    assert [by_id[i].position for i in ("root", "a_shirts", "a_shoes", "a_shirts_deals")] == [None, 1, 2, 1]
    assert not any(c.online for c in result.categories)
    assert "b_home" not in result.ids


def test_it_takes_akeneos_own_position_when_the_category_has_one():
    result = transform_categories(TREE, "site_b", f.config(), positions=True)
    assert {c.id: c.position for c in result.categories} == {"root": None, "b_home": 7}


def test_it_writes_no_position_unless_asked():
    assert all(c.position is None for c in transform_categories(TREE, "master", f.config()).categories)


def test_it_assigns_a_product_in_every_site_it_is_classified_in_with_a_primary_per_catalog():
    found = placement().assignments("P1", ["a_shirts_deals", "b_home", "a_shoes", "unknown", "other_tree"])
    assert [(a.catalog_id, a.category_id, a.primary) for a in found] == [
        ("store-a", "a_shirts_deals", True),
        ("store-b", "b_home", True),
        ("store-a", "a_shoes", False),
    ]


def test_it_writes_no_primary_flag_when_the_first_category_is_not_primary():
    assert {a.primary for a in placement(primary=False).assignments("P1", ["a_shirts", "b_home"])} == {None}


def test_a_variant_keeps_the_classification_it_has_beyond_its_master():
    transformer = ProductTransformer(
        f.config(), f.ATTRIBUTES, f.OPTIONS, f.FAMILY_VARIANTS, {}, placement=placement()
    )
    masters = MasterAccumulator()
    root = {**f.model("shirt"), "categories": ["a_shirts"]}
    sub = {**f.model("shirt_blue", "shirt", color=f.value("blue")), "categories": ["a_shirts"]}
    for item in (root, sub):
        transformer.add_model(item, masters)
    # Akeneo lists a variant's categories with those it inherits.
    variant = f.product("shirt-blue-m", "shirt_blue", color=f.value("blue"), size=f.value("m"))
    variant["categories"] = ["a_shirts", "a_shirts_deals", "b_home"]
    plain = f.product("shirt-blue-l", "shirt_blue", color=f.value("blue"), size=f.value("l"))
    plain["categories"] = ["a_shirts"]
    own = transformer.product(variant, masters)
    assert [(a.catalog_id, a.category_id, a.primary) for a in own.assignments] == [
        ("store-a", "a_shirts_deals", False),  # the master is primary in store-a
        ("store-b", "b_home", True),  # the master is not in store-b: the variant is its primary
    ]
    assert transformer.product(plain, masters).assignments == []
    master = transformer.master(root, masters)
    assert [(a.catalog_id, a.category_id) for a in master.assignments] == [("store-a", "a_shirts")]


def test_the_layout_names_each_bad_storefront():
    layout = CatalogLayout(
        storefronts=(
            Storefront("akeneo-master", "site_a"),
            Storefront("store a", "site_a"),
            Storefront("store-b", "site-b"),
            Storefront("store-c", "site_c"),
            Storefront("store-c", "site_d"),
        ),
        removed_products="archive",
    )
    errors = layout.validate("akeneo-master")
    assert errors["storefronts"] == [
        "storefront 1: 'akeneo-master' is the master catalog; leave the storefronts empty to keep "
        "categories in the master catalog.",
        "storefront 2: 'store a' is not a catalog id (letters, digits, '.', '_', '-').",
        "storefront 3: 'site-b' is not an Akeneo category code.",
        "storefront 5: the catalog 'store-c' is listed twice.",
    ]
    assert errors["removed_products"] == ["Choose offline, delete, keep."]
    assert CatalogLayout(removed_products=RemovedProducts.DELETE).validate("akeneo-master") == {}


def test_storefront_catalogs_and_removals_validate_against_catalog_xsd(tmp_path):
    config = f.config()
    categories = transform_categories(TREE, "site_a", config, positions=True, online=False).categories
    assignments = placement(primary=False).assignments("P1", ["a_shirts", "a_shirts_deals"])
    path = tmp_path / "store-a" / "catalog.xml"
    path.parent.mkdir()
    with CatalogWriter(path, CatalogHeader("store-a")) as writer:
        for category in categories:
            writer.category(category)
        for assignment in assignments:
            writer.assignment(assignment)
        writer.assignment(type(assignments[0])("P2", "a_shoes", mode=Mode.DELETE))
    tree = assert_valid(path, "catalog.xsd")
    assert tree.xpath("//c:category[@category-id='a_shoes']/c:position/text()", namespaces=NS) == ["2.0"]
    assert tree.xpath("//c:category/c:online-flag/text()", namespaces=NS) == ["false"] * 4
    assert tree.xpath("//c:category-assignment/c:primary-flag", namespaces=NS) == []
    assert tree.xpath("//c:category-assignment[@mode='delete']/@product-id", namespaces=NS) == ["P2"]


def test_a_product_is_in_the_catalogs_of_its_assignments_and_a_variant_also_in_its_masters():
    transformer = ProductTransformer(
        f.config(), f.ATTRIBUTES, f.OPTIONS, f.FAMILY_VARIANTS, {}, placement=placement()
    )
    masters = MasterAccumulator()
    root = {**f.model("shirt"), "categories": ["a_shirts"]}
    transformer.add_model(root, masters)
    transformer.add_model(f.model("shirt_blue", "shirt", color=f.value("blue")), masters)
    inherited = f.product("shirt-blue-m", "shirt_blue", color=f.value("blue"), size=f.value("m"))
    inherited["categories"] = ["a_shirts"]
    beyond = f.product("shirt-blue-l", "shirt_blue", color=f.value("blue"), size=f.value("l"))
    beyond["categories"] = ["a_shirts", "b_home"]
    standard = {**f.product("mug"), "categories": ["b_home", "other_tree"]}
    assert transformer.product(inherited, masters).catalogs == {"store-a"}
    assert transformer.product(beyond, masters).catalogs == {"store-a", "store-b"}
    assert transformer.product(standard, masters).catalogs == {"store-b"}
    assert transformer.master(root, masters).catalogs == {"store-a"}
    assert (
        transformer.product({**f.product("nowhere"), "categories": ["other_tree"]}, masters).catalogs == set()
    )


def test_a_storefront_catalog_holds_recommendations_of_the_master_catalogs_products(tmp_path):
    path = tmp_path / "store-a.xml"
    with CatalogWriter(path, CatalogHeader("store-a")) as writer:
        writer.assignment(placement().assignments("P1", ["a_shirts"])[0])
        writer.recommend("P1", [Recommendation("P2", "1"), Recommendation("P3", "2")])
        with pytest.raises(InvalidRecordError, match="recommendationType"):
            writer.recommend("P1", [Recommendation("P4", "1"), Recommendation("P5", "cross-sell")])
    tree = assert_valid(path, "catalog.xsd")
    assert tree.xpath("//c:recommendation/@target-id", namespaces=NS) == ["P2", "P3"]  # all or none
    assert writer.recommendation_count == 2
