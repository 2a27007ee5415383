"""The one HTTP helper (`jobs.http`) against a scripted server on 127.0.0.1: how many attempts,
how long each wait (Retry-After in seconds and as an HTTP date, the cap, the jitter's bounds),
the 401 hook called once, what is sent again and what is not, and secrets kept out of retry
messages."""

from __future__ import annotations

import email.utils
import io
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jobs.http import GaveUp, HttpSession, RetryPolicy, parse_retry_after
from jobs.redaction import MASK, Redactor

CLOSE = "close"  # an answer that is no answer: the connection is dropped after the request


class ScriptedServer(ThreadingHTTPServer):
    """Answers requests with `script` in order (then 200 "ok"), and keeps what came."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True
        self.script: list = []
        self.seen: list[tuple[str, str, dict, bytes]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.seen.append((self.command, self.path, dict(self.headers), body))
            answer = self.server.script.pop(0) if self.server.script else (200, {}, b"ok")
        if answer == CLOSE:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, headers, payload = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PROPFIND = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    scripted = ScriptedServer()
    thread = threading.Thread(target=scripted.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield scripted
    scripted.shutdown()
    scripted.server_close()


class Recorder:
    def __init__(self):
        self.lines: list[tuple[str, str]] = []
        self.sleeps: list[float] = []

    def log(self, level, message):
        self.lines.append((level, message))

    def sleep(self, seconds):
        self.sleeps.append(seconds)


@pytest.fixture
def recorder():
    return Recorder()


def session(recorder, redact=None, **policy) -> HttpSession:
    policy = {"max_attempts": 4, "backoff_base": 0.5, "max_sleep": 30.0, **policy}
    return HttpSession(
        "Test", retry=RetryPolicy(**policy), timeout=(2.0, 5.0), log=recorder.log, sleep=recorder.sleep,
        redact=redact,
    )  # fmt: skip


def unavailable(retry_after=None):
    return (503, {"Retry-After": retry_after} if retry_after else {}, b"busy")


def test_it_gives_up_after_the_configured_attempts_and_logs_each_retry(server, recorder):
    server.script = [unavailable()] * 10
    with pytest.raises(GaveUp) as gave_up:
        session(recorder).request("GET", f"{server.url}/x")
    assert gave_up.value.attempts == 4 and gave_up.value.problem == "HTTP 503"
    assert gave_up.value.response.status_code == 503
    assert len(server.seen) == 4 and len(recorder.sleeps) == 3
    assert [level for level, _ in recorder.lines] == ["WARN"] * 3
    assert recorder.lines[0][1].startswith("Test: HTTP 503 on GET /x (attempt 1 of 4); retrying in ")
    assert recorder.lines[2][1].startswith("Test: HTTP 503 on GET /x (attempt 3 of 4); retrying in ")


def test_it_returns_the_answer_once_the_server_recovers(server, recorder):
    server.script = [unavailable(), (429, {}, b""), (500, {}, b"")]
    response = session(recorder).request("GET", f"{server.url}/x")
    assert response.status_code == 200 and response.text == "ok"
    assert len(server.seen) == 4 and len(recorder.sleeps) == 3


def test_it_returns_an_answer_that_is_not_retried_at_once(server, recorder):
    server.script = [(404, {}, b"nope")]
    assert session(recorder).request("GET", f"{server.url}/x").status_code == 404
    assert len(server.seen) == 1 and recorder.sleeps == [] and recorder.lines == []


def test_it_waits_the_seconds_retry_after_asks(server, recorder):
    server.script = [(429, {"Retry-After": "2"}, b"")]
    assert session(recorder).request("GET", f"{server.url}/x").ok
    assert recorder.sleeps == [2.0]
    assert recorder.lines[0][1] == "Test: HTTP 429 on GET /x (attempt 1 of 4); retrying in 2.0 s"


def test_it_waits_until_the_http_date_retry_after_names(server, recorder):
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    server.script = [(429, {"Retry-After": when}, b"")]
    assert session(recorder).request("GET", f"{server.url}/x").ok
    [slept] = recorder.sleeps
    assert 15 <= slept <= 20  # the date has a resolution of one second, and the test takes a moment


def test_it_reads_retry_after_as_seconds_or_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("1.5", now) == 1.5
    assert parse_retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0.0  # already past
    assert parse_retry_after("soon", now) is None and parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None and parse_retry_after("-5", now) is None


def test_it_never_waits_longer_than_the_cap(server, recorder):
    server.script = [(429, {"Retry-After": "3600"}, b""), unavailable()]
    assert session(recorder, max_sleep=7.0, backoff_base=100.0).request("GET", f"{server.url}/x").ok
    assert recorder.sleeps[0] == 7.0
    assert 3.5 <= recorder.sleeps[1] <= 7.0  # the backoff is capped too, before its jitter


def test_the_jitter_keeps_each_wait_between_half_its_ceiling_and_the_ceiling():
    policy = RetryPolicy(backoff_base=0.5, max_sleep=3.0)
    assert policy.backoff(1, lambda: 0.0) == 0.25 and policy.backoff(1, lambda: 1.0) == 0.5
    assert policy.backoff(3, lambda: 0.0) == 1.0 and policy.backoff(3, lambda: 1.0) == 2.0
    assert policy.backoff(10, lambda: 1.0) == 3.0 and policy.backoff(10, lambda: 0.0) == 1.5
    waits = [policy.backoff(2) for _ in range(200)]
    assert all(0.5 <= wait <= 1.0 for wait in waits)
    assert len(set(waits)) > 1  # random, so that refused clients do not come back in step
    assert policy.delay(2, 0.3) == 0.3 and policy.delay(2, 99.0) == 3.0


def test_it_calls_the_401_hook_once_then_sends_the_request_again(server, recorder):
    tokens = iter(["old", "new"])
    token = {"value": next(tokens)}
    renewals = []

    def renew(response):
        renewals.append(response.status_code)
        token["value"] = next(tokens)

    server.script = [(401, {}, b"")]
    response = session(recorder).request(
        "GET", f"{server.url}/x", headers=lambda: {"Authorization": f"Bearer {token['value']}"}, refresh=renew
    )
    assert response.ok and renewals == [401]
    assert [seen[2]["Authorization"] for seen in server.seen] == ["Bearer old", "Bearer new"]
    assert recorder.sleeps == []
    assert recorder.lines == [
        ("INFO", "Test: HTTP 401 on GET /x; renewing the access token and sending it once more")
    ]


def test_a_second_401_is_the_callers(server, recorder):
    renewals = []
    server.script = [(401, {}, b"")] * 5
    response = session(recorder).request("GET", f"{server.url}/x", refresh=renewals.append)
    assert response.status_code == 401 and len(renewals) == 1 and len(server.seen) == 2


def test_it_masks_a_secret_in_every_retry_message(server, recorder):
    secret = "s3cr3t+key/value"
    server.script = [unavailable(), (200, {}, b"ok"), unavailable()]
    http = session(recorder, redact=Redactor(secret))
    http.request("GET", f"{server.url}/keys/{secret}")  # the path carries it percent-encoded
    http.request("GET", f"{server.url}/keys/s3cr3t%2Bkey%2Fvalue")
    messages = " ".join(message for _, message in recorder.lines)
    assert len(recorder.lines) == 2 and messages.count(MASK) == 2
    assert "s3cr3t" not in messages


def test_it_sends_a_whole_file_body_again_on_each_attempt(server, recorder):
    server.script = [unavailable()]
    upload = io.BytesIO(b"header" + b"archive bytes")
    upload.read(6)  # the body starts where the caller left the file
    response = session(recorder).request("PUT", f"{server.url}/Impex/a.zip", data=upload)
    assert response.ok
    assert [body for *_, body in server.seen] == [b"archive bytes", b"archive bytes"]


def test_a_post_is_not_sent_again_after_a_failure_it_may_have_caused(server, recorder):
    server.script = [(500, {}, b"")]
    with pytest.raises(GaveUp) as gave_up:
        session(recorder).request("POST", f"{server.url}/jobs", json={"a": 1})
    assert gave_up.value.attempts == 1 and not gave_up.value.repeatable
    assert "POST is not idempotent" in gave_up.value.note
    assert len(server.seen) == 1 and recorder.sleeps == []


def test_a_post_whose_answer_was_cut_is_not_sent_again(server, recorder):
    server.script = [CLOSE]
    with pytest.raises(GaveUp) as gave_up:
        session(recorder).request("POST", f"{server.url}/jobs", json={"a": 1})
    assert gave_up.value.attempts == 1 and gave_up.value.problem == "ConnectionError"
    assert len(server.seen) == 1


def test_a_post_refused_as_not_processed_is_sent_again(server, recorder):
    server.script = [(429, {"Retry-After": "1"}, b""), unavailable()]
    assert session(recorder).request("POST", f"{server.url}/jobs", json={"a": 1}).ok
    assert len(server.seen) == 3 and recorder.sleeps[0] == 1.0


def test_a_post_that_never_connected_is_sent_again(recorder):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(GaveUp) as gave_up:
        session(recorder, max_attempts=3).request("POST", f"http://127.0.0.1:{port}/jobs")
    assert gave_up.value.attempts == 3 and gave_up.value.problem == "ConnectionError"
    assert isinstance(gave_up.value.__cause__, Exception) and len(recorder.sleeps) == 2
    assert recorder.lines[0][1].startswith("Test: ConnectionError on POST /jobs (attempt 1 of 3)")


def test_a_get_whose_answer_was_cut_is_sent_again(server, recorder):
    server.script = [CLOSE]
    assert session(recorder).request("GET", f"{server.url}/x").ok
    assert len(server.seen) == 2


def too_many():
    return (429, {"Retry-After": "1"}, b"")


def test_a_429_while_the_clients_other_calls_go_through_is_not_counted(server, recorder):
    # Six refusals, more than the four attempts, but another thread's call was answered
    # between each: the limit is shared, this request waits its turn and is not dropped.
    server.script = [too_many()] * 6
    answered = iter(range(100))
    response = session(recorder).request("GET", f"{server.url}/x", progress=lambda: next(answered))
    assert response.status_code == 200 and len(server.seen) == 7


def test_a_429_while_nothing_goes_through_counts_and_the_shared_waits_are_bounded(server, recorder):
    server.script = [too_many()] * 10
    with pytest.raises(GaveUp) as gave_up:
        session(recorder).request("GET", f"{server.url}/x", progress=lambda: 0)
    assert gave_up.value.attempts == 4 and len(server.seen) == 4

    server.seen.clear()
    server.script = [too_many()] * 20
    answered = iter(range(100))
    with pytest.raises(GaveUp):
        session(recorder, max_shared_waits=3).request(
            "GET", f"{server.url}/x", progress=lambda: next(answered)
        )
    assert len(server.seen) == 4 + 3


def test_a_netrc_never_replaces_the_clients_own_authorization(server, recorder, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    http = session(recorder)
    http.request("GET", f"{server.url}/token", headers={"Authorization": "Bearer the-token"})
    http.request("GET", f"{server.url}/basic", auth=("client", "secret"))
    http.request("GET", f"{server.url}/none")
    sent = {path: headers.get("Authorization") for _, path, headers, _ in server.seen}
    assert sent["/token"] == "Bearer the-token"
    assert sent["/basic"].startswith("Basic ") and sent["/none"] is None
