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


# --- every page at three screen sizes --------------------------------------------------------

VIEWPORTS = {"1920": (1920, 1080), "1440": (1440, 900), "1280": (1280, 800), "phone": (390, 844)}
LONG_FAILURE = (
    "export-products: AkeneoServerError: Akeneo answered HTTP 503 on /api/rest/v1/products-uuid "
    "after 5 attempts (Service Unavailable: the PIM is under maintenance, try again later)"
)
AKENEO_401_LOG = """\
[2026-11-23 11:20:01.123 UTC] INFO  Execution started (manual by admin)
[2026-11-23 11:20:01.200 UTC] INFO  [export-attributes] Step started
[2026-11-23 11:20:02.000 UTC] WARN  [export-attributes] Akeneo: retrying after a timeout
[2026-11-23 11:20:03.456 UTC] ERROR [export-attributes] Traceback (most recent call last):
      File "/srv/console/jobs/runner.py", line 109, in _run_step
        step.run(ctx)
    jobs.akeneo.errors.AkeneoAuthError: Akeneo refused the credentials (HTTP 401 on /api/oauth/v1/token)
[2026-11-23 11:20:03.460 UTC] ERROR [export-attributes] Step ERROR: AkeneoAuthError: Akeneo refused the credentials
[2026-11-23 11:20:03.500 UTC] INFO  Execution ERROR
"""

# Problems a page may not have, checked in the page: text under 12 px (table headers included),
# body text under 14 px, colours under WCAG AA contrast, inputs without a label.
A11Y_PROBLEMS = """() => {
  const problems = [];
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c;
    }
    return [255, 255, 255];
  };
  const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden"
    && !e.closest(".visually-hidden, [hidden], details:not([open]) > :not(summary)");
  for (const element of document.querySelectorAll("body *")) {
    const text = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !shown(element) || element.closest(":disabled, option, script, style")) continue;
    const style = getComputedStyle(element);
    const size = parseFloat(style.fontSize);
    const name = element.tagName.toLowerCase() + (element.className ? "." + element.className : "");
    if (size < 12) problems.push(`${name}: ${size}px text`);
    const body = element.matches("p, td, dd, li, label, .message") &&
      !element.closest(".small, .help, .crumbs, .log, .errorlist, .progress-text, .filters, .badge, .pill");
    if (body && size < 14) problems.push(`${name}: ${size}px body text`);
    const fg = rgb(style.color), bg = background(element);
    const [light, dark] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${name}: contrast ${ratio.toFixed(2)} ("${element.textContent.trim().slice(0, 30)}")`);
  }
  for (const input of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!input.labels.length && !input.getAttribute("aria-label") && !input.getAttribute("aria-labelledby")) {
      problems.push(`input ${input.name || input.id} has no label`);
    }
  }
  return problems;
}"""


def fits(page, what):
    """No horizontal scrolling: neither the page nor a table inside its box."""
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what}: {widths[0]} px wide in a {widths[1]} px window"
    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap, .tabs, .log')]
             .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className)"""
    )
    assert scrolling == [], f"{what}: {scrolling} scroll sideways"


def in_view(page, locator, what):
    """The element can be reached and lies wholly inside the window's width."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = page.evaluate("() => window.innerWidth")
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, f"{what} at {box}"


def accessible(page, what):
    problems = page.evaluate(A11Y_PROBLEMS)
    assert problems == [], f"{what}: {problems[:8]}"


@pytest.fixture
def sized(chromium, live_server, request):
    """A page of the given viewport size (the test's `viewport` parameter)."""
    width, height = VIEWPORTS[request.param]
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, timezone_id="Europe/Paris"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.viewport_name = request.param
    yield page
    context.close()


def console_with_history(users, storage_root):
    """What a console looks like after a few days: failures with long messages on the long
    job names, a schedule, a flow with its children, an Akeneo 401 with its traceback, a run."""
    from datetime import time, timedelta

    from django.utils import timezone

    from jobs import scheduling
    from jobs.models import ExecutionStatus, StepExecution
    from jobs.operations.definitions import FULL_PIPELINE
    from jobs.pipeline.definitions import ATTRIBUTES, FULL_PRODUCTS, MEDIA_PRICEBOOK
    from tests.pages_fixtures import make_execution

    now = timezone.now()
    for hours, job_id in enumerate([FULL_PRODUCTS, MEDIA_PRICEBOOK, "Test-Fail"] * 4, start=2):
        make_execution(
            job_id, exit_status=ExitStatus.ERROR, message=LONG_FAILURE, user=users["merchandiser"],
            created=now - timedelta(hours=hours), counts=(123_456, 120_000, 3_456),
        )  # fmt: skip
    failed = make_execution(
        ATTRIBUTES, exit_status=ExitStatus.ERROR, user=users["admin"], created=now - timedelta(minutes=30),
        message="export-attributes: AkeneoAuthError: Akeneo refused the credentials",
    )  # fmt: skip
    log = storage_root / "logs" / failed.log_file_name
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(AKENEO_401_LOG, encoding="utf-8")
    flow = make_execution(FULL_PIPELINE, created=now - timedelta(minutes=20))
    for job_id in (ATTRIBUTES, MEDIA_PRICEBOOK, FULL_PRODUCTS):
        make_execution(job_id, trigger=Trigger.CHAIN, parent=flow, created=now - timedelta(minutes=19))
    for minutes in (8, 10, 12):
        past = make_execution("Test-Gated", created=now - timedelta(days=1, minutes=minutes))
        JobExecution.objects.filter(pk=past.pk).update(finished=past.started + timedelta(minutes=minutes))
    running = make_execution(
        "Test-Gated",
        status=ExecutionStatus.RUNNING,
        user=users["merchandiser"],
        created=now - timedelta(minutes=4),
    )
    StepExecution.objects.filter(execution=running).update(read_count=480, total=1200)
    daily = scheduling.Schedule(
        kind=scheduling.WEEKLY, timezone="Europe/Paris", at=time(2, 0), weekdays=(0, 1, 2, 3, 4, 5, 6)
    )
    scheduling.schedule_set(job_id=ATTRIBUTES, user=users["admin"], schedule=daily)
    return {"failed": failed, "flow": flow, "running": running}


@pytest.mark.parametrize("sized", list(VIEWPORTS), indirect=True)
def test_every_page_fits_the_screen_with_its_actions_in_view(sized, users, storage_root, transactional_db):
    page, size = sized, sized.viewport_name
    made = console_with_history(users, storage_root)
    log_in(page, "admin")
    phone = size == "phone"
    if phone:
        # The navigation folds behind the Menu button.
        expect(page.locator("#sidenav")).to_be_hidden()
        page.click("#menu-button")
        expect(page.locator("#sidenav")).to_be_visible()
        expect(page.locator("#menu-button")).to_have_attribute("aria-expanded", "true")
        page.click("#menu-button")
    pages = {
        "jobs": "/jobs/",
        "history": "/history/",
        "execution": f"/executions/{made['failed'].pk}/",
        "flow": f"/executions/{made['flow'].pk}/",
        "running": f"/executions/{made['running'].pk}/",
        "job-general": "/jobs/1-%20Akeneo-Import-Attributes/",
        "job-schedule": "/jobs/1-%20Akeneo-Import-Attributes/schedule/",
        "job-operations": "/jobs/1-%20Akeneo-Import-Attributes/operations",
        "reports": "/reports/status/",
        "audit": "/audit/",
        "config": "/config/",
        "config-history": "/config/history/",
        "tokens": "/account/tokens/",
        "time-zone": "/account/time-zone/",
        "not-found": "/executions/987654/",
    }
    problems = []  # every page's, so one run names them all
    for name, path in pages.items():
        page.goto(path)
        for check in (fits, accessible):
            try:
                check(page, f"{name} at {size}")
            except AssertionError as exc:
                problems.append(str(exc).splitlines()[0])
        screenshot(page, f"{name}-{size}")
        if phone:  # what a phone shows first
            page.screenshot(path=SCREENSHOTS / f"{name}-{size}-top.png")
    assert not problems, "\n".join(problems)
    # Jobs: every Run button is reachable and inside the window, away from its edge.
    # Measured in one step: the table is re-rendered by its live refresh, so a button found
    # by one call may be replaced before the next.
    page.goto("/jobs/")
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#jobs-table td.actions button')].map((button) => {
             button.scrollIntoView({block: 'center', inline: 'nearest'});
             const box = button.getBoundingClientRect();
             const shown = box.width > 0 && box.height > 0 && getComputedStyle(button).visibility !== 'hidden';
             return {x: box.x, right: box.right, shown, width: window.innerWidth};
           })"""
    )
    assert len(boxes) >= 6
    for index, box in enumerate(boxes):
        assert box["shown"] and box["x"] >= 0, f"Run #{index} not in view at {size}: {box}"
        assert box["width"] - box["right"] >= 8, f"Run #{index} touches the edge at {size}: {box}"
    # Job History with failed rows: the counts and the log link of every row are in view.
    page.goto("/history/")
    rows = page.locator(".history-table tbody tr")
    assert rows.count() >= 12
    for index in (0, rows.count() - 1):
        row = rows.nth(index)
        for label in ("Read", "Written", "Errors"):
            in_view(page, row.locator(f'td[data-label="{label}"]'), f"{label} of row {index} at {size}")
        in_view(
            page, row.get_by_role("link", name=re.compile("Download the log file")), f"Log of row {index}"
        )
    # The skip link is the first stop of the keyboard and leads to the content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_visible()
    # A refusal in the console's frame, naming the role.
    log_out_and_in(page, "support")
    page.goto("/audit/")
    expect(page.locator("#refusal")).to_contain_text("needs the Administrator role")
    fits(page, f"403 at {size}")
    screenshot(page, f"forbidden-{size}")


def log_out_and_in(page, username):
    page.context.clear_cookies()
    log_in(page, username)


def test_times_agree_between_pages_in_the_users_zone(page, users, storage_root, transactional_db):
    console_with_history(users, storage_root)
    log_in(page, "admin")
    # Choose a zone in the header; the browser (Europe/Paris) no longer decides.
    page.click("#zone-link")
    page.select_option("#id_timezone", "America/New_York")
    page.get_by_role("button", name="Save time zone").click()
    expect(page.locator("#zone-link")).to_have_text("Times in America/New_York")
    row = job_row(page, "1- Akeneo-Import-Attributes")
    on_jobs = row.locator(".next-run time").first
    expect(on_jobs).to_contain_text("20:00:00 EST")
    expect(row.locator(".schedule-zone time")).to_contain_text("02:00:00 CET")
    instant = on_jobs.get_attribute("datetime")
    page.goto("/jobs/1-%20Akeneo-Import-Attributes/schedule/")
    summary = page.locator("#schedule-summary")
    expect(summary).to_contain_text("Every day at 02:00 Europe/Paris")
    expect(summary.locator(".schedule-zone time")).to_contain_text("02:00:00 CET")
    expect(summary.locator(".user-zone time")).to_contain_text("20:00:00 EST")
    from datetime import datetime

    same = datetime.fromisoformat(summary.locator(".user-zone time").get_attribute("datetime"))
    assert same == datetime.fromisoformat(instant)
    assert same == datetime.fromisoformat(summary.locator(".schedule-zone time").get_attribute("datetime"))
    # Every moment on every page is written the one way, with its zone.
    for path in ("/jobs/", "/history/", "/reports/status/", "/audit/"):
        page.goto(path)
        texts = page.locator("main time").all_inner_texts()
        assert texts, path
        for text in texts:
            assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d [A-Z]{3,4}", text), (path, text)
    # Remembered at the next sign-in.
    log_out_and_in(page, "admin")
    expect(page.locator("#zone-link")).to_have_text("Times in America/New_York")
    screenshot(page, "time-zone")


def test_the_log_filters_by_level_and_text_and_explains_the_first_error(
    page, users, storage_root, transactional_db
):
    made = console_with_history(users, storage_root)
    log_in(page, "support")
    page.goto(f"/executions/{made['failed'].pk}/")
    expect(page.locator("#error-summary")).to_contain_text(
        "Check the Akeneo credentials in Import configuration"
    )
    entries = page.locator("#log-tail .log-entry")
    expect(entries).to_have_count(6)
    error = page.locator("#log-tail .level-error").first
    assert error.evaluate("e => getComputedStyle(e).borderLeftColor") != "rgba(0, 0, 0, 0)"
    # The traceback is folded under its last line; opening it shows the frames.
    frames = page.locator("#log-tail details pre")
    expect(frames).to_be_hidden()
    page.locator("#log-tail details summary").click()
    expect(frames).to_contain_text("runner.py")
    page.uncheck("#log-filters input[value=INFO]")
    expect(page.locator("#log-tail .log-entry:visible")).to_have_count(3)
    expect(page.locator("#log-count")).to_have_text("3 of 6 lines shown")
    page.fill("#log-search", "retrying")
    expect(page.locator("#log-tail .log-entry:visible")).to_have_count(1)
    expect(page.locator("#log-tail .log-entry:visible")).to_contain_text("retrying after a timeout")
    screenshot(page, "execution-log")


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, timezone_id="Europe/Paris",
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_merchandiser_runs_and_watches_a_job_on_a_phone(
    stack, phone, users, storage_root, transactional_db
):
    from datetime import timedelta

    from tests.engine_jobs import gate
    from tests.pages_fixtures import make_execution

    for minutes in (8, 10, 12):  # past runs: the page can say how long is left
        past = make_execution("Test-Gated", created=timezone_now() - timedelta(days=1, minutes=minutes))
        JobExecution.objects.filter(pk=past.pk).update(finished=past.started + timedelta(minutes=minutes))
    page = phone
    log_in(page, "merchandiser")
    row = job_row(page, "Test-Gated")
    in_view(page, row.get_by_role("button", name="Run"), "Run on a phone")
    row.get_by_role("button", name="Run").click()
    expect(page.locator(".message-success")).to_contain_text("Started Test-Gated as execution #")
    execution = JobExecution.objects.filter(job_id="Test-Gated").order_by("-pk").first()
    # The table refreshes itself: the numbers come in while it runs.
    progress = job_row(page, "Test-Gated").locator(".progress-text")
    expect(progress).to_contain_text(
        re.compile(r"Step 1 of 1: wait.* of 1,200 \(\d+ %\)", re.S), timeout=RUN_BOUND_SECONDS * 1000
    )
    expect(progress).to_contain_text("left")
    fits(page, "running jobs on a phone")
    screenshot(page, "jobs-running-phone")
    job_row(page, "Test-Gated").locator(".live-status a").click()
    expect(page.locator("h1")).to_have_text(f"Execution #{execution.pk}")
    expect(page.locator("#execution-live .progress-text")).to_contain_text(re.compile(r"\d+ % overall"))
    expect(page.locator("#execution-status")).to_have_attribute("aria-live", "polite")
    fits(page, "a running execution on a phone")
    screenshot(page, "execution-running-phone")
    gate(str(execution.pk)).parent.mkdir(parents=True, exist_ok=True)
    gate(str(execution.pk)).touch()
    expect(page.locator("#execution-status .badge")).to_have_text(
        re.compile("OK"), timeout=RUN_BOUND_SECONDS * 1000
    )
    expect(page.locator("#log-tail")).to_contain_text("Execution OK")
    # The change was said in the live region that outlives the replaced fragment.
    expect(page.locator("#announcer")).to_contain_text("OK")


def timezone_now():
    from django.utils import timezone

    return timezone.now()


# --- Run when free and the toast, at 1440×900 ------------------------------------------------


def test_a_refused_run_waits_for_the_lock_and_a_toast_says_it_finished(
    stack, chromium, live_server, users, transactional_db
):
    from jobs import services
    from jobs.models import QueuedRun
    from tests.engine_jobs import gate

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, timezone_id="Europe/Paris"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    holder = services.execution_create(job_id="Test-Gated", user=users["admin"])
    wait_for(lambda: JobExecution.objects.filter(pk=holder.pk, execution_status="running").exists(),
             RUN_BOUND_SECONDS, what="Test-Gated to run")  # fmt: skip
    log_in(page, "merchandiser")
    row = job_row(page, "Test-Quick")
    # The refusal is in the page, beside the disabled Run: who holds what, since when, a link.
    expect(row.get_by_role("button", name="▶ Run")).to_be_disabled()
    refusal = row.locator(".refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(f"Busy: #{holder.pk} Test-Gated (manual by admin, since")
    expect(refusal).to_contain_text("holds alpha.")
    expect(refusal.get_by_role("link", name=f"#{holder.pk}")).to_have_attribute(
        "href", f"/executions/{holder.pk}/"
    )
    expect(row).not_to_contain_text("Waiting")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    row.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "jobs-refused.png")

    row.get_by_role("button", name="Run when free").click()
    expect(page.locator(".message-success")).to_contain_text(
        f"Test-Quick is queued: it starts when execution #{holder.pk} has finished"
    )
    expect(job_row(page, "Test-Quick").locator(".refusal")).to_contain_text(
        f"Queued waiting for #{holder.pk}"
    )
    job_row(page, "Test-Quick").scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "jobs-queued.png")
    page.get_by_role("link", name="Job History").click()
    expect(page.locator("#queued-runs")).to_contain_text(f"Test-Quick Queued waiting for #{holder.pk}")
    page.get_by_role("link", name="Jobs", exact=True).click()

    # The holder ends: its finish starts the queued run on the worker, and the polled page
    # shows a toast once that run has finished.
    path = gate(str(holder.pk))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    wait_for(
        lambda: QueuedRun.objects.filter(state="started").exists(), RUN_BOUND_SECONDS, what="the queued run"
    )
    started = QueuedRun.objects.get().execution
    assert (started.job_id, started.triggered_by.username) == ("Test-Quick", "merchandiser")
    toast = page.locator("#toasts [data-toast]")
    expect(toast).to_contain_text(f"Test-Quick #{started.pk} finished OK.", timeout=RUN_BOUND_SECONDS * 1000)
    expect(page.locator("#toasts")).to_have_attribute("aria-live", "polite")
    page.screenshot(path=SCREENSHOTS / "jobs-toast.png")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)
    context.close()


def test_test_connection_keeps_what_was_typed_and_save_saves_it(
    chromium, live_server, users, transactional_db
):
    """At 1440×900: the administrator types the Akeneo password, tests, sees the answer beside
    the button with the password still in its field, then saves that password."""
    from demo.akeneo.server import DemoAkeneoServer
    from jobs import config
    from tests.conftest import ICECAT_API

    typed = "the-right-pa55word"
    server = DemoAkeneoServer(ICECAT_API, secret="pim-secret", password=typed).start()
    try:
        document = config.default_document()
        document["akeneo"].update(url=server.url, secret="pim-secret", password="an-old-password")
        config.save(document, comment="before the password changed")
        context = chromium.new_context(
            base_url=live_server.url, viewport={"width": 1440, "height": 900}, timezone_id="Europe/Paris"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, "admin")
        page.goto("/config/")
        # The stored (old) password fails, in words, with what to do.
        page.click("#test-akeneo")
        result = page.locator("#test-panel-akeneo #test-result")
        expect(result).to_contain_text("Akeneo refused the username or password (HTTP 422).")
        expect(result).to_contain_text("Check the Akeneo user's username and password")
        page.fill("#id_akeneo_password", typed)
        page.fill("#id_mapping_channel", "mobile")  # an unsaved change elsewhere stays too
        page.click("#test-akeneo")
        expect(result).to_contain_text(f"✔ Connected to {server.url} as admin")
        assert page.input_value("#id_akeneo_password") == typed
        assert page.input_value("#id_mapping_channel") == "mobile"
        fits(page, "configuration after Test connection")
        result.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "config-test-connection.png")

        page.fill("#id_comment", "New Akeneo password")
        page.click("#save-config")
        expect(page.locator(".message-success")).to_contain_text("Configuration version 2 saved")
        loaded = config.load()
        assert (loaded.akeneo.password, loaded.mapping.channel) == (typed, "mobile")
        assert page.input_value("#id_akeneo_password") == ""  # never rendered back

        # Akeneo's lists, read with the saved connection, fill the pickers; a picked locale
        # becomes a mapping line.
        page.click("#load-akeneo-lists")
        expect(page.locator("#akeneo-lists-result")).to_contain_text("✔ Loaded from Akeneo:")
        assert page.locator("datalist#akeneo-attributes option").count() > 10
        page.fill("#id_mapping_locales", "en_US = en-US")
        page.fill("#pick-mapping_locales", "de_DE")
        page.click("button[data-add-for=pick-mapping_locales]")
        assert page.input_value("#id_mapping_locales") == "en_US = en-US\nde_DE = de-DE"
        page.evaluate("() => document.getElementById('akeneo-lists').scrollIntoView({block: 'center'})")
        page.screenshot(path=SCREENSHOTS / "config-akeneo-lists.png")
        page.click("#save-config")
        expect(page.locator(".message-success")).to_contain_text("Configuration version 3 saved")
        assert config.load().mapping.locales["de_DE"] == "de-DE"

        # Every problem at once, linked from the top.
        page.fill("#id_akeneo_url", "pim.example.com")
        page.fill("#id_filters_products_search", '{"family": "x"}')
        page.click("#save-config")
        problems = page.locator("#config-problems")
        expect(problems).to_contain_text("2 problems: nothing was saved.")
        problems.get_by_role("link", name="Akeneo connection › URL").click()
        expect(page).to_have_url(re.compile("#id_akeneo_url$"))
        expect(page.locator("#row-akeneo_url .errorlist")).to_contain_text("must be an http(s) URL")
        page.goto("/config/")
        page.screenshot(path=SCREENSHOTS / "config.png")

        # History: the diff, a comparison, a restore.
        page.goto("/config/history/")
        expect(page.locator("#version-2")).to_contain_text("Password: changed")
        assert typed not in page.content()
        fits(page, "configuration history")
        page.screenshot(path=SCREENSHOTS / "config-history.png", full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("#restore-1")
        expect(page.locator(".message-success")).to_contain_text("Version 1 restored as version 4")
        assert config.load().akeneo.password == "an-old-password"
        page.select_option("#compare-a", "3")
        page.select_option("#compare-b", "4")
        page.get_by_role("button", name="Compare").click()
        expect(page.locator("#compare-result h2")).to_have_text(
            "3 fields differ"
        )  # password, channel, locales
        fits(page, "configuration compare")
        page.screenshot(path=SCREENSHOTS / "config-compare.png", full_page=True)
        context.close()
    finally:
        server.stop()
