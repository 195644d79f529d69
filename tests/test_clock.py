"""Study days, the rollover hour, time zones, DST and FLASHPREP_NOW."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from flashprep import clock
from flashprep.errors import ConfigError


def test_before_rollover_counts_for_the_day_before() -> None:
    tz = timezone(timedelta(hours=1))
    assert clock.study_day(datetime(2026, 3, 10, 3, 59, tzinfo=tz)) == date(2026, 3, 9)
    assert clock.study_day(datetime(2026, 3, 10, 4, 0, tzinfo=tz)) == date(2026, 3, 10)


def test_rollover_hour_is_configurable() -> None:
    tz = UTC
    moment = datetime(2026, 3, 10, 5, 30, tzinfo=tz)
    assert clock.study_day(moment, 6) == date(2026, 3, 9)
    assert clock.study_day(moment, 0) == date(2026, 3, 10)


@pytest.mark.parametrize(
    "zone, local, expected",
    [
        ("Asia/Kolkata", datetime(2026, 3, 10, 2, 0), date(2026, 3, 9)),
        ("Asia/Kolkata", datetime(2026, 3, 10, 23, 0), date(2026, 3, 10)),
        ("America/Los_Angeles", datetime(2026, 3, 10, 4, 30), date(2026, 3, 10)),
    ],
)
def test_two_time_zones_use_their_own_wall_clock(
    zone: str, local: datetime, expected: date
) -> None:
    assert clock.study_day(local.replace(tzinfo=ZoneInfo(zone))) == expected


def test_same_instant_differs_by_zone() -> None:
    instant = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
    assert clock.study_day(instant.astimezone(ZoneInfo("Asia/Kolkata"))) == date(2026, 3, 10)
    assert clock.study_day(instant.astimezone(ZoneInfo("America/New_York"))) == date(2026, 3, 9)


def test_dst_change_keeps_the_wall_clock_rollover() -> None:
    ny = ZoneInfo("America/New_York")
    # 2026-03-08: clocks jump from 02:00 to 03:00. 03:30 is still before the 04:00 rollover.
    assert clock.study_day(datetime(2026, 3, 8, 3, 30, tzinfo=ny)) == date(2026, 3, 7)
    assert clock.study_day(datetime(2026, 3, 8, 4, 0, tzinfo=ny)) == date(2026, 3, 8)
    # Only 23 real hours pass between the two rollovers around the change.
    a = datetime(2026, 3, 7, 4, 0, tzinfo=ny)
    b = datetime(2026, 3, 8, 4, 0, tzinfo=ny)
    assert (b.astimezone(UTC) - a.astimezone(UTC)) == timedelta(hours=23)
    # 2026-11-01: clocks fall back from 02:00 to 01:00.
    assert clock.study_day(datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ny)) == date(2026, 10, 31)


def test_flashprep_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_NOW", "2026-05-01T03:00:00+02:00")
    moment = clock.now()
    assert moment.utcoffset() == timedelta(hours=2)
    assert clock.study_day(moment) == date(2026, 4, 30)


@pytest.mark.parametrize(
    "value, message",
    [
        ("yesterday", "FLASHPREP_NOW='yesterday' is not an ISO 8601 timestamp"),
        ("2026-05-01T03:00:00", "FLASHPREP_NOW='2026-05-01T03:00:00' has no UTC offset"),
        # Dates near the ends of the calendar once overflowed in stats and the log.
        (
            "9999-12-31T23:59:59+00:00",
            "FLASHPREP_NOW='9999-12-31T23:59:59+00:00' is out of range: use a year from 1970 "
            "to 9000",
        ),
        (
            "0001-01-01T00:00:00+00:00",
            "FLASHPREP_NOW='0001-01-01T00:00:00+00:00' is out of range: use a year from 1970 "
            "to 9000",
        ),
    ],
)
def test_bad_flashprep_now(monkeypatch: pytest.MonkeyPatch, value: str, message: str) -> None:
    monkeypatch.setenv("FLASHPREP_NOW", value)
    with pytest.raises(ConfigError) as exc:
        clock.now()
    assert str(exc.value).startswith(message)


def test_utc_iso() -> None:
    moment = datetime(2026, 3, 10, 9, 0, 0, 123000, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert clock.utc_iso(moment) == "2026-03-10T03:30:00.123Z"
