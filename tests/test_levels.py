"""One vocabulary of log levels: INFO, WARN, ERROR, whatever a caller or library calls them."""

import pytest

from jobs.joblog import JobLog
from jobs.levels import Level, level_of


@pytest.mark.parametrize(
    "name, level",
    [
        ("info", Level.INFO),
        ("WARN", Level.WARN),
        ("warning", Level.WARN),
        ("Error", Level.ERROR),
        ("critical", Level.ERROR),
    ],
)
def test_it_reads_every_spelling_as_one_level(name, level):
    assert level_of(name) is level


def test_it_refuses_an_unknown_level():
    with pytest.raises(ValueError, match="Unknown log level 'loud'"):
        level_of("loud")


def test_it_writes_warning_as_warn_in_the_execution_log(tmp_path):
    log = JobLog(tmp_path / "x.log")
    log.write("warning", "retrying")
    log.write(Level.ERROR, "failed")
    log.close()
    text = (tmp_path / "x.log").read_text()
    assert " WARN  retrying" in text and " ERROR failed" in text and "WARNING" not in text
