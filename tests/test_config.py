"""The import configuration: schema and validation, filters, versions, secrets, export/import."""

import copy
import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest
from django.core.management import call_command
from django.db import connection

from jobs import config
from jobs.config.models import ConfigVersion
from jobs.config.schema import (
    SCHEMA,
    SECRET_PATHS,
    Choice,
    catalog_layout,
    kind_of,
    leaf_paths,
    mapping_config,
    normalize,
    plain_config,
)
from jobs.config.values import AkeneoConnection
from jobs.models import AuditEntry
from jobs.sfcc.delivery import SfccConfig
from jobs.transform.config import MappingConfig, ModelImportMode
from jobs.transform.sites import CatalogLayout, RemovedProducts, Storefront

AKENEO_SECRET = "akeneo-s3cret-value"
AKENEO_PASSWORD = "akeneo-pa55word-value"
SFCC_SECRET = "sfcc-client-s3cret-value"


def document(**sections) -> dict:
    """The default document with real-looking secrets and some sections replaced."""
    doc = config.default_document()
    doc["akeneo"].update(url="https://pim.example.com", secret=AKENEO_SECRET, password=AKENEO_PASSWORD)
    doc["delivery"]["client_secret"] = SFCC_SECRET
    for name, values in sections.items():
        doc[name].update(values)
    return doc


def problems_of(doc) -> list[str]:
    return normalize(doc)[1]


# --- schema and validation ------------------------------------------------------------------


def test_it_accepts_the_demo_document_unchanged():
    cleaned, problems = normalize(config.default_document())  # the demo's, in the tests
    assert problems == []
    assert cleaned == config.default_document()


def test_a_fresh_installation_names_no_server_and_says_what_to_fill_in(product_default, db):
    document = config.default_document()
    assert document["akeneo"]["url"] == "" and document["akeneo"]["secret"] == ""
    assert document["delivery"]["target"] == "local" and document["delivery"]["instance_url"] == ""
    with pytest.raises(config.ConfigInvalid) as refused:
        config.load()
    message = str(refused.value)
    assert message.startswith("The import is not configured yet (Administration › Import configuration)")
    for field in ("akeneo.url: required", "akeneo.client_id: required", "akeneo.password: required"):
        assert field in message


def test_it_covers_every_mapping_config_field():
    assert set(SCHEMA["mapping"]) == {f.name for f in dataclasses.fields(MappingConfig)}


def test_the_sections_built_field_by_field_from_the_schema_match_their_dataclasses():
    """`plain_config` builds these from the section's keys: a field added to one side only fails here."""
    assert list(SCHEMA["akeneo"]) == [f.name for f in dataclasses.fields(AkeneoConnection)]
    assert list(SCHEMA["catalogs"]) == [f.name for f in dataclasses.fields(CatalogLayout)]
    delivery = {f.name: f.default for f in dataclasses.fields(SfccConfig)}
    for name, kind in SCHEMA["delivery"].items():
        if name != "target":
            assert name in delivery, name
            assert kind.default == delivery[name] or delivery[name] is dataclasses.MISSING, name


def test_every_field_of_the_schema_is_described():
    """Each leaf has its label (the page, the History); a choice's words name real choices."""
    unlabelled = [path for path in leaf_paths() if not kind_of(path).label.strip()]
    assert unlabelled == []
    for path in leaf_paths():
        kind = kind_of(path)
        if isinstance(kind, Choice):
            assert {value for value, _ in kind.options()} == set(kind.choices), path
    assert SECRET_PATHS == ("akeneo.secret", "akeneo.password", "delivery.client_secret")


def test_the_transforms_plain_config_takes_each_value_as_its_type():
    document = copy.deepcopy(config.default_document())
    document["mapping"].update(currencies=["EUR"], excluded_attributes=["ean", "upc"])
    document["catalogs"]["storefronts"] = [{"catalog_id": "storefront-en", "category": "site_en"}]
    cleaned, problems = normalize(document)
    assert problems == []
    mapping = mapping_config(cleaned["mapping"])
    assert (mapping.currencies, mapping.excluded_attributes) == (("EUR",), frozenset({"ean", "upc"}))
    assert mapping.model_mode is ModelImportMode.MASTER_VARIATION
    assert (
        mapping.locales == cleaned["mapping"]["locales"]
        and mapping.locales is not cleaned["mapping"]["locales"]
    )
    layout = catalog_layout(cleaned["catalogs"])
    assert layout.storefronts == (Storefront("storefront-en", "site_en"),)
    assert layout.removed_products is RemovedProducts.OFFLINE
    akeneo = plain_config(AkeneoConnection, {**cleaned["akeneo"], "timeout": 30})
    assert akeneo.timeout == 30.0 and isinstance(akeneo.timeout, float)


def test_it_fills_left_out_fields_with_defaults():
    doc = document()
    del doc["filters"], doc["import"], doc["akeneo"]["timeout"], doc["mapping"]["link_types"]
    cleaned, problems = normalize(doc)
    assert problems == []
    assert cleaned["import"] == {
        "error_threshold": None,
        "failed_percent": 10,
        "failed_minimum": 10,
        "archive_max_mb": 190,
        "media_max_mb": 50,
    }
    assert cleaned["akeneo"]["timeout"] == 60.0
    assert cleaned["mapping"]["link_types"] == MappingConfig().link_types


def test_it_names_every_wrong_type():
    doc = document()
    doc["akeneo"]["timeout"] = "slow"
    doc["akeneo"]["client_id"] = 42
    doc["mapping"]["locales"] = ["en_US"]
    doc["mapping"]["currencies"] = "EUR"
    doc["delivery"]["keep_archive"] = "yes"
    doc["import"]["error_threshold"] = 2.5
    doc["import"]["archive_max_mb"] = True
    assert problems_of(doc) == [
        "akeneo.client_id: must be a string, not an integer",
        "akeneo.timeout: must be a number, not a string",
        "mapping.locales: must be an object of code → value, not a list",
        "mapping.currencies: must be a list of strings, not a string",
        "delivery.keep_archive: must be true or false, not a string",
        "import.error_threshold: must be an integer or null, not a number",
        "import.archive_max_mb: must be an integer, not true/false",
    ]


def test_it_refuses_unknown_keys_by_name():
    doc = document()
    doc["akeneo"]["uri"] = "https://x"
    doc["filters"]["products"]["famillies"] = ["x"]
    doc["pricing"] = {}
    assert problems_of(doc) == [
        "pricing: unknown field",
        "akeneo.uri: unknown field",
        "filters.products.famillies: unknown field",
    ]


def test_it_names_urls_that_are_not_http():
    doc = document(
        akeneo={"url": "pim.example.com"}, delivery={"instance_url": "ftp://x", "token_url": "http://"}
    )
    assert problems_of(doc) == [
        "akeneo.url: must be an http(s) URL",
        "delivery.instance_url: must be an http(s) URL",
        "delivery.token_url: must be an http(s) URL",
    ]


def test_it_names_a_bad_model_mode_and_mapping_problems():
    doc = document(
        mapping={"model_mode": "flat", "default_locale": "it_IT", "link_types": {"X_SELL": "sideways"}}
    )
    assert problems_of(doc) == [
        "mapping.model_mode: must be one of master-variation, master-group-variation (not 'flat')",
        "mapping.default_locale: The default locale must be one of the mapped locales.",
        "mapping.link_types: 'X_SELL' → 'sideways': not an SFCC product link type.",
    ]


def test_it_names_bad_search_json():
    doc = document()
    doc["filters"]["products"]["search"] = {"family": {"operator": "IN"}, "updated": [{"value": "x"}]}
    doc["filters"]["product_models"]["search"] = "family IN (shoes)"
    assert problems_of(doc) == [
        "filters.products.search.family: must be a non-empty list of conditions",
        "filters.products.search.updated[0]: needs an operator",
        'filters.product_models.search: must be a JSON object like {"family": [{"operator": "IN", …}]}, '
        "not a string",
    ]


def test_it_requires_credentials_and_sfcc_fields_only_for_sfcc_delivery():
    doc = document(akeneo={"client_id": "", "password": ""})
    doc["delivery"] = {"target": "sfcc"}
    assert problems_of(doc) == [
        "akeneo.client_id: required",
        "akeneo.password: required",
        "delivery.instance_url: required to deliver to an SFCC instance",
        "delivery.client_id: required to deliver to an SFCC instance",
        "delivery.client_secret: required to deliver to an SFCC instance",
    ]
    doc = document(delivery={"target": "local", "instance_url": "", "client_secret": ""})
    assert problems_of(doc) == []


def test_it_names_filter_problems():
    doc = document()
    doc["filters"]["products"]["completeness"] = {"percent": 101, "locales": ["it_IT", "EN"]}
    doc["filters"]["products"]["families"] = ["ok_family", "not a code"]
    doc["filters"]["product_models"].update(enabled=True, completeness={"percent": 90, "locales": []})
    assert problems_of(doc) == [
        "filters.products.completeness.percent: must be between 0 and 100",
        "filters.products.completeness.locales[1]: 'EN' is not an Akeneo locale code (like en_US)",
        "filters.products.families[1]: 'not a code' is not an Akeneo code",
        "filters.products.completeness.locales[0]: 'it_IT' is not an imported locale",
        "filters.product_models.enabled: Akeneo product models have no enabled flag; leave empty",
        "filters.product_models.completeness.percent: Akeneo only knows complete or incomplete product "
        "models: use 100 or leave empty",
    ]


def test_it_refuses_a_document_that_is_not_an_object():
    assert problems_of(["akeneo"]) == ["document: must be a JSON object, not a list"]


# --- filters -----------------------------------------------------------------------------------


def test_it_writes_the_akeneo_search_of_every_product_filter():
    filters = config.Filters(
        enabled=True,
        completeness_percent=90,
        completeness_locales=("en_US", "fr_FR"),
        families=("shoes", "bags"),
        categories=("summer",),
    )
    when = datetime(2026, 1, 1, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    assert filters.akeneo_search(channel="ecommerce", updated_after=when) == {
        "enabled": [{"operator": "=", "value": True}],
        "family": [{"operator": "IN", "value": ["shoes", "bags"]}],
        "categories": [{"operator": "IN CHILDREN", "value": ["summer"]}],
        "completeness": [
            {
                "operator": "GREATER OR EQUALS THAN ON ALL LOCALES",
                "value": 90,
                "scope": "ecommerce",
                "locales": ["en_US", "fr_FR"],
            }
        ],
        "updated": [{"operator": ">", "value": "2026-01-01 10:00:00"}],
    }


def test_it_writes_an_empty_search_when_nothing_filters():
    assert config.Filters().akeneo_search(channel="ecommerce") == {}
    naive = datetime(2026, 3, 1, 8, 30, 5)
    assert config.Filters().akeneo_search(channel="x", updated_after=naive) == {
        "updated": [{"operator": ">", "value": "2026-03-01 08:30:05"}]
    }


def test_it_adds_raw_search_conditions_to_the_generated_ones():
    filters = config.Filters(
        families=("shoes",),
        search={"family": [{"operator": "NOT IN", "value": ["socks"]}], "parent": [{"operator": "EMPTY"}]},
    )
    assert filters.akeneo_search(channel="ecommerce") == {
        "family": [{"operator": "IN", "value": ["shoes"]}, {"operator": "NOT IN", "value": ["socks"]}],
        "parent": [{"operator": "EMPTY"}],
    }


def test_it_maps_model_completeness_to_at_least_complete_and_drops_enabled():
    filters = config.Filters(
        enabled=True, completeness_percent=100, completeness_locales=("en_US",), for_models=True
    )
    assert filters.akeneo_search(channel="ecommerce") == {
        "completeness": [{"operator": "AT LEAST COMPLETE", "scope": "ecommerce", "locales": ["en_US"]}]
    }


def test_it_uses_any_locale_of_the_channel_when_a_product_filter_names_none():
    filters = config.Filters(completeness_percent=80)
    assert filters.akeneo_search(channel="print") == {
        "completeness": [{"operator": ">=", "value": 80, "scope": "print"}]
    }


def test_it_applies_completeness_to_every_imported_locale_when_none_is_listed(db):
    doc = document()
    doc["filters"]["products"]["completeness"]["percent"] = 95
    doc["filters"]["product_models"]["completeness"]["percent"] = 100
    doc["filters"]["product_models"]["families"] = ["clothing"]
    config.save(doc)
    loaded = config.load()
    assert loaded.product_filters.completeness_locales == ("en_US", "fr_FR", "de_DE")
    assert loaded.model_filters == config.Filters(
        completeness_percent=100,
        completeness_locales=("en_US", "fr_FR", "de_DE"),
        families=("clothing",),
        for_models=True,
    )


# --- load and save ---------------------------------------------------------------------------


def test_it_loads_the_default_demo_configuration_when_nothing_was_saved(db):
    loaded = config.load()
    assert loaded.version == 0
    assert loaded.akeneo == config.AkeneoConnection(
        url="http://127.0.0.1:8081",
        client_id="demo_client",
        secret="demo_secret",
        username="admin",
        password="admin",
        timeout=60.0,
    )
    assert loaded.mapping.channel == "ecommerce"
    assert loaded.mapping.locales == {"en_US": "en-US", "fr_FR": "fr-FR", "de_DE": "de-DE"}
    assert loaded.mapping.model_mode is ModelImportMode.MASTER_VARIATION
    assert loaded.mapping.image_view_types["picture"] == "large"
    assert loaded.delivery["target"] == "sfcc"
    assert loaded.delivery["token_url"] == "http://127.0.0.1:8082/dwsso/oauth2/access_token"
    assert (loaded.delivery["client_id"], loaded.delivery["client_secret"]) == ("demo-client", "demo-secret")
    assert loaded.error_threshold is None
    assert loaded.archive_max_bytes == 190 * 1024 * 1024
    assert sorted(loaded.secrets()) == ["admin", "demo-secret", "demo_secret"]


def test_it_saves_a_version_the_pipeline_loads(users):
    doc = document(mapping={"model_mode": "master-group-variation", "catalog_id": "master-b2c"})
    doc["import"] = {"error_threshold": 25, "archive_max_mb": 50}
    row = config.save(doc, user=users["admin"], comment="Group variations")
    assert (row.number, row.user, row.comment) == (1, users["admin"], "Group variations")
    loaded = config.load()
    assert loaded.version == 1
    assert loaded.mapping.model_mode is ModelImportMode.MASTER_GROUP_VARIATION
    assert loaded.mapping.catalog_id == "master-b2c"
    assert (loaded.error_threshold, loaded.archive_max_bytes) == (25, 50 * 1024 * 1024)
    assert loaded.akeneo.secret == AKENEO_SECRET
    assert sorted(loaded.secrets()) == sorted([AKENEO_SECRET, AKENEO_PASSWORD, SFCC_SECRET])


def test_it_passes_only_the_target_for_local_delivery(db):
    config.save(document(delivery={"target": "local"}))
    assert config.load().delivery == {"target": "local"}


def test_it_encrypts_secrets_at_rest(db):
    config.save(document())
    with connection.cursor() as cursor:
        cursor.execute("SELECT document FROM jobs_configversion")
        (raw,) = cursor.fetchone()
    assert "pim.example.com" in raw
    for secret in (AKENEO_SECRET, AKENEO_PASSWORD, SFCC_SECRET):
        assert secret not in raw
    assert json.loads(raw)["akeneo"]["secret"].startswith("fernet:")


def test_it_keeps_stored_secrets_submitted_empty_or_left_out(db):
    config.save(document())
    stored = ConfigVersion.objects.get().document
    doc = document(akeneo={"secret": "", "url": "https://pim2.example.com"})
    del doc["akeneo"]["password"]
    doc["delivery"]["client_secret"] = ""
    config.save(doc)
    newest = ConfigVersion.objects.get(number=2).document
    for section, key in (("akeneo", "secret"), ("akeneo", "password"), ("delivery", "client_secret")):
        assert newest[section][key] == stored[section][key]
    loaded = config.load()
    assert (loaded.akeneo.url, loaded.akeneo.secret, loaded.akeneo.password) == (
        "https://pim2.example.com",
        AKENEO_SECRET,
        AKENEO_PASSWORD,
    )
    assert loaded.delivery["client_secret"] == SFCC_SECRET


def test_it_replaces_a_secret_entered_again(db):
    config.save(document())
    config.save(document(akeneo={"secret": "a-new-secret"}))
    assert config.load().akeneo.secret == "a-new-secret"


def test_it_records_no_version_when_nothing_changed(users):
    config.save(document(), user=users["admin"])
    again = config.save(document(akeneo={"secret": "", "password": AKENEO_PASSWORD}), user=users["admin"])
    assert again.number == 1
    assert ConfigVersion.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_it_audits_who_changed_which_fields_without_values(users):
    config.save(document(), user=users["admin"])
    config.save(document(akeneo={"secret": "rotated-secret"}, mapping={"channel": "print"}), user=users["admin"],
                comment="Print channel")  # fmt: skip
    entry = AuditEntry.objects.first()
    assert (entry.user, entry.action) == (users["admin"], "configure")
    assert entry.message == "Configuration version 2: akeneo.secret, mapping.channel. Print channel"
    for message in AuditEntry.objects.values_list("message", flat=True):
        for secret in (AKENEO_SECRET, AKENEO_PASSWORD, SFCC_SECRET, "rotated-secret"):
            assert secret not in message


def test_it_refuses_a_save_based_on_an_older_version(db):
    config.save(document())
    config.save(document(mapping={"channel": "print"}))
    with pytest.raises(config.ConfigInvalid) as refused:
        config.save(document(mapping={"channel": "mobile"}), based_on=1)
    assert refused.value.problems == [
        "configuration: version 2 was saved while you edited version 1; reload it"
    ]
    assert config.load().mapping.channel == "print"


def test_it_refuses_an_invalid_save_whole(db):
    config.save(document())
    with pytest.raises(config.ConfigInvalid) as refused:
        config.save(document(akeneo={"url": "nope"}, mapping={"channel": "print", "model_mode": "x"}))
    assert refused.value.problems == [
        "akeneo.url: must be an http(s) URL",
        "mapping.model_mode: must be one of master-variation, master-group-variation (not 'x')",
    ]
    assert ConfigVersion.objects.count() == 1
    assert config.load().mapping.channel == "ecommerce"


# --- env: references ----------------------------------------------------------------------------


def test_it_resolves_env_references_at_load_time(db, monkeypatch):
    config.save(document(akeneo={"secret": "env:AKENEO_TEST_SECRET"}))
    assert ConfigVersion.objects.get().document["akeneo"]["secret"] == "env:AKENEO_TEST_SECRET"
    monkeypatch.setenv("AKENEO_TEST_SECRET", "from-the-environment")
    assert config.load().akeneo.secret == "from-the-environment"
    monkeypatch.setenv("AKENEO_TEST_SECRET", "rotated-in-the-environment")
    assert config.load().akeneo.secret == "rotated-in-the-environment"


def test_it_names_an_env_reference_that_is_not_set(db, monkeypatch):
    monkeypatch.delenv("SFCC_TEST_SECRET", raising=False)
    config.save(document(delivery={"client_secret": "env:SFCC_TEST_SECRET"}))
    with pytest.raises(config.ConfigInvalid) as refused:
        config.load()
    assert refused.value.problems == [
        "delivery.client_secret: environment variable SFCC_TEST_SECRET is not set"
    ]


def test_it_refuses_an_env_reference_without_a_name(db):
    with pytest.raises(config.ConfigInvalid) as refused:
        config.save(document(akeneo={"password": "env:1-bad name"}))
    assert refused.value.problems == [
        "akeneo.password: write env:NAME with the name of an environment variable"
    ]


def test_it_names_secrets_encrypted_with_another_key(db, settings):
    settings.CONFIG_ENCRYPTION_KEY = "first key"
    config.save(document())
    settings.CONFIG_ENCRYPTION_KEY = "second key"
    with pytest.raises(config.ConfigInvalid) as refused:
        config.load()
    assert refused.value.problems[0].startswith("akeneo.secret: cannot be decrypted with the current key")
    settings.CONFIG_ENCRYPTION_KEY = "second key,first key"  # rotation: the old key still decrypts
    assert config.load().akeneo.secret == AKENEO_SECRET


# --- export and import -----------------------------------------------------------------------------


def test_it_exports_without_secrets_but_with_env_references(db):
    config.save(document(delivery={"client_secret": "env:SFCC_SECRET"}))
    exported = config.export_document()
    assert (exported["akeneo"]["secret"], exported["akeneo"]["password"]) == ("", "")
    assert exported["delivery"]["client_secret"] == "env:SFCC_SECRET"
    for secret in (AKENEO_SECRET, AKENEO_PASSWORD):
        assert secret not in json.dumps(exported)
    with_secrets = config.export_document(with_secrets=True)
    assert (with_secrets["akeneo"]["secret"], with_secrets["akeneo"]["password"]) == (
        AKENEO_SECRET,
        AKENEO_PASSWORD,
    )


def test_it_round_trips_export_and_import(users):
    doc = document(mapping={"model_mode": "master-group-variation", "currencies": ["EUR", "USD"]})
    doc["filters"]["products"].update(
        enabled=True, families=["shoes"], search={"parent": [{"operator": "EMPTY"}]}
    )
    config.save(doc, user=users["admin"])
    exported = config.export_document(with_secrets=True)
    assert exported == normalize(doc)[0]
    row = config.import_document(copy.deepcopy(exported), user=users["admin"])
    assert row.number == 1  # the same configuration: no new version
    exported["mapping"]["channel"] = "print"
    config.import_document(exported, user=users["admin"])
    assert config.export_document(with_secrets=True) == exported


def test_it_keeps_stored_secrets_when_importing_an_export_without_them(db):
    config.save(document())
    exported = config.export_document()
    exported["mapping"]["catalog_id"] = "other-catalog"
    config.import_document(exported)
    loaded = config.load()
    assert (loaded.version, loaded.mapping.catalog_id, loaded.akeneo.secret) == (
        2,
        "other-catalog",
        AKENEO_SECRET,
    )


def test_it_refuses_a_broken_document_whole_listing_every_problem(db):
    config.save(document())
    broken = document(akeneo={"url": "ftp://pim", "timeout": -1}, mapping={"model_mode": "flat"})
    broken["delivery"]["keep_archive"] = "no"
    broken["filters"]["products"]["search"] = {"family": "shoes"}
    broken["extra"] = 1
    with pytest.raises(config.ConfigInvalid) as refused:
        config.import_document(broken)
    assert refused.value.problems == [
        "extra: unknown field",
        "akeneo.url: must be an http(s) URL",
        "akeneo.timeout: must be between 1 and 3600",
        "mapping.model_mode: must be one of master-variation, master-group-variation (not 'flat')",
        "filters.products.search.family: must be a non-empty list of conditions",
        "delivery.keep_archive: must be true or false, not a string",
    ]
    assert ConfigVersion.objects.count() == 1
    assert config.load().akeneo.url == "https://pim.example.com"


def test_it_round_trips_through_the_commands(db, tmp_path, capsys):
    config.save(document(mapping={"catalog_id": "from-command"}))
    path = tmp_path / "config.json"
    call_command("exportconfig", str(path))
    written = json.loads(path.read_text())
    assert written["mapping"]["catalog_id"] == "from-command"
    assert AKENEO_SECRET not in path.read_text()
    written["mapping"]["catalog_id"] = "imported"
    path.write_text(json.dumps(written))
    call_command("importconfig", str(path))
    assert "Configuration version 2 is now in force." in capsys.readouterr().out
    loaded = config.load()
    assert (loaded.mapping.catalog_id, loaded.akeneo.password) == ("imported", AKENEO_PASSWORD)


def test_it_exports_secrets_to_an_owner_only_file_when_asked(db, tmp_path):
    config.save(document())
    path = tmp_path / "with-secrets.json"
    call_command("exportconfig", str(path), "--with-secrets")
    assert json.loads(path.read_text())["delivery"]["client_secret"] == SFCC_SECRET
    assert path.stat().st_mode & 0o777 == 0o600


def test_it_prints_every_problem_and_exits_1_from_importconfig(db, tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"akeneo": {"url": "x", "colour": "red"}, "import": {"archive_max_mb": 0}}))
    with pytest.raises(SystemExit) as exited:
        call_command("importconfig", str(path))
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "Refused, nothing was changed (5 problems):" in err
    for problem in (
        "akeneo.colour: unknown field",
        "akeneo.url: must be an http(s) URL",
        "import.archive_max_mb: must be between 1 and 10240",
        "akeneo.client_id: required",
        "akeneo.username: required",
    ):
        assert f"  {problem}" in err
    assert not ConfigVersion.objects.exists()


def test_it_refuses_a_file_that_is_not_json(db, tmp_path, capsys):
    path = tmp_path / "config.json"
    path.write_text("{akeneo: }")
    with pytest.raises(SystemExit):
        call_command("importconfig", str(path))
    assert "not valid JSON" in capsys.readouterr().err
    assert not ConfigVersion.objects.exists()


def test_it_loads_what_was_saved_before_a_field_was_added(db):
    """A document stored by an older console lacks the newer fields: their defaults apply."""
    row = config.save(document())
    older = {**row.document, "import": {"error_threshold": 3}}
    del older["delivery"]["job_timeout"]
    ConfigVersion.objects.filter(pk=row.pk).update(document=older)
    loaded = config.load()
    assert (loaded.error_threshold, loaded.archive_max_bytes) == (3, 190 * 1024 * 1024)
    assert loaded.delivery["job_timeout"] == 3600.0


def test_it_names_each_bad_storefront_field():
    document = config.default_document()
    document["catalogs"]["storefronts"] = [
        {"catalog_id": "storefront-en", "category": "site_en"},
        {"catalog_id": "", "category": "site_de", "site": "RefArch"},
        "storefront-fr",
        {"catalog_id": document["mapping"]["catalog_id"], "category": "site_fr"},
    ]
    document["catalogs"]["removed_products"] = "archive"
    _, problems = normalize(document)
    assert problems == [
        "catalogs.storefronts[1].site: unknown field",
        "catalogs.storefronts[1].catalog_id: required",
        "catalogs.storefronts[2]: must be an object with catalog_id and category, not a string",
        "catalogs.removed_products: must be one of offline, delete, keep (not 'archive')",
        "catalogs.storefronts: storefront 2: '' is not a catalog id (letters, digits, '.', '_', '-').",
        f"catalogs.storefronts: storefront 3: {document['mapping']['catalog_id']!r} is the master catalog; "
        "leave the storefronts empty to keep categories in the master catalog.",
    ]


def test_the_demo_configuration_has_two_storefront_sites():
    from demo.config import demo_document

    layout = config.schema.catalog_layout(normalize(demo_document())[0]["catalogs"])
    assert [(s.catalog_id, s.category) for s in layout.storefronts] == [
        ("storefront-fashion", "site_fashion"),
        ("storefront-living", "site_living"),
    ]
