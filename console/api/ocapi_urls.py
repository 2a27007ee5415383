"""The paths Salesforce's tools call on an SFCC instance (and on Account Manager), answered
for the console's jobs: see accountmanager.py, ocapi.py and webdav.py."""

from django.urls import path

from console.api import accountmanager, ocapi, webdav

urlpatterns = [
    path("dwsso/oauth2/access_token", accountmanager.access_token, name="ocapi_access_token"),
    path("s/-/dw/data/<str:version>/job_execution_search", ocapi.job_execution_search, name="ocapi_search"),
    # Job ids contain spaces, hence <path:>; the route with an execution id comes first.
    path(
        "s/-/dw/data/<str:version>/jobs/<path:job_id>/executions/<str:execution_id>",
        ocapi.job_execution,
        name="ocapi_execution",
    ),
    path(
        "s/-/dw/data/<str:version>/jobs/<path:job_id>/executions",
        ocapi.job_executions,
        name="ocapi_executions",
    ),
    path("on/demandware.servlet/webdav/Sites/<path:rest>", webdav.sites, name="webdav_sites"),
]
