from jobs.sfcc.records import BundledProduct, ProductKind, ProductLink
from jobs.transform import MasterAccumulator, ModelImportMode
from tests.transform.factories import model, product, transformer, value


def test_it_maps_association_types_to_product_links_and_skips_unmapped_ones():
    data = product("P1")
    data["associations"] = {
        "X_SELL": {"products": ["P2", "P3"], "product_models": ["tee"], "groups": ["G1"]},
        "UPSELL": {"products": ["P2"], "product_models": [], "groups": []},
        "COMPATIBLE": {"products": ["P9"], "product_models": [], "groups": []},
    }
    links = transformer().product(data).product.links
    assert links == [
        ProductLink("P2", "cross-sell"),
        ProductLink("P3", "cross-sell"),
        ProductLink("tee", "cross-sell"),
        ProductLink("P2", "up-sell"),
    ]


def test_it_does_not_link_a_product_to_itself_or_twice():
    data = product("P1")
    data["associations"] = {"X_SELL": {"products": ["P1", "P2", "p2"], "product_models": []}}
    assert transformer().product(data).product.links == [ProductLink("P2", "cross-sell")]


def test_it_links_to_the_master_of_a_sub_model_in_master_variation_mode():
    t, masters = transformer(), MasterAccumulator()
    t.add_model(model("tee"), masters)
    t.add_model(model("tee_red", parent="tee", color=value("red")), masters)
    data = product("P1")
    data["associations"] = {"X_SELL": {"products": [], "product_models": ["tee_red"]}}
    assert t.product(data, masters).product.links == [ProductLink("tee", "cross-sell")]
    group_mode = transformer(model_mode=ModelImportMode.MASTER_GROUP_VARIATION)
    assert group_mode.product(data, masters).product.links == [ProductLink("tee_red", "cross-sell")]


def test_it_makes_a_bundle_of_quantified_associations():
    data = product("KIT")
    data["quantified_associations"] = {
        "PACK": {"products": [{"identifier": "P2", "quantity": 3}], "product_models": []},
        "SET": {"products": [{"identifier": "P3", "quantity": 1}], "product_models": []},
    }
    result = transformer().product(data)
    assert result.product.kind == ProductKind.BUNDLE
    assert result.product.bundled == [BundledProduct("P2", 3), BundledProduct("P3", 1)]
    assert result.problems == []


def test_it_reports_bundled_models_and_bad_quantities():
    data = product("KIT")
    data["quantified_associations"] = {
        "PACK": {
            "products": [{"identifier": "P2", "quantity": 0}],
            "product_models": [{"identifier": "tee", "quantity": 1}],
        }
    }
    result = transformer().product(data)
    assert result.product.kind == ProductKind.STANDARD
    assert [p.message for p in result.problems] == [
        "PACK: quantity 0 is not positive",
        "PACK: product model 'tee' cannot be bundled",
    ]


def test_it_assigns_categories_of_the_tree_with_the_first_one_primary():
    data = product("P1")
    data["categories"] = ["other_tree", "SHIRTS", "summer_deals", "shirts"]
    result = transformer().product(data)
    assert [(a.category_id, a.primary) for a in result.assignments] == [
        ("shirts", True),
        ("summer_deals", False),
    ]
