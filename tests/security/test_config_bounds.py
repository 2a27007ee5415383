"""Every configuration field has the bounds of the system that reads it (SFCC's XSDs, Akeneo's
codes, sane URLs), and a value past them is refused naming the field, before any run."""

import io
import json

import pytest
from django.urls import reverse

from jobs import config
from jobs.config.models import ConfigVersion
from jobs.config.schema import normalize

MB = 1024 * 1024


def problems_with(**changes) -> list[str]:
    document = config.default_document()
    for path, value in changes.items():
        section, name = path.split("__")
        document[section][name] = value
    return normalize(document)[1]


@pytest.mark.parametrize(
    "path, value, expected",
    [
        # The three: a catalog id past SFCC's 256 (and a folder name's 255), a channel
        # code of 900 KB, a URL of 1.5 MB.
        (
            "mapping__catalog_id",
            "c" * 300,
            "mapping.catalog_id: must be at most 255 characters (this one has 300)",
        ),
        (
            "mapping__channel",
            "e" * 900_000,
            "mapping.channel: must be at most 100 characters (this one has 900,000)",
        ),
        (
            "akeneo__url",
            "https://pim.example.com/" + "a" * int(1.5 * MB),
            "akeneo.url: must be at most 2,048 characters",
        ),
        (
            "delivery__token_url",
            "https://am.example.com/" + "t" * 3000,
            "delivery.token_url: must be at most 2,048",
        ),
        (
            "delivery__instance_url",
            "https://x.example.com/" + "i" * 3000,
            "delivery.instance_url: must be at most",
        ),
        ("mapping__attribute_prefix", "p" * 157, "mapping.attribute_prefix: must be at most 156 characters"),
        ("mapping__price_attribute", "p" * 101, "mapping.price_attribute: must be at most 100 characters"),
        ("mapping__default_locale", "en_" + "U" * 100, "mapping.default_locale: must be at most 100"),
        (
            "mapping__pricebook_id_pattern",
            "{currency}" + "-" * 250,
            "mapping.pricebook_id_pattern: must be at most 251",
        ),
        (
            "mapping__image_view_types",
            {"picture": "v" * 257},
            "mapping.image_view_types.picture: must be at most 256",
        ),
        ("mapping__locales", {"en_" + "U" * 100: "en-US"}, "the code must be at most 100 characters"),
        ("mapping__excluded_attributes", ["a" * 101], "mapping.excluded_attributes[0]: must be at most 100"),
        ("mapping__currencies", ["EURO"], "mapping.currencies[0]: must be at most 3 characters"),
        ("akeneo__client_id", "c" * 257, "akeneo.client_id: must be at most 256 characters"),
        ("akeneo__secret", "s" * 1025, "akeneo.secret: must be at most 1,024 characters"),
    ],
)
def test_it_refuses_a_value_past_its_bound_naming_the_field(path, value, expected):
    found = problems_with(**{path: value})
    assert any(expected in problem for problem in found), found
    # The problem names the field and says why; it never repeats the megabyte that was typed.
    assert all(len(problem) < 300 for problem in found), [p[:300] for p in found]


def test_it_keeps_values_at_their_bounds():
    document = config.default_document()
    document["mapping"].update(catalog_id="c" * 255, channel="e" * 100, attribute_prefix="p" * 156)
    document["akeneo"]["url"] = "https://pim.example.com/" + "a" * (2048 - 24)
    document["mapping"]["image_view_types"] = {"a" * 100: "v" * 256}
    assert normalize(document)[1] == []


def test_it_refuses_lists_and_maps_that_are_too_long():
    found = problems_with(mapping__excluded_attributes=[f"a{n}" for n in range(1001)])
    assert "mapping.excluded_attributes: must have at most 1,000 entries (this one has 1,001)" in found
    found = problems_with(mapping__link_types={f"a{n}": "cross-sell" for n in range(1001)})
    assert any(p.startswith("mapping.link_types: must have at most 1,000 entries") for p in found)


def test_it_refuses_a_search_filter_too_long_for_a_url():
    document = config.default_document()
    codes = [f"family_{n}" for n in range(600)]
    document["filters"]["products"]["search"] = {"family": [{"operator": "IN", "value": codes}]}
    found = normalize(document)[1]
    assert any(p.startswith("filters.products.search: must be at most 4,096 characters") for p in found)


def test_it_cuts_a_huge_value_quoted_in_a_problem():
    found = problems_with(mapping__model_mode="m" * 100_000)
    assert (
        len(found) == 1 and found[0].startswith("mapping.model_mode: must be one of") and len(found[0]) < 200
    )


@pytest.mark.django_db
def test_it_refuses_a_long_catalog_id_on_the_page_at_its_field(client, users):
    from tests.test_config_pages import form_data

    config.save(config.default_document(), comment="first")
    client.force_login(users["admin"])
    response = client.post(
        reverse("config"), form_data(mapping_catalog_id="c" * 300, mapping_channel="e" * 5000)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["mapping_catalog_id"] == ["must be at most 255 characters (this one has 300)"]
    assert errors["mapping_channel"] == ["must be at most 100 characters (this one has 5,000)"]
    assert ConfigVersion.objects.count() == 1


@pytest.mark.django_db
def test_it_refuses_an_imported_document_with_a_huge_url_naming_it(client, users):
    config.save(config.default_document(), comment="first")
    client.force_login(users["admin"])
    document = config.export_document()
    document["akeneo"]["url"] = "https://pim.example.com/" + "a" * 500_000
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "config.json"
    response = client.post(reverse("config_import"), {"file": upload})
    assert response.status_code == 400
    problems = response.context["import_problems"]
    assert any("akeneo.url: must be at most 2,048 characters" in p for p in problems), problems
    assert ConfigVersion.objects.count() == 1
