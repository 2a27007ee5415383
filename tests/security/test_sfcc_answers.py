"""An SFCC side that answers HTML where a JSON document belongs (a wrong token URL, a proxy's
sign-in page): Test connection and a run say what came instead, never a 500 or a
JSONDecodeError."""

import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from jobs import config
from jobs.sfcc.delivery import SfccConfig, SfccDelivery
from jobs.sfcc.errors import SfccConfigError, SfccError
from jobs.sfcc.http import SfccSession

HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>Business Manager</body></html>"


class Handler(BaseHTTPRequestHandler):
    """/token-html answers a sign-in page, /token-json a token; everything else an HTML page
    with 200, as a misrouted proxy would."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path.startswith("/token-json"):
            body, kind = (
                json.dumps({"access_token": "t0k3n", "expires_in": 1799}).encode(),
                "application/json",
            )
        elif self.path.startswith("/token-empty"):
            body, kind = json.dumps({"token_type": "Bearer"}).encode(), "application/json"
        else:
            body, kind = HTML, "text/html; charset=utf-8"
        self.send_response(201 if self.command == "PUT" else 200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PROPFIND = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def html_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def session(url) -> SfccSession:
    return SfccSession(client_id="c", client_secret="s", token_url=url, max_retries=0)


def test_it_says_the_token_url_answered_html(html_server):
    with pytest.raises(SfccConfigError) as refused:
        session(f"{html_server}/token-html").token()
    assert str(refused.value) == "The token URL on 127.0.0.1 answered text/html, not a token document"


def test_it_says_a_token_document_lacks_the_token(html_server):
    with pytest.raises(SfccConfigError, match="answered a JSON document without an access_token"):
        session(f"{html_server}/token-empty").token()


def delivery(html_server, token_path) -> SfccDelivery:
    return SfccDelivery(
        SfccConfig(
            instance_url=html_server,
            client_id="c",
            client_secret="s",
            token_url=f"{html_server}{token_path}",
            max_retries=0,
            poll_interval=0.1,
            job_timeout=1,
        ),
        sleep=lambda seconds: None,
    )


def archive(tmp_path):
    path = tmp_path / "X.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("X/meta/system-objecttype-extensions.xml", "<metadata/>")
    return path


@pytest.mark.parametrize(
    "token_path, expected",
    [
        ("/token-html", "The token URL on 127.0.0.1 answered text/html, not a token document"),
        ("/token-json", "OCAPI answered text/html, not a sfcc-site-archive-import execution"),
    ],
)
def test_it_fails_a_delivery_with_what_came_instead(html_server, tmp_path, token_path, expected):
    """The delivery step turns an SfccError into the execution's message (JobFailed)."""
    sfcc = delivery(html_server, token_path)
    try:
        with pytest.raises(SfccError) as failed:
            sfcc.deliver(archive(tmp_path))
    finally:
        sfcc.close()
    assert expected in str(failed.value)
    assert "JSONDecodeError" not in str(failed.value) and "Expecting value" not in str(failed.value)


@pytest.mark.django_db
def test_it_answers_test_connection_with_what_the_token_url_sent(client, users, html_server):
    from tests.test_config_pages import form_data

    config.save(config.default_document(), comment="first")
    client.force_login(users["admin"])
    response = client.post(
        reverse("config_test_sfcc"),
        form_data(
            delivery_target="sfcc",
            delivery_instance_url=html_server,
            delivery_token_url=f"{html_server}/token-html",
            delivery_client_secret="typed-secret",
        ),
    )
    assert response.status_code == 200
    result = response.context["test"]
    assert result["error"] == "The token URL answered a web page instead of a token."
    assert result["detail"] == "The token URL on 127.0.0.1 answered text/html, not a token document"
    assert "JSONDecodeError" not in response.content.decode()
