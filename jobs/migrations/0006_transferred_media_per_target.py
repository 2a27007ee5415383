"""Shipped-media records become per delivery target (an SFCC instance and catalog, or local).

Existing rows were written before targets were told apart. They are kept and given the target
of the configuration in force when this migration runs: that is where job 2 has been shipping,
so nothing is downloaded or shipped again by the upgrade. If the files were in fact shipped to
an earlier target, an Administrator uses "Ship all media again" on job 2's page.
"""

from django.db import migrations, models

from jobs.config.schema import DEFAULT_DOCUMENT
from jobs.sfcc.delivery import delivery_target


def current_target_key(apps) -> str:
    ConfigVersion = apps.get_model("jobs", "ConfigVersion")
    row = ConfigVersion.objects.order_by("-number").first()
    document = row.document if row is not None else DEFAULT_DOCUMENT
    delivery = document.get("delivery") or {}
    catalog_id = (document.get("mapping") or {}).get("catalog_id") or DEFAULT_DOCUMENT["mapping"]["catalog_id"]
    return delivery_target(delivery, catalog_id).key


def assign_current_target(apps, schema_editor):
    apps.get_model("jobs", "TransferredMedia").objects.update(target=current_target_key(apps))


def keep_one_row_per_code(apps, schema_editor):
    """Backwards, a code is unique again: the current target's row stays, other targets' go."""
    TransferredMedia = apps.get_model("jobs", "TransferredMedia")
    current = current_target_key(apps)
    kept = set(TransferredMedia.objects.filter(target=current).values_list("code", flat=True))
    TransferredMedia.objects.exclude(target=current).filter(code__in=kept).delete()
    seen = set()
    for row in TransferredMedia.objects.exclude(target=current).order_by("-created", "-id"):
        if row.code in seen:
            row.delete()
        seen.add(row.code)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0005_finish_announcements"),
    ]

    operations = [
        migrations.AddField(
            model_name="transferredmedia",
            name="target",
            field=models.CharField(default="", max_length=600),
            preserve_default=False,
        ),
        migrations.RunPython(assign_current_target, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="transferredmedia",
            name="code",
            field=models.CharField(max_length=500),
        ),
        # Backwards this runs before `code` is made unique again.
        migrations.RunPython(migrations.RunPython.noop, keep_one_row_per_code),
        migrations.AddConstraint(
            model_name="transferredmedia",
            constraint=models.UniqueConstraint(fields=("target", "code"), name="media_target_code_unique"),
        ),
    ]
