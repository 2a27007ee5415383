"""Jobs 3-1 and 3-2: categories, products, product models (masters, variation groups,
variants), category assignments, links, bundles, image groups and price tables.

Products stream page by page from Akeneo through the transformer into the catalog writer,
fetched over several concurrent streams meanwhile (`jobs.pipeline.partitioned`): memory holds
what masters need (ids and axis values), never the products; root product models wait on disk
for their masters to be written. The differential job asks only for what changed since the
watermark.

Products go to the master catalog (`mapping.catalog_id`); categories and assignments go to each
storefront catalog of `catalogs.storefronts`, or to the master catalog when none is listed
(`jobs.transform.sites`). Each catalog is its own `catalogs/<id>/catalog.xml`. What the previous
import to the target exported and this one does not is removed (`removals`).
"""

from __future__ import annotations

import gc
import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from jobs.config.values import akeneo_datetime
from jobs.context import StepContext
from jobs.models import JobExecution, Watermark
from jobs.pipeline import common, removals
from jobs.pipeline.partitioned import PRODUCT_MODELS, PRODUCTS, listing, plan_listing
from jobs.sfcc.delivery import delivery_target
from jobs.sfcc.records import CatalogHeader, CategoryAssignment, Mode, Product
from jobs.sfcc.xml import CatalogWriter, InvalidRecordError, PricebookWriter
from jobs.transform import (
    MasterAccumulator,
    ProductResult,
    ProductTransformer,
    model_problem,
    pricebook_header,
    product_problem,
)
from jobs.transform import transform_categories as categories_from_akeneo
from jobs.transform.sites import Placement, RemovedProducts

WATERMARK = "products"
# Collect the youngest generation every 20,000 allocations instead of 700 while products
# stream: each product allocates hundreds of short-lived, acyclic objects (freed by reference
# counting anyway), and the collector's passes over them cost 15% of a full import.
GC_YOUNG_THRESHOLD = 20_000
CHUNK = 100  # codes per `IN` filter: Akeneo's page size


def export_categories(ctx: StepContext) -> None:
    """Each storefront's categories (or the channel's tree, for the master catalog) and where
    a product's categories place it (`Placement`)."""
    settings = common.import_settings(ctx)
    layout = settings.catalogs
    client = common.akeneo(ctx)
    channel = common.channel(ctx)
    akeneo_categories = list(client.categories())
    ctx.read(len(akeneo_categories))
    trees = [(s.catalog_id, s.category) for s in layout.storefronts] or [(None, channel["category_tree"])]
    categories, ids, reported = {}, {}, set()
    for catalog_id, tree in trees:
        result = categories_from_akeneo(
            akeneo_categories, tree, settings.mapping,
            online=layout.categories_online, positions=layout.category_positions,
        )  # fmt: skip
        # A broken category is reported once, not once per storefront.
        fresh = [p for p in result.problems if (p.identifier, p.message) not in reported]
        reported.update((p.identifier, p.message) for p in fresh)
        common.report(ctx, fresh)
        categories[catalog_id] = result.categories if layout.write_categories else []
        ids[catalog_id] = result.ids
        where = f"storefront catalog {catalog_id!r}" if catalog_id else "the catalog"
        written = "" if layout.write_categories else " (not written: assignments only)"
        ctx.info(f"{len(result.categories):,} categories of {tree!r} for {where}{written}")
        ctx.wrote(len(categories[catalog_id]))
    ctx.state["categories"] = categories
    ctx.state["placement"] = Placement.of(ids, primary=layout.primary_category)


class Export:
    """One catalog.xml and its pricebooks, written as results stream in."""

    def __init__(self, ctx: StepContext, stack: ExitStack):
        self.ctx = ctx
        settings = common.import_settings(ctx)
        self.config = settings.mapping
        client = common.akeneo(ctx)
        attributes = common.attributes(ctx)
        options = common.attribute_options(ctx)
        families = list(client.families())
        self.families = {f["code"].lower() for f in families}
        variants = [
            variant
            for found in client.gather(
                {f["code"]: lambda code=f["code"]: list(client.family_variants(code)) for f in families}
            ).values()
            for variant in found
        ]
        channel = common.channel(ctx)
        self.transformer = ProductTransformer(
            self.config, attributes, options, variants, {},
            known_locales=[locale["code"] for locale in client.locales(enabled_only=False)],
            currencies=channel.get("currencies") or [],
            placement=ctx.state.get("placement"),
            records=common.record_labels(ctx),
        )  # fmt: skip
        common.report(ctx, self.transformer.mapping_problems)
        header = CatalogHeader(
            catalog_id=self.config.catalog_id,
            view_types=sorted(
                {*self.config.image_view_types.values(), *self.config.asset_view_types.values()}
            ),
        )
        self.catalog = stack.enter_context(
            CatalogWriter(common.catalog_dir(self.ctx) / "catalog.xml", header)
        )
        # Storefront catalogs by id; None is the master catalog (categories of a single site).
        self.catalogs: dict[str | None, CatalogWriter] = {None: self.catalog}
        for storefront in settings.catalogs.storefronts:
            path = common.staging(ctx) / "catalogs" / storefront.catalog_id / "catalog.xml"
            path.parent.mkdir(parents=True, exist_ok=True)
            self.catalogs[storefront.catalog_id] = stack.enter_context(
                CatalogWriter(path, CatalogHeader(catalog_id=storefront.catalog_id))
            )
        # With storefronts, a product's recommendations go to each storefront catalog it is in
        # (SFRA's demo data keeps them in the storefront catalog); those of a product in no
        # storefront are counted, not written.
        self.storefronts = bool(settings.catalogs.storefronts)
        self.unplaced_recommendations = 0
        for catalog_id, categories in ctx.state.get("categories", {}).items():
            for category in categories:
                self.catalogs[catalog_id].category(category)
        self.removal_mode = settings.catalogs.removed_products
        self.target = delivery_target(settings.delivery, self.config.catalog_id).key
        self.previous, previous = removals.previous_products(self.target, ctx.execution)
        self.tracker = stack.enter_context(
            removals.Tracker(previous, differential=False, directory=ctx.workdir)
        )
        self.removed_count = self.unassigned_count = 0
        # Catalogs of the previous import's assignments that are no longer configured → how
        # many of their assignments this import deletes.
        self.dropped: dict[str, int] = {}
        # One pricebook per exported currency: the configured ones, else the channel's. The
        # transformer leaves out prices in any other currency; they are counted for the log.
        currencies = self.config.currencies or channel.get("currencies") or []
        self.headers = {self.config.pricebook_id(c): pricebook_header(c, self.config) for c in currencies}
        self.unpriced: Counter[str] = Counter()
        self.pricebooks: dict[str, PricebookWriter] = {}
        self.stack = stack
        self.masters = stack.enter_context(MasterAccumulator(directory=ctx.workdir))

    def emit(self, result: ProductResult) -> None:
        common.report(self.ctx, result.problems)
        self.unpriced.update(result.unpriced)
        if result.product is None:
            if result.skipped:
                self.ctx.skipped()
                self.tracker.skipped(result.identifier)
            return
        product = result.product
        try:
            self.catalog.product(product, recommendations=not self.storefronts)
        except InvalidRecordError as exc:
            self.ctx.data_error(result.identifier, str(exc))
            self.ctx.skipped()
            self.tracker.skipped(result.identifier)
            return
        if self.storefronts and product.recommendations:
            # Checked with the product above: these writes cannot fail.
            placed = [self.catalogs[c] for c in sorted(filter(None, result.catalogs))]
            for writer in placed:
                writer.recommend(product.id, product.recommendations)
            if not placed:
                self.unplaced_recommendations += len(product.recommendations)
        for assignment in result.assignments:
            self.catalogs[assignment.catalog_id].assignment(assignment)
        self.tracker.exported(
            result.product.id,
            ((a.catalog_id or self.config.catalog_id, a.category_id) for a in result.assignments),
        )
        for pricebook_id, table in result.prices:
            self._pricebook(pricebook_id).price(table)
        self.ctx.wrote()

    def _unassign(self, product_id: str, assignments: list[tuple[str, str]]) -> None:
        """Delete assignments the previous import wrote. One in a storefront catalog no longer
        configured is deleted there too: the archive gets a `catalog.xml` for that catalog with
        the deletions only (the site keeps no assignment this import cannot see)."""
        for catalog_id, category_id in assignments:
            key = None if catalog_id == self.config.catalog_id else catalog_id
            writer = self.catalogs.get(key) or self._dropped_catalog(key)
            writer.assignment(CategoryAssignment(product_id, category_id, mode=Mode.DELETE))
            self.unassigned_count += 1
            if key in self.dropped:
                self.dropped[key] += 1

    def _dropped_catalog(self, catalog_id: str) -> CatalogWriter:
        path = common.staging(self.ctx) / "catalogs" / catalog_id / "catalog.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = self.catalogs[catalog_id] = self.stack.enter_context(
            CatalogWriter(path, CatalogHeader(catalog_id=catalog_id))
        )
        self.dropped[catalog_id] = 0
        return writer

    def remove(self, candidates: set[str] | None = None) -> None:
        """Products the previous import to this target exported and this one does not: set
        offline (their assignments deleted), deleted, or kept, as configured. Then store what
        the target holds now. First, the assignments exported products no longer have are
        deleted."""
        for product_id, stale in self.tracker.unassigned():
            self._unassign(product_id, stale)
        removed = self.tracker.removed(candidates)
        removed_ids = [] if self.removal_mode == RemovedProducts.KEEP else sorted(removed)
        for product_id in removed_ids:
            if self.removal_mode == RemovedProducts.DELETE:
                self.catalog.product(Product(id=product_id, mode=Mode.DELETE))
            else:
                self.catalog.product(Product(id=product_id, online=False))
                self._unassign(product_id, removed[product_id])
        self.removed_count = len(removed_ids)
        if removed_ids:
            verb = "deleted" if self.removal_mode == RemovedProducts.DELETE else "set offline"
            shown = ", ".join(removed_ids[:10]) + (", …" if len(removed_ids) > 10 else "")
            self.ctx.info(
                f"{len(removed_ids):,} products exported to {self.target} by execution "
                f"#{self.previous.execution_id} and not by this one are {verb}: {shown}"
            )
        elif removed:
            self.ctx.info(f"{len(removed):,} products no longer exported are left as they are (configured)")
        snapshot = self.tracker.snapshot(removed)
        removals.save(self.target, self.ctx.execution, snapshot, self.previous.pk if self.previous else None)

    def _pricebook(self, pricebook_id: str) -> PricebookWriter:
        writer = self.pricebooks.get(pricebook_id)
        if writer is None:
            header = self.headers[pricebook_id]  # the transformer prices exported currencies only
            path = common.pricebooks_dir(self.ctx) / f"{pricebook_id}.xml"
            writer = self.pricebooks[pricebook_id] = self.stack.enter_context(PricebookWriter(path, header))
        return writer

    def query(self) -> dict:
        return {"scope": self.config.channel, "locales": list(self.config.locales)}

    def models(self, pages: Iterable, *, write_groups: bool = True) -> RootModels:
        """Feed product models to the accumulator; returns the root models (kept for masters)."""
        roots = self.stack.enter_context(RootModels(self.ctx.workdir))
        for page in pages:
            self.ctx.check_abort()
            self._count(page)
            for model in page.items:
                self.ctx.read()
                result = self.transformer.add_model(model, self.masters)
                if write_groups:
                    self.emit(result)
                else:
                    common.report(self.ctx, [p for p in result.problems if p.fatal])
                    if result.skipped:
                        self.ctx.skipped()
                if not result.skipped and not model.get("parent"):
                    roots.append(model)
        return roots

    def _count(self, page) -> None:
        """Add a listing's count to the step's total for the progress bar (only its first page
        carries one: the client asks for it once)."""
        if page.items_count is not None:
            self.ctx.set_total((self.ctx.step.total or 0) + page.items_count)

    def products(self, pages: Iterable, skip: set[str] | None = None) -> None:
        for page in pages:
            self.ctx.check_abort()
            self._count(page)
            for product in page.items:
                if skip is not None and isinstance(product, dict) and product.get("identifier") in skip:
                    continue
                self.ctx.read()
                result = self.transformer.product(product, self.masters)
                family = None if result.skipped else product.get("family")
                if family and family.lower() not in self.families:
                    self.ctx.data_error(result.identifier, f"unknown family {family!r}; imported without it")
                self.emit(result)

    def write_masters(self, roots: Iterable[dict]) -> None:
        for root in roots:
            self.emit(self.transformer.master(root, self.masters))
        common.report(self.ctx, self.masters.unresolved())

    def finish(self) -> None:
        """The step's last lines: prices left out, what was written, and whether too many
        items failed for the import to count (see `common.check_failed_items`)."""
        for catalog_id, count in sorted(self.dropped.items()):
            self.ctx.info(
                f"{count:,} category assignments deleted in catalog {catalog_id!r}, which is no longer "
                "a configured storefront"
            )
        for currency, count in sorted(self.unpriced.items()):
            self.ctx.info(
                f"{count:,} price{'s' if count != 1 else ''} in {currency} not exported: {currency} is not a currency of "
                f"{'the configuration' if self.config.currencies else 'the channel ' + repr(self.config.channel)}"
            )
        self.ctx.info(self.summary())
        common.check_failed_items(self.ctx)

    def summary(self) -> str:
        """`catalog.xml: …` for one site; `<id>/catalog.xml: …` per catalog for several."""
        if not self.storefronts:
            c = self.catalog
            parts = [
                f"catalog.xml: {c.category_count:,} categories, {c.product_count:,} products, "
                f"{c.assignment_count:,} category assignments, {c.recommendation_count:,} recommendations"
            ]
        else:
            parts = [f"{self.config.catalog_id}/catalog.xml: {self.catalog.product_count:,} products"]
            parts += [
                f"{catalog_id}/catalog.xml: {c.category_count:,} categories, "
                f"{c.assignment_count:,} category assignments, {c.recommendation_count:,} recommendations"
                for catalog_id, c in self.catalogs.items()
                if catalog_id is not None and catalog_id not in self.dropped
            ]
            if self.unplaced_recommendations:
                parts.append(
                    f"{self.unplaced_recommendations:,} recommendations of products in no storefront "
                    "not written"
                )
        if self.removed_count or self.unassigned_count:
            parts.append(
                f"{self.removed_count:,} removed products, {self.unassigned_count:,} assignments deleted"
            )
        return "; ".join(parts) + f"; {len(self.pricebooks)} pricebooks"


@contextmanager
def _fewer_collections():
    young, *older = gc.get_threshold()
    gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), *older)
    try:
        yield
    finally:
        gc.set_threshold(young, *older)


def export_products_full(ctx: StepContext) -> None:
    """Every product model, then every product, each listing over `akeneo.concurrency` streams
    split by `updated` (`jobs.pipeline.partitioned`). The ranges end at the execution's start,
    which is also the watermark it leaves: a record changed during the import is exported once,
    as it was when its range read it or as it is after the change, and the next differential run
    exports it again with its changes."""
    settings = common.import_settings(ctx)
    client = common.akeneo(ctx)
    channel = settings.mapping.channel
    split = {
        "streams": settings.akeneo.concurrency,
        "until": ctx.execution.started or timezone.now(),
        "workdir": ctx.workdir,
        "log": ctx.info,
    }
    model_search = settings.model_filters.akeneo_search(channel=channel)
    product_search = settings.product_filters.akeneo_search(channel=channel)
    with ExitStack() as stack, _fewer_collections():
        # The listings' ranges are counted while the structure is read (their calls share
        # the client's limit): the counting rounds overlap instead of waiting their turn.
        planner = stack.enter_context(ThreadPoolExecutor(max_workers=2, thread_name_prefix="akeneo-plan"))
        plans = {
            kind: planner.submit(
                plan_listing, client, kind, search, streams=split["streams"], until=split["until"]
            )
            for kind, search in ((PRODUCT_MODELS, model_search), (PRODUCTS, product_search))
        }
        export = Export(ctx, stack)
        with listing(
            client,
            PRODUCT_MODELS,
            model_search,
            query=export.query(),
            planned=plans[PRODUCT_MODELS].result(),
            **split,
        ) as pages:
            roots = export.models(pages)
        with listing(
            client, PRODUCTS, product_search, query=export.query(), planned=plans[PRODUCTS].result(), **split
        ) as pages:
            export.products(pages)
        export.write_masters(roots)
        export.remove()
        export.finish()


def export_products_differential(ctx: StepContext) -> None:
    watermark = Watermark.objects.filter(key=WATERMARK).first()
    if watermark is None:
        ctx.info("No product import has succeeded yet: exporting the whole catalog")
        export_products_full(ctx)
        return
    since = watermark.value
    ctx.info(
        f"Exporting what changed since {since:%Y-%m-%d %H:%M:%S %Z} (start of execution #{watermark.execution_id})"
    )
    _export_changes(ctx, since)


def _export_changes(ctx: StepContext, since: datetime) -> None:
    """Changed products and models; every variant of a changed model (or of a model that has
    a new variant) is exported again with its master, so the master lists them all."""
    settings = common.import_settings(ctx)
    client = common.akeneo(ctx)
    channel = settings.mapping.channel
    with ExitStack() as stack, _fewer_collections():
        export = Export(ctx, stack)
        export.tracker.differential = True
        changed_models = list(
            client.product_models(settings.model_filters.akeneo_search(channel=channel, updated_after=since))
        )
        changed_products = list(
            client.products(
                settings.product_filters.akeneo_search(channel=channel, updated_after=since), **export.query()
            )
        )
        ctx.info(f"{len(changed_models):,} product models and {len(changed_products):,} products changed")
        # Malformed records are reported by the transformer; only well-formed ones name families.
        malformed = [m for m in changed_models if model_problem(m) is not None]
        changed_models = [m for m in changed_models if model_problem(m) is None]
        if malformed:
            export.models([_InHand(malformed)], write_groups=False)
        roots = {(m.get("parent") or m.get("code")) for m in changed_models}
        roots |= {
            _root_of(client, p["parent"])
            for p in changed_products
            if product_problem(p) is None and p.get("parent") and _is_new(p, since)
        }
        roots.discard(None)
        roots.discard("")
        exported: set[str] = set()
        if roots:
            exported = _export_families(ctx, export, sorted(roots))
        alone = [
            p for p in changed_products if not isinstance(p, dict) or p.get("identifier") not in exported
        ]
        _load_parents(
            client, export, {p["parent"] for p in alone if product_problem(p) is None and p.get("parent")}
        )
        export.products([_InHand(alone)])
        export.remove(_changed_unfiltered(client, export, since))
        export.finish()


def _changed_unfiltered(client, export: Export, since: datetime) -> set[str] | None:
    """Ids of what changed since the watermark whatever the filters say: those the previous
    import exported and this one did not were moved out of scope (disabled, reclassified).
    Not asked when there is nothing to compare with or removals are left alone."""
    if export.tracker.previous is None or export.removal_mode == RemovedProducts.KEEP:
        return set()
    search = {"updated": [{"operator": ">", "value": akeneo_datetime(since)}]}
    ids = {p["identifier"] for p in client.products(search, **export.query()) if _named(p, "identifier")}
    ids |= {m["code"] for m in client.product_models(search) if _named(m, "code")}
    return ids


def _named(record, key: str) -> bool:
    return isinstance(record, dict) and isinstance(record.get(key), str) and bool(record[key])


def _export_families(ctx, export: Export, roots: list[str]) -> set[str]:
    """Roots, their sub-models and all their variants; returns the variants' identifiers."""
    client = common.akeneo(ctx)
    models = []
    for start in range(0, len(roots), CHUNK):
        chunk = roots[start : start + CHUNK]
        models += [client.product_model(code) for code in chunk]
        models += list(
            client.product_models({"parent": [{"operator": "IN", "value": chunk}]}, **export.query())
        )
    root_models = export.models([_InHand(models)])
    codes = [m["code"] for m in models if model_problem(m) is None and m.get("code")]
    exported: set[str] = set()
    for start in range(0, len(codes), CHUNK):
        search = {"parent": [{"operator": "IN", "value": codes[start : start + CHUNK]}]}
        for page in client.product_pages(search, **export.query()):
            exported.update(
                p["identifier"] for p in page.items if product_problem(p) is None and p.get("identifier")
            )
            export.products([page])
    export.write_masters(root_models)
    return exported


def _load_parents(client, export: Export, parents: set[str]) -> None:
    """The model chain of changed variants whose models did not change: the transformer
    needs them, but they are not written again."""
    wanted = sorted(parents)
    seen: set[str] = set()
    models = []
    while wanted:
        code = wanted.pop()
        if code.lower() in seen:
            continue
        seen.add(code.lower())
        model = client.product_model(code)
        models.append(model)
        if model_problem(model) is None and model.get("parent"):
            wanted.append(model["parent"])
    # Roots first: a sub-model's parent must be known when it is added.
    models.sort(key=lambda m: not isinstance(m, dict) or m.get("parent") is not None)
    export.models([_InHand(models)], write_groups=False)


def _root_of(client, code: str) -> str | None:
    model = client.product_model(code)
    if model_problem(model) is not None:
        return None  # reported when its variants are transformed: the parent chain is broken
    return model.get("parent") or model.get("code")


def _is_new(product: dict, since: datetime) -> bool:
    created = product.get("created")
    try:
        return bool(created) and datetime.fromisoformat(created) > since
    except (TypeError, ValueError):  # not a date: the product is exported anyway, as changed
        return False


class RootModels:
    """Root product models on disk (JSON lines in a temporary file) until their masters are
    written, after every variant has streamed by: memory does not grow with the catalog."""

    def __init__(self, directory: Path):
        self._file = tempfile.TemporaryFile(dir=directory, prefix=".root-models-")  # noqa: SIM115
        self.count = 0

    def __enter__(self) -> RootModels:
        return self

    def __exit__(self, *exc) -> None:
        self._file.close()

    def append(self, model: dict) -> None:
        self._file.write(json.dumps(model, ensure_ascii=False, separators=(",", ":")).encode())
        self._file.write(b"\n")
        self.count += 1

    def __iter__(self) -> Iterator[dict]:
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, 2)  # back to the end: more may be appended


class _InHand:
    """Items already in hand, shaped as a page of the client."""

    items_count = None

    def __init__(self, items: list[dict]):
        self.items = items


def advance_watermark(execution: JobExecution) -> None:
    """Called when a product import ends OK or WARN: the next differential run asks for what
    changed since this one STARTED, so changes made during it are not lost in a gap."""
    Watermark.objects.update_or_create(
        key=WATERMARK, defaults={"value": execution.started, "execution": execution}
    )
