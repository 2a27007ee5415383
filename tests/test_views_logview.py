"""Reading an execution log for its page (console.executions.logview): entries, folded details, the
first error and its known cause. Pure functions over text; the page tests are in
test_views_executions.py."""

from console.executions import logview


def test_it_reads_entries_with_their_level_step_time_and_detail():
    text = (
        "[2026-11-23 11:20:01.123 UTC] INFO  [export] Step started\n"
        "[2026-11-23 11:20:03.456 UTC] ERROR [export] Traceback (most recent call last):\n"
        '      File "/srv/x.py", line 1, in f\n'
        "    ValueError: boom\n"
    )
    first, error = logview.parse(text)
    assert (first.level, first.step, first.message, first.time.isoformat()) == (
        "INFO", "export", "Step started", "2026-11-23T11:20:01+00:00",
    )  # fmt: skip
    assert error.level == "ERROR" and error.is_traceback and error.summary == "ValueError: boom"
    assert error.detail_text == '  File "/srv/x.py", line 1, in f\nValueError: boom'


def test_it_keeps_lines_it_does_not_recognise():
    # A tail cut mid-entry, an unknown level, a bare line: shown as they are, never dropped.
    text = "    cut continuation\n[2026-11-23 11:20:01.123 UTC] TRACE odd level\nplain line\n"
    entries = logview.parse(text)
    assert [(e.level, e.message) for e in entries] == [
        ("INFO", "    cut continuation"),
        ("INFO", "[2026-11-23 11:20:01.123 UTC] TRACE odd level"),
        ("INFO", "plain line"),
    ]


def test_it_finds_the_first_error_of_a_file_within_its_bound(tmp_path):
    path = tmp_path / "x.log"
    path.write_text("[2026-11-23 11:20:01.000 UTC] ERROR first\n[2026-11-23 11:20:02.000 UTC] ERROR second\n")
    assert logview.first_error(path).message == "first"
    assert logview.first_error(path, max_bytes=10) is None
    assert logview.first_error(tmp_path / "missing.log") is None


def test_it_explains_known_causes_and_not_others():
    cases = {
        "AkeneoAuthError: Akeneo refused the credentials": "Akeneo credentials in Import configuration",
        "Akeneo unreachable: ConnectionError on GET /api after 5 attempts": "Akeneo URL",
        "SfccAuthError: Account Manager refused the client credentials": "SFCC client id and secret",
        "SfccJobError: the site import ended in ERROR": "Business Manager",
        "The worker w@h stopped responding (no heartbeat since …)": "Run the job again",
        "count: 12 data errors: more than the configured threshold of 10": "threshold",
    }
    for summary, advice in cases.items():
        hint = logview.explain(summary)
        assert hint is not None and advice in hint.action, summary
    assert logview.explain("RuntimeError: boom") is None
