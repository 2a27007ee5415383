from decimal import Decimal

from jobs.sfcc.records import ImageGroup, ProductKind
from jobs.transform.media import asset_media_path, media_path
from tests.transform.factories import product, transformer, value


def custom(result):
    return {(v.attribute_id, v.lang): v.value for v in result.product.custom}


def test_it_makes_a_standard_product_of_a_product_without_parent():
    result = transformer().product(product("P1"))
    assert result.product.kind == ProductKind.STANDARD
    assert result.product.id == "P1"
    assert result.problems == []


def test_it_maps_enabled_to_online():
    data = product("P1")
    data["enabled"] = False
    assert transformer().product(data).product.online is False


def test_it_writes_localizable_system_values_per_locale_with_x_default_first():
    data = product(name=value("Shirt", "en_US") + value("Chemise", "fr_FR"))
    result = transformer().product(data)
    assert result.product.display_name == {"x-default": "Shirt", "en-US": "Shirt", "fr-FR": "Chemise"}
    assert list(result.product.display_name)[0] == "x-default"


def test_it_skips_locales_that_are_known_but_not_mapped_and_reports_unknown_ones():
    data = product(name=value("Hemd", "de_DE") + value("?", "xx_XX") + value("Shirt", "en_US"))
    result = transformer().product(data)
    assert result.product.display_name == {"x-default": "Shirt", "en-US": "Shirt"}
    assert [p.message for p in result.problems] == ["name: unknown locale 'xx_XX'; value ignored"]


def test_it_takes_scopable_values_from_the_configured_channel_only():
    data = product(
        description=value("Web", "en_US", "ecommerce") + value("Paper", "en_US", "print"),
        release_date=value("2020-03-01T00:00:00+00:00", scope="print"),
    )
    result = transformer().product(data)
    assert result.product.long_description == {"x-default": "Web", "en-US": "Web"}
    assert ("akeneo_release_date", None) not in custom(result)


def test_it_writes_a_non_localizable_system_value_as_x_default_and_scalars_as_fields():
    data = product(ean=value("4006381333931"), brand=value("acme"))
    result = transformer(system_attributes={"ean": "ean", "brand": "brand", "name": "display-name"}).product(
        data
    )
    assert result.product.ean == "4006381333931"
    assert result.product.brand == "ACME Corp"  # a select sent to a system attribute gives its label


def test_it_prefixes_custom_attributes_and_keeps_localizable_ones_per_lang():
    data = product(notes=value("<b>Hi</b>"), name=value("Shirt", "en_US"))
    result = transformer(attribute_prefix="pim_", system_attributes={}).product(data)
    assert custom(result) == {("pim_notes", None): "<b>Hi</b>", ("pim_name", "en-US"): "Shirt"}


def test_it_converts_each_value_type():
    data = product(
        color=value("RED"),
        collection=value(["winter", "summer"]),
        weight=value({"amount": "800.0000", "unit": "GRAM"}),
        pieces=value("12.0000"),
        ratio=value("0.2500"),
        waterproof=value(True),
        release_date=value("2020-03-01T00:00:00+00:00", scope="ecommerce"),
        manual=value("a/b/manual.pdf"),
    )
    result = transformer().product(data)
    assert custom(result) == {
        ("akeneo_color", None): "red",  # option codes are case-insensitive; Akeneo's spelling wins
        ("akeneo_collection", None): ["winter", "summer"],
        ("akeneo_weight", None): "800 GRAM",
        ("akeneo_pieces", None): "12",
        ("akeneo_ratio", None): "0.25",
        ("akeneo_waterproof", None): "true",
        ("akeneo_release_date", None): "2020-03-01",
        ("akeneo_manual", None): "a/b/manual.pdf",
    }
    assert result.problems == []


def test_it_writes_false_booleans():
    assert custom(transformer().product(product(waterproof=value(False)))) == {
        ("akeneo_waterproof", None): "false"
    }


def test_it_puts_mapped_images_and_assets_into_image_groups():
    data = product(picture=value("x/front.jpg"), gallery=value(["back", "side"]))
    result = transformer(asset_view_types={"gallery": "large"}).product(data)
    assert result.product.images == [
        ImageGroup(
            "large",
            [
                media_path("x/front.jpg"),
                asset_media_path("packshots", "back"),
                asset_media_path("packshots", "side"),
            ],
        )
    ]
    assert result.product.custom == []


def test_it_writes_unmapped_images_and_assets_as_custom_paths():
    data = product(picture=value("x/front.jpg"), gallery=value(["back"]))
    result = transformer(image_view_types={}).product(data)
    assert custom(result) == {
        ("akeneo_picture", None): media_path("x/front.jpg"),
        ("akeneo_gallery", None): [asset_media_path("packshots", "back")],
    }


def test_it_leaves_out_the_identifier_excluded_attributes_and_empty_values():
    data = product(sku=value("P1"), notes=value("secret"), ratio=value(None), collection=value([]))
    result = transformer(excluded_attributes=frozenset({"notes"})).product(data)
    assert result.product.custom == []
    assert result.problems == []


def test_it_reports_an_unknown_attribute_and_keeps_the_rest():
    result = transformer().product(product(foo=value("x"), ean=value("1")))
    assert result.product.ean == "1"
    assert [str(p) for p in result.problems] == ["P1: unknown attribute 'foo'; value ignored"]
    assert not result.skipped


def test_it_reports_option_codes_without_option():
    result = transformer().product(product(color=value("mauve"), collection=value(["winter", "nope"])))
    assert custom(result) == {("akeneo_collection", None): ["winter"]}
    assert [p.message for p in result.problems] == [
        "color: no option 'mauve'; value ignored",
        "collection: no option 'nope'; value ignored",
    ]


def test_it_strips_control_characters_and_warns():
    result = transformer().product(product(name=value("Sh\x00ir\x1bt", "en_US")))
    assert result.product.display_name["x-default"] == "Shirt"
    assert [p.message for p in result.problems] == ["name: control characters removed"]


def test_it_reports_bad_numbers_dates_and_metrics():
    data = product(
        pieces=value("2.5"),
        ratio=value("abc"),
        release_date=value("soon", scope="ecommerce"),
        weight=value({}),
    )
    result = transformer().product(data)
    assert result.product.custom == []
    assert len(result.problems) == 4


def test_it_reports_a_product_without_family_but_transforms_it():
    data = product("P1")
    data["family"] = None
    result = transformer().product(data)
    assert result.product is not None
    assert [p.message for p in result.problems] == ["product has no family"]


def test_it_prices_each_currency_in_its_pricebook_with_two_decimals():
    data = product(price=value([{"amount": "12.5", "currency": "EUR"}, {"amount": 10, "currency": "USD"}]))
    result = transformer().product(data)
    assert [(book, t.product_id, t.amount) for book, t in result.prices] == [
        ("akeneo-eur-list-prices", "P1", Decimal("12.50")),
        ("akeneo-usd-list-prices", "P1", Decimal("10.00")),
    ]


def test_it_prices_only_the_configured_currencies_and_skips_empty_amounts():
    data = product(price=value([{"amount": "12", "currency": "EUR"}, {"amount": None, "currency": "USD"}]))
    assert [book for book, _ in transformer(currencies=("USD",)).product(data).prices] == []
    assert [book for book, _ in transformer().product(data).prices] == ["akeneo-eur-list-prices"]
