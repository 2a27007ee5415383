"""Tiny, valid, deterministic images for the demo server and the catalog generator.

An 8×8 image of one colour derived from a seed text (a media code): a PNG, or a baseline JPEG
written by hand (one DC coefficient per component, no AC), with a comment carrying the seed's
hash so two codes never share bytes. The stdlib has no image library, and these few bytes are
all a pipeline test needs: real magic numbers, a real decoder-readable structure, a stable hash.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

SIZE = 8
# JPEG Annex K.3 luminance DC table: code lengths 1..16, then the categories 0..11.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
# Only end-of-block is ever written for AC, so a two-symbol table is enough.
_AC_BITS = (1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_VALUES = (0x00, 0x01)


def colour_for(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return digest[0], digest[1], digest[2]


def image_for(seed: str) -> tuple[bytes, str]:
    """(bytes, content type): a JPEG for `.jpg`/`.jpeg` names, a PNG otherwise."""
    if seed.lower().endswith((".jpg", ".jpeg")):
        return jpeg_for(seed), "image/jpeg"
    return png_for(seed), "image/png"


def png_for(seed: str) -> bytes:
    r, g, b = colour_for(seed)
    row = b"\x00" + bytes((r, g, b)) * SIZE  # filter byte 0, then RGB pixels
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    text = b"Comment\x00" + hashlib.sha256(seed.encode()).hexdigest().encode()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"tEXt", text)
        + _png_chunk(b"IDAT", zlib.compress(row * SIZE, 9))
        + _png_chunk(b"IEND", b"")
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def jpeg_for(seed: str) -> bytes:
    r, g, b = colour_for(seed)
    ycbcr = (
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
    )
    comment = hashlib.sha256(seed.encode()).hexdigest().encode()
    return b"".join(
        (
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, comment),
            _segment(0xDB, b"\x00" + b"\x01" * 64),  # quantisation table 0: all ones
            _segment(0xC0, struct.pack(">BHHB", 8, SIZE, SIZE, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES)),
            _segment(0xC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES)),
            _segment(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00"),
            _entropy_data([round(8 * (min(255.0, max(0.0, c)) - 128)) for c in ycbcr]),
            b"\xff\xd9",
        )
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + struct.pack(">H", len(payload) + 2) + payload


def _huffman_codes(bits: tuple[int, ...], values: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes (JPEG Annex C): symbol → (code, length)."""
    codes, code, k = {}, 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def _entropy_data(dc_values: list[int]) -> bytes:
    """One block per component: the DC difference (from 0), then end-of-block."""
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    eob_code, eob_len = _huffman_codes(_AC_BITS, _AC_VALUES)[0x00]
    bits: list[tuple[int, int]] = []
    for value in dc_values:
        category = abs(value).bit_length()
        bits.append(dc_codes[category])
        if category:
            bits.append((value if value > 0 else value + (1 << category) - 1, category))
        bits.append((eob_code, eob_len))
    acc, n = 0, 0
    for code, length in bits:
        acc, n = (acc << length) | code, n + length
    pad = (-n) % 8
    acc, n = (acc << pad) | ((1 << pad) - 1), n + pad  # pad with one-bits, as the spec asks
    raw = acc.to_bytes(n // 8, "big")
    return raw.replace(b"\xff", b"\xff\x00")  # byte stuffing inside entropy-coded data
