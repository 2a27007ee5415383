"""The job registry: each job is a named, ordered list of steps and the resources it locks.

The four Akeneo jobs of DESIGN §2 register themselves from `jobs.pipeline`; tests register
their own jobs with `register()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from jobs.context import StepContext


class UnknownJob(LookupError):
    def __init__(self, job_id: str):
        super().__init__(f"There is no job {job_id!r}.")
        self.job_id = job_id


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[StepContext], None]
    description: str = ""


@dataclass(frozen=True)
class Job:
    id: str
    description: str
    steps: tuple[Step, ...]
    locks: frozenset[str] = frozenset()
    # Where the job stands in the import order (DESIGN §2), shown on its General tab.
    order: str = ""
    # Called after the execution finished OK or WARN, in the runner (e.g. move the watermark).
    on_success: Callable | None = field(default=None, compare=False)

    @property
    def lock_names(self) -> list[str]:
        """The resources locked, plus the job itself: one job never runs twice at once
        (as SFCC's JobAlreadyRunningException), even when it locks nothing else."""
        return sorted(self.locks) + [f"job:{self.id}"]


_jobs: dict[str, Job] = {}
_loaded = False


def register(job: Job) -> Job:
    _jobs[job.id] = job
    return job


def unregister(job_id: str) -> None:
    _jobs.pop(job_id, None)


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in ["jobs.pipeline.definitions", "jobs.operations.definitions", *settings.JOBS_EXTRA_MODULES]:
        import_module(module)


def get(job_id: str) -> Job:
    _load()
    try:
        return _jobs[job_id]
    except KeyError:
        raise UnknownJob(job_id) from None


def all_jobs() -> list[Job]:
    _load()
    return sorted(_jobs.values(), key=lambda job: job.id)
