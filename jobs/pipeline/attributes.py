"""Job 1: PIM attributes, attribute groups and options → custom attribute definitions."""

from __future__ import annotations

from jobs.context import StepContext
from jobs.pipeline import common
from jobs.sfcc.xml import InvalidRecordError, MetadataWriter
from jobs.transform import transform_attributes


def export_attributes(ctx: StepContext) -> None:
    config = common.import_settings(ctx).mapping
    client = common.akeneo(ctx)
    attributes = common.attributes(ctx)
    ctx.set_total(len(attributes))
    options = common.attribute_options(ctx)
    groups = list(client.attribute_groups())
    ctx.read(len(attributes))
    result = transform_attributes(attributes, options, groups, config)
    common.report(ctx, result.problems)
    path = common.staging(ctx) / "meta" / "system-objecttype-extensions.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with MetadataWriter(path) as writer:
        for definition in result.definitions:
            try:
                writer.attribute(definition)
                ctx.wrote()
            except InvalidRecordError as exc:
                ctx.data_error(definition.id, str(exc))
        for group in result.groups:
            writer.group(group)
    option_count = sum(len(values) for values in options.values())
    ctx.info(
        f"{len(result.definitions):,} attribute definitions with {option_count:,} options "
        f"and {len(result.groups):,} groups written"
    )
