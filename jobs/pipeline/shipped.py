"""The record of media files shipped per delivery target, as pages see and reset it.

"Ship all media again" forgets what was shipped to the target in force (a refreshed sandbox
lost its images; a catalog was rebuilt): the next run of job 2 downloads and ships every file.
"""

from __future__ import annotations

from django.db import transaction

from jobs import audit, selectors
from jobs.config.services import in_force
from jobs.models import AuditEntry, ExitStatus, TransferredMedia
from jobs.pipeline.definitions import MEDIA_PRICEBOOK
from jobs.sfcc.delivery import DeliveryTarget, delivery_target


class MediaBusy(Exception):
    """An execution holding the media lock would ship on with what it already read."""


def target_in_force() -> DeliveryTarget:
    """The target of the configuration in force (its non-secret fields are enough)."""
    document, _ = in_force()
    return delivery_target(document["delivery"], document["mapping"]["catalog_id"])


def shipped_count(target: DeliveryTarget) -> int:
    return TransferredMedia.objects.filter(
        target=target.key, execution__exit_status__in=[ExitStatus.OK, ExitStatus.WARN]
    ).count()


def forget_shipped_media(*, user) -> tuple[DeliveryTarget, int]:
    """Forget every file shipped to the target in force; audited. Refused while job 2 (or
    anything holding the media lock) runs: it read the record at its start."""
    holder = selectors.held_locks().get("media")
    if holder is not None:
        raise MediaBusy(
            f"{holder.job_id} is running as execution #{holder.pk}: ship all media again once it has finished."
        )
    target = target_in_force()
    with transaction.atomic():
        count, _ = TransferredMedia.objects.filter(target=target.key).delete()
        audit.record(
            action=AuditEntry.Action.CONFIGURE,
            user=user,
            job_id=MEDIA_PRICEBOOK,
            message=f"Ship all media again to {target.label}: {count:,} shipped-media records forgotten",
        )
    return target, count
