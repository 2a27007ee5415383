"""The demo SFCC holds its clients to the published protocols: what a real Account Manager,
WebDAV and OCAPI refuse, it refuses too."""

import base64
import io
import zipfile

import pytest
import requests

from demo.sfcc.server import TOKEN_PATH, WEBDAV_PREFIX, DemoSfccServer
from tests.conftest import XSD_DIR

SECRET = "a+b%2F/c:d e"


@pytest.fixture(scope="module")
def sfcc():
    with DemoSfccServer(schema_dir=XSD_DIR, client_secret=SECRET, step_delay=0.01) as server:
        yield server


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def token_status(sfcc, **kwargs) -> int:
    return requests.post(sfcc.url + TOKEN_PATH, timeout=10, **kwargs).status_code


def test_it_refuses_a_secret_sent_raw_in_basic(sfcc):
    headers = {"Authorization": basic("demo-client", SECRET)}
    assert token_status(sfcc, headers=headers, data={"grant_type": "client_credentials"}) == 401


def test_it_takes_a_form_url_encoded_secret_in_basic(sfcc):
    from urllib.parse import quote_plus

    headers = {"Authorization": basic("demo-client", quote_plus(SECRET, safe=""))}
    assert token_status(sfcc, headers=headers, data={"grant_type": "client_credentials"}) == 200


def test_it_takes_client_credentials_in_the_form_body(sfcc):
    form = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": SECRET}
    assert token_status(sfcc, data=form) == 200


def bearer(sfcc) -> dict:
    form = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": SECRET}
    token = requests.post(sfcc.url + TOKEN_PATH, data=form, timeout=10).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_it_stores_a_chunked_upload_whole_and_reads_the_next_request_after_it(sfcc):
    body = b"0123456789" * 50_000
    session = requests.Session()  # one keep-alive connection for both requests
    url = sfcc.url + WEBDAV_PREFIX + "impex/src/instance/chunked.bin"
    put = session.put(url, data=iter([body[:123_457], body[123_457:]]), headers=bearer(sfcc), timeout=10)
    assert put.status_code == 201
    got = session.get(
        sfcc.url + WEBDAV_PREFIX + "IMPEX/src/instance/chunked.bin", headers=bearer(sfcc), timeout=10
    )
    assert got.content == body


def test_it_takes_a_business_manager_access_key_on_webdav_only(sfcc):
    key = {"Authorization": basic(sfcc.webdav_user, sfcc.webdav_access_key)}
    assert requests.put(
        sfcc.url + WEBDAV_PREFIX + "Impex/src/instance/k.txt", data=b"k", headers=key, timeout=10
    ).ok
    ocapi = sfcc.url + "/s/-/dw/data/v24_5/jobs/sfcc-site-archive-import/executions"
    assert requests.post(ocapi, json={}, headers=key, timeout=10).status_code == 401


def test_it_reads_logs_under_any_case_of_the_folder(sfcc):
    listing = requests.request(
        "PROPFIND", sfcc.url + WEBDAV_PREFIX + "LOGS/jobs", headers=bearer(sfcc), timeout=10
    )
    assert listing.status_code == 207


def run_import(sfcc, file_name: str) -> dict:
    url = sfcc.url + "/s/-/dw/data/v24_5/jobs/sfcc-site-archive-import/executions"
    started = requests.post(url, json={"file_name": file_name}, headers=bearer(sfcc), timeout=10).json()
    for _ in range(200):
        execution = requests.get(f"{url}/{started['id']}", headers=bearer(sfcc), timeout=10).json()
        if execution["execution_status"] == "finished":
            return execution
        sfcc_wait()
    raise AssertionError("the import did not finish")


def sfcc_wait():
    import time

    time.sleep(0.05)


def test_it_never_opens_an_import_file_outside_impex_src_instance(sfcc):
    execution = run_import(sfcc, "../../../../../../etc/passwd")
    assert execution["exit_status"]["code"] == "ERROR" and execution["exit_status"]["status"] == "error"


def upload(sfcc, name: str, files: dict[str, str]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, text in files.items():
            zf.writestr(path, text)
    url = sfcc.url + WEBDAV_PREFIX + f"Impex/src/instance/{name}"
    assert requests.put(url, data=buffer.getvalue(), headers=bearer(sfcc), timeout=10).ok


def test_it_refuses_xml_with_a_doctype_and_expands_no_entity(sfcc):
    xml = (
        '<?xml version="1.0"?><!DOCTYPE catalog [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<catalog xmlns="http://www.demandware.com/xml/impex/catalog/2006-10-31" catalog-id="x">&x;</catalog>'
    )
    upload(sfcc, "dtd.zip", {"dtd/catalogs/x/catalog.xml": xml})
    execution = run_import(sfcc, "dtd.zip")
    assert execution["exit_status"]["code"] == "ERROR"
    assert "DOCTYPE" in execution["exit_status"]["message"]
