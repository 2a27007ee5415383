from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Account Manager's token endpoint, OCAPI's job resources and WebDAV job logs, for sfcc-ci.
    path("", include("console.api.ocapi_urls")),
    path("", include("console.web_urls")),
]
