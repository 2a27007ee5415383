"""Job 2: images of image attributes and Asset Manager assets, each file shipped once; and
one pricebook (header) per channel currency.

A media file is checked before it is staged: over the configured size limit it is refused
while it streams, and its first bytes must match its attribute (an image attribute's file must
be an image SFCC serves; an asset's file what its media attribute says). A refused file is a
data error naming the media code and its product (or asset); the others go on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from jobs.akeneo.errors import AkeneoError, AkeneoForeignLink, AkeneoNotFound
from jobs.context import StepContext
from jobs.models import ExitStatus, TransferredMedia
from jobs.pipeline import common
from jobs.sfcc.delivery import DeliveryTarget, delivery_target
from jobs.sfcc.media import HEAD_BYTES, IMAGE, PDF, media_problem
from jobs.sfcc.xml import PricebookWriter
from jobs.transform import asset_media_path, media_path, pricebook_headers
from jobs.transform.shapes import record_name

IMAGE_TYPES = ("pim_catalog_image",)
ASSET_TYPES = ("pim_catalog_asset_collection",)


def target(ctx: StepContext) -> DeliveryTarget:
    """Where this execution ships: its configuration's SFCC instance and catalog, or local."""
    settings = common.settings(ctx)
    return delivery_target(settings.delivery, settings.mapping.catalog_id)


def _shipped_codes(ctx: StepContext, kind: str) -> set[str]:
    """Codes already delivered to this target by a successful execution (a failed one's archive
    never landed); another target has none of them."""
    return set(
        TransferredMedia.objects.filter(
            target=target(ctx).key, kind=kind, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
        ).values_list("code", flat=True)
    )


def _record(ctx: StepContext, kind: str, code: str, path: str, staged: Path) -> None:
    digest = hashlib.sha256(staged.read_bytes()).hexdigest()
    TransferredMedia.objects.update_or_create(
        target=target(ctx).key,
        code=code,
        defaults={"kind": kind, "path": path, "sha256": digest, "size": staged.stat().st_size,
                  "execution": ctx.execution},
    )  # fmt: skip


def transfer_media(ctx: StepContext) -> None:
    """Every media code used by an image attribute of a product or product model."""
    client = common.akeneo(ctx)
    channel = common.settings(ctx).mapping.channel
    image_attributes = [a["code"] for a in common.attributes(ctx) if a.get("type") in IMAGE_TYPES]
    if not image_attributes:
        ctx.info("No image attributes in Akeneo: nothing to transfer")
        return
    shipped = _shipped_codes(ctx, "media")
    seen: set[str] = set()
    listings = [client.product_model_pages, client.product_pages]
    for pages in listings:
        for page in pages(scope=channel, attributes=image_attributes):
            ctx.check_abort()
            for item in page.items:
                ctx.read()
                owner = _owner(item)
                for attribute, code in _media_codes(item, image_attributes):
                    if code in seen:
                        continue
                    seen.add(code)
                    media = Media("media", code, media_path(code), owner, attribute, IMAGE)
                    _transfer(ctx, media, shipped, client.download_media)
    ctx.info(f"{len(seen):,} media files referenced; {ctx.step.write_count:,} transferred, "
             f"{ctx.step.skip_count:,} already shipped to {target(ctx).label}")  # fmt: skip


@dataclass(frozen=True)
class Media:
    kind: str  # "media" (an image attribute's file) or "asset"
    code: str
    path: str  # under the catalog's static images folder
    owner: str  # how a data error names it: the product, product model or asset
    attribute: str
    expected: str | None  # IMAGE, PDF, or None: no check of the content


def _owner(item: dict) -> str:
    if "identifier" in item or "uuid" in item:
        return record_name(item, "identifier", "product")
    return f"product model {record_name(item, 'code', 'product model')}"


def _media_codes(item: dict, attributes: list[str]):
    """Media codes of one record; a malformed record or value names none (the product import
    reports it as a data error)."""
    values = item.get("values") if isinstance(item, dict) else None
    if not isinstance(values, dict):
        return
    for attribute in attributes:
        entries = values.get(attribute)
        for entry in entries if isinstance(entries, list) else ():
            data = entry.get("data") if isinstance(entry, dict) else None
            if isinstance(data, str) and data:
                yield attribute, data


def _transfer(ctx, media: Media, shipped, download) -> None:
    if media.code in shipped:
        ctx.skipped()
        return
    staged = common.images_dir(ctx) / media.path
    staged.parent.mkdir(parents=True, exist_ok=True)
    where = f"{media.attribute} {media.code}"
    try:
        download(media.code, staged, max_bytes=common.settings(ctx).media_max_bytes)
    except AkeneoForeignLink:
        raise  # Akeneo sending us elsewhere is no missing file: the execution stops, ERROR
    except AkeneoError as exc:  # one missing or refused file must not stop the others
        staged.unlink(missing_ok=True)
        ctx.data_error(media.owner, f"{where}: {media.kind} file not shipped: {exc}")
        return
    with staged.open("rb") as file:
        problem = media_problem(file.read(HEAD_BYTES), media.expected)
    if problem:
        staged.unlink()
        ctx.data_error(media.owner, f"{where}: {media.kind} file not shipped: it {problem}")
        return
    _record(ctx, media.kind, media.code, media.path, staged)
    ctx.wrote()


def transfer_assets(ctx: StepContext) -> None:
    """The main media of every asset of the families that asset-collection attributes use."""
    client = common.akeneo(ctx)
    families = sorted(
        {
            a.get("reference_data_name")
            for a in common.attributes(ctx)
            if a.get("type") in ASSET_TYPES and a.get("reference_data_name")
        }
    )
    if not families:
        ctx.info("No asset collection attributes in Akeneo: nothing to transfer")
        return
    shipped = _shipped_codes(ctx, "asset")
    for family in families:
        media_attribute = _main_media_attribute(client, family)
        expected = _expected_content(ctx, client, family, media_attribute)
        for asset in client.assets(family):
            ctx.check_abort()
            ctx.read()
            owner = f"asset {family}/{asset['code']}"
            code = next((c for _, c in _media_codes(asset, [media_attribute])), None)
            if code is None:
                ctx.data_error(owner, "asset has no main media")
                continue
            media = Media(
                "asset", code, asset_media_path(family, asset["code"]), owner, media_attribute, expected
            )
            _transfer(ctx, media, shipped, client.download_asset_media)
    ctx.info(f"Assets of {', '.join(families)}: {ctx.step.write_count:,} transferred, "
             f"{ctx.step.skip_count:,} already shipped to {target(ctx).label}")  # fmt: skip


def _expected_content(ctx, client, family: str, attribute: str) -> str | None:
    """What the family's main media must be, from its attribute: a `media_file` of media type
    `image` an image, of `pdf` a PDF; anything else (`other`, a link) is not checked."""
    try:
        described = client.asset_attribute(family, attribute)
    except AkeneoNotFound:
        ctx.warning(f"Akeneo does not describe attribute {attribute!r} of asset family {family!r}: "
                 "its files' content is not checked")  # fmt: skip
        return None
    if described.get("type") != "media_file":
        return None
    return {"image": IMAGE, "pdf": PDF}.get(described.get("media_type"))


def _main_media_attribute(client, family: str) -> str:
    for asset_family in client.asset_families():
        if asset_family["code"] == family:
            return asset_family.get("attribute_as_main_media") or "media"
    return "media"


def export_pricebook_headers(ctx: StepContext) -> None:
    """One pricebook per currency of the channel; the product import fills their price tables."""
    settings = common.settings(ctx)
    channel = common.channel(ctx)
    for header in pricebook_headers(channel.get("currencies") or [], settings.mapping):
        with PricebookWriter(common.pricebooks_dir(ctx) / f"{header.id}.xml", header):
            pass
        ctx.wrote()
        ctx.info(f"Pricebook {header.id} ({header.currency})")
