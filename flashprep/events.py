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

from flashprep.clock import utc_iso
from flashprep.schedule import CardState

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


def check_event(obj: Any) -> tuple[str, CardState]:
    """Validate one decoded log line; return (card_id, state) or raise ValueError."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    version = obj.get("v", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("bad schema version")
    if version > SCHEMA:
        raise NewerSchema(version)
    card_id = obj.get("card_id")
    if not isinstance(card_id, str) or not card_id:
        raise ValueError("no card_id")
    if not isinstance(obj.get("id"), str):
        raise ValueError("no event id")
    kind = obj.get("kind")
    # A str check first: an unhashable kind (a list) would raise TypeError in the lookup.
    if not isinstance(kind, str) or kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    grade = obj.get("grade")
    if kind == Kind.ATTEMPT and (
        not isinstance(obj.get("code"), str) or obj.get("outcome") not in ATTEMPT_OUTCOMES
    ):
        raise ValueError("an attempt needs its code and an outcome pass/fail/error/timeout")
    if kind in ANSWER_KINDS and (
        not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 5
    ):
        raise ValueError("an answer needs a grade 0-5")
    if kind in MOCK_KINDS:
        _check_mock_fields(obj)
    for key in ("ts", "day"):
        if not isinstance(obj.get(key), str):
            raise ValueError(f"no {key}")
    date.fromisoformat(obj["day"])
    state = obj.get("state")
    if not isinstance(state, dict):
        raise ValueError("no state")
    try:
        return card_id, CardState.from_dict(state)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"bad state: {exc}") from None


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
    try:
        obj = json.loads(raw)
        check_event(obj)
    except NewerSchema:
        raise
    # Not only ValueError: deeply nested arrays raise RecursionError in json, and an
    # "ef": 1e999 (JSON's Infinity) raises OverflowError when turned into hundredths.
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CorruptEvent(str(exc).split("\n")[0][:80]) from None
    assert isinstance(obj, dict)
    return obj


def state_after(event: dict[str, Any]) -> CardState:
    """The card's state once `event` is applied: the last event of a card wins."""
    return CardState.from_dict(event["state"])
