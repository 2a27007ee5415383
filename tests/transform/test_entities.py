"""Reference entities → library folders and content assets, with the records as JSON."""

import json

from jobs.transform.entities import content_definitions, transform_entity
from tests.transform.factories import config

ENTITY = {"code": "brands", "labels": {"en_US": "Brands", "fr_FR": "Marques"}}
KARTELL = {
    "code": "kartell",
    "values": {
        "label": [{"locale": "en_US", "channel": None, "data": "Kartell"}],
        "description": [
            {"locale": "en_US", "channel": None, "data": "Italian furniture"},
            {"locale": "fr_FR", "channel": None, "data": "Meubles italiens"},
        ],
        "country": [{"locale": None, "channel": None, "data": "italy"}],
        "tagline": [{"locale": None, "channel": "mobile", "data": "not this channel"}],
    },
}


def test_it_makes_a_folder_per_entity_and_a_content_asset_per_record():
    result = transform_entity(ENTITY, [KARTELL], config())
    [folder] = result.folders
    assert (folder.id, folder.parent, folder.display_name["fr-FR"]) == (
        "akeneo_entity_brands",
        "root",
        "Marques",
    )
    [asset] = result.assets
    assert asset.id == "akeneo_entity_brands_kartell" and asset.folder_id == "akeneo_entity_brands"
    assert asset.display_name == {"x-default": "Kartell", "en-US": "Kartell"}
    values = {(v.attribute_id, v.lang): v.value for v in asset.custom}
    assert values[("akeneo_entity", None)] == "brands" and values[("akeneo_record", None)] == "kartell"
    assert json.loads(values[("akeneo_record_values", "fr-FR")]) == {
        "country": "italy",
        "description": "Meubles italiens",
    }
    assert json.loads(values[("akeneo_record_values", "x-default")])["description"] == "Italian furniture"
    assert result.problems == []


def test_it_reports_malformed_and_duplicate_records_and_keeps_the_others():
    records = [KARTELL, {"code": "Kartell"}, "nope", {"code": "usm", "values": "x"}]
    result = transform_entity(ENTITY, records, config())
    assert [a.id for a in result.assets] == ["akeneo_entity_brands_kartell", "akeneo_entity_brands_usm"]
    assert [p.message for p in result.problems] == [
        "two records have this content id; the second is left out",
        "malformed record 'nope' (a string); skipped",
        "record values are not an object; written without them",
    ]


def test_it_defines_the_content_attributes_with_the_prefix():
    definitions = content_definitions(config(attribute_prefix="pim_"))
    assert [(d.id, d.type.value, d.localizable) for d in definitions] == [
        ("pim_entity", "string", False),
        ("pim_record", "string", False),
        ("pim_record_values", "text", True),
    ]
