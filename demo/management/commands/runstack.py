"""`make run`: everything on embedded defaults, console at http://127.0.0.1:8000.

Quiet by default: each process writes to its own file in var/logs/ (the web server's request
log in web.log), and the last lines on the terminal say where the console is and how to log in.
`--verbose` also echoes every process's output, prefixed with its name.

Nothing outlives it: SIGINT, SIGTERM and SIGHUP (a closed terminal, a service manager) stop
every child, and so does the death of whatever started it (make, a shell killed with -9).
Before anything is printed it checks that its ports are free, and refuses naming the port
and the process that holds it, rather than half-starting beside an older stack.
"""

import io
import signal
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import config as demo_config
from demo import embedded_redis, servers
from demo.management.commands.demo_users import DEMO_USERS
from demo.stack import Stack, beat_command, die_with_parent, manage_command, port_holder, worker_command

# How long the web server may take to listen before the banner is printed anyway.
WEB_START_BOUND_SECONDS = 60


def banner(*, port: int, demo: bool, log_dir, redis: str) -> list[str]:
    """What `make run` prints once everything listens: addresses, ports, logins last."""
    tls_port = settings.CONSOLE_TLS_PORT
    lines = [
        f"Console        http://127.0.0.1:{port}/   (another port: make run CONSOLE_PORT=N)",
        f"Users, roles   http://127.0.0.1:{port}/users/   (Administration › Users and Roles)",
        f"Django admin   http://127.0.0.1:{port}/admin/   (superusers only)",
        f"HTTPS          https://127.0.0.1:{tls_port}/   (for sfcc-ci: NODE_EXTRA_CA_CERTS="
        f"{settings.VAR_DIR / 'tls' / 'console.pem'})",
    ]
    if demo:
        ports = servers.ports()
        lines += [
            f"Demo Akeneo    http://127.0.0.1:{ports['akeneo']}/   (the demo import configuration points here)",
            f"Demo SFCC      http://127.0.0.1:{ports['sfcc']}/",
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


def _interrupt(*_):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Migrate, create demo users, start broker, worker, beat, demo servers and the web console."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CONSOLE_PORT, help="the console's port")
        parser.add_argument("--no-demo", action="store_true", help="do not start the demo Akeneo and SFCC")
        parser.add_argument("--verbose", action="store_true", help="echo every process's output here too")

    def handle(self, *args, port, no_demo, verbose, **options):
        die_with_parent()  # make (or the shell) gone: SIGTERM, handled below like Ctrl-C
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
        self._refuse_taken_ports(port, no_demo)

        call_command("migrate", interactive=False, verbosity=0)
        call_command("setup_schedules", verbosity=0)
        if demo_config.save_if_unconfigured():
            self.stdout.write("Saved the demo import configuration (the demo Akeneo and SFCC) as version 1")
        log_dir = settings.VAR_DIR / "logs"
        stack = Stack(log_dir=log_dir, echo=verbose)
        try:
            if settings.REDIS_EMBEDDED:
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
            stack.start(
                "https", manage_command("console_tls_server", "--port", str(settings.CONSOLE_TLS_PORT))
            )
            call_command("demo_users", port=port, stdout=io.StringIO())  # the banner says how to log in
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
            # A second signal must not cut the stop short.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            stack.stop()
        self.stdout.write("Stopped.")

    def _refuse_taken_ports(self, port: int, no_demo: bool) -> None:
        wanted = {"console": port, "console https": settings.CONSOLE_TLS_PORT}
        if not no_demo:
            wanted |= {f"demo {name}": number for name, number in servers.ports().items()}
        if settings.REDIS_EMBEDDED:
            wanted["embedded Redis"] = settings.EMBEDDED_REDIS_PORT
        taken = [
            f"port {number} ({name}) is taken by {holder}"
            for name, number in wanted.items()
            if (holder := port_holder(number))
        ]
        if taken:
            raise CommandError(
                "Cannot start: " + "; ".join(taken) + ". Stop that process, or choose other ports "
                "(CONSOLE_PORT, CONSOLE_TLS_PORT, DEMO_AKENEO_PORT, DEMO_SFCC_PORT, EMBEDDED_REDIS_PORT)."
            )
