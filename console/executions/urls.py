"""One execution: its page, its live part, Stop, Run again, its log and its artifacts."""

from django.urls import path

from console.executions import views

urlpatterns = [
    path("executions/<int:execution_id>/", views.execution, name="execution"),
    path("executions/<int:execution_id>/live", views.execution_live, name="execution_live"),
    path("executions/<int:execution_id>/stop", views.execution_stop, name="execution_stop"),
    path("executions/<int:execution_id>/run-again", views.execution_rerun, name="execution_rerun"),
    path("executions/<int:execution_id>/log", views.execution_log, name="execution_log"),
    path(
        "executions/<int:execution_id>/artifacts/<int:index>",
        views.execution_artifact,
        name="execution_artifact",
    ),
]
