"""The console in a real browser (Debian's Chromium driven by Playwright) against a live server,
with a real Celery worker and beat on the same database: a merchandiser runs a job and downloads
its log, an administrator schedules one that beat starts, support cannot run anything.

Screenshots of each page land in var/screenshots/."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTasks
from playwright.sync_api import expect, sync_playwright

from jobs.models import ExitStatus, JobExecution, Trigger
from tests import engine_jobs  # noqa: F401 - the live server (this process) knows the test jobs
from tests.integration import running, wait_finished, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "secret-pass-123"  # tests/conftest.py's users
SCREENSHOTS = settings.BASE_DIR / "var" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Bounds for loops; none of them is a timed assertion.
RUN_BOUND_SECONDS = 90
BEAT_BOUND_SECONDS = 90


@pytest.fixture(scope="module")
def stack(django_db_setup, redis_url, storage_root):
    with running(beat=True, STORAGE_ROOT=str(storage_root)) as processes:
        yield processes


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        # CI installs it (.ci/run) and must run these tests; a laptop without it is told how.
        message = f"Debian's Chromium is not at {CHROMIUM}: sudo apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop in this thread; the ORM calls of these tests
    # are plain synchronous ones, so Django's async guard is lifted for this module only.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url,
        viewport={"width": 1366, "height": 860},
        timezone_id="Europe/Paris",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def log_in(page, username, shot=None):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if shot:
        screenshot(page, shot)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Jobs")


def job_row(page, job_id):
    return page.locator(f'tr[data-job="{job_id}"]')


def test_it_runs_a_job_and_downloads_its_log_as_a_merchandiser(stack, page, users, transactional_db):
    log_in(page, "merchandiser", shot="login")
    # The browser's time zone reached the server through the tz cookie.
    expect(page.locator(".topbar")).to_contain_text("Times in Europe/Paris")
    row = job_row(page, "Test-Quick")
    row.get_by_role("button", name="Run").click()
    expect(page.locator(".message-success")).to_contain_text("Started Test-Quick as execution #")
    execution = JobExecution.objects.get(job_id="Test-Quick")

    # Refresh until the row says OK (the table also refreshes itself while the job runs).
    for _ in range(RUN_BOUND_SECONDS):
        if job_row(page, "Test-Quick").locator(".badge-ok").count():
            break
        page.click("#refresh")
        page.wait_for_timeout(1000)
    expect(job_row(page, "Test-Quick").locator(".badge")).to_have_text(re.compile("OK"))
    expect(page.locator("#jobs-table")).not_to_have_attribute("hx-trigger", re.compile("."))
    screenshot(page, "jobs")

    page.get_by_role("link", name="Job History").click()
    expect(page.locator("h1")).to_have_text("Job History")
    screenshot(page, "history")
    with page.expect_download() as download:
        page.locator(f'a[href="/executions/{execution.pk}/log"]').click()
    assert download.value.suggested_filename == wait_finished(execution).log_file_name
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"Execution #{execution.pk} of Test-Quick started (manual by merchandiser)" in text
    assert "Execution OK" in text

    page.get_by_role("link", name=f"#{execution.pk}").first.click()
    expect(page.locator("h1")).to_have_text(f"Execution #{execution.pk}")
    expect(page.locator("#log-tail")).to_contain_text("Execution OK")
    screenshot(page, "execution")


def test_it_schedules_a_job_that_beat_starts_as_an_administrator(stack, page, users, transactional_db):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "admin")
    page.get_by_role("link", name="Test-Quick").click()
    expect(page.locator(".tabs .active")).to_have_text("General")
    screenshot(page, "job-general")

    page.get_by_role("link", name="Schedule and History").click()
    page.check("input[name=trigger][value=recurring]")
    expect(page.locator("#id_run_at")).to_be_hidden()
    page.check("#id_recurrence_interval")
    page.fill("#id_every", "1")
    page.select_option("#id_period", "minutes")
    page.select_option("#id_timezone", "Europe/Paris")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.locator(".message-success")).to_contain_text("Schedule saved: Every minute — next")
    expect(page.locator("#schedule-summary")).to_contain_text("Every minute — next")

    def started_by_beat():
        # The previous test's flush emptied PeriodicTasks, and beat swallows the first change it
        # sees after that (it compares with None). Only the tests empty that table; touching it
        # again makes beat notice the saved schedule as it would in production, unrestarted.
        PeriodicTasks.update_changed()
        return JobExecution.objects.filter(job_id="Test-Quick", trigger=Trigger.SCHEDULE).first()

    scheduled = wait_for(
        started_by_beat, timeout=BEAT_BOUND_SECONDS, interval=1, what="beat to start Test-Quick"
    )
    assert wait_finished(scheduled).exit_status == ExitStatus.OK
    page.reload()
    history = page.locator(".history-table")
    expect(history.locator("tr", has_text=f"#{scheduled.pk}")).to_contain_text("schedule")
    screenshot(page, "job-schedule")

    # Leave nothing firing for the tests that follow.
    page.get_by_role("button", name="Remove schedule").click()
    expect(page.locator(".message-success")).to_contain_text("is no longer scheduled")
    expect(page.locator("#schedule-summary")).to_contain_text("Not scheduled")


def test_it_shows_support_no_run_button_and_refuses_a_forged_run(stack, page, users, transactional_db):
    log_in(page, "support")
    expect(job_row(page, "Test-Quick")).to_be_visible()
    assert page.get_by_role("button", name="Run").count() == 0
    status = page.evaluate(
        """async () => {
            const token = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/)[1];
            const response = await fetch("/jobs/Test-Quick/run", {
                method: "POST", headers: {"X-CSRFToken": token}, credentials: "same-origin",
            });
            return response.status;
        }"""
    )
    assert status == 403
    assert not JobExecution.objects.exists()


def test_it_shows_stopping_until_a_stopped_run_has_ended(stack, page, users, transactional_db):
    from jobs import services
    from tests.engine_jobs import gate

    execution = services.execution_create(job_id="Test-Deaf")
    wait_for(lambda: JobExecution.objects.filter(pk=execution.pk, execution_status="running").exists(),
             RUN_BOUND_SECONDS, what="Test-Deaf to run")  # fmt: skip
    log_in(page, "merchandiser")
    page.goto(f"/executions/{execution.pk}")
    page.once("dialog", lambda dialog: dialog.accept())  # "Stop execution #N of Test-Deaf?"
    page.get_by_role("button", name="■ Stop").click()
    expect(page.locator(".message-success")).to_contain_text(f"Asked execution #{execution.pk} to stop.")
    stopping = page.get_by_role("button", name="■ Stopping…")
    expect(stopping).to_be_disabled()
    screenshot(page, "execution-stopping")

    path = gate(str(execution.pk))  # its unit of work ends; the runner sees the Stop
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    assert wait_finished(execution).execution_status == "aborted"
    page.reload()
    expect(page.locator("#execution-live")).to_contain_text("Stopped by merchandiser")
    expect(page.get_by_role("button", name="▶ Run again")).to_be_enabled()
