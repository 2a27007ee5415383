"""The shipped-media records' migration: rows written before targets were told apart belong
to the target of the configuration in force, so an upgrade ships nothing again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("jobs", "0005_finish_announcements")]
AFTER = [("jobs", "0006_transferred_media_per_target")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_it_gives_existing_rows_the_target_in_force_and_back():
    apps = migrate(BEFORE)
    try:
        JobExecution = apps.get_model("jobs", "JobExecution")
        ConfigVersion = apps.get_model("jobs", "ConfigVersion")
        TransferredMedia = apps.get_model("jobs", "TransferredMedia")
        execution = JobExecution.objects.create(
            job_id="2- Akeneo-Import-Media-Assets-Pricebook", exit_status="OK"
        )
        document = {
            "delivery": {"target": "sfcc", "instance_url": "https://staging.example.com"},
            "mapping": {"catalog_id": "master"},
        }
        ConfigVersion.objects.create(number=1, document=document)
        for code in ("a/b/one.jpg", "a/b/two.jpg"):
            TransferredMedia.objects.create(
                code=code, kind="media", path=code, sha256="0" * 64, size=1, execution=execution
            )

        apps = migrate(AFTER)
        rows = apps.get_model("jobs", "TransferredMedia").objects.order_by("code")
        assert [(r.target, r.code) for r in rows] == [
            ("sfcc:staging.example.com/master", "a/b/one.jpg"),
            ("sfcc:staging.example.com/master", "a/b/two.jpg"),
        ]
        rows.model.objects.create(
            target="local/master", code="a/b/one.jpg", kind="media", path="x", sha256="0" * 64, size=1,
            execution_id=execution.pk,
        )  # fmt: skip

        apps = migrate(BEFORE)  # backwards: a code is unique again, the target in force keeps its row
        rows = apps.get_model("jobs", "TransferredMedia").objects.order_by("code")
        assert [r.code for r in rows] == ["a/b/one.jpg", "a/b/two.jpg"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
