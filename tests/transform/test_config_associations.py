"""The configuration of associations and of mappings onto the storefront's attributes."""

from jobs.config.schema import default_document, normalize
from jobs.transform import MappingConfig


def test_it_refuses_an_unknown_or_unwritten_system_attribute_naming_the_field():
    errors = MappingConfig(system_attributes={"name": "colour", "unit": "min-order-quantity"}).validate()
    assert errors["system_attributes"][0].startswith(
        "'name' → 'colour': SFCC's Product has no system attribute 'colour'"
    )
    assert errors["system_attributes"][1].startswith(
        "'unit' → 'min-order-quantity': a system attribute this import does not write"
    )


def test_it_checks_recommendation_bundle_and_custom_mappings():
    errors = MappingConfig(
        recommendation_types={"X_SELL": "1", "UPSELL": "two"},
        quantified_types={"PACK": "kit"},
        custom_attributes={"color": "color", "shade": "color", "name": "bad id"},
        custom_attribute_types={"color": "colour"},
    ).validate()
    assert errors["recommendation_types"] == [
        "'UPSELL' → 'two': a recommendation type is a whole number (SFCC's recommendationType values, "
        "like 1 for cross-sell in SFRA).",
    ]
    assert errors["quantified_types"] == ["'PACK' → 'kit': choose bundle or set."]
    assert errors["custom_attributes"] == [
        "'name' → 'bad id': not an SFCC attribute id.",
        "'name' is mapped both to a system and to a custom attribute.",
        "Two Akeneo attributes are mapped to 'color'.",
    ]
    assert errors["custom_attribute_types"][0].startswith("'color': 'colour' is not an SFCC attribute type")


def test_the_document_carries_them_with_their_dotted_paths():
    document = default_document()
    document["mapping"] |= {"recommendation_types": {"X_SELL": "0"}}
    _, problems = normalize(document)
    assert (
        "mapping.recommendation_types: 'X_SELL' → '0': a recommendation type is a whole number"
        in problems[-1]
    )
    document["mapping"]["recommendation_types"] = {"X_SELL": "1"}
    cleaned, problems = normalize(document)
    assert not [p for p in problems if p.startswith("mapping.")]
    assert cleaned["mapping"]["recommendation_types"] == {"X_SELL": "1"}
