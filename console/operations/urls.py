"""Reports, a job's Operations tab (chains and alerts) and the operations settings. The job
routes end without a slash, so that the jobs room's `jobs/<path:job_id>/` (the General tab)
never takes them for part of a job id."""

from django.urls import path

from console.operations import views

urlpatterns = [
    path("reports/status/", views.status_report, name="status_report"),
    path("reports/status.csv", views.status_report_csv, name="status_report_csv"),
    path("reports/settings", views.operations_settings, name="operations_settings"),
    path("jobs/<path:job_id>/operations", views.job_operations, name="job_operations"),
    path("jobs/<path:job_id>/chains/add", views.job_chain_add, name="job_chain_add"),
    path(
        "jobs/<path:job_id>/chains/<int:chain_id>/toggle",
        views.job_chain_toggle,
        name="job_chain_toggle",
    ),
    path(
        "jobs/<path:job_id>/chains/<int:chain_id>/delete",
        views.job_chain_delete,
        name="job_chain_delete",
    ),
    path("jobs/<path:job_id>/alerts", views.job_alerts, name="job_alerts"),
]
