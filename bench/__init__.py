"""`make bench` / `make bench-quick`: how fast the import runs and how the console holds up.

One run, on this machine, in an environment of its own (database, broker DB, storage root
under var/bench), measures:

- raw paging: the demo Akeneo server paged with `search_after`, 100 per page, items unused;
- the full import (3-2) end to end through a real Celery worker, its peak RSS, and its
  throughput against raw paging;
- the differential import (3-1) with nothing changed, then with 1% of products touched;
- the full import against a PIM at 150 ms a call allowing 4 calls at once, against the ideal
  `max(pages × latency ÷ 4, zero-latency time)`;
- the full import's peak RSS on a small and on the full catalog (memory must stay flat);
- job 2's media downloads at a PIM's 40 ms a file with Akeneo's limit of 4 calls at once:
  4 at once and one at a time, against the ideal files × 40 ms ÷ 4;
- the console pages' latency and SQL query counts over many executions.

Modules: `catalog` (cached demo catalogs), `environment` (database, broker, processes, RSS
sampling), `imports` (paging and import runs), `media` (job 2's downloads), `pages` (console
latency), `report` (table and results.json), `suite` (the order of it all).
"""
