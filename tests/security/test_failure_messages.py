"""What a page shows of a failed run: the cause in one line, never a server path or a stack
trace. The log file keeps the full trace for support."""

import pytest
from django.conf import settings
from django.urls import reverse

from jobs import messages, runner, services
from jobs.context import JobFailed
from jobs.joblog import log_path
from jobs.registry import Job, Step, register, unregister

pytestmark = pytest.mark.django_db


def write_a_file_with_a_long_name(ctx):
    # What a 300-character catalog id did before it was refused: a folder name too long.
    (ctx.workdir / "catalogs" / ("c" * 300)).mkdir(parents=True)


def fail_naming_a_path(ctx):
    raise JobFailed(f"cannot read {ctx.workdir}/archive/X.zip")


@pytest.fixture
def failing_jobs():
    register(
        Job(
            "Test-Long-Name",
            "Fails on the file system",
            (Step("write", write_a_file_with_a_long_name),),
            frozenset(),
        )
    )
    register(
        Job("Test-Path-Message", "Fails naming a path", (Step("deliver", fail_naming_a_path),), frozenset())
    )
    yield
    unregister("Test-Long-Name")
    unregister("Test-Path-Message")


@pytest.mark.parametrize("job_id", ["Test-Long-Name", "Test-Path-Message"])
def test_it_shows_a_failed_run_without_server_paths(client, users, no_enqueue, failing_jobs, job_id):
    execution = services.execution_create(job_id=job_id)
    runner.run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.exit_status == "ERROR"
    storage = str(settings.STORAGE_ROOT)
    client.force_login(users["support"])
    for name in ("execution", "execution_live"):
        page = client.get(reverse(name, args=[execution.pk])).content.decode()
        assert execution.message and execution.message in page
        assert storage not in page and str(settings.BASE_DIR) not in page, page  # nor the checkout's
    for text in [execution.message, *execution.steps.values_list("message", flat=True)]:
        assert storage not in text and "Traceback" not in text
    log = log_path(execution.log_file_name).read_text()
    assert storage in log  # the full error stays in the log file, for support
    if job_id == "Test-Long-Name":
        assert execution.message == "write: OSError: File name too long (the log file has the details)"
        assert "Traceback" in log and "trace for support" in log
    else:
        assert execution.message == "deliver: cannot read …/X.zip"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("No such file: '/srv/console/var/storage/work/17/x.xml'", "No such file: '…/x.xml'"),
        (
            "GET https://pim.example.com/api/rest/v1/products failed",
            "GET https://pim.example.com/api/rest/v1/products failed",
        ),
        (
            'Traceback (most recent call last):\n  File "/usr/lib/x.py"',
            "an unexpected error (the log file has the details)",
        ),
        ("first line\nsecond line at /opt/app/y.py", "first line"),
        (
            "PUT /on/demandware.servlet/webdav/Sites/Impex/src/instance/X.zip: HTTP 403",
            "PUT /on/demandware.servlet/webdav/Sites/Impex/src/instance/X.zip: HTTP 403",
        ),
        (
            "POST /api/oauth/v1/token failed; /tmpfile is no path",
            "POST /api/oauth/v1/token failed; /tmpfile is no path",
        ),
        ("C:\\inetpub\\console\\storage\\f.zip missing", "…/f.zip missing"),
    ],
)
def test_it_cleans_a_message_for_the_pages(text, expected):
    assert messages.shown(text) == expected


def test_it_cuts_a_message_to_a_line_of_a_table():
    assert len(messages.shown("x" * 10_000)) == messages.MAX_SHOWN
