"""Associations → recommendations or product links per type, quantified associations → bundles
or sets, and attributes mapped onto the storefront's own SFCC attributes, system or custom."""

from lxml import etree

from jobs.sfcc.records import ProductKind, ProductLink, Recommendation
from jobs.transform import MasterAccumulator, transform_attributes
from jobs.transform.config import SFCC_PRODUCT_SYSTEM_ATTRIBUTES
from tests.conftest import XSD_DIR
from tests.transform.factories import ATTRIBUTES, OPTIONS, config, model, product, transformer, value

XS = "{http://www.w3.org/2001/XMLSchema}"


def test_it_makes_recommendations_of_the_types_mapped_so_and_links_of_the_others():
    t = transformer(recommendation_types={"X_SELL": "1", "COMPATIBLE": "3"}, link_types={"UPSELL": "up-sell"})
    data = product("P1")
    data["associations"] = {
        "X_SELL": {"products": ["P2", "P1", "p2"], "product_models": [], "groups": ["G1"]},
        "UPSELL": {"products": ["P2"], "product_models": [], "groups": []},
        "COMPATIBLE": {"products": ["P2"], "product_models": [], "groups": []},
        "UNMAPPED": {"products": ["P9"], "product_models": [], "groups": []},
    }
    result = t.product(data).product
    assert result.recommendations == [Recommendation("P2", "1"), Recommendation("P2", "3")]
    assert result.links == [ProductLink("P2", "up-sell")]


def test_it_recommends_the_master_of_a_sub_model_and_models_recommend_too():
    t, masters = transformer(recommendation_types={"X_SELL": "1"}, link_types={}), MasterAccumulator()
    root = model("tee")
    root["associations"] = {"X_SELL": {"products": ["P7"], "product_models": []}}
    t.add_model(root, masters)
    t.add_model(model("tee_red", parent="tee", color=value("red")), masters)
    data = product("P1")
    data["associations"] = {"X_SELL": {"products": [], "product_models": ["tee_red"]}}
    assert t.product(data, masters).product.recommendations == [Recommendation("tee", "1")]
    assert t.master(root, masters).product.recommendations == [Recommendation("P7", "1")]


def test_it_makes_a_product_set_of_the_quantified_types_configured_as_sets():
    data = product("LOOK")
    data["quantified_associations"] = {
        "OUTFIT": {"products": [{"identifier": "P2", "quantity": 1}, {"identifier": "P3", "quantity": 2}]}
    }
    result = transformer(quantified_types={"OUTFIT": "set"}).product(data)
    assert result.product.kind == ProductKind.SET
    assert result.product.set_products == ["P2", "P3"] and result.product.bundled == []
    assert result.problems == []


def test_a_bundle_that_is_also_a_set_stays_a_bundle_and_says_so():
    data = product("KIT")
    data["quantified_associations"] = {
        "PACK": {"products": [{"identifier": "P2", "quantity": 2}]},
        "OUTFIT": {"products": [{"identifier": "P3", "quantity": 1}]},
    }
    result = transformer(quantified_types={"OUTFIT": "set"}).product(data)
    assert result.product.kind == ProductKind.BUNDLE and result.product.set_products == []
    assert [p.message for p in result.problems] == [
        "OUTFIT: a bundle cannot also be a product set; set ignored"
    ]


def test_it_writes_mapped_attributes_to_the_storefronts_own_custom_attributes():
    mapped = {"color": "color", "size": "size"}
    t, masters = (
        transformer(custom_attributes=mapped, custom_attribute_types={"color": "string"}),
        MasterAccumulator(),
    )
    t.add_model(model("tee", family_variant="by_size"), masters)
    variant = t.product(product("tee_m", parent="tee", size=value("m"), color=value("red")), masters).product
    assert {(v.attribute_id, v.value) for v in variant.custom} >= {("color", "red"), ("size", "m")}
    master = t.master(model("tee", family_variant="by_size"), masters).product
    assert [a.attribute_id for a in master.variation_attributes] == ["size"]  # SFRA's own axis
    result = transform_attributes(ATTRIBUTES, OPTIONS, [], config(custom_attributes=mapped))
    assert not {"color", "size", "akeneo_color", "akeneo_size"} & {d.id for d in result.definitions}


def test_it_refuses_a_mapping_whose_sfcc_type_cannot_hold_the_values_naming_the_field():
    c = config(
        custom_attributes={"collection": "collections"},
        custom_attribute_types={"collections": "boolean"},
        system_attributes={"picture": "ean", "name": "display-name"},
    )
    result = transform_attributes(ATTRIBUTES, OPTIONS, [], c)
    assert {p.identifier: p.message for p in result.problems} == {
        "collection": "mapping.custom_attributes.collection: SFCC's 'collections' is 'boolean', which cannot hold "
        "the values of an Akeneo pim_catalog_multiselect attribute (it needs enum-of-string or set-of-string); "
        "not imported",
        "picture": "mapping.system_attributes.picture: SFCC's 'ean' cannot hold the values of an Akeneo "
        "pim_catalog_image attribute; not imported",
    }
    t = transformer(
        custom_attributes={"collection": "collections"}, custom_attribute_types={"collections": "boolean"}
    )
    assert [p.identifier for p in t.mapping_problems] == ["collection"]
    assert t.product(product("P1", collection=value(["summer"]))).product.custom == []


def test_its_system_attributes_are_those_of_catalog_xsd():
    schema = etree.parse(str(XSD_DIR / "catalog.xsd"))
    names = set()
    for type_name in ("complexType.Product", "complexType.PageAttributes"):
        definition = schema.find(f"{XS}complexType[@name='{type_name}']")
        names |= {e.get("name") for e in definition.iter(f"{XS}element")}
    assert names >= SFCC_PRODUCT_SYSTEM_ATTRIBUTES
    structures = {"images", "custom-attributes", "bundled-products", "product-set-products", "options", "variations",
                  "product-links", "category-links", "classification-category", "page-attributes", "image",
                  "thumbnail", "localized-tax-class-id", "pinterest-enabled-flag", "facebook-enabled-flag",
                  "product-detail-page-meta-tag-rules", "retail-set-products", "store-attributes"}  # fmt: skip
    assert names - SFCC_PRODUCT_SYSTEM_ATTRIBUTES <= structures
