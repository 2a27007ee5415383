"""`python manage.py importconfig FILE`: a whole configuration document becomes the next
version. A bad document is refused whole: every problem is printed, nothing is stored, exit 1."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from jobs import config
from jobs.config import jsontext


class Command(BaseCommand):
    help = "Validate FILE (a JSON configuration document) and make it the configuration in force."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a document written by exportconfig (- reads standard input)")

    def handle(self, *args, file, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            document = jsontext.loads(text)
        except OSError as exc:
            self._refuse([f"{file}: cannot be read ({exc.strerror or exc})"])
        except ValueError as exc:
            self._refuse([f"{file}: not valid JSON ({exc})"])
        try:
            version = config.import_document(document)
        except config.ConfigInvalid as exc:
            self._refuse(exc.problems)
        self.stdout.write(f"Configuration version {version.number} is now in force.")

    def _refuse(self, problems: list[str]) -> None:
        self.stderr.write(
            f"Refused, nothing was changed ({len(problems)} problem{'s' * (len(problems) != 1)}):"
        )
        for problem in problems:
            self.stderr.write(f"  {problem}")
        raise SystemExit(1)
