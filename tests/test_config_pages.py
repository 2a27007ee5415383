"""Configuration pages: who may see them, saving from the form, history, export/import, and the
Test connection buttons against the demo Akeneo and SFCC servers on 127.0.0.1."""

import io
import json

import pytest
from django import forms
from django.urls import reverse

from console.config.forms import ConfigForm
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
            mapping_channel="print",
            mapping_locales="en_US = en-US\nfr_FR = fr-FR",
            filters_products_families="shoes, bags",
            filters_products_enabled="true",
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


def test_it_names_every_problem_at_once_at_the_top_and_beside_its_field(admin, saved):
    response = admin.post(
        reverse("config"),
        form_data(
            akeneo_url="pim.example.com",
            mapping_model_mode="flat",
            filters_products_search='{"family": "x"}',
            mapping_default_locale="it_IT",
            mapping_locales="en_US = en-US\nfr_FR fr-FR",
        ),
    )
    assert response.status_code == 400
    # The form's own checks and the configuration's rules, in one answer.
    assert response.context["form"].errors == {
        "akeneo_url": ["must be an http(s) URL"],
        "mapping_locales": ["Line 2: write code = value."],
        "mapping_default_locale": ["The default locale must be one of the mapped locales."],
        "mapping_model_mode": ["Select a valid choice. flat is not one of the available choices."],
        "filters_products_search": ["family: must be a non-empty list of conditions"],
    }
    summary = response.context["form"].summary()
    assert [(p["anchor"], p["section"]) for p in summary] == [
        ("id_akeneo_url", "Akeneo connection"),
        ("id_mapping_locales", "Channel & locales"),
        ("id_mapping_default_locale", "Channel & locales"),
        ("id_mapping_model_mode", "Mapping"),
        ("id_filters_products_search", "Filters"),
    ]
    body = response.content.decode()
    assert "5 problems: nothing was saved." in body
    assert '<a href="#id_akeneo_url">Akeneo connection › URL</a>: must be an http(s) URL' in body
    assert 'id="row-akeneo_url"' in body and body.count("must be an http(s) URL") == 2  # top and field
    assert ConfigVersion.objects.count() == 1
    assert_no_secret(response)


def test_it_explains_a_line_that_is_not_key_equals_value(admin, saved):
    response = admin.post(reverse("config"), form_data(mapping_locales="en_US = en-US\nfr_FR fr-FR"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"mapping_locales": ["Line 2: write code = value."]}
    assert ConfigVersion.objects.count() == 1


def test_it_refuses_a_save_over_a_version_saved_meanwhile(admin, saved):
    stale = form_data(mapping_channel="mobile")
    admin.post(reverse("config"), form_data(mapping_channel="print"))
    response = admin.post(reverse("config"), stale)
    assert response.status_code == 400
    assert "version 2 was saved while you edited version 1" in response.content.decode()
    assert config.load().mapping.channel == "print"


def test_it_lists_versions_with_what_changed_and_secrets_only_as_changed(admin, saved):
    admin.post(
        reverse("config"),
        form_data(
            mapping_channel="print",
            akeneo_secret="a-rotated-secret",
            mapping_locales="en_US = en-GB\nit_IT = it-IT",
            mapping_excluded_attributes="ean",
            comment="Rotate",
        ),
    )
    response = admin.get(reverse("config_history"))
    assert response.status_code == 200
    first, second = response.context["rows"][1], response.context["rows"][0]
    assert first[0].comment == "Real secrets"
    assert second[0].comment == "Rotate"
    shown = {d.path: (d.label, d.secret, d.old, d.new, d.items) for d in second[1]}
    assert shown["akeneo.secret"] == ("Secret", True, "", "", [])
    assert shown["mapping.channel"] == ("Channel", False, "ecommerce", "print", [])
    default_locales = config.default_document()["mapping"]["locales"]
    assert ("changed", "en_US", default_locales["en_US"], "en-GB") in shown["mapping.locales"][4]
    assert ("added", "it_IT", "", "it-IT") in shown["mapping.locales"][4]
    assert shown["mapping.excluded_attributes"][4] == [("added", "ean", "", "")]
    body = response.content.decode()
    assert 'title="akeneo.secret">Secret</span>:\n    changed' in body
    assert "<ins>+ it_IT = it-IT</ins>" in body
    assert "a-rotated-secret" not in body
    assert_no_secret(response)


def test_it_compares_any_two_versions_field_by_field(admin, saved):
    admin.post(reverse("config"), form_data(mapping_channel="print", comment="2"))
    admin.post(
        reverse("config"),
        form_data(mapping_catalog_id="other-master", akeneo_password="new-pass", comment="3"),
    )
    response = admin.get(reverse("config_compare"), {"a": 1, "b": 3})
    assert response.status_code == 200
    diffs = {d.path: d for d in response.context["diffs"]}
    assert set(diffs) == {"akeneo.password", "mapping.channel", "mapping.catalog_id"}
    assert (diffs["mapping.channel"].old, diffs["mapping.channel"].new) == ("ecommerce", "print")
    assert diffs["akeneo.password"].secret
    body = response.content.decode()
    assert "3 fields differ" in body and "Version 1 → version 3</h1>" in body
    assert 'changed <span class="muted">(secrets are never shown)</span>' in body
    assert "new-pass" not in body
    assert_no_secret(response)
    # Against the default, and the other way round.
    assert admin.get(reverse("config_compare"), {"a": 0, "b": 1}).status_code == 200
    back = admin.get(reverse("config_compare"), {"a": 3, "b": 1}).context["diffs"]
    assert {d.path: (d.old, d.new) for d in back}["mapping.channel"] == ("print", "ecommerce")
    # A version that does not exist: back to the history, saying why.
    response = admin.get(reverse("config_compare"), {"a": 1, "b": 99}, follow=True)
    assert "Choose two saved versions to compare." in response.content.decode()


def test_it_restores_a_version_as_a_new_audited_version_with_its_secrets(admin, users, saved):
    admin.post(
        reverse("config"), form_data(mapping_channel="print", akeneo_secret="a-rotated-secret", comment="2")
    )
    assert config.load().akeneo.secret == "a-rotated-secret"
    response = admin.post(reverse("config_restore"), {"number": 1, "based_on": 2}, follow=True)
    assert "Version 1 restored as version 3, now in force." in response.content.decode()
    row = ConfigVersion.objects.first()
    assert (row.number, row.user, row.comment) == (3, users["admin"], "Restored version 1")
    loaded = config.load()
    assert (loaded.mapping.channel, loaded.akeneo.secret) == ("ecommerce", AKENEO_SECRET)
    entry = AuditEntry.objects.latest("time")
    assert entry.user == users["admin"]
    assert entry.message == "Configuration version 3: akeneo.secret, mapping.channel. Restored version 1"
    assert_no_secret(response)
    # A stale page (someone saved in between) restores nothing.
    response = admin.post(reverse("config_restore"), {"number": 2, "based_on": 2}, follow=True)
    assert "version 3 was saved while you edited version 2" in response.content.decode()
    assert ConfigVersion.objects.count() == 3
    # GET never restores.
    assert admin.get(reverse("config_restore"), {"number": 2, "based_on": 3}).status_code == 405
    assert ConfigVersion.objects.count() == 3


def test_it_restores_an_env_reference_as_a_reference(admin, saved, monkeypatch):
    monkeypatch.setenv("PIM_SECRET_FOR_TEST", "from-the-environment")
    document = config.export_document()
    document["akeneo"]["secret"] = "env:PIM_SECRET_FOR_TEST"
    config.save(document, comment="2")
    config.save({**config.export_document(), "mapping": {**document["mapping"], "channel": "print"}})
    admin.post(reverse("config_restore"), {"number": 2, "based_on": 3})
    assert ConfigVersion.objects.first().document["akeneo"]["secret"] == "env:PIM_SECRET_FOR_TEST"
    assert config.load().akeneo.secret == "from-the-environment"


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
    assert (
        response.context["test"]["action"] == "Type the secrets again to test this host (Secret, Password)."
    )
    if before is not None:
        assert len(akeneo_server.requests) == before
    assert AuditEntry.objects.latest("time").message.endswith(": failed")


def test_it_never_sends_the_stored_sfcc_secret_to_another_token_url(admin, saved, sfcc_server):
    stored_for(delivery__instance_url=sfcc_server.url, delivery__token_url=sfcc_server.token_url)
    response = admin.post(
        reverse("config_test_sfcc"),
        form_data(
            delivery_instance_url=sfcc_server.url, delivery_token_url="https://collector.example.com/token"
        ),
    )
    assert response.status_code == 400
    assert response.context["test"]["error"].startswith(
        "delivery.token_url now points at collector.example.com"
    )


def test_it_says_in_words_which_akeneo_credentials_were_refused(admin, saved, akeneo_server):
    response = admin.post(
        reverse("config_test_akeneo"),
        form_data(
            akeneo_url=akeneo_server.url, akeneo_secret="a-wrong-secret", akeneo_password=AKENEO_PASSWORD
        ),
    )
    assert response.status_code == 200
    result = response.context["test"]
    assert result["error"] == "Akeneo refused the client id or secret (HTTP 422)."
    assert result["action"].startswith("Check the client id and secret of the connection")
    assert result["detail"] == (
        "Akeneo refused the credentials (HTTP 422 on POST /api/oauth/v1/token): "
        'Parameter "client_id" is missing or does not match any client, or secret is invalid'
    )
    body = response.content.decode()
    assert "✖ Akeneo refused the client id or secret" in body
    assert "a-wrong-secret" not in body
    assert_no_secret(response)
    response = admin.post(
        reverse("config_test_akeneo"),
        form_data(akeneo_url=akeneo_server.url, akeneo_secret=AKENEO_SECRET, akeneo_password="wrong-pass"),
    )
    assert response.context["test"]["error"] == "Akeneo refused the username or password (HTTP 422)."


TYPED = {"akeneo_secret": AKENEO_SECRET, "akeneo_password": AKENEO_PASSWORD}


def test_it_says_nothing_listens_on_a_refused_port(admin, saved):
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url="http://127.0.0.1:9", **TYPED))
    assert response.status_code == 200
    result = response.context["test"]
    assert result["error"] == "127.0.0.1:9 refused the connection: nothing is listening on that port."
    assert result["action"] == "Check the URL and its port, and that Akeneo is running."
    assert result["detail"].startswith("Akeneo unreachable: ConnectionError on POST /api/oauth/v1/token")


def test_it_says_a_host_name_was_not_found(admin, saved):
    url = "http://pim.does-not-exist.invalid"
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url=url, **TYPED))
    assert (
        response.context["test"]["error"] == "The host name pim.does-not-exist.invalid was not found (DNS)."
    )


def test_it_says_a_server_does_not_speak_tls(admin, saved, akeneo_server):
    url = akeneo_server.url.replace("http://", "https://")
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url=url, **TYPED))
    result = response.context["test"]
    host = url.split("//")[1]
    assert result["error"] == (
        f"The secure connection (TLS) to {host} failed: it does not speak TLS on that port (is it http://?)."
    )
    assert result["action"].startswith("Check the URL's scheme")


@pytest.fixture
def silent_server():
    """Accepts connections and never answers (a firewall dropping replies, a hung proxy)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_it_says_a_server_did_not_answer_in_time(admin, saved, silent_server):
    response = admin.post(
        reverse("config_test_akeneo"), form_data(akeneo_url=silent_server, akeneo_timeout="1", **TYPED)
    )
    result = response.context["test"]
    assert result["error"] == f"{silent_server.split('//')[1]} did not answer within 1 seconds."
    assert "raise the request timeout" in result["action"]


@pytest.fixture
def html_server():
    """A sign-in page where Akeneo's API should be (a proxy, the wrong site)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<!doctype html><html><head><title>Sign in</title></head><body>Sign in</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_it_says_a_web_page_answered_instead_of_the_api(admin, saved, html_server):
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url=html_server, **TYPED))
    result = response.context["test"]
    assert result["error"] == f"{html_server.split('//')[1]} answered a web page instead of Akeneo's JSON."
    assert "Sign in" in result["detail"]


def test_it_answers_htmx_with_the_result_panel_only(admin, saved, akeneo_server):
    """The page stays as it is (typed secrets included); even a failure is a 200 htmx swaps."""
    response = admin.post(
        reverse("config_test_akeneo"),
        form_data(akeneo_url=akeneo_server.url, akeneo_secret="a-wrong-secret", akeneo_password="x"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="message message-error" role="alert" id="test-result">')
    assert "<form" not in body and "<html" not in body
    assert "Akeneo refused the client id or secret" in body
    assert "a-wrong-secret" not in body
    response = admin.post(
        reverse("config_test_akeneo"), form_data(akeneo_url="not a url"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert '<a href="#id_akeneo_url">URL</a>: must be an http(s) URL' in response.content.decode()


def test_it_names_akeneo_fields_to_correct_before_testing(admin, saved):
    response = admin.post(reverse("config_test_akeneo"), form_data(akeneo_url="not a url"))
    assert response.status_code == 400
    assert response.context["test"]["error"] == "Correct these fields first:"
    assert [p["anchor"] for p in response.context["test"]["problems"]] == ["id_akeneo_url"]
    assert response.context["form"].errors == {"akeneo_url": ["must be an http(s) URL"]}


def test_it_tests_akeneo_despite_a_problem_in_another_section(admin, saved, akeneo_server):
    stored_for(akeneo__url=akeneo_server.url)
    response = admin.post(
        reverse("config_test_akeneo"), form_data(akeneo_url=akeneo_server.url, mapping_locales="en_US en-US")
    )
    assert response.context["test"]["ok"].startswith("Connected to")


def test_it_connects_to_sfcc_with_the_form_values_and_stored_secrets(admin, saved, sfcc_server):
    stored_for(delivery__instance_url=sfcc_server.url, delivery__token_url=sfcc_server.token_url)
    response = admin.post(
        reverse("config_test_sfcc"),
        form_data(delivery_instance_url=sfcc_server.url, delivery_token_url=sfcc_server.token_url),
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
            delivery_instance_url=sfcc_server.url,
            delivery_token_url=sfcc_server.token_url,
            delivery_client_secret="a-wrong-sfcc-secret",
        ),
    )
    assert response.status_code == 200
    result = response.context["test"]
    assert result["error"] == "Account Manager refused the API client id or secret."
    assert result["detail"] == (
        "Account Manager refused the client credentials of API client 'demo-client' (HTTP 401: invalid_client)"
    )
    assert "ok" not in response.context["test"]
    body = response.content.decode()
    assert "a-wrong-sfcc-secret" not in body
    assert_no_secret(response)


def test_it_says_local_delivery_has_nothing_to_connect_to(admin, saved):
    response = admin.post(reverse("config_test_sfcc"), form_data(delivery_target="local"))
    assert response.context["test"]["ok"].startswith("Local delivery:")


# --- lists loaded from Akeneo ------------------------------------------------------------------------


def test_it_offers_pickers_on_the_fields_that_take_akeneo_codes(admin, saved):
    body = admin.get(reverse("config")).content.decode()
    assert 'list="akeneo-channels"' in body and 'id="id_mapping_channel"' in body
    assert 'id="pick-mapping_locales" data-add-to="id_mapping_locales" data-add-as="locale"' in body
    assert 'id="pick-mapping_link_types" data-add-to="id_mapping_link_types" data-add-as="pair"' in body
    assert 'hx-get="/config/akeneo-lists"' in body


def test_it_loads_akeneos_codes_with_the_saved_connection(admin, saved, akeneo_server):
    stored_for(akeneo__url=akeneo_server.url)
    response = admin.get(reverse("config_akeneo_lists"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "✔ Loaded from Akeneo:" in body
    lists = response.context["lists"]
    assert "ecommerce" in {choice.code for choice in lists["channels"]}
    assert '<datalist id="akeneo-channels"><option value="' in body and '<option value="ecommerce"' in body
    assert {choice.code for choice in lists["locales"]} >= {"en_US"}
    attributes = {choice.code: choice.label for choice in lists["attributes"]}
    assert attributes["sku"] == "pim_catalog_identifier"
    assert (
        '<datalist id="akeneo-attributes">' in body
        and '<option value="sku" label="pim_catalog_identifier">' in body
    )
    assert '<datalist id="akeneo-association_types">' in body
    assert_no_secret(response)
    assert ConfigVersion.objects.count() == 2  # loading saves nothing


def test_it_says_why_akeneos_lists_could_not_be_loaded(admin, saved):
    stored_for(akeneo__url="http://127.0.0.1:9")
    response = admin.get(reverse("config_akeneo_lists"))
    body = response.content.decode()
    assert "✖ 127.0.0.1:9 refused the connection: nothing is listening on that port." in body
    assert "<datalist" not in body
    assert_no_secret(response)


def test_it_asks_to_save_a_connection_before_loading_lists(admin, db):
    response = admin.get(reverse("config_akeneo_lists"))
    assert "Nothing is saved yet: save the Akeneo connection first" in response.content.decode()


def test_the_form_takes_every_bound_and_length_from_the_schema():
    from console.config.forms import PATHS
    from jobs.config.schema import Choice, Flag, Number, Secret, Text, kind_of

    fields = ConfigForm().fields
    assert len(PATHS) > 50
    for name, path in PATHS.items():
        field, kind = fields[name], kind_of(path)
        assert (field.label, field.help_text) == (kind.label, kind.help), path
        if isinstance(kind, Number):
            assert (field.min_value, field.max_value) == (kind.minimum, kind.maximum), path
            assert type(field) is (forms.IntegerField if kind.integer else forms.FloatField), path
            assert field.required is not kind.nullable, path
        elif isinstance(kind, Text):
            assert field.max_length == kind.max_length, path
            assert field.widget.attrs["maxlength"] == str(kind.max_length), path
            assert field.required is (kind.required and not isinstance(kind, Secret)), path
        elif isinstance(kind, Choice):
            assert list(field.choices) == kind.options(), path
            assert isinstance(field.widget, forms.RadioSelect) is kind.radio, path
        elif isinstance(kind, Flag):
            assert not field.required, path


def test_every_field_on_the_page_is_a_described_schema_field():
    from console.config.forms import PATHS, SECTIONS, name_of
    from jobs.config.schema import kind_of, leaf_paths

    on_page = [path for _, _, groups in SECTIONS for _, paths in groups for path in paths]
    assert set(on_page) <= set(leaf_paths())
    assert all(kind_of(path).label for path in on_page)
    assert list(PATHS) == [name_of(path) for path in on_page]
    # What the page leaves out is kept as it is in force when it is saved.
    assert set(leaf_paths()) - set(on_page) == {
        "delivery.request_timeout",
        "delivery.upload_timeout",
        "delivery.poll_interval",
        "filters.product_models.enabled",
    }


def test_a_text_past_its_schema_length_is_refused_at_its_field_in_the_schemas_words(admin, saved):
    response = admin.post(
        reverse("config"), form_data(akeneo_secret="s" * 1025, delivery_api_version="v" * 257)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["akeneo_secret"] == ["must be at most 1,024 characters (this one has 1,025)"]
    assert errors["delivery_api_version"] == ["must be at most 256 characters (this one has 257)"]
    assert 'maxlength="100"' in admin.get(reverse("config")).content.decode()


def test_a_number_past_the_schema_bound_is_refused_at_its_field(admin, saved):
    response = admin.post(reverse("config"), form_data(import_archive_max_mb="999999"))
    assert response.status_code == 400
    assert "less than or equal to 10240" in str(response.context["form"].errors["import_archive_max_mb"])
