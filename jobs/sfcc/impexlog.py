"""SFCC job logs: the `DATAERROR` lines an import writes for each record it rejected.

SFCC writes them and still ends the job OK, so they are the only trace of rejected products,
categories or prices. A line looks like

    [2024-05-01 10:00:00.123 GMT] ERROR JobThread|…|sfcc-site-archive-import|ImportSiteArchive
        - DATAERROR: catalog.xml: product '1111111119': variation master 'apollon' not found

and the first quoted token after `DATAERROR` names the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTED = re.compile(r"""['"]([^'"]+)['"]""")


@dataclass(frozen=True)
class RejectedRecord:
    """A record SFCC refused, read from a DATAERROR line of its import job log (the engine
    records each as a jobs.models.DataError of the execution)."""

    identifier: str
    message: str


def parse_data_errors(log_text: str) -> list[RejectedRecord]:
    errors = []
    for line in log_text.splitlines():
        marker = line.find("DATAERROR")
        if marker < 0:
            continue
        message = line[marker + len("DATAERROR") :].lstrip(" :-").strip()
        quoted = _QUOTED.search(message)
        errors.append(RejectedRecord(quoted.group(1) if quoted else message, message))
    return errors


def data_error_line(when: str, source: str, identifier_kind: str, identifier: str, reason: str) -> str:
    """One log line in SFCC's shape; the demo server writes these."""
    return (
        f"[{when} GMT] ERROR SystemJobThread|sfcc-site-archive-import|ImportSiteArchive - "
        f"DATAERROR: {source}: {identifier_kind} '{identifier}': {reason}"
    )
