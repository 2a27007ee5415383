"""`make run`: everything on embedded defaults, console at http://127.0.0.1:8000."""

import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from demo import embedded_redis, servers
from demo.stack import Stack, beat_command, manage_command, worker_command


class Command(BaseCommand):
    help = "Migrate, create demo users, start broker, worker, beat, demo servers and the web console."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-demo", action="store_true", help="do not start the demo Akeneo and SFCC")

    def handle(self, *args, port, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("setup_schedules", verbosity=0)
        stack = Stack(log_dir=settings.VAR_DIR / "logs")
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
            call_command("demo_users")
            self.stdout.write(
                self.style.SUCCESS(f"Console at http://127.0.0.1:{port}  (Ctrl-C stops everything)")
            )
            while (failure := stack.failed()) is None:
                time.sleep(0.5)
            self.stderr.write(f"Stopping: {failure}")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            stack.stop()
        self.stdout.write("Stopped.")
