"""Site import archives: one top folder, SFCC's layout, split above the size limit."""

import os
import zipfile

import pytest

from jobs.sfcc.archive import DEFAULT_MAX_BYTES, ArchiveError, build_archives


def stage(root, images=0, image_size=1000):
    files = {
        "meta/system-objecttype-extensions.xml": b"<metadata/>",
        "catalogs/akeneo-master/catalog.xml": b"<catalog>" + b"<product/>" * 5000 + b"</catalog>",
        "pricebooks/akeneo-eur-list-prices.xml": b"<pricebooks/>",
        "pricebooks/akeneo-usd-list-prices.xml": b"<pricebooks/>",
    }
    for i in range(images):
        files[f"catalogs/akeneo-master/static/default/images/akeneo/{i:02x}/img{i}.jpg"] = os.urandom(
            image_size
        )
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def contents(archive):
    with zipfile.ZipFile(archive.path) as zf:
        assert zf.testzip() is None
        return {info.filename: zf.read(info) for info in zf.infolist()}


def test_it_builds_one_archive_with_one_top_folder(tmp_path):
    files = stage(tmp_path / "staging", images=3)
    [archive] = build_archives(tmp_path / "staging", tmp_path / "out", "akeneo_20240101")
    assert archive.path == tmp_path / "out" / "akeneo_20240101.zip"
    entries = contents(archive)
    assert entries == {f"akeneo_20240101/{name}": content for name, content in files.items()}
    assert archive.entries[0] == "akeneo_20240101/meta/system-objecttype-extensions.xml"
    assert archive.entries[1] == "akeneo_20240101/catalogs/akeneo-master/catalog.xml"
    assert DEFAULT_MAX_BYTES == 190 * 1024 * 1024


def test_it_splits_media_across_valid_parts_above_the_limit(tmp_path):
    files = stage(tmp_path / "staging", images=40, image_size=10_000)
    limit = 60_000
    parts = build_archives(tmp_path / "staging", tmp_path / "out", "X", max_bytes=limit)

    assert [p.name for p in parts] == ["X.zip"] + [f"X-{i}.zip" for i in range(2, len(parts) + 1)]
    assert len(parts) >= 7
    seen = {}
    for part in parts:
        assert part.size <= limit
        folder = part.name.removesuffix(".zip")
        for arcname, content in contents(part).items():
            assert arcname.startswith(f"{folder}/")
            relative = arcname.removeprefix(f"{folder}/")
            assert relative not in seen
            seen[relative] = content
    assert seen == files
    first = {e.split("/", 1)[1] for e in parts[0].entries}
    assert {name for name in files if name.endswith(".xml")} <= first


def test_it_gives_a_file_above_the_limit_a_part_of_its_own(tmp_path):
    stage(tmp_path / "staging", images=2, image_size=50_000)
    parts = build_archives(tmp_path / "staging", tmp_path / "out", "X", max_bytes=30_000)
    media_parts = [p for p in parts if any(e.endswith(".jpg") for e in p.entries)]
    assert [len(p.entries) for p in media_parts] == [1, 1]


def test_it_refuses_an_empty_staging_directory(tmp_path):
    (tmp_path / "staging").mkdir()
    with pytest.raises(ArchiveError):
        build_archives(tmp_path / "staging", tmp_path / "out", "X")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
