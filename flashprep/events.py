"""The one definition of a history event: its kinds, its shape, and its bytes.

Every line of `<home>/reviews.jsonl` is one event, and this module is the only place that
says what an event is: `Kind` names every kind, `make_event` builds one, `check_event`
decides whether a decoded line is valid, `encode_event` turns one into its log line and
`decode_event` does the reverse. Nothing here touches a file; flashprep.eventlog reads and
appends the log, and flashprep.index derives everything else from it.

An event carries the card's full resulting state, so "the last event of a card wins"
(`state_after`) is the whole replay rule: an event that changes nothing about a card's
schedule carries the state unchanged. Such are a mock interview's question (`mock`) and an
`attempt`: one run of an answer to an exercise (its code, outcome pass / fail / error /
timeout, a short detail, engine, attempt number and seconds); the grade that follows an
exercise is an ordinary answer, with the grade that was `suggested`.

Line layout: compact separators and a fixed key order (v, id, card_id, ts, day, kind,
grade, duration_ms, the kind's own fields, state). Readers must not depend on it; it only
keeps the log small and diffable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import orjson

from flashprep.clock import utc_iso
from flashprep.schedule import CardState
from flashprep.sm2 import MIN_EF

SCHEMA = 1


class Kind(StrEnum):
    """Every kind of event the log may hold."""

    NEW = "new"  # the first answer of a card
    REVIEW = "review"  # the first answer of a study day to a scheduled card
    REDRILL = "redrill"  # a same-day repeat of a card graded < 4 (changes no SM-2 number)
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    BURY = "bury"
    FORGET = "forget"
    UNDO = "undo"  # takes back the event named by `undoes`
    LEECH = "leech"  # accepted for old logs; nothing writes it
    MOCK = "mock"  # one question of a mock interview (flashprep.mock); changes no state
    RESCHEDULE = "reschedule"  # a mock brought the card forward: its due date only
    ATTEMPT = "attempt"  # one run of an answer to an exercise, before it is graded


ANSWER_KINDS = frozenset({Kind.NEW, Kind.REVIEW, Kind.REDRILL})
# Card-management actions (flashprep cards): `flashprep undo` re-applies these after the
# answer it takes back.
ACTION_KINDS = frozenset({Kind.SUSPEND, Kind.UNSUSPEND, Kind.BURY, Kind.FORGET})
MOCK_KINDS = frozenset({Kind.MOCK, Kind.RESCHEDULE})
_KIND_NAMES = frozenset(str(k) for k in Kind)  # plain strings: the cheapest lookups
_ANSWER_NAMES = frozenset(str(k) for k in ANSWER_KINDS)
ATTEMPT_OUTCOMES = frozenset({"pass", "fail", "error", "timeout"})
KINDS = frozenset(Kind)


class CorruptEvent(ValueError):
    """A log line that is not a valid event; its message is the reason, kept short."""


class NewerSchema(ValueError):
    """An event (or index) written by a newer flashprep."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema {version}")
        self.version = version


def _random_id(moment: datetime) -> str:
    """Sortable and unique: milliseconds since the epoch, then 32 random bits."""
    return f"{int(moment.timestamp() * 1000):012x}{os.urandom(4).hex()}"


_id_source: Callable[[datetime], str] = _random_id


def new_event_id(moment: datetime) -> str:
    return _id_source(moment)


def set_id_source(source: Callable[[datetime], str] | None) -> None:
    """Make event ids deterministic (tests); None restores the random ids."""
    global _id_source
    _id_source = source or _random_id


def make_event(
    card_id: str,
    kind: str,
    state: CardState,
    moment: datetime,
    day: date,
    *,
    grade: int | None = None,
    duration_ms: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A new event (a plain dict, as it is stored) of `kind` for `card_id` at `moment`."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event: dict[str, Any] = {
        "v": SCHEMA,
        "id": new_event_id(moment),
        "card_id": card_id,
        "ts": utc_iso(moment),
        "day": day.isoformat(),
        "kind": str(kind),
    }
    if grade is not None:
        event["grade"] = grade
    if duration_ms is not None:
        event["duration_ms"] = max(0, int(duration_ms))
    event.update(extra)
    event["state"] = state.to_dict()
    return event


def check_event(obj: Any) -> tuple[str, tuple[Any, ...]]:
    """Validate one decoded log line; return (card_id, its state's row) or raise
    ValueError. (Run on every line of a whole-log read: plain type checks, set lookups.)"""
    if type(obj) is not dict:
        raise ValueError("not a JSON object")
    get = obj.get
    version = get("v", 1)
    if type(version) is not int:
        raise ValueError("bad schema version")
    if version > SCHEMA:
        raise NewerSchema(version)
    card_id = get("card_id")
    if type(card_id) is not str or not card_id:
        raise ValueError("no card_id")
    if type(get("id")) is not str:
        raise ValueError("no event id")
    kind = get("kind")
    # A str check first: an unhashable kind (a list) would raise TypeError in the lookup.
    if type(kind) is not str or kind not in _KIND_NAMES:
        raise ValueError(f"unknown kind {kind!r}")
    if kind in _ANSWER_NAMES:
        grade = get("grade")
        if type(grade) is not int or not 0 <= grade <= 5:
            raise ValueError("an answer needs a grade 0-5")
    elif kind == "attempt":
        if type(get("code")) is not str or get("outcome") not in ATTEMPT_OUTCOMES:
            raise ValueError("an attempt needs its code and an outcome pass/fail/error/timeout")
    elif kind in MOCK_KINDS:
        _check_mock_fields(obj)
    if type(get("ts")) is not str:
        raise ValueError("no ts")
    _iso(get("day"), "no day")
    state = get("state")
    if type(state) is not dict:
        raise ValueError("no state")
    return card_id, state_row(state)


def _check_mock_fields(obj: dict[str, Any]) -> None:
    """A mock interview's events (flashprep.mock) name their mock; a question has a score."""
    if not isinstance(obj.get("mock_id"), str):
        raise ValueError("no mock_id")
    if obj["kind"] == Kind.MOCK:
        score = obj.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            raise ValueError("a mock question needs a score 0-1")


def encode_event(event: dict[str, Any]) -> bytes:
    """The event's log line, newline included."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def decode_event(raw: bytes) -> dict[str, Any]:
    """One log line, decoded and checked (check_event).

    Raises NewerSchema for a newer flashprep's event and CorruptEvent for anything else.
    """
    return decode_event_row(raw)[0]


def _loads(raw: bytes) -> Any:
    """json.loads, through orjson when it can: a whole log is a million lines, and orjson
    decodes them several times faster. A line orjson refuses goes to json.loads, so what
    is accepted, and the message for what is not, is the standard library's."""
    try:
        return orjson.loads(raw)
    except ValueError:  # orjson.JSONDecodeError: not JSON, not UTF-8, a 65-bit int...
        return json.loads(raw)


def decode_event_row(raw: bytes) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """decode_event, and the row of the event's state (the index's form of it)."""
    try:
        obj = _loads(raw)
        _, row = check_event(obj)
    except NewerSchema:
        raise
    # Not only ValueError: deeply nested arrays raise RecursionError in json, and an
    # "ef": 1e999 (JSON's Infinity) raises OverflowError when turned into hundredths.
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CorruptEvent(str(exc).split("\n")[0][:80]) from None
    assert isinstance(obj, dict)
    return obj, row


_DAYS: dict[str, str] = {}  # ISO days already checked (a log repeats the same few thousand)


def _iso(v: Any, missing: str = "bad state: a day is not a date string") -> str:
    """A day as the canonical ISO string rows compare by (ValueError if it is not one)."""
    day = _DAYS.get(v) if type(v) is str else None
    if day is None:
        if type(v) is not str:
            raise ValueError(missing)
        day = date.fromisoformat(v).isoformat()
        if len(_DAYS) < 100_000:
            _DAYS[v] = day
    return day


def state_row(state: dict[str, Any]) -> tuple[Any, ...]:
    """An event's `state` object as the index's row (CardState.to_row's places), checked
    as CardState.from_dict checks it: the fast path for reading a whole log, which builds
    no CardState. Raises ValueError (OverflowError for an infinite ef)."""
    get = state.get
    ef = get("ef", 2.5)
    if type(ef) is not float and type(ef) is not int:
        raise ValueError("bad state: ef must be a number")
    ef100 = int(round(ef * 100))
    if ef100 < MIN_EF:
        raise ValueError("bad state: ef must be >= 1.3")
    iv, rep, lap, rev = (
        get("interval", 0),
        get("repetitions", 0),
        get("lapses", 0),
        get("reviews", 0),
    )
    if not (
        type(iv) is int
        and type(rep) is int
        and type(lap) is int
        and type(rev) is int
        and iv >= 0
        and rep >= 0
        and lap >= 0
        and rev >= 0
    ):
        raise ValueError("bad state: a count must be a whole number >= 0")
    r, s, lch = get("redrill", False), get("suspended", False), get("leech", False)
    if r is False and s is False and lch is False:
        flags = 0  # the usual case: no flag set
    else:
        flags = 0
        for bit, key, v in ((1, "redrill", r), (2, "suspended", s), (4, "leech", lch)):
            if v is True:
                flags |= bit
            elif v is not False:
                raise ValueError(f"bad state: {key} must be true or false")
    due, last, intro, buried = get("due"), get("last_day"), get("introduced"), get("buried_until")
    days = _DAYS
    return (
        ef100,
        iv,
        rep,
        None if due is None else (days.get(due) or _iso(due)),
        lap,
        rev,
        None if last is None else (days.get(last) or _iso(last)),
        None if intro is None else (days.get(intro) or _iso(intro)),
        flags,
        None if buried is None else (days.get(buried) or _iso(buried)),
    )


def state_after(event: dict[str, Any]) -> CardState:
    """The card's state once `event` is applied: the last event of a card wins."""
    return CardState.from_dict(event["state"])
