"""library.xml, shared or private, valid against library.xsd; Content definitions in metadata."""

from jobs.sfcc.records import ContentAsset, CustomValue, LibraryFolder
from jobs.sfcc.xml import LibraryWriter, MetadataWriter
from jobs.transform.entities import content_definitions, transform_entity
from tests.transform.factories import config

from .conftest import assert_valid

LIB = "{http://www.demandware.com/xml/impex/library/2006-10-31}"
META = "{http://www.demandware.com/xml/impex/metadata/2006-10-31}"


def test_it_writes_a_shared_library_with_folders_before_content(tmp_path, xsd_dir):
    path = tmp_path / "library.xml"
    with LibraryWriter(path, library_id="RefArchSharedLibrary") as writer:
        writer.content(
            ContentAsset(
                "akeneo_entity_brands_usm",
                {"x-default": "USM"},
                folder_id="akeneo_entity_brands",
                custom=[
                    CustomValue("akeneo_record", "usm"),
                    CustomValue("akeneo_record_values", '{"a":1}', "en-US"),
                ],
            )
        )
        writer.folder(LibraryFolder("akeneo_entity_brands", {"x-default": "Brands"}))
    root = assert_valid(path, "library.xsd").getroot()
    assert root.get("library-id") == "RefArchSharedLibrary"
    assert [child.tag.removeprefix(LIB) for child in root] == ["folder", "content"]
    link = root.find(f"{LIB}content/{LIB}folder-links/{LIB}classification-link")
    assert link.get("folder-id") == "akeneo_entity_brands"


def test_a_private_library_names_no_library_and_records_validate(tmp_path, xsd_dir):
    result = transform_entity(
        {"code": "fabrics", "labels": {}},
        [{"code": "silk", "values": {"label": [{"locale": "fr_FR", "channel": None, "data": "Soie <&>"}]}}],
        config(),
    )
    path = tmp_path / "library.xml"
    with LibraryWriter(path) as writer:
        for folder in result.folders:
            writer.folder(folder)
        for asset in result.assets:
            writer.content(asset)
    root = assert_valid(path, "library.xsd").getroot()
    assert root.get("library-id") is None and writer.content_count == 1
    meta = tmp_path / "meta.xml"
    with MetadataWriter(meta, type_id="Content") as writer:
        for definition in content_definitions(config()):
            writer.attribute(definition)
    extension = assert_valid(meta, "metadata.xsd").getroot().find(f"{META}type-extension")
    assert extension.get("type-id") == "Content"
