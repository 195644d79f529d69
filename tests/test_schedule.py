"""Card-state transitions: the same-day rule, lapses, leeches, JSON shape."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from flashprep import schedule
from flashprep.schedule import NEW_CARD, CardState, answer, answer_kind

D0 = date(2026, 3, 10)


def test_first_answer_schedules_and_later_same_day_answers_do_not() -> None:
    s = answer(NEW_CARD, 2, D0)
    assert (s.interval, s.repetitions, s.due, s.redrill) == (1, 0, D0 + timedelta(1), True)
    assert answer_kind(s, D0) == schedule.REDRILL
    again = answer(s, 3, D0)  # still < 4: keeps the re-drill flag, no rescheduling
    assert again.redrill and (again.interval, again.due, again.ef) == (s.interval, s.due, s.ef)
    done = answer(again, 4, D0)
    assert not done.redrill
    assert (done.interval, done.due, done.reviews, done.ef) == (s.interval, s.due, 1, s.ef)


def test_a_pass_below_four_still_needs_a_redrill() -> None:
    s = answer(NEW_CARD, 3, D0)
    assert s.redrill and s.needs_redrill(D0) and not s.needs_redrill(D0 + timedelta(1))
    assert (s.ef, s.interval, s.repetitions) == (236, 1, 1)


def test_sequence_over_days() -> None:
    s, day = NEW_CARD, D0
    seen = []
    for g in (5, 5, 5, 5):
        assert answer_kind(s, day) == (schedule.NEW if s.is_new else schedule.REVIEW)
        s = answer(s, g, day)
        seen.append((s.interval, s.due))
        assert s.due is not None
        day = s.due
    assert [i for i, _ in seen] == [1, 6, 17, 50]
    assert seen[-1][1] == D0 + timedelta(days=1 + 6 + 17 + 50)


def test_lapses_count_only_after_learning() -> None:
    s = answer(NEW_CARD, 1, D0)
    assert s.lapses == 0  # never learned yet
    s = answer(s, 5, D0 + timedelta(1))
    s = answer(s, 1, D0 + timedelta(2))
    assert s.lapses == 1 and s.repetitions == 0


def test_leech_at_threshold() -> None:
    s, day = NEW_CARD, D0
    for _ in range(8):
        s = answer(s, 5, day)
        day += timedelta(1)
        s = answer(s, 0, day, leech_threshold=8)
        day += timedelta(1)
    assert s.lapses == 8 and s.leech and s.suspended


def test_is_leech_rule() -> None:
    assert [n for n in range(1, 21) if schedule.is_leech(n, 8)] == [8, 12, 16, 20]


def test_bury_suspend_forget() -> None:
    s = answer(NEW_CARD, 5, D0)
    b = schedule.bury(s, D0)
    assert b.is_buried(D0) and not b.is_buried(D0 + timedelta(1))
    assert schedule.suspend(s).suspended and not schedule.unsuspend(schedule.suspend(s)).suspended
    f = schedule.forget(s)
    assert f.is_new and f == NEW_CARD


def test_round_trip_of_a_full_state() -> None:
    s = CardState(
        ef=143,
        interval=12,
        repetitions=3,
        due=D0,
        lapses=2,
        reviews=9,
        last_day=D0,
        introduced=D0 - timedelta(30),
        redrill=True,
        suspended=True,
        buried_until=D0 + timedelta(1),
        leech=True,
    )
    assert CardState.from_dict(s.to_dict()) == s
    assert s.to_dict()["ef"] == 1.43


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=30))
def test_round_trip_and_invariants(steps: list[tuple[int, int]]) -> None:
    s, day = NEW_CARD, D0
    for grade, gap in steps:
        day += timedelta(days=gap)
        before = s
        s = answer(s, grade, day)
        assert CardState.from_dict(s.to_dict()) == s
        assert s.ef >= 130 and s.due is not None and s.due > day - timedelta(1)
        if before.last_day == day:
            assert (s.ef, s.interval, s.repetitions, s.due) == (
                before.ef,
                before.interval,
                before.repetitions,
                before.due,
            )


days = st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2100, 12, 31)))
states = st.builds(
    CardState,
    ef=st.integers(130, 400),
    interval=st.integers(0, 40_000),
    repetitions=st.integers(0, 99),
    due=days,
    lapses=st.integers(0, 99),
    reviews=st.integers(0, 999),
    last_day=days,
    introduced=days,
    redrill=st.booleans(),
    suspended=st.booleans(),
    buried_until=days,
    leech=st.booleans(),
)


@given(states)
def test_row_round_trip(state: CardState) -> None:
    """The compact row of state.json gives back an equal, equally hashable state."""
    back = CardState.from_row(state.to_row())
    assert back == state and hash(back) == hash(state)
    assert CardState.from_dict(state.to_dict()) == back


def test_bad_rows_are_refused() -> None:
    good = NEW_CARD.to_row()
    for bad in (
        good[:-1],
        [*good, 0],
        ["250", *good[1:]],
        [129, *good[1:]],
        [250, -1, *good[2:]],
        [*good[:3], 20260101, *good[4:]],
    ):
        try:
            CardState.from_row(bad)
        except (ValueError, TypeError):
            continue
        raise AssertionError(f"accepted {bad!r}")
