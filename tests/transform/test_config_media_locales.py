from jobs.transform import MappingConfig, ModelImportMode, media_path, pricebook_headers, xml_lang
from jobs.transform.locales import default_locale_map
from jobs.transform.media import asset_media_path


def test_it_has_usable_defaults():
    config = MappingConfig()
    assert config.validate() == {}
    assert config.locales == {"en_US": "en-US"}
    assert config.system_attributes["name"] == "display-name"
    assert config.link_types["X_SELL"] == "cross-sell"
    assert config.model_mode == ModelImportMode.MASTER_VARIATION


def test_it_lists_configuration_problems_by_field():
    config = MappingConfig(
        channel="",
        locales={"en_US": "x-default", "french": "fr-FR"},
        default_locale="de_DE",
        catalog_id="bad id",
        attribute_prefix="1x",
        system_attributes={"name": "title", "price": "brand"},
        link_types={"X_SELL": "sideways"},
        image_view_types={"picture": "large"},
        asset_view_types={"picture": "large"},
        model_mode="flat",
        pricebook_id_pattern="prices",
        pricebook_name_pattern="{cur}",
        currencies=("euro",),
    )
    assert set(config.validate()) == {
        "channel",
        "locales",
        "default_locale",
        "catalog_id",
        "attribute_prefix",
        "system_attributes",
        "link_types",
        "asset_view_types",
        "model_mode",
        "pricebook_id_pattern",
        "pricebook_name_pattern",
        "currencies",
    }


def test_it_names_pricebooks_by_currency():
    config = MappingConfig()
    assert config.pricebook_id("EUR") == "akeneo-eur-list-prices"
    headers = pricebook_headers(["EUR", "usd", "EUR"], config)
    assert [(h.id, h.currency, h.display_name) for h in headers] == [
        ("akeneo-eur-list-prices", "EUR", {"x-default": "Akeneo list prices (EUR)"}),
        ("akeneo-usd-list-prices", "USD", {"x-default": "Akeneo list prices (USD)"}),
    ]
    assert [h.currency for h in pricebook_headers(["EUR"], MappingConfig(currencies=("USD",)))] == ["USD"]


def test_it_maps_akeneo_locales_to_xml_lang():
    assert xml_lang("en_US") == "en-US"
    assert default_locale_map(["en_US", "fr_FR"]) == {"en_US": "en-US", "fr_FR": "fr-FR"}


def test_it_derives_a_stable_readable_media_path_from_the_code():
    path = media_path("files/apollon/image/apollon.jpg")
    assert path == media_path("files/apollon/image/apollon.jpg")
    folder, name = path.split("/")[1:]
    assert path.startswith("akeneo/") and name.startswith(folder) and name.endswith("-apollon.jpg")
    assert media_path("files/other/image/apollon.jpg") != path


def test_it_cleans_akeneo_storage_names_and_unsafe_characters():
    code = "8/4/3/c/843c7f5a2b1d7f2b7a0e1c0e5d1c1b2a3c4d5e6f_my photo (1).JPG"
    assert media_path(code).endswith("-my-photo-1-.JPG")


def test_it_keys_the_path_by_content_hash_when_known():
    digest = "ab" * 20
    assert media_path("x/a.jpg", content_hash=digest) == f"akeneo/ab/{digest[:12]}-a.jpg"


def test_it_derives_asset_paths_from_family_and_code():
    assert asset_media_path("packshots", "shoe_1", "shoe_1.png").endswith("-shoe_1.png")
    assert asset_media_path("packshots", "shoe_1") != asset_media_path("notices", "shoe_1")
