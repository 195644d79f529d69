"""Card states by card id, kept in their state.json row form until one is read.

A checkpoint of a large collection holds tens of thousands of states, and turning
each row into a CardState (CardState.from_row) costs over a microsecond: 50,000
of them took longer than everything else `flashprep status` does. Yet status and
the queue need only a few places of each row (due day, last answer day, flags),
and a review session reads the full state of a few hundred cards at most. So:

* `CardStates` is the mutable mapping card id -> CardState that History hands
  out. It keeps every state as a row (CardState.to_row: ISO dates, flags as bits,
  the layout named by flashprep.schedule.ROW_FIELDS). Reading a key builds its
  CardState once and keeps it; setting a key stores the CardState and its row.
* `rows_of(states)` gives the rows of any mapping of states without building
  CardStates; flashprep.queue counts and orders cards from these rows.
* `check_rows` checks a whole checkpoint's rows at load time, so a damaged
  state.json is still found (and rebuilt from the log) when it is read, not when
  some card's state is first used. It checks each place's distinct values once:
  a few milliseconds for 50,000 rows, against ~75 ms for decoding them all.

Rows keep dates as ISO strings (YYYY-MM-DD), which sort and compare like the
dates, so the queue compares them as text; check_rows accepts dates only in that
exact form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from datetime import date
from itertools import chain
from typing import Any

from flashprep.schedule import ROW_FIELDS, CardState
from flashprep.sm2 import MIN_EF

Row = list[Any]  # one state in CardState.to_row form
DAY_PLACES = frozenset(i for i, name in enumerate(ROW_FIELDS) if name in (
    "due", "last_day", "introduced", "buried_until"
))
_EF = ROW_FIELDS.index("ef100")


class CardStates(MutableMapping[str, CardState]):
    """Card id -> CardState, holding rows and building each CardState on first read.

    `CardStates(mapping)` copies any mapping of states (a CardStates cheaply: its
    rows are shared lists, which are never changed in place).
    """

    __slots__ = ("_rows", "_states")

    def __init__(self, states: Mapping[str, CardState] | None = None) -> None:
        self._rows: dict[str, Row] = {}
        self._states: dict[str, CardState] = {}  # the CardStates built or set so far
        if isinstance(states, CardStates):
            self._rows = dict(states._rows)
            self._states = dict(states._states)
        elif states:
            for card_id, state in states.items():
                self[card_id] = state

    @classmethod
    def from_rows(cls, rows: dict[str, Row]) -> CardStates:
        """States from checkpoint rows that passed `check_rows` (the dict is kept, not copied)."""
        states = cls()
        states._rows = rows
        return states

    def __getitem__(self, card_id: str) -> CardState:
        state = self._states.get(card_id)
        if state is None:
            state = self._states[card_id] = CardState.from_row(self._rows[card_id])
        return state

    def get(self, card_id: str, default: Any = None) -> Any:
        # Mapping.get goes through KeyError for every missing card: slow in a loop.
        if card_id in self._rows:
            return self[card_id]
        return default

    def __setitem__(self, card_id: str, state: CardState) -> None:
        self._rows[card_id] = state.to_row()
        self._states[card_id] = state

    def __delitem__(self, card_id: str) -> None:
        del self._rows[card_id]
        self._states.pop(card_id, None)

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"CardStates({len(self)} cards)"

    def rows(self) -> Mapping[str, Row]:
        """Every state as its row (read-only: the rows are shared, not copies)."""
        return self._rows


def rows_of(states: Mapping[str, CardState]) -> Mapping[str, Row]:
    """The row form of any mapping of states (free for a CardStates)."""
    if isinstance(states, CardStates):
        return states.rows()
    return {card_id: state.to_row() for card_id, state in states.items()}


def _iso_day(value: Any) -> bool:
    if type(value) is not str or len(value) != 10:
        return False
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def check_rows(rows: Any) -> None:
    """Raise ValueError unless every row is one CardState.from_row accepts, dates as YYYY-MM-DD.

    `rows` is a collection of decoded rows. An unhashable value (a list where a
    number belongs) raises TypeError, which callers treat as damage too.
    """
    if not rows:
        return
    width = len(ROW_FIELDS)
    if set(map(type, rows)) != {list} or set(map(len, rows)) != {width}:
        raise ValueError(f"a card state must be a list of {width} values")
    # Every value in row order: flat[place::width] is one place of every row, and a
    # set of it holds each distinct value once (a few thousand days, not 50,000 rows).
    flat = list(chain.from_iterable(rows))
    days: set[Any] = set()
    for place, name in enumerate(ROW_FIELDS):
        values = set(flat[place::width])
        if place in DAY_PLACES:
            days |= values
            continue
        # `type(v) is int` leaves out bools, as CardState.from_row does.
        bad = [v for v in values if type(v) is not int or v < 0]
        if bad:
            raise ValueError(f"{name}: bad value {bad[0]!r}")
        if place == _EF and min(values) < MIN_EF:
            raise ValueError("ef must be >= 1.3")
    days.discard(None)
    bad = [v for v in days if not _iso_day(v)]
    if bad:
        raise ValueError(f"bad day {bad[0]!r}")
