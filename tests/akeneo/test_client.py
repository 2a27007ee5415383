"""The Akeneo client over real HTTP against the demo server (a generated catalog)."""

from __future__ import annotations

import hashlib
import io
import json
import socket

import pytest

from jobs.akeneo.errors import (
    AkeneoAuthError,
    AkeneoConnectionError,
    AkeneoError,
    AkeneoInvalidResponse,
    AkeneoNotFound,
    AkeneoRequestError,
    AkeneoServerError,
)
from tests.akeneo.conftest import PASSWORD, SECRET, make_client, start_server


def identifiers_in_file(data_dir) -> list[str]:
    with (data_dir / "products.jsonl").open() as handle:
        return [json.loads(line)["identifier"] for line in handle]


def test_it_pages_every_product_with_search_after(server, small_catalog, recorder):
    client = make_client(server, recorder)
    pages = list(client.product_pages(with_count=True))
    seen = [p["identifier"] for page in pages for p in page.items]
    assert sorted(seen) == sorted(identifiers_in_file(small_catalog))
    assert len(seen) == len(set(seen))
    assert all(len(page.items) <= 100 for page in pages) and len(pages) == 4
    assert pages[0].items_count == 400 and [p.number for p in pages] == [1, 2, 3, 4]
    assert recorder.sleeps == []


def test_it_logs_in_again_when_the_token_expires_mid_paging(server, small_catalog, recorder):
    client = make_client(server, recorder)
    seen = []
    # The raw pages: product_pages may hold a few back to name their associations at once.
    for page in client.pages(client.products_path, search_after=True):
        seen += [p["uuid"] for p in page.items]
        if page.number == 2:
            server.expire_tokens()
    assert len(seen) == 400
    assert server.tokens.grants["password"] == 2
    assert "401" in recorder.text()


def test_it_refreshes_the_token_before_it_expires(small_catalog, recorder):
    server = start_server(small_catalog, token_ttl=60)
    try:
        client = make_client(server, recorder)
        seen = 0
        for page in client.pages(client.products_path, search_after=True):  # the raw pages
            seen += len(page.items)
            recorder.now += 120  # the fake clock passes the token's lifetime between pages
        assert seen == 400
        assert server.tokens.grants["password"] == 1
        assert server.tokens.grants["refresh_token"] == 3
    finally:
        server.stop()


def test_it_logs_in_afresh_when_a_refresh_is_refused(small_catalog, recorder):
    server = start_server(small_catalog, token_ttl=60)
    try:
        client = make_client(server, recorder)
        first = next(client.product_pages())
        server.faults.set(refresh_fails=1)
        recorder.now += 120
        channels = list(client.channels())
        assert len(first.items) == 100 and len(channels) == 2
        assert server.tokens.grants == {"password": 2, "refresh_token": 0}
        assert "refresh was refused" in recorder.text()
    finally:
        server.stop()


def test_it_honours_retry_after_on_429(server, recorder):
    client = make_client(server, recorder)
    server.faults.set(storm_429=2, retry_after=3)
    assert len(list(client.products())) == 400
    assert recorder.sleeps == [3.0, 3.0]
    assert "HTTP 429" in recorder.text()


def test_it_retries_a_burst_of_503(server, recorder):
    client = make_client(server, recorder, max_attempts=6, backoff_base=0.5, max_sleep=2)
    server.faults.set(fail_503=4)
    assert len(list(client.product_models())) > 0
    assert len(recorder.sleeps) == 4
    assert all(0 < s <= 2 for s in recorder.sleeps)
    assert recorder.sleeps[3] >= 1.0  # backoff grew: 0.5·2³ = 4, capped at 2, at least half of it


def test_it_gives_up_clearly_when_the_server_stays_down(server, recorder):
    client = make_client(server, recorder, max_attempts=4)
    client.test_connection()
    server.faults.set(down=True)
    with pytest.raises(AkeneoServerError) as caught:
        list(client.products())
    message = str(caught.value)
    assert "HTTP 503" in message and "/api/rest/v1/" in message and "after 4 tries" in message
    assert "Service Unavailable" in message
    assert len(recorder.sleeps) == 3


def test_it_gives_up_clearly_when_nothing_listens(small_catalog, recorder):
    server = start_server(small_catalog)
    server.stop()  # the port is now closed: connections are refused
    client = make_client(server, recorder, max_attempts=3)
    with pytest.raises(AkeneoConnectionError) as caught:
        client.test_connection()
    assert "unreachable" in str(caught.value) and "after 3 attempts" in str(caught.value)
    assert len(recorder.sleeps) == 2


def test_it_retries_a_connection_reset(server, recorder):
    client = make_client(server, recorder)
    client.test_connection()
    server.faults.set(reset=1)
    assert len(list(client.attributes())) == 43
    assert len(recorder.sleeps) == 1


def test_it_follows_relative_next_links(server, recorder):
    client = make_client(server, recorder)
    server.faults.set(relative_links=True)
    pages = list(client.product_pages())
    assert pages[0].next_url.startswith(server.url + "/api/rest/v1/products")
    assert sum(len(p.items) for p in pages) == 400


def test_it_reports_invalid_json_clearly(server, recorder):
    client = make_client(server, recorder)
    client.test_connection()
    server.faults.set(invalid_json=1)
    with pytest.raises(AkeneoInvalidResponse, match="invalid JSON on GET /api/rest/v1/families"):
        list(client.families())


def test_it_reports_an_html_page_clearly(server, recorder):
    client = make_client(server, recorder)
    client.test_connection()
    server.faults.set(html_page=1)
    with pytest.raises(AkeneoInvalidResponse, match="HTML page instead of JSON.*502 Bad Gateway"):
        list(client.categories())


def test_it_rejects_wrong_credentials_with_an_auth_error(server, recorder):
    client = make_client(server, recorder, password="wrong-password-123")
    with pytest.raises(AkeneoAuthError, match="No user found"):
        client.test_connection()
    assert recorder.sleeps == []


def test_it_never_shows_a_secret(server, recorder):
    client = make_client(server, recorder, max_attempts=3)
    list(client.channels())
    server.expire_tokens()
    server.faults.set(storm_429=1, fail_503=1)
    list(client.channels())
    server.faults.set(down=True)
    with pytest.raises(AkeneoServerError) as down:
        list(client.channels())
    server.faults.clear()
    with pytest.raises(AkeneoAuthError) as refused:
        make_client(server, recorder, password=PASSWORD + "x").test_connection()
    token = client.transport._token
    shown = [
        recorder.text(),
        str(down.value),
        repr(down.value),
        str(refused.value),
        repr(client),
        repr(client.transport),
    ]
    secrets = [SECRET, PASSWORD, token.access, token.refresh]
    assert recorder.logs and all(secret not in text for secret in secrets for text in shown)


def test_it_sends_filters_and_trims_values(server, small_catalog, recorder):
    client = make_client(server, recorder)
    search = {
        "family": [{"operator": "IN", "value": ["shoes"]}],
        "enabled": [{"operator": "=", "value": True}],
    }
    found = list(
        client.products(search, scope="mobile", locales=["fr_FR"], attributes=["name", "description"])
    )
    with (small_catalog / "products.jsonl").open() as handle:
        expected = {
            p["identifier"] for p in map(json.loads, handle) if p["family"] == "shoes" and p["enabled"]
        }
    assert {p["identifier"] for p in found} == expected and expected
    values = [v for p in found for entries in p["values"].values() for v in entries]
    # products-uuid: the identifier attribute is asked too, the identifier being its value
    assert {code for p in found for code in p["values"]} <= {"name", "description", "sku"}
    assert all(v["locale"] in (None, "fr_FR") and v["scope"] in (None, "mobile") for v in values)


def test_it_answers_422_above_100_items(server, recorder):
    client = make_client(server, recorder)
    with pytest.raises(AkeneoRequestError, match="HTTP 422.*You cannot request more than 100 items"):
        client.get("/api/rest/v1/products", {"limit": 101})


def test_it_downloads_media_with_slashes_in_the_code(server, small_catalog, recorder, tmp_path):
    client = make_client(server, recorder)
    product = next(p for p in client.products() if "main_image" in p["values"])
    code = product["values"]["main_image"][0]["data"]
    assert code.count("/") == 4
    result = client.download_media(code, tmp_path / "out" / "image.jpg")
    stored = (small_catalog / "media" / code).read_bytes()
    assert result.sha256 == hashlib.sha256(stored).hexdigest() and result.size == len(stored)
    assert (tmp_path / "out" / "image.jpg").read_bytes() == stored
    assert client.media_file(code)["code"] == code
    with pytest.raises(AkeneoError, match="Not a media file code"):
        client.media_file("no/such/../file.jpg")


def test_it_gets_a_synthetic_image_or_a_404_for_media_missing_from_the_snapshot(small_catalog, recorder):
    code = "files/abc/picture/missing.jpg"
    server = start_server(small_catalog)
    strict = start_server(small_catalog, missing_media_404=True)
    try:
        first, second = io.BytesIO(), io.BytesIO()
        make_client(server, recorder).download_media(code, first)
        make_client(server, recorder).download_media(code, second)
        assert first.getvalue()[:3] == b"\xff\xd8\xff" and first.getvalue() == second.getvalue()
        with pytest.raises(AkeneoNotFound, match="HTTP 404"):
            make_client(strict, recorder).download_media(code, io.BytesIO())
    finally:
        server.stop()
        strict.stop()


def test_it_downloads_asset_media(server, recorder):
    client = make_client(server, recorder)
    families = [f["code"] for f in client.asset_families()]
    assets = list(client.assets("packshots"))
    media = assets[0]["values"]["media"][0]["data"]
    buffer = io.BytesIO()
    result = client.download_asset_media(media, buffer)
    assert families == ["notices", "packshots"] and len(assets) == 60
    assert result.size == len(buffer.getvalue()) > 0


def test_it_uses_products_uuid_only_when_the_server_has_it(small_catalog, recorder):
    modern, legacy = start_server(small_catalog), start_server(small_catalog, uuid_products=False)
    try:
        new, old = make_client(modern, recorder), make_client(legacy, recorder)
        assert new.products_path.endswith("/products-uuid") and old.products_path.endswith("/products")
        new_products, old_products = list(new.products()), list(old.products())
        assert all(p["uuid"] for p in new_products) and "uuid" not in old_products[0]
        for product in new_products:  # uuid endpoints name packed products by uuid and identifier
            for links in product["quantified_associations"].values():
                for item in links["products"]:
                    assert item.pop("uuid")
        linked = [
            (n["associations"], n["quantified_associations"]) for n in new_products if n["associations"]
        ]
        assert linked == [
            (o["associations"], o["quantified_associations"]) for o in old_products if o["associations"]
        ]
        assert linked  # associations came back as identifiers from both endpoints
    finally:
        modern.stop()
        legacy.stop()


def test_it_summarises_a_working_connection(server, recorder):
    summary = make_client(server, recorder).test_connection()
    assert "2 channel(s) (ecommerce, mobile)" in summary and "products-uuid" in summary


def test_it_reads_structure_resources(server, recorder):
    client = make_client(server, recorder)
    assert [c["code"] for c in client.currencies()] == ["EUR", "GBP", "USD"]
    assert [loc["code"] for loc in client.locales()] == ["de_DE", "en_US", "fr_FR"]
    assert len(list(client.attribute_options("color"))) == 8
    assert [v["code"] for v in client.family_variants("shirts")] == ["shirts_color_size", "shirts_size"]
    assert {t["code"] for t in client.association_types()} == {
        "X_SELL",
        "UPSELL",
        "SUBSTITUTION",
        "PACK",
        "OUTFIT",
    }
    assert len(list(client.attribute_groups())) == 5 and len(list(client.families())) == 5


def test_it_refuses_a_closed_port_fast(recorder):
    # A bounded retry count means a dead host costs max_attempts tries, never an endless loop.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    from jobs.akeneo.client import AkeneoClient

    client = AkeneoClient(f"http://127.0.0.1:{port}", client_id="c", secret="s", username="u", password="p",
                          max_attempts=2, sleep=recorder.sleep, log=recorder.log)  # fmt: skip
    with pytest.raises(AkeneoConnectionError):
        client.test_connection()
    assert len(recorder.sleeps) == 1


def test_gather_makes_its_calls_at_once_up_to_the_limit_and_raises_the_first_failure():
    import threading

    from jobs.akeneo.client import AkeneoClient

    client = AkeneoClient("https://pim.example.com", client_id="c", secret="s", username="u", password="p",
                          concurrency=3)  # fmt: skip
    lock, running, most = threading.Lock(), [0], [0]
    barrier = threading.Barrier(3, timeout=5)  # three calls must be out together, or this times out

    def call(number: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        if number < 3:
            barrier.wait()
        with lock:
            running[0] -= 1
        return number * 10

    assert client.gather({n: lambda n=n: call(n) for n in range(7)}) == {n: n * 10 for n in range(7)}
    assert most[0] == 3

    def failing(number: int) -> int:
        if number == 2:
            raise AkeneoNotFound("no such list", status=404, path="/x")
        return number

    with pytest.raises(AkeneoNotFound):
        client.gather({n: lambda n=n: failing(n) for n in range(5)})
