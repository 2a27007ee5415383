"""What SFCC is given as a media file: recognised by its first bytes, never by its name.

Product images are served from the catalog's static folder and resized by the Dynamic Imaging
Service, whose documented formats are JPEG, PNG, GIF and WebP; SVG is served as it is. An asset
whose attribute says PDF must be a PDF; other files are not checked. Pure: bytes in, words out.
"""

from __future__ import annotations

import re

IMAGE = "image"
PDF = "pdf"
HEAD_BYTES = 4096  # enough for every signature here, and for an SVG's prolog

IMAGE_FORMATS = "JPEG, PNG, GIF, WebP or SVG"
_SVG = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<!DOCTYPE[^>]*>)\s*)*<svg[\s>/]",
    re.IGNORECASE | re.DOTALL,
)


def image_format(head: bytes) -> str | None:
    """`jpg`, `png`, `gif`, `webp` or `svg` from a file's first bytes; None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if _SVG.match(head):
        return "svg"
    return None


def looks_like(head: bytes) -> str:
    """A few words on what a refused file seems to be, for the data error."""
    text = head.lstrip().lower()
    if not head:
        return "an empty file"
    if text.startswith((b"<!doctype html", b"<html")) or b"<body" in text[:1024]:
        return "an HTML page"
    if head.startswith(b"%PDF-"):
        return "a PDF"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive"
    if text.startswith((b"{", b"[")):
        return "JSON"
    return "not a known format"


def media_problem(head: bytes, expected: str | None) -> str | None:
    """Why a file is not what its attribute promises, or None when it is (or nothing is promised)."""
    if expected == IMAGE and image_format(head) is None:
        return f"is not an image SFCC serves ({IMAGE_FORMATS}): its content is {looks_like(head)}"
    if expected == PDF and not head.startswith(b"%PDF-"):
        return f"is not a PDF: its content is {looks_like(head)}"
    return None
