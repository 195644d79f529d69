"""Study-day arithmetic, the one place that reads the clock, and how a span of time is written.

A study day rolls over at `day_starts_at` o'clock local time (default 4, as in
Anki), so a session at 01:30 still counts for the day before. Due dates are
local calendar dates. The wall-clock time is used (not UTC) so a DST change
moves the rollover with the local clock.

`FLASHPREP_NOW` (ISO 8601 with an offset, e.g. 2026-11-26T09:00:00+01:00)
replaces the clock for scripting and tests; its offset is the local time zone.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

from flashprep.errors import ConfigError, InputError

MIN_YEAR, MAX_YEAR = 1970, 9000


def parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"FLASHPREP_NOW={value!r} is not an ISO 8601 timestamp "
            "(example: 2026-11-26T09:00:00+01:00)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ConfigError(
            f"FLASHPREP_NOW={value!r} has no UTC offset (example: 2026-11-26T09:00:00+01:00)"
        )
    # Stats and due dates reach years before and after today; near year 1 or 9999 that
    # arithmetic would overflow, so keep the clock to a range no real use leaves.
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ConfigError(
            f"FLASHPREP_NOW={value!r} is out of range: use a year from {MIN_YEAR} to {MAX_YEAR}"
        )
    return moment


def now() -> datetime:
    """The current time, aware, in the local time zone (or FLASHPREP_NOW)."""
    value = os.environ.get("FLASHPREP_NOW")
    if value:
        return parse_now(value)
    return datetime.now().astimezone()


def study_day(moment: datetime, day_starts_at: int = 4) -> date:
    """The study day that `moment` (aware) belongs to, by its own wall clock."""
    if moment.tzinfo is None:
        raise ValueError("study_day needs an aware datetime")
    wall = moment.replace(tzinfo=None)
    return (wall - timedelta(hours=day_starts_at)).date()


def format_duration(ms: float) -> str:
    """12s, 3m 05s, 2h 10m: time spent, in the session summary and the stats reports."""
    seconds = round(ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def utc_iso(moment: datetime) -> str:
    """A compact UTC timestamp for the log, e.g. 2026-11-26T08:00:00.123Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def future_day(value: str, today: date, option: str, why: str = "") -> date:
    """The day an option names (YYYY-MM-DD), which must come after `today`; an InputError
    naming the option otherwise (`why` is said after the "not after today" error)."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None
    if day <= today:
        raise InputError(
            f"{option} {day.isoformat()} is not after today ({today.isoformat()})"
            + (f": {why}" if why else "")
        )
    return day
