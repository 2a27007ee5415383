"""Akeneo locale codes (`en_US`) and SFCC `xml:lang` values (`en-US`, `x-default`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

X_DEFAULT = "x-default"


def xml_lang(akeneo_locale: str) -> str:
    """`en_US` → `en-US`: SFCC writes locales the BCP 47 way, with a hyphen."""
    return akeneo_locale.replace("_", "-")


def default_locale_map(akeneo_locales: Iterable[str]) -> dict[str, str]:
    """The usual mapping for a set of Akeneo locales: each to its own xml:lang."""
    return {code: xml_lang(code) for code in akeneo_locales}


def localize(labels: Mapping[str, str] | None, locales: Mapping[str, str], default_locale: str) -> dict:
    """Akeneo labels (`{"en_US": "Blue", "fr_FR": "Bleu"}`) → a Localized dict.

    `x-default` comes first, from the default locale's label, then one entry per mapped locale
    that has a non-empty label; unmapped locales are left out. Empty when there is no label at all
    (callers fall back to the code where a name is required).
    """
    if not labels:
        return {}
    result: dict[str, str] = {}
    default = labels.get(default_locale)
    if default:
        result[X_DEFAULT] = default
    for locale, lang in locales.items():
        text = labels.get(locale)
        if text:
            result[lang] = text
    return result


def localize_or_code(
    labels: Mapping[str, str] | None, code: str, locales: Mapping[str, str], default_locale: str
) -> dict:
    """Like `localize`, but `x-default` falls back to the code when the default locale has no label."""
    result = localize(labels, locales, default_locale)
    if X_DEFAULT not in result:
        result = {X_DEFAULT: code, **result}
    return result
