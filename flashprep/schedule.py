"""Per-card scheduling state and the pure transitions that change it.

A CardState is what the history remembers of one card: SM-2's numbers, the due
date, counters and flags. Every function here takes a state and a study day and
returns a new state; nothing reads the clock or touches a file.

The same-day rule: the first answer of a study day is graded by SM-2 and
schedules the card. If that grade is below 4 the card is marked for re-drill and
comes back later the same day until it scores 4 or more. Those extra answers are
logged (kind "redrill") but change neither EF, interval nor repetitions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from flashprep import sm2

NEW, REVIEW, REDRILL = "new", "review", "redrill"
ANSWER_KINDS = (NEW, REVIEW, REDRILL)
MATURE_DAYS = 21


@dataclass(frozen=True)
class CardState:
    ef: int = sm2.INITIAL_EF
    interval: int = 0
    repetitions: int = 0
    due: date | None = None  # None: never scheduled, the card is new
    lapses: int = 0
    reviews: int = 0  # answers that scheduled the card (first of each study day)
    last_day: date | None = None  # study day of the last answer of any kind
    introduced: date | None = None  # study day of the first answer ever (since a forget)
    redrill: bool = False  # graded < 4 on last_day and not yet >= 4 again
    suspended: bool = False
    buried_until: date | None = None  # hidden while today < buried_until
    leech: bool = False

    @property
    def is_new(self) -> bool:
        return self.due is None

    @property
    def is_mature(self) -> bool:
        return self.interval >= MATURE_DAYS

    def needs_redrill(self, today: date) -> bool:
        return self.redrill and self.last_day == today

    def is_buried(self, today: date) -> bool:
        return self.buried_until is not None and today < self.buried_until

    def is_due(self, today: date) -> bool:
        """Due for its scheduled review today (not counting same-day re-drills)."""
        return self.due is not None and self.due <= today and self.last_day != today

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "ef": sm2.ef_float(self.ef),
            "interval": self.interval,
            "repetitions": self.repetitions,
            "due": self.due.isoformat() if self.due else None,
            "lapses": self.lapses,
            "reviews": self.reviews,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "introduced": self.introduced.isoformat() if self.introduced else None,
        }
        for flag in ("redrill", "suspended", "leech"):
            if getattr(self, flag):
                d[flag] = True
        if self.buried_until:
            d["buried_until"] = self.buried_until.isoformat()
        return d

    def to_row(self) -> list[Any]:
        """The compact form the index keeps (fields in ROW_FIELDS order)."""
        flags = 1 * self.redrill | 2 * self.suspended | 4 * self.leech
        return [
            self.ef,
            self.interval,
            self.repetitions,
            self.due.isoformat() if self.due else None,
            self.lapses,
            self.reviews,
            self.last_day.isoformat() if self.last_day else None,
            self.introduced.isoformat() if self.introduced else None,
            flags,
            self.buried_until.isoformat() if self.buried_until else None,
        ]

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> CardState:
        """Inverse of to_row; raises ValueError/TypeError on a bad shape.

        The index of a large collection holds tens of thousands of rows, so
        this builds the instance directly (as pickle does) instead of through
        the generated __init__ and from_dict's per-field helpers: ~4x faster.
        """
        ef, interval, repetitions, due, lapses, reviews, last_day, introduced, flags, buried = row
        for v in (ef, interval, repetitions, lapses, reviews, flags):
            if type(v) is not int or v < 0:
                raise ValueError("a count must be a whole number >= 0")
        if ef < sm2.MIN_EF:
            raise ValueError("ef must be >= 1.3")
        state = object.__new__(cls)
        object.__setattr__(
            state,
            "__dict__",
            {
                "ef": ef,
                "interval": interval,
                "repetitions": repetitions,
                "due": None if due is None else _day(due),
                "lapses": lapses,
                "reviews": reviews,
                "last_day": None if last_day is None else _day(last_day),
                "introduced": None if introduced is None else _day(introduced),
                "redrill": flags & 1 == 1,
                "suspended": flags & 2 == 2,
                "buried_until": None if buried is None else _day(buried),
                "leech": flags & 4 == 4,
            },
        )
        return state

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CardState:
        """Inverse of to_dict; raises KeyError/TypeError/ValueError on a bad shape."""

        def day(key: str) -> date | None:
            v = d.get(key)
            return date.fromisoformat(v) if v is not None else None

        def whole(key: str, default: int = 0) -> int:
            v = d.get(key, default)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{key} must be a whole number >= 0")
            return v

        def flag(key: str) -> bool:
            v = d.get(key, False)
            if not isinstance(v, bool):
                raise ValueError(f"{key} must be true or false")
            return v

        ef = d.get("ef", sm2.ef_float(sm2.INITIAL_EF))
        if isinstance(ef, bool) or not isinstance(ef, int | float):
            raise ValueError("ef must be a number")
        ef_h = sm2.ef_from_float(ef)
        if ef_h < sm2.MIN_EF:
            raise ValueError("ef must be >= 1.3")
        return cls(
            ef=ef_h,
            interval=whole("interval"),
            repetitions=whole("repetitions"),
            due=day("due"),
            lapses=whole("lapses"),
            reviews=whole("reviews"),
            last_day=day("last_day"),
            introduced=day("introduced"),
            redrill=flag("redrill"),
            suspended=flag("suspended"),
            buried_until=day("buried_until"),
            leech=flag("leech"),
        )


NEW_CARD = CardState()
# What each place of CardState.to_row holds (ef in hundredths; flags: 1 redrill,
# 2 suspended, 4 leech): the columns of the index's `states` table.
ROW_FIELDS = (
    "ef100",
    "interval",
    "repetitions",
    "due",
    "lapses",
    "reviews",
    "last_day",
    "introduced",
    "flags",
    "buried_until",
)
REDRILL_FLAG, SUSPENDED_FLAG, LEECH_FLAG = 1, 2, 4
# The places flashprep.queue reads straight from rows (see CardStates).
DUE_AT, REVIEWS_AT, LAST_DAY_AT, INTRODUCED_AT, FLAGS_AT, BURIED_AT = (
    ROW_FIELDS.index(name)
    for name in ("due", "reviews", "last_day", "introduced", "flags", "buried_until")
)
_day = date.fromisoformat


def answer_kind(state: CardState, today: date) -> str:
    """What an answer given today would be: new, review, or a same-day redrill."""
    if state.last_day == today:
        return REDRILL
    return NEW if state.is_new else REVIEW


def is_leech(lapses: int, threshold: int) -> bool:
    """Anki's rule: a leech at `threshold` lapses, then again every half threshold."""
    if lapses < threshold:
        return False
    step = max(1, threshold // 2)
    return (lapses - threshold) % step == 0


def answer(state: CardState, grade: int, today: date, leech_threshold: int = 8) -> CardState:
    """The state after an answer with `grade` on study day `today`."""
    if grade not in sm2.GRADES:
        raise ValueError(f"grade must be 0-5, got {grade!r}")
    if state.last_day == today:
        # A same-day repeat: logged, never rescheduled.
        return replace(state, redrill=state.redrill and grade < 4)
    before = sm2.Sm2(state.ef, state.interval, state.repetitions)
    after = sm2.review(before, grade)
    lapsed = grade < 3 and state.repetitions > 0
    lapses = state.lapses + (1 if lapsed else 0)
    leech = lapsed and is_leech(lapses, leech_threshold)
    return replace(
        state,
        ef=after.ef,
        interval=after.interval,
        repetitions=after.repetitions,
        due=today + timedelta(days=after.interval),
        lapses=lapses,
        reviews=state.reviews + 1,
        last_day=today,
        introduced=state.introduced or today,
        redrill=grade < 4,
        buried_until=None,
        leech=state.leech or leech,
        suspended=state.suspended or leech,
    )


def suspend(state: CardState) -> CardState:
    return replace(state, suspended=True)


def unsuspend(state: CardState) -> CardState:
    # A leech stays marked a leech (as Anki keeps its "leech" tag): `cards --leeches`
    # still lists it, and it is suspended again at the next leech lapse count.
    return replace(state, suspended=False)


def bury(state: CardState, today: date) -> CardState:
    """Hide the card until the next study day."""
    return replace(state, buried_until=today + timedelta(days=1))


def forget(state: CardState) -> CardState:
    """Back to a new card; the log keeps its past answers."""
    return replace(NEW_CARD, suspended=state.suspended)


# ------------------------------------------------------------ many cards' states

Row = Sequence[Any]  # one state in CardState.to_row form


class CardStates(MutableMapping[str, CardState]):
    """Card id -> CardState, holding rows and building each CardState on first read.

    A large collection has tens of thousands of states, and building a CardState costs
    over a microsecond each, yet `flashprep status` and the queue read only a few places
    of each row (due day, last answer day, flags) and a session reads a few hundred full
    states at most. So states are kept as the index's rows (ISO dates, flags as bits;
    ISO days compare like the dates) and a CardState is built when one is read.
    `CardStates(mapping)` copies any mapping of states (a CardStates cheaply: rows are
    never changed in place).
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
        """States from the index's rows (the dict is kept, not copied)."""
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

    def row(self, card_id: str) -> Row | None:
        return self._rows.get(card_id)

    def set_rows(self, rows: Mapping[str, Row]) -> None:
        """Set cards' states from their rows (checked by the caller), building no CardState."""
        self._rows.update(rows)
        if self._states:
            for card_id in rows:
                self._states.pop(card_id, None)

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
