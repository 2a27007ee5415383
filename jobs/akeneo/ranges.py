"""Split a product (or product model) listing into `updated` ranges of about equal size, so that
several streams can page through it at once, each over its own range.

Akeneo's `search_after` cursor must never be set by hand (Pagination reference), so a listing
cannot be split by position; it can be split by filter. `updated` is the one property every
record has, that Akeneo filters with `<`, `>` and `BETWEEN` at the second, and whose values are
spread over a catalog's life. The split points are found by counting (`with_count`): a
bisection per point, so a range holds about `total / streams` records whatever the catalog's
history (one busy second cannot be split: its records stay in one range, still exactly once).

Exactly once, by construction:
- The ranges are half-open in whole seconds, `[low, high)`, and tile the time line up to
  `until`, the import's start: every moment belongs to one range. The query of each range asks
  a little more than the range (`BETWEEN low, high` with both ends included, `< high`), and each
  record is kept only by the range that `holds` its own `updated` second: a variant that Akeneo
  also returns for its parent model's date ("product variants with an older updated date ...
  will be part of the answer if one of their parent product models matches", Filters
  reference), or a record stored below the second, is kept once.
- A record updated during the import leaves the ranges (its `updated` is now ≥ `until`): the
  range that held it either passed it already (it was exported as it was at that moment) or
  will not see it. The last range, `[until, ∞)` (`updated > until - 1 s`), is read after all the
  others have ended and gives every record changed or created since the import started; those
  already exported are left out by their key (see `jobs.pipeline.partitioned`). The differential
  watermark is the import's start, `until`, so the next run exports the changes made during this
  one again, with their new values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DAY = 86_400
SMALLEST = 2  # pages per stream below which a listing is not worth splitting
_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class UpdatedRange:
    """Records whose `updated` second `s` is in `low <= s < high` (None: unbounded), in UTC."""

    low: datetime | None
    high: datetime | None

    def search(self, search: dict | None) -> dict | None:
        """`search` plus this range's `updated` condition (a superset of the range)."""
        if self.low is None and self.high is None:
            return search
        if self.low is None:
            condition = {"operator": "<", "value": _text(self.high)}
        elif self.high is None:
            condition = {"operator": ">", "value": _text(self.low - timedelta(seconds=1))}
        else:
            condition = {"operator": "BETWEEN", "value": [_text(self.low), _text(self.high)]}
        search = dict(search or {})
        search["updated"] = [*search.get("updated", []), condition]
        return search

    def holds(self, record) -> bool:
        """Whether this range keeps `record`. One whose `updated` is not a date is kept where
        Akeneo put it: the transform reports it."""
        second = updated_second(record)
        if second is None:
            return True
        return (self.low is None or second >= self.low) and (self.high is None or second < self.high)

    def __str__(self) -> str:
        low = _text(self.low) if self.low else "the start"
        return f"updated from {low} to {_text(self.high) if self.high else 'now'}"


def updated_second(record) -> datetime | None:
    """A record's `updated`, in UTC, to the second (naive)."""
    value = record.get("updated") if isinstance(record, dict) else None
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def plan(
    count_before: Callable[[datetime], int], *, until: datetime, streams: int, page_size: int = 100
) -> tuple[list[UpdatedRange], int]:
    """The ranges up to `until` (naive UTC, whole seconds) and the number of records in them.

    `count_before(moment)` is the listing's count with `updated < moment`. One range (no filter
    at all) when one stream is asked or the listing is too small to be worth splitting; else at
    most `streams` ranges, fewer when records crowd into few seconds."""
    until = until.replace(microsecond=0)
    if streams <= 1:
        return [UpdatedRange(None, None)], -1
    counts = _Counts(count_before)
    total = counts(until)
    if total < streams * page_size * SMALLEST:
        return [UpdatedRange(None, None)], -1
    targets = [total * i // streams for i in range(1, streams)]
    tolerance = max(page_size, total // (streams * 10))
    with ThreadPoolExecutor(max_workers=len(targets), thread_name_prefix="akeneo-plan") as pool:
        low, high = _bracket(counts, until, total, pool, len(targets))
        points = list(pool.map(lambda t: _split(counts, low, high, t, tolerance), targets))
    edges = sorted({p for p in points if low < p < until})
    bounds: list[datetime | None] = [None, *edges, until]
    return [UpdatedRange(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)], total


def catch_up(until: datetime) -> UpdatedRange:
    """What changed or was created since `until`: read after every range has ended."""
    return UpdatedRange(until.replace(microsecond=0), None)


class _Counts:
    """`count_before` asked once per moment (remembered; two threads asking the same moment at
    the same time may both ask)."""

    def __init__(self, count_before: Callable[[datetime], int]):
        self._count_before = count_before
        self._known: dict[datetime, int] = {}
        self._lock = threading.Lock()

    def __call__(self, moment: datetime) -> int:
        with self._lock:
            if moment in self._known:
                return self._known[moment]
        found = self._count_before(moment)
        with self._lock:
            self._known[moment] = found
        return found


def _bracket(
    counts: _Counts, until: datetime, total: int, pool: ThreadPoolExecutor, width: int
) -> tuple[datetime, datetime]:
    """A moment before every record and the earliest moment probed after all of them: a day
    back, then twice as far each time, `width` of them asked at once (2^17 days: back to 1970
    from any date before 2300)."""
    epoch = datetime(1970, 1, 1)
    moments = sorted({max(epoch, until - timedelta(days=2**d)) for d in range(18)}, reverse=True)
    high = until
    for start in range(0, len(moments), width):
        batch = moments[start : start + width]
        for moment, found in zip(batch, pool.map(counts, batch), strict=True):
            if found == 0:
                return moment, high
            if found == total:
                high = moment
    return epoch, high


def _split(counts: _Counts, low: datetime, high: datetime, target: int, tolerance: int) -> datetime:
    """A moment with about `target` records before it, over whole seconds. Steps alternate
    between interpolating the counts (a few steps when dates are spread evenly) and halving
    the interval (at most about 40 steps whatever the dates)."""
    below, above = counts(low), counts(high)
    interpolate = True
    while (high - low).total_seconds() > 1:
        span = int((high - low).total_seconds())
        step = span // 2
        if interpolate and above > below:
            step = min(span - 1, max(1, span * (target - below) // (above - below)))
        interpolate = not interpolate
        middle = low + timedelta(seconds=step)
        found = counts(middle)
        if abs(found - target) <= tolerance:
            return middle
        if found < target:
            low, below = middle, found
        else:
            high, above = middle, found
    return high


def _text(moment: datetime | None) -> str:
    assert moment is not None
    return moment.strftime(_FORMAT)
