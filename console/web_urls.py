from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from console.views import audit, auth, executions, history, jobs, users

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="jobs", permanent=False)),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Operations › Jobs. Job ids contain spaces, hence <path:>; the suffixed routes come first
    # so that "…/schedule/" is never read as part of a job id.
    path("jobs/", jobs.jobs, name="jobs"),
    path("jobs/table/", jobs.jobs_table, name="jobs_table"),
    # Job 2's "Ship all media again" (a fixed path: no job id is ever "media/ship-again").
    path("jobs/media/ship-again", jobs.media_ship_again, name="media_ship_again"),
    path("jobs/queued/<int:queued_id>/cancel", jobs.queued_run_cancel, name="queued_run_cancel"),
    path("jobs/<path:job_id>/run-when-free", jobs.job_run_when_free, name="job_run_when_free"),
    path("jobs/<path:job_id>/run", jobs.job_run, name="job_run"),
    path("jobs/<path:job_id>/schedule/delete", jobs.job_schedule_delete, name="job_schedule_delete"),
    path("jobs/<path:job_id>/schedule/", jobs.job_schedule, name="job_schedule"),
    path("jobs/<path:job_id>/", jobs.job_general, name="job"),
    # Operations › Job History and one execution.
    path("history/", history.history, name="history"),
    path("executions/<int:execution_id>/", executions.execution, name="execution"),
    path("executions/<int:execution_id>/live", executions.execution_live, name="execution_live"),
    path("executions/<int:execution_id>/stop", executions.execution_stop, name="execution_stop"),
    path("executions/<int:execution_id>/run-again", executions.execution_rerun, name="execution_rerun"),
    path("executions/<int:execution_id>/log", executions.execution_log, name="execution_log"),
    path(
        "executions/<int:execution_id>/artifacts/<int:index>",
        executions.execution_artifact,
        name="execution_artifact",
    ),
    path("audit/", audit.audit, name="audit"),
    # Administration › Users and Roles.
    path("users/", users.users, name="users"),
    path("users/<int:user_id>/", users.user, name="user"),
    path("users/<int:user_id>/active", users.user_active, name="user_active"),
    path("users/<int:user_id>/password", users.user_password, name="user_password"),
    # Configuration (issue: import configuration pages) is included here.
    path("config/", include("console.config_urls")),
    # Operations: reports, chains and alerts, API tokens, the REST API.
    path("", include("console.operations_urls")),
]
