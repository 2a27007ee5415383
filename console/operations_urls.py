"""Pages of the operations and the REST API. Job routes end without a slash, so
that `jobs/<path:job_id>/` (the General tab) never takes them for part of a job id."""

from django.urls import include, path

from console.views import operations, tokens

urlpatterns = [
    path("reports/status/", operations.status_report, name="status_report"),
    path("reports/status.csv", operations.status_report_csv, name="status_report_csv"),
    path("reports/settings", operations.operations_settings, name="operations_settings"),
    path("jobs/<path:job_id>/operations", operations.job_operations, name="job_operations"),
    path("jobs/<path:job_id>/chains/add", operations.job_chain_add, name="job_chain_add"),
    path(
        "jobs/<path:job_id>/chains/<int:chain_id>/toggle",
        operations.job_chain_toggle,
        name="job_chain_toggle",
    ),
    path(
        "jobs/<path:job_id>/chains/<int:chain_id>/delete",
        operations.job_chain_delete,
        name="job_chain_delete",
    ),
    path("jobs/<path:job_id>/alerts", operations.job_alerts, name="job_alerts"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke", tokens.token_revoke, name="token_revoke"),
    path("api-clients/", tokens.api_clients, name="api_clients"),
    path("api-clients/<int:client_pk>/revoke", tokens.api_client_revoke, name="api_client_revoke"),
    path("api/", include("console.api.urls")),
]
