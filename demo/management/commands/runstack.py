"""`make run`: everything on embedded defaults, console at http://127.0.0.1:8000.

Nothing outlives it: SIGINT, SIGTERM and SIGHUP (a closed terminal, a service manager) stop
every child, and so does the death of whatever started it (make, a shell killed with -9).
Before anything is printed it checks that its ports are free, and refuses naming the port
and the process that holds it, rather than half-starting beside an older stack.
"""

import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo import config as demo_config
from demo import embedded_redis, servers
from demo.stack import Stack, beat_command, die_with_parent, manage_command, port_holder, worker_command


def _interrupt(*_):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Migrate, create demo users, start broker, worker, beat, demo servers and the web console."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=settings.CONSOLE_PORT, help="the console's port")
        parser.add_argument("--no-demo", action="store_true", help="do not start the demo Akeneo and SFCC")

    def handle(self, *args, port, no_demo, **options):
        die_with_parent()  # make (or the shell) gone: SIGTERM, handled below like Ctrl-C
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _interrupt)
        wanted = {"console": port}
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
                "(CONSOLE_PORT, DEMO_AKENEO_PORT, DEMO_SFCC_PORT, EMBEDDED_REDIS_PORT)."
            )

        call_command("migrate", interactive=False, verbosity=0)
        call_command("setup_schedules", verbosity=0)
        if demo_config.save_if_unconfigured():
            self.stdout.write("Saved the demo import configuration (the demo Akeneo and SFCC) as version 1")
        stack = Stack(log_dir=settings.VAR_DIR / "logs")
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
            call_command("demo_users", port=port)
            self.stdout.write(
                self.style.SUCCESS(f"Console at http://127.0.0.1:{port}  (Ctrl-C stops everything)")
            )
            while (failure := stack.failed()) is None:
                time.sleep(0.5)
            self.stderr.write(f"Stopping: {failure}")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            # A second signal must not cut the stop short.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            stack.stop()
        self.stdout.write("Stopped.")
