"""Flows over the engine's test jobs, registered in this process and in the workers the
operations tests start (JOBS_EXTRA_MODULES)."""

from jobs.operations.flows import flow_job
from jobs.registry import register
from tests import engine_jobs  # noqa: F401 - the inner jobs

register(
    flow_job(
        "Test-Flow", "Quick, then data errors, then beta", ["Test-Quick", "Test-DataErrors", "Test-Beta"]
    )
)
register(flow_job("Test-Flow-Fails", "Quick, then a failure", ["Test-Quick", "Test-Fail", "Test-Beta"]))
register(flow_job("Test-Flow-Gated", "Waits for a gate, then quick", ["Test-Gated", "Test-Quick"]))

EXTRA_MODULES = "tests.engine_jobs,tests.operations_jobs"
