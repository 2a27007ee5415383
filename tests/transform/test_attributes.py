import pytest
from lxml import etree

from jobs.sfcc.records import AttributeType
from jobs.transform import transform_attributes
from tests.transform.conftest import example_config
from tests.transform.factories import ATTRIBUTES, OPTIONS, attribute, config

GROUPS = [{"code": "marketing", "sort_order": 1, "labels": {"en_US": "Marketing", "fr_FR": "Marketing FR"}}]


def definitions(**changes):
    result = transform_attributes(ATTRIBUTES, OPTIONS, GROUPS, config(**changes))
    return {d.id: d for d in result.definitions}, result


def test_it_maps_each_akeneo_type_to_its_sfcc_type():
    defs, result = definitions(system_attributes={}, image_view_types={})
    assert {code: d.type for code, d in defs.items()} == {
        "akeneo_name": AttributeType.STRING,
        "akeneo_description": AttributeType.TEXT,
        "akeneo_notes": AttributeType.HTML,
        "akeneo_ean": AttributeType.STRING,
        "akeneo_brand": AttributeType.ENUM_OF_STRING,
        "akeneo_color": AttributeType.ENUM_OF_STRING,
        "akeneo_size": AttributeType.ENUM_OF_STRING,
        "akeneo_collection": AttributeType.ENUM_OF_STRING,
        "akeneo_weight": AttributeType.STRING,
        "akeneo_pieces": AttributeType.INT,
        "akeneo_ratio": AttributeType.DOUBLE,
        "akeneo_waterproof": AttributeType.BOOLEAN,
        "akeneo_release_date": AttributeType.DATE,
        "akeneo_picture": AttributeType.STRING,
        "akeneo_manual": AttributeType.STRING,
        "akeneo_gallery": AttributeType.SET_OF_STRING,
    }
    assert result.problems == []


def test_it_gives_no_definition_to_system_image_price_identifier_and_excluded_attributes():
    defs, _ = definitions(
        image_view_types={"picture": "large"},
        asset_view_types={"gallery": "small"},
        excluded_attributes=frozenset({"notes"}),
    )
    for code in ("sku", "price", "name", "description", "ean", "brand", "picture", "gallery", "notes"):
        assert f"akeneo_{code}" not in defs


def test_it_flags_localizable_and_multi_select_attributes():
    defs, _ = definitions(system_attributes={})
    assert defs["akeneo_name"].localizable and not defs["akeneo_ean"].localizable
    assert defs["akeneo_collection"].select_multiple and not defs["akeneo_color"].select_multiple


def test_it_writes_options_in_akeneo_order_with_localized_displays():
    defs, _ = definitions()
    values = defs["akeneo_color"].values
    assert [v.value for v in values] == ["blue", "red"]
    assert values[0].display == {"x-default": "Blue", "en-US": "Blue", "fr-FR": "Bleu"}


def test_it_falls_back_to_the_code_when_the_default_locale_has_no_label():
    options = {"color": [{"code": "teal", "sort_order": 0, "labels": {"fr_FR": "Sarcelle"}}]}
    result = transform_attributes([attribute("color", "simpleselect")], options, [], config())
    assert result.definitions[0].values[0].display == {"x-default": "teal", "fr-FR": "Sarcelle"}


@pytest.mark.parametrize(
    "akeneo_type",
    ["pim_reference_data_simpleselect", "pim_reference_data_multiselect", "made_up"],
)
def test_it_reports_types_without_sfcc_counterpart(akeneo_type):
    attributes = [{"code": "odd", "type": akeneo_type, "labels": {}}, attribute("ean", "text")]
    result = transform_attributes(attributes, {}, [], config(system_attributes={}))
    assert [d.id for d in result.definitions] == ["akeneo_ean"]
    assert [p.identifier for p in result.problems] == ["odd"]
    assert akeneo_type in result.problems[0].message


def test_it_makes_attribute_groups_of_the_custom_attributes_they_hold():
    _, result = definitions()
    assert len(result.groups) == 1
    group = result.groups[0]
    assert group.id == "akeneo_marketing"
    assert group.display_name == {"x-default": "Marketing", "en-US": "Marketing", "fr-FR": "Marketing FR"}
    assert "akeneo_color" in group.attribute_ids and "akeneo_name" not in group.attribute_ids


def test_it_agrees_with_the_example_attribute_definitions(shared_dir, icecat):
    """../shared/mapping-example/system-objecttype-extensions.xml, compared semantically."""
    ns = {"m": "http://www.demandware.com/xml/impex/metadata/2006-10-31"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    tree = etree.parse(str(shared_dir / "mapping-example" / "system-objecttype-extensions.xml"))
    result = transform_attributes(icecat["attributes"], icecat["options"], icecat["groups"], example_config())
    defs = {d.id: d for d in result.definitions}
    assert result.problems == []
    for element in tree.iterfind(".//m:attribute-definition", ns):
        definition = defs[element.get("attribute-id")]
        assert definition.type == element.findtext("m:type", namespaces=ns)
        assert str(definition.localizable).lower() == element.findtext("m:localizable-flag", namespaces=ns)
        names = {e.get(lang): e.text for e in element.findall("m:display-name", ns)}
        assert {k: definition.display_name.get(k) for k in names} == names
        values = {v.value: v.display for v in definition.values}
        for value in element.iterfind(".//m:value-definition", ns):
            displays = {e.get(lang): e.text for e in value.findall("m:display", ns)}
            assert {k: values[value.findtext("m:value", namespaces=ns)].get(k) for k in displays} == displays
    # The example puts erp_name in the marketing group; icecat has it in "erp": each attribute
    # goes to the group of its Akeneo attribute.
    groups = {attribute_id: g.id for g in result.groups for attribute_id in g.attribute_ids}
    assert groups["akeneo_collection"] == "akeneo_marketing"
    assert groups["akeneo_erp_name"] == "akeneo_erp"
