"""The Akeneo import jobs of DESIGN §2, and the reference entities' own job: ids, steps and
the SFCC resources they lock."""

from jobs.pipeline.attributes import export_attributes
from jobs.pipeline.delivery import build_archive, deliver_archive
from jobs.pipeline.entities import export_reference_entities
from jobs.pipeline.media import export_pricebook_headers, transfer_assets, transfer_media
from jobs.pipeline.products import (
    advance_watermark,
    export_categories,
    export_products_differential,
    export_products_full,
)
from jobs.registry import Job, Step, register

ATTRIBUTES = "1- Akeneo-Import-Attributes"
MEDIA_PRICEBOOK = "2- Akeneo-Import-Media-Assets-Pricebook"
DIFFERENTIAL_PRODUCTS = "3-1- Akeneo-Differential-Import-Products"
FULL_PRODUCTS = "3-2- Akeneo-Full-Import-Products"
REFERENCE_ENTITIES = "4- Akeneo-Import-Reference-Entities"

IMPORT_ORDER = "1, then 2, then 3-1 (differential) or 3-2 (full)"

deliver = [
    Step("build-archive", build_archive, "Zip the staged files into a site import archive"),
    Step("deliver-archive", deliver_archive, "Keep the archive, or upload and import it into SFCC"),
]

register(
    Job(
        id=ATTRIBUTES,
        description="PIM attributes, attribute groups and options → SFCC custom attribute definitions",
        steps=(
            Step("export-attributes", export_attributes, "Attributes, options and groups → metadata"),
            *deliver,
        ),
        locks=frozenset({"metadata"}),
        order=IMPORT_ORDER,
    )
)
register(
    Job(
        id=MEDIA_PRICEBOOK,
        description="Images of image and asset attributes, and one pricebook per channel currency",
        steps=(
            Step("transfer-media", transfer_media, "Download new or changed images, once each"),
            Step("transfer-assets", transfer_assets, "Download new or changed asset media"),
            Step("export-pricebooks", export_pricebook_headers, "One pricebook per currency"),
            *deliver,
        ),
        locks=frozenset({"media", "pricebook"}),
        order=IMPORT_ORDER,
    )
)
for job_id, description, full in [
    (
        DIFFERENTIAL_PRODUCTS,
        "Categories, products, models, links and prices changed since the last import",
        False,
    ),
    (FULL_PRODUCTS, "Categories, products, product models, associations and prices: the whole catalog", True),
]:
    register(
        Job(
            id=job_id,
            description=description,
            steps=(
                Step("export-categories", export_categories, "The channel's category tree"),
                Step(
                    "export-products",
                    export_products_full if full else export_products_differential,
                    "Products, masters, variants, assignments, links, images and prices",
                ),
                *deliver,
            ),
            locks=frozenset({"catalog", "pricebook"}),
            order=IMPORT_ORDER,
            on_success=advance_watermark,
        )
    )
register(
    Job(
        id=REFERENCE_ENTITIES,
        description="Reference entities and their records → content assets of a content library",
        steps=(
            Step(
                "export-reference-entities",
                export_reference_entities,
                "Entities → library folders, records → content assets",
            ),
            *deliver,
        ),
        # Its Content attribute definitions go to the metadata, as job 1's do.
        locks=frozenset({"metadata", "library"}),
        order="after 1 (independent of the product imports)",
    )
)
