"""Configuration pages: who may see them, saving from the form, history, export/import, and the
Test connection buttons against the demo Akeneo and SFCC servers on 127.0.0.1."""

import io
import json

import pytest
from django import forms
from django.urls import reverse

from console.config_forms import ConfigForm
from demo.akeneo.server import DemoAkeneoServer
from demo.sfcc.server import DemoSfccServer
from jobs import config
from jobs.config.models import ConfigVersion
from jobs.config.services import in_force
from jobs.models import AuditEntry
from tests.conftest import ICECAT_API

AKENEO_SECRET = "akeneo-s3cret-value"
AKENEO_PASSWORD = "akeneo-pa55word-value"
SFCC_SECRET = "sfcc-client-s3cret-value"
SECRETS = (AKENEO_SECRET, AKENEO_PASSWORD, SFCC_SECRET)
PAGES = ["config", "config_history", "config_export"]
POSTS = ["config", "config_test_akeneo", "config_test_sfcc", "config_import"]


@pytest.fixture
def saved(db):
    doc = config.default_document()
    doc["akeneo"].update(secret=AKENEO_SECRET, password=AKENEO_PASSWORD)
    doc["delivery"]["client_secret"] = SFCC_SECRET
    return config.save(doc, comment="Real secrets")


@pytest.fixture
def admin(client, users):
    client.force_login(users["admin"])
    return client


def form_data(**overrides) -> dict:
    """What the browser posts for the configuration in force, with some fields changed."""
    current, version = config.export_document(), in_force()[1]
    form = ConfigForm(initial=ConfigForm.initial_for(current, version))
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.get_initial_for_field(field, name))
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    data.update(overrides)
    return data


def assert_no_secret(response):
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["merchandiser", "support", "nobody"])
def test_it_refuses_everyone_but_administrators(client, users, role):
    client.force_login(users[role])
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    for name in POSTS:
        assert client.post(reverse(name), form_data()).status_code == 403, name
    assert not ConfigVersion.objects.exists()


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("config"), form_data())
    assert response.status_code == 302
    assert not ConfigVersion.objects.exists()


# --- the page and saving -------------------------------------------------------------------------


def test_it_shows_every_section_and_never_a_secret(admin, saved):
    response = admin.get(reverse("config"))
    assert response.status_code == 200
    for title in ("Akeneo connection", "Channel &amp; locales", "Mapping", "Filters", "Delivery", "Import"):
        assert f"<h2>{title}</h2>" in response.content.decode()
    assert 'placeholder="unchanged — leave empty to keep"' in response.content.decode()
    assert "Version 1" in response.content.decode()
    assert_no_secret(response)


def test_it_saves_a_new_version_keeping_secrets_left_empty(admin, users, saved):
    response = admin.post(
        reverse("config"),
        form_data(
            channel="print",
            locales="en_US = en-US\nfr_FR = fr-FR",
            products_families="shoes, bags",
            products_enabled="true",
            comment="Print catalog",
        ),
    )
    assert response.status_code == 302
    row = ConfigVersion.objects.first()
    assert (row.number, row.user, row.comment) == (2, users["admin"], "Print catalog")
    loaded = config.load()
    assert loaded.mapping.channel == "print"
    assert loaded.mapping.locales == {"en_US": "en-US", "fr_FR": "fr-FR"}
    assert loaded.product_filters.families == ("shoes", "bags")
    assert loaded.product_filters.enabled is True
    assert (loaded.akeneo.secret, loaded.akeneo.password) == (AKENEO_SECRET, AKENEO_PASSWORD)
    assert loaded.delivery["client_secret"] == SFCC_SECRET


def test_it_shows_problems_at_their_fields_and_saves_nothing(admin, saved):
    response = admin.post(
        reverse("config"),
        form_data(akeneo_url="pim.example.com", model_mode="flat", products_search='{"family": "x"}'),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "model_mode": ["Select a valid choice. flat is not one of the available choices."]
    }
    response = admin.post(
        reverse("config"),
        form_data(akeneo_url="pim.example.com", products_search='{"family": "x"}', default_locale="it_IT"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "akeneo_url": ["must be an http(s) URL"],
        "default_locale": ["The default locale must be one of the mapped locales."],
        "products_search": ["family: must be a non-empty list of conditions"],
    }
    assert "must be an http(s) URL" in response.content.decode()
    assert ConfigVersion.objects.count() == 1
    assert_no_secret(response)


def test_it_explains_a_line_that_is_not_key_equals_value(admin, saved):
    response = admin.post(reverse("config"), form_data(locales="en_US = en-US\nfr_FR fr-FR"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"locales": ["Line 2: write code = value."]}
    assert ConfigVersion.objects.count() == 1


def test_it_refuses_a_save_over_a_version_saved_meanwhile(admin, saved):
    stale = form_data(channel="mobile")
    admin.post(reverse("config"), form_data(channel="print"))
    response = admin.post(reverse("config"), stale)
    assert response.status_code == 400
    assert "version 2 was saved while you edited version 1" in response.content.decode()
    assert config.load().mapping.channel == "print"


def test_it_lists_versions_with_what_changed_and_secrets_only_as_changed(admin, saved):
    admin.post(
        reverse("config"), form_data(channel="print", akeneo_secret="a-rotated-secret", comment="Rotate")
    )
    response = admin.get(reverse("config_history"))
    assert response.status_code == 200
    first, second = response.context["rows"][1], response.context["rows"][0]
    assert first[0].comment == "Real secrets"
    assert second[0].comment == "Rotate"
    assert second[1] == [
        {"path": "akeneo.secret", "secret": True},
        {"path": "mapping.channel", "old": '"ecommerce"', "new": '"print"'},
    ]
    body = response.content.decode()
    assert "<code>akeneo.secret</code>:\n              changed" in body
    assert "a-rotated-secret" not in body
    assert_no_secret(response)


# --- export and import ----------------------------------------------------------------------------


def test_it_downloads_the_configuration_without_secrets(admin, saved):
    response = admin.get(reverse("config_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="import-configuration-v1.json"'
    exported = json.loads(response.content)
    assert exported["akeneo"]["secret"] == exported["delivery"]["client_secret"] == ""
    assert exported["mapping"]["channel"] == "ecommerce"
    assert_no_secret(response)


def test_it_imports_an_uploaded_document(admin, saved):
    document = config.export_document()
    document["mapping"]["catalog_id"] = "uploaded"
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "config.json"
    response = admin.post(reverse("config_import"), {"file": upload})
    assert response.status_code == 302
    loaded = config.load()
    assert (loaded.version, loaded.mapping.catalog_id, loaded.akeneo.secret) == (2, "uploaded", AKENEO_SECRET)


def test_it_refuses_a_broken_upload_whole_listing_every_problem(admin, saved):
    document = config.export_document()
    document["mapping"].update(catalog_id="never-applied", model_mode="flat")
    document["akeneo"]["url"] = "nope"
    upload = io.BytesIO(json.dumps(document).encode())
    upload.name = "broken.json"
    response = admin.post(reverse("config_import"), {"file": upload})
    assert response.status_code == 400
    assert response.context["import_problems"] == [
        "akeneo.url: must be an http(s) URL",
        "mapping.model_mode: must be one of master-variation, master-group-variation (not 'flat')",
    ]
    assert "Import refused; nothing was changed." in response.content.decode()
    assert ConfigVersion.objects.count() == 1
    assert config.load().mapping.catalog_id == "akeneo-master"


def test_it_refuses_an_upload_that_is_not_json(admin, saved):
    upload = io.BytesIO(b"akeneo: {url: x}")
    upload.name = "config.yaml"
    response = admin.post(reverse("config_import"), {"file": upload})
    assert response.status_code == 400
    assert response.context["import_problems"][0].startswith("config.yaml: not valid JSON")
    assert ConfigVersion.objects.count() == 1


# --- Test connection against the demo servers -------------------------------------------------------


@pytest.fixture(scope="module")
def akeneo_server():
    server = DemoAkeneoServer(ICECAT_API, secret=AKENEO_SECRET, password=AKENEO_PASSWORD).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sfcc_server(tmp_path_factory):
    server = DemoSfccServer(data_dir=tmp_path_factory.mktemp("sfcc"), client_secret=SFCC_SECRET).start()
    yield server
    server.stop()


def stored_for(**urls) -> None:
    """Save the configuration again pointing at these hosts, its secrets kept."""
    document = config.export_document()
    for path, url in urls.items():
        section, name = path.split("__")
        document[section][name] = url
    for key, value in (("akeneo", ("secret", AKENEO_SECRET)), ("akeneo", ("password", AKENEO_PASSWORD))):
        document[key][value[0]] = value[1]
    document["delivery"]["client_secret"] = SFCC_SECRET
    config.save(document, comment="hosts of the test servers")


def test_it_connects_to_akeneo_with_the_form_values_and_stored_secrets(admin, saved, akeneo_server):
    stored_for(akeneo__url=akeneo_server.url)
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url=akeneo_server.url))
    assert response.status_code == 200
    result = response.context["test"]
    assert result["section"] == "akeneo"
    assert result["ok"].startswith(f"Connected to {akeneo_server.url} as admin: ")
    assert "ecommerce" in result["ok"]
    assert "✔ Connected to" in response.content.decode()
    assert_no_secret(response)
    assert ConfigVersion.objects.count() == 2  # testing saves nothing
    entry = AuditEntry.objects.latest("time")
    assert entry.message == f"Test connection akeneo {akeneo_server.url.split('//')[1]}: connected"


def test_it_never_sends_stored_secrets_to_another_host(admin, saved, akeneo_server):
    """The Administrator points the URL elsewhere and leaves the secrets empty."""
    before = len(akeneo_server.requests) if hasattr(akeneo_server, "requests") else None
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url=akeneo_server.url))
    assert response.status_code == 400
    assert response.context["test"]["error"].startswith(
        f"akeneo.url now points at {akeneo_server.url.split('//')[1]}, not the host the stored secrets were saved for"
    )
    if before is not None:
        assert len(akeneo_server.requests) == before
    assert AuditEntry.objects.latest("time").message.endswith(": failed")


def test_it_never_sends_the_stored_sfcc_secret_to_another_token_url(admin, saved, sfcc_server):
    stored_for(delivery__instance_url=sfcc_server.url, delivery__token_url=sfcc_server.token_url)
    response = admin.post(
        reverse("config_test_sfcc"),
        form_data(sfcc_instance_url=sfcc_server.url, sfcc_token_url="https://collector.example.com/token"),
    )
    assert response.status_code == 400
    assert response.context["test"]["error"].startswith(
        "delivery.token_url now points at collector.example.com"
    )


def test_it_shows_why_akeneo_refused_a_wrong_secret(admin, saved, akeneo_server):
    response = admin.post(
        reverse("config_test_akeneo"),
        form_data(
            akeneo_url=akeneo_server.url, akeneo_secret="a-wrong-secret", akeneo_password=AKENEO_PASSWORD
        ),
    )
    assert response.status_code == 200
    error = response.context["test"]["error"]
    assert error == (
        "Akeneo refused the credentials (HTTP 422 on POST /api/oauth/v1/token): "
        'Parameter "client_id" is missing or does not match any client, or secret is invalid'
    )
    body = response.content.decode()
    assert "✖" in body
    assert "a-wrong-secret" not in body
    assert_no_secret(response)


def test_it_names_an_akeneo_that_cannot_be_reached(admin, saved, akeneo_server):
    typed = {"akeneo_secret": AKENEO_SECRET, "akeneo_password": AKENEO_PASSWORD}
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url="http://127.0.0.1:9", **typed))
    assert response.status_code == 200
    error = response.context["test"]["error"]
    assert error.startswith(
        "Akeneo unreachable: ConnectionError on POST /api/oauth/v1/token after 2 attempts"
    )
    assert "Connection refused" in error


def test_it_names_akeneo_fields_to_correct_before_testing(admin, saved):
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url="not a url"))
    assert response.status_code == 400
    assert response.context["test"]["error"] == "Correct the fields marked below first."
    assert response.context["form"].errors == {"akeneo_url": ["must be an http(s) URL"]}


def test_it_connects_to_sfcc_with_the_form_values_and_stored_secrets(admin, saved, sfcc_server):
    stored_for(delivery__instance_url=sfcc_server.url, delivery__token_url=sfcc_server.token_url)
    response = admin.post(
        reverse("config_test_sfcc"),
        form_data(sfcc_instance_url=sfcc_server.url, sfcc_token_url=sfcc_server.token_url),
    )
    assert response.status_code == 200
    result = response.context["test"]
    assert result["section"] == "delivery"
    assert (
        result["ok"] == f"Connected to {sfcc_server.url}: token granted, WebDAV Impex/src/instance readable."
    )
    assert_no_secret(response)


def test_it_shows_why_sfcc_refused_a_wrong_secret(admin, saved, sfcc_server):
    response = admin.post(
        reverse("config_test_sfcc"),
        form_data(
            sfcc_instance_url=sfcc_server.url,
            sfcc_token_url=sfcc_server.token_url,
            sfcc_client_secret="a-wrong-sfcc-secret",
        ),
    )
    assert response.status_code == 200
    error = response.context["test"]["error"]
    assert (
        error
        == "Account Manager refused the client credentials of API client 'demo-client' (HTTP 401: invalid_client)"
    )
    assert "ok" not in response.context["test"]
    body = response.content.decode()
    assert "a-wrong-sfcc-secret" not in body
    assert_no_secret(response)


def test_it_says_local_delivery_has_nothing_to_connect_to(admin, saved):
    response = admin.post(reverse("config_test_sfcc"), form_data(delivery_target="local"))
    assert response.context["test"]["ok"].startswith("Local delivery:")
