"""`python manage.py exportconfig FILE [--with-secrets]`: the configuration in force as one JSON
document (`-` writes to standard output). Without --with-secrets, secrets are written ""
(importing the file keeps the stored ones); `env:NAME` references are written as they are."""

import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jobs import config
from jobs.config.crypto import SecretUnavailable


class Command(BaseCommand):
    help = "Write the import configuration in force to FILE as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the JSON document, or - for standard output")
        parser.add_argument("--with-secrets", action="store_true", help="write secrets in clear")

    def handle(self, *args, file, with_secrets, **options):
        try:
            document = config.export_document(with_secrets=with_secrets)
        except SecretUnavailable as exc:
            raise CommandError(f"A stored secret {exc}") from None
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if file == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(file)
        path.write_text(text, encoding="utf-8")
        if with_secrets:
            # The file now holds passwords: readable by its owner only.
            os.chmod(path, 0o600)
        self.stderr.write(f"Configuration written to {path}" + (" (with secrets)" if with_secrets else ""))
