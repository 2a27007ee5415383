"""The one secret redactor: every text that leaves a run (log lines, execution messages,
client errors, Test connection answers) passes through a `Redactor` that knows the secrets.

A secret is replaced as it is and in the forms it travels in (form-url-encoded, as in an
OAuth body or Basic header, and percent-encoded, as in a URL), so an error that quotes a
request never shows it. Values shorter than four characters would mask ordinary words;
real secrets are longer. No Django here: the HTTP clients use it too.
"""

from __future__ import annotations

from urllib.parse import quote, quote_plus

MASK = "********"
MIN_LENGTH = 4


class Redactor:
    def __init__(self, *secrets: str | None) -> None:
        self._secrets: set[str] = set()
        self._ordered: list[str] = []
        self.add(*secrets)

    def add(self, *values: str | None) -> None:
        for value in values:
            if not value or len(value) < MIN_LENGTH:
                continue
            self._secrets.update({value, quote_plus(value, safe=""), quote(value, safe="")})
        # Longest first, so a secret containing another is masked whole.
        self._ordered = sorted(self._secrets, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._ordered:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __bool__(self) -> bool:
        return bool(self._secrets)
