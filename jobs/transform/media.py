"""Where an Akeneo media file lives in the SFCC catalog's static folder.

Decision: the path is derived from the Akeneo media *code* (or, for Asset Manager assets, the
asset family and asset code), not from the file's content. That keeps the transform pure and
lets it run before anything is downloaded: Akeneo never changes the file behind a media code (a
new upload gets a new code), so the code identifies the content as well as a content hash would.
The pipeline still downloads each path once and skips files whose content hash it has already
shipped; when a caller does know the content hash (e.g. from Akeneo's media-file metadata) it may
pass it and the path is then keyed by content, so two codes with the same bytes share one file.

Layout: `akeneo/<sha1[:2]>/<sha1[:12]>-<basename>`. The two-character fan-out keeps folders small;
12 hex characters (48 bits) make collisions between different codes negligible while the
basename keeps the path readable in Business Manager.
"""

from __future__ import annotations

import functools
import hashlib
import re

MEDIA_FOLDER = "akeneo"
# Paths of recent codes are remembered: variants repeat their model's images and assets, and
# a path costs a sha1 and two regular expressions (a few µs, several times per product).
CACHE_SIZE = 4096

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Akeneo stores uploads as "<sha1>_<original name>"; the sha1 is noise in the SFCC file name.
_AKENEO_HASH_PREFIX = re.compile(r"^[0-9a-f]{40}_")


def _basename(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    base = _AKENEO_HASH_PREFIX.sub("", base)
    base = _UNSAFE.sub("-", base).strip("-.")
    return base or "file"


def _path(digest: str, basename: str) -> str:
    return f"{MEDIA_FOLDER}/{digest[:2]}/{digest[:12]}-{basename}"


@functools.lru_cache(maxsize=CACHE_SIZE)
def media_path(code: str, content_hash: str | None = None) -> str:
    """Path of the file behind an Akeneo media code (`files/apollon/image/apollon.jpg`)."""
    digest = (
        content_hash.lower()
        if content_hash
        else hashlib.sha1(code.encode(), usedforsecurity=False).hexdigest()
    )
    return _path(digest, _basename(code))


@functools.lru_cache(maxsize=CACHE_SIZE)
def asset_media_path(asset_family: str, asset_code: str, filename: str | None = None) -> str:
    """Path of an Asset Manager asset's main media.

    The product value only names the asset, so the path is keyed by family and code; `filename`
    (the media file's name, when the caller knows it) supplies the extension.
    """
    digest = hashlib.sha1(f"asset:{asset_family}/{asset_code}".encode(), usedforsecurity=False).hexdigest()
    return _path(digest, _basename(filename or asset_code))
