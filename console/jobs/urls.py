"""Operations › Jobs. Job ids contain spaces, hence <path:>; the suffixed routes come first so
that "…/schedule/" is never read as part of a job id, and the other rooms' job routes
(operations' "jobs/<id>/operations", …) end without a slash, so the General tab's
"jobs/<path:job_id>/" never takes them."""

from django.urls import path

from console.jobs import views

urlpatterns = [
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/table/", views.jobs_table, name="jobs_table"),
    # Job 2's "Ship all media again" (a fixed path: no job id is ever "media/ship-again").
    path("jobs/media/ship-again", views.media_ship_again, name="media_ship_again"),
    path("jobs/queued/<int:queued_id>/cancel", views.queued_run_cancel, name="queued_run_cancel"),
    path("jobs/<path:job_id>/run-when-free", views.job_run_when_free, name="job_run_when_free"),
    path("jobs/<path:job_id>/run", views.job_run, name="job_run"),
    path("jobs/<path:job_id>/schedule/delete", views.job_schedule_delete, name="job_schedule_delete"),
    path("jobs/<path:job_id>/schedule/", views.job_schedule, name="job_schedule"),
    path("jobs/<path:job_id>/", views.job_general, name="job"),
]
