from django.urls import path

from console.api import views

urlpatterns = [
    path("jobs", views.jobs, name="api_jobs"),
    path("jobs/<path:job_id>/executions", views.executions, name="api_executions"),
    path("jobs/<path:job_id>/executions/<int:execution_id>", views.execution, name="api_execution"),
    path("schema", views.schema, name="api_schema"),
]
