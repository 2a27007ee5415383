"""The console's one URL map: each room brings its own routes.

Order matters only between the rooms whose routes start with "jobs/": the jobs room's
"jobs/<path:job_id>/" ends with a slash and every other room's job route does not."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Account Manager's token endpoint, OCAPI's job resources and WebDAV job logs, for sfcc-ci.
    path("", include("console.api.ocapi_urls")),
    path("", RedirectView.as_view(pattern_name="jobs", permanent=False)),
    path("", include("console.accounts.urls")),
    path("", include("console.jobs.urls")),
    path("", include("console.history.urls")),
    path("", include("console.executions.urls")),
    path("", include("console.config.urls")),
    path("", include("console.operations.urls")),
    path("", include("console.audit.urls")),
    path("api/", include("console.api.urls")),
]
