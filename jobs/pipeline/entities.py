"""Job 4: Akeneo reference entities and their records → content assets of a content library,
with the `Content` custom attributes they carry (see `jobs.transform.entities`). Run on its own
it needs a library; run by a flow without one, it imports nothing and ends OK."""

from __future__ import annotations

from jobs.akeneo.errors import AkeneoNotFound
from jobs.context import StepContext
from jobs.pipeline import common
from jobs.sfcc.xml import InvalidRecordError, LibraryWriter, MetadataWriter
from jobs.transform import Problem
from jobs.transform.entities import content_definitions, transform_entity


def export_reference_entities(ctx: StepContext) -> None:
    config = common.import_settings(ctx).mapping
    where = config.library_path()
    if where is None:
        if ctx.execution.parent_id:
            # A flow runs every job; a site without a content library imports no entities.
            ctx.info(
                "No content library is configured (mapping.content_library or mapping.content_site): "
                "reference entities are not imported"
            )
            return
        raise common.ConfigurationProblem(
            "Say where reference entities go: mapping.content_library (a shared library) "
            "or mapping.content_site (a site's private library)"
        )
    path, library_id = where
    client = common.akeneo(ctx)
    try:
        entities = list(client.reference_entities())
    except AkeneoNotFound:
        ctx.info("This Akeneo has no reference entities (an Enterprise and SaaS feature): nothing to import")
        return
    staging = common.staging(ctx)
    with MetadataWriter(staging / "meta" / "system-objecttype-extensions.xml", type_id="Content") as meta:
        for definition in content_definitions(config):
            meta.attribute(definition)
    with LibraryWriter(staging / path, library_id=library_id) as library:
        for entity in entities:
            ctx.check_abort()
            if not isinstance(entity, dict) or not isinstance(entity.get("code"), str) or not entity["code"]:
                common.report(
                    ctx, [Problem("reference entity", "malformed reference entity; skipped", fatal=True)]
                )
                continue
            records = client.reference_entity_records(
                entity["code"], channel=config.channel, locales=list(config.locales)
            )
            result = transform_entity(entity, records, config)
            common.report(ctx, result.problems)
            for folder in result.folders:
                library.folder(folder)
            for asset in result.assets:
                ctx.read()
                try:
                    library.content(asset)
                    ctx.wrote()
                except InvalidRecordError as exc:
                    ctx.data_error(asset.id, str(exc))
                    ctx.skipped()
    ctx.info(
        f"{library.folder_count:,} reference entities → {library.content_count:,} content assets in "
        + (
            f"the shared library {library_id!r}"
            if library_id
            else f"the private library of site {config.content_site!r}"
        )
    )
