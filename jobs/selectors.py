"""Reads for the pages, commands and the API."""

from django.db.models import Max

from jobs.models import JobExecution


def last_executions(job_ids=None) -> dict[str, JobExecution]:
    """The newest execution of each job, in two queries whatever the history's size
    (uses the index on (job_id, -created))."""
    newest = JobExecution.objects.values("job_id").annotate(last_id=Max("id"))
    if job_ids is not None:
        newest = newest.filter(job_id__in=job_ids)
    ids = [row["last_id"] for row in newest]
    return {e.job_id: e for e in JobExecution.objects.filter(pk__in=ids).select_related("triggered_by")}
