"""`make run`: everything on embedded defaults, console at http://127.0.0.1:8000.

Quiet by default: each process writes to its own file in var/logs/ (the web server's request
log in web.log), and the last lines on the terminal say where the console is and how to log in.
`--verbose` also echoes every process's output, prefixed with its name."""

import io
import signal
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo import embedded_redis, servers
from demo.management.commands.demo_users import DEMO_USERS
from demo.stack import Stack, beat_command, manage_command, worker_command

# How long the web server may take to listen before the banner is printed anyway.
WEB_START_BOUND_SECONDS = 60


def banner(*, port: int, demo: bool, log_dir, redis: str) -> list[str]:
    """What `make run` prints once everything listens: addresses, ports, logins last."""
    lines = [
        f"Console        http://127.0.0.1:{port}/   (another port: python manage.py runstack --port N)",
        f"Users, roles   http://127.0.0.1:{port}/admin/   (Django's admin; Administrators only)",
    ]
    if demo:
        lines += [
            f"Demo Akeneo    http://127.0.0.1:{servers.AKENEO_PORT}/   (the default import configuration points here)",
            f"Demo SFCC      http://127.0.0.1:{servers.SFCC_PORT}/",
        ]
    lines += [
        f"Broker         {_shown_url(redis)}",
        f"Logs           {log_dir}/   (web.log has the request log; --verbose shows it all here)",
        "Ctrl-C stops everything.",
        "",
        "Log in as one of:",
    ]
    lines += [
        f"  {role:<14} user {username!r:<16} password {password!r}" for username, role, password in DEMO_USERS
    ]
    return lines


def _shown_url(url: str) -> str:
    """The broker's address without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=f"{parts.username or ''}:********@{host}").geturl()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class Command(BaseCommand):
    help = "Migrate, create demo users, start broker, worker, beat, demo servers and the web console."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="do not start the demo Akeneo and SFCC")
        parser.add_argument("--verbose", action="store_true", help="echo every process's output here too")

    def handle(self, *args, port, no_demo, verbose, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("setup_schedules", verbosity=0)
        log_dir = settings.VAR_DIR / "logs"
        stack = Stack(log_dir=log_dir, echo=verbose)
        signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        try:
            if settings.REDIS_EMBEDDED and not embedded_redis.is_up(settings.REDIS_URL):
                self.stdout.write(f"Starting the embedded Redis on 127.0.0.1:{settings.EMBEDDED_REDIS_PORT}")
                stack.processes["redis"] = embedded_redis.start(
                    settings.EMBEDDED_REDIS_PORT, settings.VAR_DIR / "redis"
                )
            if not no_demo:
                for name, command in servers.commands():
                    stack.start(name, command)
            stack.start("worker", worker_command())
            stack.start("beat", beat_command())
            stack.start("web", manage_command("runserver", f"127.0.0.1:{port}", "--noreload"))
            call_command("demo_users", stdout=io.StringIO())  # the banner says how to log in
            self.stdout.write(f"Starting the worker, beat and web server (logs in {log_dir}/)…")
            deadline = time.monotonic() + WEB_START_BOUND_SECONDS
            while not _listening(port) and stack.failed() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            if (failure := stack.failed()) is None:
                lines = banner(port=port, demo=not no_demo, log_dir=log_dir, redis=settings.REDIS_URL)
                self.stdout.write(self.style.SUCCESS(lines[0]))
                self.stdout.write("\n".join(lines[1:]))
                while (failure := stack.failed()) is None:
                    time.sleep(0.5)
            self.stderr.write(f"Stopping: {failure} (see {log_dir}/)")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stack.stop()
        self.stdout.write("Stopped.")
