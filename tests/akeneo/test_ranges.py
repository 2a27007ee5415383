"""`updated` ranges: they tile the time line, each record is kept by exactly one of them, and the
split points found by counting balance them when the dates allow it."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import datetime, timedelta

import pytest

from jobs.akeneo.ranges import UpdatedRange, catch_up, plan, updated_second

UNTIL = datetime(2026, 3, 1, 12, 0, 0)


def catalog(stamps: list[datetime]):
    """Records with these `updated` dates and Akeneo's count of `updated < moment`."""
    ordered = sorted(stamps)
    records = [{"updated": s.isoformat() + "+00:00"} for s in stamps]
    asked: list[datetime] = []

    def count_before(moment: datetime) -> int:
        asked.append(moment)
        return bisect_left(ordered, moment)

    return records, count_before, asked


def keepers(ranges: list[UpdatedRange], record: dict) -> list[UpdatedRange]:
    return [r for r in ranges if r.holds(record)]


def test_it_splits_a_spread_catalog_into_balanced_ranges_that_keep_each_record_once():
    rng = random.Random(3)
    stamps = [UNTIL - timedelta(seconds=rng.randrange(1, 400 * 86_400)) for _ in range(5_000)]
    records, count_before, asked = catalog(stamps)
    ranges, total = plan(count_before, until=UNTIL, streams=4)
    assert total == 5_000 and len(ranges) == 4
    assert ranges[0].low is None and ranges[-1].high == UNTIL
    assert all(a.high == b.low for a, b in zip(ranges, ranges[1:], strict=False))  # no gap, no overlap
    sizes = [sum(1 for rec in records if r.holds(rec)) for r in ranges]
    assert sum(sizes) == 5_000 and all(abs(size - 1_250) <= 125 for size in sizes), sizes
    assert all(len(keepers(ranges, rec)) == 1 for rec in records)
    assert len(asked) < 120  # a bisection per split point, not a scan of every second


def test_it_keeps_one_busy_second_in_one_range():
    moment = UNTIL - timedelta(days=30)
    records, count_before, _ = catalog([moment] * 900 + [UNTIL - timedelta(days=1)] * 100)
    ranges, total = plan(count_before, until=UNTIL, streams=4)
    assert total == 1_000
    assert all(len(keepers(ranges, rec)) == 1 for rec in records)
    assert sorted(sum(1 for rec in records if r.holds(rec)) for r in ranges)[-1] == 900


@pytest.mark.parametrize(("streams", "size"), [(1, 10_000), (4, 799)])
def test_it_does_not_split_for_one_stream_or_a_small_listing(streams, size):
    _, count_before, _ = catalog([UNTIL - timedelta(days=1)] * size)
    ranges, _ = plan(count_before, until=UNTIL, streams=streams)
    assert ranges == [UpdatedRange(None, None)]
    assert ranges[0].search({"enabled": [{"operator": "=", "value": True}]}) == {
        "enabled": [{"operator": "=", "value": True}]
    }


def test_it_asks_akeneo_a_superset_of_each_range_with_its_published_operators():
    low, high = datetime(2026, 1, 1, 0, 0, 0), datetime(2026, 2, 1, 0, 0, 0)
    raw = {"updated": [{"operator": ">", "value": "2025-01-01 00:00:00"}]}
    assert UpdatedRange(None, high).search(None) == {
        "updated": [{"operator": "<", "value": "2026-02-01 00:00:00"}]
    }
    assert UpdatedRange(low, high).search(raw)["updated"] == [
        {"operator": ">", "value": "2025-01-01 00:00:00"},  # the configuration's own condition stays
        {"operator": "BETWEEN", "value": ["2026-01-01 00:00:00", "2026-02-01 00:00:00"]},
    ]
    assert catch_up(UNTIL).search(None) == {"updated": [{"operator": ">", "value": "2026-03-01 11:59:59"}]}
    assert raw == {"updated": [{"operator": ">", "value": "2025-01-01 00:00:00"}]}  # not changed


def test_it_places_a_record_by_its_second_in_utc():
    ranges = [UpdatedRange(None, UNTIL), catch_up(UNTIL)]
    just_before = {"updated": "2026-03-01T13:59:59+02:00"}  # 11:59:59 UTC
    at_start = {"updated": "2026-03-01T12:00:00.400000+00:00"}  # the start's own second: late
    assert keepers(ranges, just_before) == [ranges[0]] and keepers(ranges, at_start) == [ranges[1]]
    assert updated_second({"updated": "not a date"}) is None
    assert keepers(ranges, {"updated": 7}) == ranges  # kept where Akeneo put it, for the transform to report
