"""Job 2: images of image attributes and Asset Manager assets, each file shipped once; and
one pricebook (header) per channel currency."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jobs.akeneo.errors import AkeneoForeignLink
from jobs.context import StepContext
from jobs.models import ExitStatus, TransferredMedia
from jobs.pipeline import common
from jobs.sfcc.xml import PricebookWriter
from jobs.transform import asset_media_path, media_path, pricebook_headers

IMAGE_TYPES = ("pim_catalog_image",)
ASSET_TYPES = ("pim_catalog_asset_collection",)


def _shipped_codes(kind: str) -> set[str]:
    """Codes already delivered by a successful execution (a failed one's archive never landed)."""
    return set(
        TransferredMedia.objects.filter(
            kind=kind, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
        ).values_list("code", flat=True)
    )


def _record(ctx: StepContext, kind: str, code: str, path: str, target: Path) -> None:
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    TransferredMedia.objects.update_or_create(
        code=code,
        defaults={"kind": kind, "path": path, "sha256": digest, "size": target.stat().st_size,
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
    shipped = _shipped_codes("media")
    seen: set[str] = set()
    listings = [client.product_model_pages, client.product_pages]
    for pages in listings:
        for page in pages(scope=channel, attributes=image_attributes):
            ctx.check_abort()
            for item in page.items:
                ctx.read()
                for code in _media_codes(item, image_attributes):
                    if code in seen:
                        continue
                    seen.add(code)
                    _transfer(ctx, "media", code, media_path(code), shipped, client.download_media)
    ctx.info(f"{len(seen):,} media files referenced; {ctx.step.write_count:,} transferred, "
             f"{ctx.step.skip_count:,} already in SFCC")  # fmt: skip


def _media_codes(item: dict, attributes: list[str]):
    values = item.get("values") or {}
    for attribute in attributes:
        for entry in values.get(attribute) or ():
            if isinstance(entry.get("data"), str) and entry["data"]:
                yield entry["data"]


def _transfer(ctx, kind, code, path, shipped, download) -> None:
    if code in shipped:
        ctx.skipped()
        return
    target = common.images_dir(ctx) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        download(code, target)
    except AkeneoForeignLink:
        raise  # Akeneo sending us elsewhere is no missing file: the execution stops, ERROR
    except Exception as exc:  # one missing file must not stop the others
        target.unlink(missing_ok=True)
        ctx.data_error(code, f"{kind} file could not be downloaded: {exc}")
        return
    _record(ctx, kind, code, path, target)
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
    shipped = _shipped_codes("asset")
    for family in families:
        media_attribute = _main_media_attribute(client, family)
        for asset in client.assets(family):
            ctx.check_abort()
            ctx.read()
            code = next(iter(_media_codes(asset, [media_attribute])), None)
            if code is None:
                ctx.data_error(f"{family}/{asset['code']}", "asset has no main media")
                continue
            path = asset_media_path(family, asset["code"])
            _transfer(ctx, "asset", code, path, shipped, client.download_asset_media)
    ctx.info(f"Assets of {', '.join(families)}: {ctx.step.write_count:,} transferred, "
             f"{ctx.step.skip_count:,} already in SFCC")  # fmt: skip


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
