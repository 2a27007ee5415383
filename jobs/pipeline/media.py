"""Job 2: images of image attributes and Asset Manager assets, each file shipped once; and
one pricebook (header) per channel currency.

A media file is checked before it is staged: over the configured size limit it is refused
while it streams, and its first bytes must match its attribute (an image attribute's file must
be an image SFCC serves; an asset's file what its media attribute says). A refused file is a
data error naming the media code and its product (or asset); the others go on.

Files are downloaded at once, as many as the configuration says the PIM allows
(`akeneo.concurrency`, Akeneo's limit of concurrent calls per connection), each streamed to
disk on a thread of its own (`jobs.pipeline.concurrent`), so a slow or failing file never
holds the others. Whether a file was already shipped to the target is decided before its
download is queued. The step's own thread handles every result (counters, data errors, the
shipped-media record), so they stay exact; a 429 is retried by the transport, which also keeps
the listing's calls and the downloads together within the limit. What the archive holds never
depends on the order downloads finish: each file has its own path, and the archive is written
in sorted order."""

from __future__ import annotations

from dataclasses import dataclass

from jobs.akeneo.client import MediaDownload
from jobs.akeneo.errors import AkeneoError, AkeneoForeignLink, AkeneoNotFound
from jobs.context import StepContext
from jobs.models import ExitStatus, TransferredMedia
from jobs.pipeline import common
from jobs.pipeline.concurrent import Concurrent, Done
from jobs.sfcc.delivery import DeliveryTarget, delivery_target
from jobs.sfcc.media import HEAD_BYTES, IMAGE, PDF, media_problem
from jobs.sfcc.xml import PricebookWriter
from jobs.transform import asset_media_path, media_path, pricebook_headers
from jobs.transform.shapes import record_name

IMAGE_TYPES = ("pim_catalog_image",)
ASSET_TYPES = ("pim_catalog_asset_collection",)


def target(ctx: StepContext) -> DeliveryTarget:
    """Where this execution ships: its configuration's SFCC instance and catalog, or local."""
    settings = common.import_settings(ctx)
    return delivery_target(settings.delivery, settings.mapping.catalog_id)


def _shipped_codes(ctx: StepContext, kind: str) -> set[str]:
    """Codes already delivered to this target by a successful execution (a failed one's archive
    never landed); another target has none of them."""
    return set(
        TransferredMedia.objects.filter(
            target=target(ctx).key, kind=kind, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
        ).values_list("code", flat=True)
    )


RECORD_BATCH = 200  # shipped files written to the database at a time


def _record(ctx: StepContext, shipped: list[tuple[Media, MediaDownload]]) -> None:
    """Record files as shipped to the target by this execution (one upsert per batch: a query
    per file would hold the step's thread longer than the downloads take)."""
    if not shipped:
        return
    key = target(ctx).key
    TransferredMedia.objects.bulk_create(
        [
            TransferredMedia(target=key, code=media.code, kind=media.kind, path=media.path,
                             sha256=download.sha256, size=download.size, execution=ctx.execution)
            for media, download in shipped
        ],
        update_conflicts=True,
        unique_fields=["target", "code"],
        update_fields=["kind", "path", "sha256", "size", "execution"],
    )  # fmt: skip


def transfer_media(ctx: StepContext) -> None:
    """Every media code used by an image attribute of a product or product model."""
    client = common.akeneo(ctx)
    channel = common.import_settings(ctx).mapping.channel
    image_attributes = [a["code"] for a in common.attributes(ctx) if a.get("type") in IMAGE_TYPES]
    if not image_attributes:
        ctx.info("No image attributes in Akeneo: nothing to transfer")
        return
    seen: set[str] = set()
    listings = [client.product_model_pages, client.product_pages]
    with Transfers(ctx, "media", client.download_media) as transfers:
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
                        transfers.add(Media("media", code, media_path(code), owner, attribute, IMAGE))
    ctx.info(f"{len(seen):,} media files referenced; {ctx.step.write_count:,} transferred "
             f"({transfers.workers} at once), {ctx.step.skip_count:,} already shipped to {target(ctx).label}")  # fmt: skip


@dataclass(frozen=True)
class Media:
    kind: str  # "media" (an image attribute's file) or "asset"
    code: str
    path: str  # under the catalog's static images folder
    owner: str  # how a data error names it: the product, product model or asset
    attribute: str
    expected: str | None  # IMAGE, PDF, or None: no check of the content


def _owner(item: dict) -> str:
    if not isinstance(item, dict) or "identifier" in item or "uuid" in item:
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


class Transfers:
    """The files of one step, downloaded `akeneo.concurrency` at once; see the module's doc.

        with Transfers(ctx, "media", client.download_media) as transfers:
            transfers.add(media)  # skipped when already shipped to the target, else queued

    Leaving the block normally waits for every download; a Stop, a failure or too many data
    errors drops the queued ones and waits for those running."""

    def __init__(self, ctx: StepContext, kind: str, download):
        settings = common.import_settings(ctx)
        self.ctx = ctx
        self.shipped = _shipped_codes(ctx, kind)
        self.images = common.images_dir(ctx)
        self.max_bytes = settings.media_max_bytes
        self.download = download
        self.workers = settings.akeneo.concurrency
        self._shipped: list[tuple[Media, MediaDownload]] = []  # not yet recorded
        self._calls = Concurrent(
            self._fetch, workers=self.workers, check=ctx.check_abort, name="akeneo-media"
        )

    def __enter__(self) -> Transfers:
        self._calls.__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            if error is None:
                for done in self._calls.drain():
                    self._finish(done)
        finally:
            self._calls.__exit__(kind, error, traceback)
            # Also after a Stop: the files counted as written are those recorded.
            _record(self.ctx, self._shipped)
            self._shipped = []

    def add(self, media: Media) -> None:
        self.ctx.check_abort()
        if media.code in self.shipped:
            self.ctx.skipped()
            return
        for done in self._calls.submit(media):
            self._finish(done)

    def _fetch(self, media: Media) -> MediaDownload | str:
        """On a download thread: the file streamed to its place, then its first bytes checked.
        A refused file is removed; returns why it was refused, or the download."""
        staged = self.images / media.path
        staged.parent.mkdir(parents=True, exist_ok=True)
        try:
            download = self.download(media.code, staged, max_bytes=self.max_bytes)
        except AkeneoError:
            staged.unlink(missing_ok=True)
            raise
        with staged.open("rb") as file:
            problem = media_problem(file.read(HEAD_BYTES), media.expected)
        if problem:
            staged.unlink()
            return f"it {problem}"
        return download

    def _finish(self, done: Done[Media, MediaDownload | str]) -> None:
        """On the step's thread: count the file, record it as shipped, or report why not."""
        media, ctx = done.item, self.ctx
        where = f"{media.attribute} {media.code}"
        if done.error is not None:
            if isinstance(done.error, AkeneoForeignLink) or not isinstance(done.error, AkeneoError):
                # Akeneo sending us elsewhere is no missing file, nor is a full disk: the
                # execution stops, ERROR.
                raise done.error
            ctx.data_error(media.owner, f"{where}: {media.kind} file not shipped: {done.error}")
        elif isinstance(done.result, str):
            ctx.data_error(media.owner, f"{where}: {media.kind} file not shipped: {done.result}")
        else:
            self._shipped.append((media, done.result))
            ctx.wrote()
            if len(self._shipped) >= RECORD_BATCH:
                _record(ctx, self._shipped)
                self._shipped = []


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
    with Transfers(ctx, "asset", client.download_asset_media) as transfers:
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
                path = asset_media_path(family, asset["code"])
                transfers.add(Media("asset", code, path, owner, media_attribute, expected))
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
    settings = common.import_settings(ctx)
    channel = common.channel(ctx)
    for header in pricebook_headers(channel.get("currencies") or [], settings.mapping):
        with PricebookWriter(common.pricebooks_dir(ctx) / f"{header.id}.xml", header):
            pass
        ctx.wrote()
        ctx.info(f"Pricebook {header.id} ({header.currency})")
