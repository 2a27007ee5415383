"""One redactor for every text that leaves a run: secrets as they are and as they travel."""

import base64
from urllib.parse import quote, quote_plus

from jobs.joblog import JobLog
from jobs.redaction import MASK, Redactor

SECRET = "s3cr+t%2F/with:colon and space"


def test_it_masks_a_secret_as_it_is_and_in_its_encoded_forms():
    redact = Redactor(SECRET)
    for form in (SECRET, quote_plus(SECRET, safe=""), quote(SECRET, safe="")):
        assert (
            redact(f"POST /token?client_secret={form} failed") == f"POST /token?client_secret={MASK} failed"
        )


def test_it_masks_the_longest_secret_whole_and_leaves_short_values_alone():
    redact = Redactor("abc", "password", "password-2")
    assert redact("password-2 and password, abc") == f"{MASK} and {MASK}, abc"
    assert not Redactor(None, "", "abc")


def test_the_job_log_and_a_client_mask_the_same_way(tmp_path):
    basic = base64.b64encode(f"id:{SECRET}".encode()).decode()
    log = JobLog(tmp_path / "x.log", secrets={SECRET})
    log.add_secret(basic)
    log.write("ERROR", f"refused {quote_plus(SECRET, safe='')} with Basic {basic}")
    log.close()
    text = (tmp_path / "x.log").read_text()
    assert SECRET not in text and basic not in text and quote_plus(SECRET, safe="") not in text
    assert f"refused {MASK} with Basic {MASK}" in text
