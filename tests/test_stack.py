"""The processes of a stack (make run, the integration tests) never outlive it."""

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")

PARENT = """
import django, os, sys, time
django.setup()
from demo.stack import Stack
stack = Stack(echo=False)
child = stack.start("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"])
print(child.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init to reap it is gone too
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_it_ends_its_children_when_the_stack_process_dies(sig):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "console.settings"}
    parent = subprocess.Popen([sys.executable, "-c", PARENT], env=env, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(sig)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 30
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child), f"the child {child} outlived its stack"
    finally:
        parent.kill()
        parent.wait()


def test_the_banner_lists_the_ports_and_admin_and_ends_with_the_logins():
    from demo.management.commands.runstack import banner

    lines = banner(port=8010, demo=True, log_dir="var/logs", redis="redis://:s3cret-pass@127.0.0.1:6391/0")
    text = "\n".join(lines)
    assert "http://127.0.0.1:8010/" in lines[0] and "--port" in lines[0]
    assert "http://127.0.0.1:8010/admin/" in text and ":8081/" in text and ":8082/" in text
    assert "s3cret-pass" not in text and "127.0.0.1:6391/0" in text
    assert lines[-4] == "Log in as one of:" and all("password" in line for line in lines[-3:])


@pytest.mark.integration
def test_make_run_is_quiet_and_prints_the_logins_last(tmp_path, redis_url):
    """`runstack` on a fresh var/: the request log goes to var/logs/web.log, not the terminal."""
    import socket
    import urllib.request

    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "console.settings", "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1",
    }  # fmt: skip
    command = [sys.executable, "manage.py", "runstack", "--no-demo", "--port", str(port)]
    stack = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for _ in range(200):  # bounded: the banner is about fifteen lines
            line = stack.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("  Support"):
                break
        assert lines and lines[-4] == "Log in as one of:", lines
        assert any(f"http://127.0.0.1:{port}/admin/" in line for line in lines)
        assert not any("celery" in line.lower() or "GET /" in line for line in lines), lines
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as response:
            assert response.status == 200
        web_log = tmp_path / "logs" / "web.log"
        deadline = time.monotonic() + 30
        while (
            "GET /login/" not in (web_log.read_text() if web_log.exists() else "")
            and time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert "GET /login/" in web_log.read_text()
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            rest, _ = stack.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            stack.kill()
            rest, _ = stack.communicate()
    assert "GET /login/" not in rest
