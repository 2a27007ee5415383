"""The attribute types the cartridge imports beyond the basic ones: tables, reference entity
links, files (their path only) and measurements with their unit."""

import json

import pytest

from jobs.sfcc.records import AttributeType, CustomValue
from jobs.transform import ProductTransformer, transform_attributes
from tests.transform.factories import ATTRIBUTES, FAMILY_VARIANTS, OPTIONS, config, product, value

EXTRA = [
    {"code": "nutrition", "type": "pim_catalog_table", "labels": {"en_US": "Nutrition"}, "group": "marketing",
     "table_configuration": [{"code": "ingredient", "data_type": "select"}, {"code": "grams", "data_type": "number"}]},
    {"code": "maker", "type": "akeneo_reference_entity", "reference_data_name": "brands",
     "labels": {"en_US": "Maker", "fr_FR": "Fabricant"}, "group": "marketing"},
    {"code": "materials", "type": "akeneo_reference_entity_collection", "reference_data_name": "materials",
     "labels": {"en_US": "Materials"}, "group": "marketing"},
]  # fmt: skip
RECORDS = {
    "brands": {"kartell": {"en_US": "Kartell", "fr_FR": "Kartell FR"}},
    "materials": {"oak": {"en_US": "Oak", "fr_FR": "Chêne"}, "steel": {"en_US": "Steel"}},
}


def transformer(records=RECORDS) -> ProductTransformer:
    return ProductTransformer(
        config(),
        ATTRIBUTES + EXTRA,
        OPTIONS,
        FAMILY_VARIANTS,
        {},
        known_locales=["en_US", "fr_FR"],
        records=records,
    )


def custom(result, attribute_id):
    return [(v.value, v.lang) for v in result.product.custom if v.attribute_id == attribute_id]


def test_it_defines_tables_as_text_and_record_links_with_their_label_attribute():
    result = transform_attributes(ATTRIBUTES + EXTRA, OPTIONS, [], config(system_attributes={}))
    defs = {d.id: d for d in result.definitions}
    assert result.problems == []
    assert defs["akeneo_nutrition"].type == AttributeType.TEXT
    assert defs["akeneo_maker"].type == AttributeType.STRING and not defs["akeneo_maker"].localizable
    assert defs["akeneo_maker_label"].type == AttributeType.STRING and defs["akeneo_maker_label"].localizable
    assert defs["akeneo_maker_label"].display_name["fr-FR"] == "Fabricant (label)"
    assert defs["akeneo_materials"].type == AttributeType.SET_OF_STRING
    assert defs["akeneo_materials_label"].type == AttributeType.SET_OF_STRING


def test_it_writes_a_table_as_json_rows():
    rows = [{"ingredient": "sugar", "grams": 12}, {"ingredient": "salt", "grams": "0.5"}]
    result = transformer().product(product("P1", nutrition=value(rows)))
    [(text, lang)] = custom(result, "akeneo_nutrition")
    assert json.loads(text) == rows and lang is None
    assert result.problems == []


@pytest.mark.parametrize(
    "rows",
    [
        [{"ingredient": "sucre glacé", "grams": 12.5, "organic": True, "note": None}],
        [{"grams": 10**30}],  # beyond 64 bits: orjson refuses it, the standard encoder writes it
        [{"ingredient": "lone \udc80 surrogate"}],  # the same (the writer refuses it later)
    ],
)
def test_a_table_is_compact_json_whatever_its_values(rows):
    result = transformer().product(product("P1", nutrition=value(rows)))
    texts = [text for text, _ in custom(result, "akeneo_nutrition")]
    assert texts == [json.dumps(rows, ensure_ascii=False, separators=(",", ":"))]
    assert result.problems == []


def test_it_drops_a_table_that_is_not_a_list_of_rows_and_says_so():
    result = transformer().product(product("P1", nutrition=value({"ingredient": "sugar"})))
    assert custom(result, "akeneo_nutrition") == []
    assert [p.message for p in result.problems] == [
        "nutrition: table {'ingredient': 'sugar'} (an object) is not a list of rows; value ignored"
    ]


def test_it_writes_record_codes_and_their_labels_per_locale():
    result = transformer().product(product("P1", maker=value("kartell"), materials=value(["oak", "steel"])))
    assert custom(result, "akeneo_maker") == [("kartell", None)]
    assert custom(result, "akeneo_maker_label") == [
        ("Kartell", "x-default"),
        ("Kartell", "en-US"),
        ("Kartell FR", "fr-FR"),
    ]
    assert custom(result, "akeneo_materials") == [(["oak", "steel"], None)]
    # A record without a label in a locale is named by its code there.
    assert custom(result, "akeneo_materials_label")[-1] == (["Chêne", "steel"], "fr-FR")


def test_it_writes_only_the_codes_when_the_records_are_unknown():
    result = transformer(records=None).product(product("P1", maker=value("kartell")))
    assert custom(result, "akeneo_maker") == [("kartell", None)]
    assert custom(result, "akeneo_maker_label") == []
    gone = transformer().product(product("P1", maker=value("deleted_brand")))
    assert custom(gone, "akeneo_maker") == [("deleted_brand", None)]
    assert custom(gone, "akeneo_maker_label") == []


def test_it_reports_a_record_link_that_is_not_a_code():
    result = transformer().product(product("P1", maker=value(["kartell"]), materials=value("oak")))
    assert result.product.custom == []
    assert [p.message for p in result.problems] == [
        "maker: record link ['kartell'] (a list) is not a record code; value ignored",
        "materials: record links 'oak' (a string) are not a list of record codes; value ignored",
    ]


def test_it_writes_a_file_as_its_akeneo_path_and_a_measurement_with_its_unit():
    result = transformer().product(
        product(
            "P1",
            manual=value("f/2/e/6/0cb0c0e115dedba676f8d1ad8343ec207ab54c7b_notice.pdf"),
            weight=value({"amount": "800.0000", "unit": "GRAM"}),
        )
    )
    assert CustomValue("akeneo_manual", "f/2/e/6/0cb0c0e115dedba676f8d1ad8343ec207ab54c7b_notice.pdf") in (
        result.product.custom
    )
    assert CustomValue("akeneo_weight", "800 GRAM") in result.product.custom
