"""A media file is recognised by its first bytes: the image formats SFCC serves, PDFs for
PDF assets, and a few words on what a refused file seems to be."""

import pytest

from demo.akeneo.images import image_for
from jobs.sfcc.media import IMAGE, PDF, image_format, media_problem

SIGNATURES = {
    "jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "gif": b"GIF89a\x01\x00\x01\x00",
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "svg": b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
}


@pytest.mark.parametrize("kind", list(SIGNATURES))
def test_it_recognises_each_image_format_sfcc_serves(kind):
    assert image_format(SIGNATURES[kind]) == kind
    assert media_problem(SIGNATURES[kind], IMAGE) is None


def test_it_recognises_the_demo_servers_images():
    assert image_format(image_for("a/b/c/abc_shoe.jpg")[0]) is not None


@pytest.mark.parametrize(
    "head, seems",
    [
        (b"<!DOCTYPE html><html><title>Login</title>", "an HTML page"),
        (b"%PDF-1.4\n", "a PDF"),
        (b"PK\x03\x04zip", "a ZIP archive"),
        (b'{"code": 404}', "JSON"),
        (b"", "an empty file"),
        (b"BM\x00\x00bitmap", "not a known format"),
        (b"<svgx>not svg", "not a known format"),
    ],
)
def test_it_refuses_anything_else_as_an_image_saying_what_it_seems(head, seems):
    assert image_format(head) is None
    problem = media_problem(head, IMAGE)
    assert (
        problem.startswith("is not an image SFCC serves (JPEG, PNG, GIF, WebP or SVG)") and seems in problem
    )


def test_it_wants_a_pdf_only_where_the_attribute_says_pdf():
    assert media_problem(b"%PDF-1.7\n", PDF) is None
    assert media_problem(b"<html><body>", PDF) == "is not a PDF: its content is an HTML page"
    assert media_problem(b"<html><body>", None) is None  # "other" files are not checked
