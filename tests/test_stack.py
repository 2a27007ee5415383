"""The processes of a stack (make run, the integration tests) never outlive it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from demo.stack import port_holder
from tests.reliability.helpers import free_port

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


# --- make run (the runstack command) ----------------------------------------------------

MANAGE = str(Path(__file__).resolve().parent.parent / "manage.py")


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory):
    """`make run`'s environment on free ports, with its own var/ (SQLite, logs, demo data)."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "console.settings",
        "VAR_DIR": str(tmp_path_factory.mktemp("var")),
        "CONSOLE_PORT": str(free_port()),
        "CONSOLE_TLS_PORT": str(free_port()),
        "DEMO_AKENEO_PORT": str(free_port()),
        "DEMO_SFCC_PORT": str(free_port()),
        "EMBEDDED_REDIS_PORT": str(free_port()),
    }
    return env


def test_make_run_refuses_a_taken_port_before_printing_any_login(stack_env):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(stack_env["DEMO_SFCC_PORT"])))
        holder.listen()
        run = subprocess.run(
            [sys.executable, MANAGE, "runstack"], env=stack_env, capture_output=True, text=True, timeout=120
        )
    assert run.returncode != 0
    port = stack_env["DEMO_SFCC_PORT"]
    assert f"port {port} (demo sfcc) is taken by pid {os.getpid()}" in run.stderr
    assert "password" not in run.stdout and "Log in as" not in run.stdout


def descendants(pid: int) -> list[int]:
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def start_stack(env, wrapper: bool = False) -> tuple[subprocess.Popen, list[int]]:
    """`make run` (through a shell standing in for make when `wrapper`), once it says it is up:
    the process and every process under it."""
    command = [sys.executable, MANAGE, "runstack"]
    if wrapper:
        command = ["sh", "-c", f'"{sys.executable}" "{MANAGE}" runstack; echo done']
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 240
    seen = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("  Support") or time.monotonic() > deadline:
            break  # the banner's last line: everything listens
    assert seen and seen[-1].startswith("  Support"), "".join(seen[-30:])
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe drained
    family = descendants(process.pid)
    assert len(family) >= 6, family  # redis, akeneo, sfcc, worker (+ its pool), beat, web
    return process, family


@pytest.mark.integration
@pytest.mark.parametrize("how", ["SIGHUP", "SIGTERM", "parent killed"])
def test_make_run_leaves_nothing_behind(stack_env, how):
    process, family = start_stack(stack_env, wrapper=how == "parent killed")
    try:
        if how == "parent killed":
            process.kill()  # make (here a shell) dies with -9; runstack must notice
        else:
            process.send_signal(getattr(signal, how))
        process.wait(timeout=60)
        deadline = time.monotonic() + 60
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.2)
        survivors = [pid for pid in family if alive(pid)]
        assert not survivors, f"{how}: these outlived make run: {survivors}"
        assert port_holder(int(stack_env["CONSOLE_PORT"])) is None
    finally:
        for pid in [process.pid, *family]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()


def test_the_banner_lists_the_ports_and_admin_and_ends_with_the_logins():
    from demo.management.commands.runstack import banner

    lines = banner(port=8010, demo=True, log_dir="var/logs", redis="redis://:s3cret-pass@127.0.0.1:6391/0")
    text = "\n".join(lines)
    assert "http://127.0.0.1:8010/" in lines[0] and "CONSOLE_PORT" in lines[0]
    assert "http://127.0.0.1:8010/admin/" in text and ":8081/" in text and ":8082/" in text
    assert "s3cret-pass" not in text and "127.0.0.1:6391/0" in text
    assert lines[-4] == "Log in as one of:" and all("password" in line for line in lines[-3:])


@pytest.mark.integration
def test_make_run_is_quiet_and_prints_the_logins_last(tmp_path, redis_url):
    """`runstack` on a fresh var/: the request log goes to var/logs/web.log, not the terminal."""
    import urllib.request

    port = free_port()
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "console.settings", "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": redis_url, "PYTHONUNBUFFERED": "1",
        "CONSOLE_TLS_PORT": str(free_port()),
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


# --- the embedded Redis -------------------------------------------------------------------


def test_the_embedded_redis_starts_in_a_relative_directory(tmp_path, monkeypatch):
    """redis-server moves into `--dir` before it opens `--logfile`: a relative path given for
    both would name a file under the directory twice over, and the server would not start."""
    from demo import embedded_redis

    monkeypatch.chdir(tmp_path)
    port = free_port()
    process = embedded_redis.start(port, Path("var") / "redis")
    try:
        assert embedded_redis.is_up(f"redis://127.0.0.1:{port}/0")
        assert (tmp_path / "var" / "redis" / "redis.log").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
