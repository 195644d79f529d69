"""The one event model (flashprep.events): kinds, shape, bytes, and the fast state rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashprep import events
from flashprep.events import (
    ANSWER_KINDS,
    CorruptEvent,
    Kind,
    NewerSchema,
    decode_event,
    encode_event,
    make_event,
    state_row,
)
from flashprep.schedule import NEW_CARD, CardState, answer

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D0 = date(2026, 3, 10)


@pytest.fixture
def fixed_ids():  # type: ignore[no-untyped-def]
    counter = iter(range(10**6))
    events.set_id_source(lambda moment: f"id-{next(counter)}")
    yield
    events.set_id_source(None)


def test_an_event_round_trips_through_its_bytes(fixed_ids: None) -> None:
    state = answer(NEW_CARD, 4, D0)
    event = make_event("python-gil", Kind.NEW, state, T0, D0, grade=4, duration_ms=1500)
    line = encode_event(event)
    assert line == (
        b'{"v":1,"id":"id-0","card_id":"python-gil","ts":"2026-03-10T09:00:00.000Z",'
        b'"day":"2026-03-10","kind":"new","grade":4,"duration_ms":1500,"state":'
        + json.dumps(state.to_dict(), separators=(",", ":")).encode()
        + b"}\n"
    )
    assert decode_event(line) == event
    assert events.state_after(decode_event(line)) == state
    assert make_event("x", Kind.BURY, state, T0, D0)["id"] == "id-1"  # deterministic ids


def test_kinds_are_spelled_once() -> None:
    assert {str(k) for k in Kind} >= {"new", "review", "redrill", "undo", "mock", "attempt"}
    assert ANSWER_KINDS == {Kind.NEW, Kind.REVIEW, Kind.REDRILL}
    with pytest.raises(ValueError, match="unknown event kind 'teleport'"):
        make_event("x", "teleport", NEW_CARD, T0, D0)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1]", "not a JSON object"),
        (b'{"v":1,"card_id":"x"}', "no event id"),
        (
            b'{"v":1,"id":"a","card_id":"x","kind":"new","ts":"t","day":"2026-03-10","state":{}}',
            "an answer needs a grade 0-5",
        ),
        (
            b'{"v":1,"id":"a","card_id":"x","kind":"mock","ts":"t","day":"2026-03-10","state":{}}',
            "no mock_id",
        ),
        (
            b'{"v":1,"id":"a","card_id":"x","kind":"attempt","ts":"t","day":"2026-03-10",'
            b'"state":{}}',
            "an attempt needs its code",
        ),
        (
            b'{"v":1,"id":"a","card_id":"x","kind":"bury","ts":"t","day":"2026-03-10",'
            b'"state":{"ef":"high"}}',
            "ef must be a number",
        ),
        (
            b'{"v":1,"id":"a","card_id":"x","kind":"bury","ts":"t","day":"2026-03-10",'
            b'"state":{"due":"soon"}}',
            "Invalid isoformat string",
        ),
    ],
)
def test_a_bad_line_is_a_corrupt_event_with_its_reason(line: bytes, reason: str) -> None:
    with pytest.raises(CorruptEvent) as exc:
        decode_event(line)
    assert reason in str(exc.value)


def test_a_newer_event_is_not_corrupt() -> None:
    with pytest.raises(NewerSchema) as exc:
        decode_event(b'{"v":2,"id":"a","card_id":"x"}')
    assert exc.value.version == 2


days = st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2100, 1, 1)).map(date.isoformat))
state_dicts = st.fixed_dictionaries(
    {
        "ef": st.one_of(st.floats(0.5, 5.0), st.integers(0, 5)),
        "interval": st.integers(-2, 10**6),
        "repetitions": st.integers(0, 100),
        "due": days,
        "lapses": st.integers(0, 50),
        "reviews": st.integers(0, 500),
        "last_day": days,
        "introduced": days,
    },
    optional={
        "redrill": st.booleans(),
        "suspended": st.one_of(st.booleans(), st.just(1)),
        "leech": st.booleans(),
        "buried_until": days,
    },
)


@given(state_dicts)
def test_the_fast_state_row_is_what_the_full_state_gives(d: dict) -> None:  # type: ignore[type-arg]
    """state_row (the whole-log reader's path) accepts and refuses exactly what
    CardState.from_dict does, and gives its row."""
    try:
        expected: tuple[object, ...] | None = tuple(CardState.from_dict(d).to_row())
    except (ValueError, TypeError, KeyError):
        expected = None
    try:
        got: tuple[object, ...] | None = state_row(d)
    except ValueError:
        got = None
    assert got == expected
