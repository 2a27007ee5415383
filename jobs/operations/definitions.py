"""The operations jobs: the two Akeneo flows, the Job Status Report and Maintenance.

The flows end with job 4 (reference entities → content assets): after 1 as it must be, and
after the product import, so an optional content library never holds the catalog back. In a
flow, job 4 with no library configured ends OK saying it imported nothing."""

from jobs.operations.flows import flow_job
from jobs.operations.maintenance import prune_step, workdirs_step
from jobs.operations.report import send_status_report
from jobs.pipeline.definitions import (
    ATTRIBUTES,
    DIFFERENTIAL_PRODUCTS,
    FULL_PRODUCTS,
    MEDIA_PRICEBOOK,
    REFERENCE_ENTITIES,
)
from jobs.registry import Job, Step, register

FULL_PIPELINE = "Akeneo-Full-Pipeline"
DIFFERENTIAL_PIPELINE = "Akeneo-Differential-Pipeline"
STATUS_REPORT = "Job-Status-Report"
MAINTENANCE = "Maintenance"

register(
    flow_job(
        FULL_PIPELINE,
        "Runs 1, 2, 3-2 and 4 in order as one execution; stops at the first that ends ERROR",
        [ATTRIBUTES, MEDIA_PRICEBOOK, FULL_PRODUCTS, REFERENCE_ENTITIES],
        order="A flow: each step runs one import job as an execution of its own",
    )
)
register(
    flow_job(
        DIFFERENTIAL_PIPELINE,
        "Runs 1, 2, 3-1 and 4 in order as one execution; stops at the first that ends ERROR",
        [ATTRIBUTES, MEDIA_PRICEBOOK, DIFFERENTIAL_PRODUCTS, REFERENCE_ENTITIES],
        order="A flow: each step runs one import job as an execution of its own",
    )
)
register(
    Job(
        id=STATUS_REPORT,
        description="Every job's status, success rate and durations: kept as CSV and e-mailed",
        steps=(Step("send-report", send_status_report, "Compute the report, keep it as CSV, e-mail it"),),
    )
)
register(
    Job(
        id=MAINTENANCE,
        description="Deletes old executions with their log files and archives (retention)",
        steps=(
            Step("prune-executions", prune_step, "Executions past the retention, their logs and archives"),
            Step("clean-work-folders", workdirs_step, "Work folders left by killed workers"),
        ),
    )
)
