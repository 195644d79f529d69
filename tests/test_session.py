"""The review session engine (flashprep.session): queue order, limits, re-drills,
bury, suspend, undo, the study-day rollover, and the summary. Fixed clock throughout."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep.cardmodel import Card
from flashprep.queue import QueueItem
from flashprep.schedule import NEW_CARD, CardState
from flashprep.session import Session

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


def cards(n: int, deck: str = "d") -> list[Card]:
    return [Card(id=f"c{i}", deck=deck, front=f"front {i}", back=f"back {i}") for i in range(n)]


def reviewed(due: date, interval: int = 6, repetitions: int = 2, **kw: object) -> CardState:
    """A card answered before, due on `due`."""
    last = due - timedelta(days=interval)
    return replace(
        NEW_CARD,
        interval=interval,
        repetitions=repetitions,
        due=due,
        reviews=2,
        last_day=last,
        introduced=last - timedelta(days=1),
        **kw,
    )  # type: ignore[arg-type]


def order(s: Session) -> list[tuple[str, str]]:
    return [(i.card_id, i.kind) for i in s.queue]


# ---------------------------------------------------------------- queue order and limits


def test_queue_order_redrill_then_most_overdue_then_new_in_deck_order() -> None:
    cs = cards(7)
    states = {
        "c0": reviewed(DAY - timedelta(days=1)),
        "c1": reviewed(DAY - timedelta(days=5)),
        "c2": reviewed(DAY + timedelta(days=3)),  # not due
        "c3": replace(reviewed(DAY + timedelta(days=1), interval=1), last_day=DAY, redrill=True),
        "c4": reviewed(DAY - timedelta(days=1)),  # ties with c0: deck order decides
    }
    s = Session(cs, states, T0)
    assert order(s) == [
        ("c3", "redrill"),
        ("c1", "review"),
        ("c0", "review"),
        ("c4", "review"),
        ("c5", "new"),
        ("c6", "new"),
    ]
    view = s.view()
    assert view is not None
    assert (view.card.id, view.kind, view.number, view.total) == ("c3", "redrill", 1, 6)
    assert view.left == {"new": 2, "review": 3, "redrill": 1}


def test_new_limit_counts_cards_introduced_earlier_today() -> None:
    cs = cards(30)
    s = Session(cs, {}, T0, new_per_day=20)
    assert len(s.queue) == 20
    for _ in range(5):
        s.answer(5, T0)
    later = Session(cs, s.states, T0 + timedelta(hours=1), new_per_day=20)
    assert [i.card_id for i in later.queue] == [f"c{i}" for i in range(5, 20)]
    assert later.held_back() == {"new": 10, "review": 0}


def test_new_limit_override_zero_leaves_only_reviews() -> None:
    cs = cards(3)
    s = Session(cs, {"c2": reviewed(DAY)}, T0, new_per_day=0)
    assert order(s) == [("c2", "review")]


def test_review_limit_keeps_the_most_overdue() -> None:
    cs = cards(5)
    states = {c.id: reviewed(DAY - timedelta(days=i)) for i, c in enumerate(cs)}
    s = Session(cs, states, T0, reviews_per_day=3)
    assert [i.card_id for i in s.queue] == ["c4", "c3", "c2"]
    s.answer(4, T0)
    again = Session(cs, s.states, T0, reviews_per_day=3)
    assert [i.card_id for i in again.queue] == ["c3", "c2"]  # one of three used today


def test_suspended_buried_and_draft_cards_are_left_out() -> None:
    cs = cards(4)
    cs[3] = replace(cs[3], draft=True)
    states = {
        "c0": replace(NEW_CARD, suspended=True),
        "c1": replace(NEW_CARD, buried_until=DAY + timedelta(days=1)),
    }
    assert order(Session(cs, states, T0)) == [("c2", "new")]


def test_session_copies_the_callers_states() -> None:
    states: dict[str, CardState] = {}
    s = Session(cards(1), states, T0)
    s.answer(5, T0)
    assert states == {}


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        Session(cards(1), {}, datetime(2026, 3, 10, 9))


# ---------------------------------------------------------------- answers and re-drills


def test_first_answer_schedules_and_returns_the_event() -> None:
    s = Session(cards(2), {}, T0)
    s.show(T0)
    event = s.answer(4, T0 + timedelta(seconds=7))
    assert event["card_id"] == "c0"
    assert event["kind"] == "new"
    assert event["grade"] == 4
    assert event["duration_ms"] == 7000
    assert event["day"] == "2026-03-10"
    assert event["state"]["due"] == "2026-03-11"
    assert s.state("c0").interval == 1
    assert order(s) == [("c1", "new")]


def test_failed_card_goes_behind_the_waiting_cards_until_it_scores_4() -> None:
    s = Session(cards(3), {}, T0)
    s.answer(2, T0)  # c0 fails: to the back
    assert order(s) == [("c1", "new"), ("c2", "new"), ("c0", "redrill")]
    scheduled = s.state("c0")
    assert (scheduled.interval, scheduled.repetitions, scheduled.due) == (1, 0, date(2026, 3, 11))
    s.answer(5, T0)  # c1
    assert order(s) == [("c2", "new"), ("c0", "redrill")]
    s.answer(3, T0)  # c2 passes but < 4: re-drill too, behind c0
    assert order(s) == [("c0", "redrill"), ("c2", "redrill")]
    event = s.answer(3, T0)  # c0 again: still < 4
    assert event["kind"] == "redrill"
    assert order(s) == [("c2", "redrill"), ("c0", "redrill")]
    s.answer(4, T0)
    s.answer(4, T0)
    assert s.done
    # Same-day answers never rescheduled c0: the first answer's schedule stands.
    after = s.state("c0")
    assert (after.ef, after.interval, after.repetitions, after.due, after.reviews) == (
        scheduled.ef,
        scheduled.interval,
        scheduled.repetitions,
        scheduled.due,
        1,
    )
    assert not after.redrill
    assert s.view() is None


def test_a_leech_is_suspended_and_not_drilled_again() -> None:
    s = Session(cards(1), {"c0": reviewed(DAY, lapses=7)}, T0, leech_threshold=8)
    s.answer(1, T0)
    st_ = s.state("c0")
    assert (st_.lapses, st_.leech, st_.suspended) == (8, True, True)
    assert s.done
    assert s.summary(T0).suspended == 1


def test_grade_out_of_range_is_refused() -> None:
    s = Session(cards(1), {}, T0)
    with pytest.raises(ValueError, match="grade must be 0-5, got 6"):
        s.answer(6, T0)
    assert order(s) == [("c0", "new")]


# ---------------------------------------------------------------- bury and suspend


def test_bury_hides_the_card_until_the_next_study_day() -> None:
    cs = cards(3)
    s = Session(cs, {}, T0, new_per_day=2)
    event = s.bury(T0)
    assert (event["kind"], event["card_id"]) == ("bury", "c0")
    assert event["state"]["buried_until"] == "2026-03-11"
    assert "grade" not in event
    # A buried card does not use up the new-card limit: the next one moves up.
    assert order(s) == [("c1", "new"), ("c2", "new")]
    assert [i.card_id for i in Session(cs, s.states, T0).queue] == ["c1", "c2"]
    tomorrow = Session(cs, s.states, T0 + timedelta(days=1))
    assert tomorrow.queue[0] == QueueItem("c0", "new")


def test_suspend_takes_the_card_out_for_good() -> None:
    cs = cards(2)
    s = Session(cs, {}, T0)
    event = s.suspend(T0)
    assert (event["kind"], event["state"]["suspended"]) == ("suspend", True)
    assert order(s) == [("c1", "new")]
    assert "c0" not in [i.card_id for i in Session(cs, s.states, T0 + timedelta(days=9)).queue]


def test_acting_on_an_empty_queue_is_an_error() -> None:
    s = Session(cards(0), {}, T0)
    assert s.done
    for act in (s.bury, s.suspend, lambda m: s.answer(4, m)):
        with pytest.raises(IndexError):
            act(T0)


# ---------------------------------------------------------------- undo


def test_undo_restores_the_exact_state_and_puts_the_card_in_front() -> None:
    before = reviewed(DAY - timedelta(days=2), ef=236)
    s = Session(cards(3), {"c0": before}, T0)
    queue_before = order(s)
    answer = s.answer(1, T0)
    assert order(s)[-1] == ("c0", "redrill")
    undo = s.undo(T0 + timedelta(seconds=3))
    assert undo["kind"] == "undo"
    assert undo["undoes"] == answer["id"]
    assert undo["card_id"] == "c0"
    assert CardState.from_dict(undo["state"]) == before
    assert s.state("c0") == before
    assert order(s) == queue_before
    assert not s.can_undo()
    with pytest.raises(IndexError, match="nothing to undo"):
        s.undo(T0)


def test_undo_steps_back_one_at_a_time_through_bury_and_suspend() -> None:
    cs = cards(4)
    s = Session(cs, {}, T0, new_per_day=2)
    start = order(s)
    s.answer(5, T0)
    s.bury(T0)
    assert order(s) == [("c2", "new")]  # c2 moved up in c1's place
    s.suspend(T0)
    assert order(s) == [("c3", "new")]
    s.undo(T0)
    assert order(s) == [("c2", "new")]
    assert s.state("c2") == NEW_CARD
    s.undo(T0)
    assert order(s) == [("c1", "new")]
    assert s.state("c1") == NEW_CARD
    s.undo(T0)
    assert order(s) == start
    assert all(s.state(c.id) == NEW_CARD for c in cs)
    assert s.summary(T0).answers == 0


def test_an_undone_answer_can_be_given_again_as_a_first_answer() -> None:
    s = Session(cards(1), {}, T0)
    s.answer(2, T0)
    s.undo(T0)
    event = s.answer(5, T0)
    assert event["kind"] == "new"
    assert s.state("c0").repetitions == 1
    assert s.done


# ---------------------------------------------------------------- the study day


def test_study_day_rolls_over_at_day_starts_at() -> None:
    cs = cards(1)
    s = Session(cs, {}, T0, day_starts_at=4)
    s.answer(2, T0)  # fails on 2026-03-10: due 03-11, re-drill pending
    night = datetime(2026, 3, 11, 3, 59, tzinfo=UTC)
    late = Session(cs, s.states, night, day_starts_at=4)
    assert late.today == DAY
    assert order(late) == [("c0", "redrill")]
    morning = Session(cs, s.states, night + timedelta(minutes=1), day_starts_at=4)
    assert morning.today == date(2026, 3, 11)
    assert order(morning) == [("c0", "review")]
    # With the rollover at 3 o'clock, 03:59 already belongs to the 11th.
    assert order(Session(cs, s.states, night, day_starts_at=3)) == [("c0", "review")]


def test_an_answer_after_the_rollover_is_recorded_on_the_new_day() -> None:
    cs = cards(2)
    start = datetime(2026, 3, 11, 3, 50, tzinfo=UTC)
    s = Session(cs, {}, start)
    assert s.answer(2, start)["day"] == "2026-03-10"
    s.answer(5, start)
    event = s.answer(4, start + timedelta(minutes=20))  # c0 again, now on the 11th
    assert (event["day"], event["kind"]) == ("2026-03-11", "review")
    assert s.state("c0").reviews == 2


def test_a_local_time_zone_sets_the_study_day() -> None:
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 3, 10, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # 01:30 UTC
    assert Session(cards(1), {}, moment).today == date(2026, 3, 9)


# ---------------------------------------------------------------- summary


def test_summary_counts_grades_time_left_and_due_tomorrow() -> None:
    cs = cards(5)
    states = {"c4": reviewed(DAY + timedelta(days=1))}  # due tomorrow already
    s = Session(cs, states, T0)
    s.answer(5, T0 + timedelta(seconds=10))
    s.answer(2, T0 + timedelta(seconds=20))
    s.answer(3, T0 + timedelta(seconds=30))
    s.bury(T0 + timedelta(seconds=40))
    summary = s.summary(T0 + timedelta(minutes=2))
    assert summary.answers == 3
    assert summary.cards == 3
    assert summary.grades == {0: 0, 1: 0, 2: 1, 3: 1, 4: 0, 5: 1}
    assert summary.correct == pytest.approx(2 / 3)
    assert summary.buried == 1
    assert summary.seconds == 120
    assert summary.left == {"new": 0, "review": 0, "redrill": 2}
    assert summary.due_tomorrow == 4  # c0, c1, c2 (interval 1) and c4
    assert summary.next_due == date(2026, 3, 11)
    assert summary.started_with == 4
    assert summary.to_dict()["grades"]["2"] == 1


def test_summary_without_answers_has_no_share() -> None:
    s = Session(cards(1), {}, T0)
    summary = s.summary()
    assert (summary.answers, summary.correct, summary.seconds) == (0, None, 0)
    assert summary.left == {"new": 1, "review": 0, "redrill": 0}


# ---------------------------------------------------------------- properties

ACTIONS = st.lists(
    st.one_of(st.integers(0, 5), st.sampled_from(["bury", "suspend", "undo"])), max_size=40
)


def mixed_states() -> dict[str, CardState]:
    return {
        "c0": reviewed(DAY - timedelta(days=3)),
        "c1": reviewed(DAY),
        "c2": replace(reviewed(DAY + timedelta(days=1), interval=1), last_day=DAY, redrill=True),
        "c3": replace(NEW_CARD, suspended=True),
        "c4": reviewed(DAY - timedelta(days=1), lapses=7),
    }


def play(s: Session, actions: list[int | str], step: timedelta) -> list[dict]:  # type: ignore[type-arg]
    events = []
    moment = s.started
    for a in actions:
        moment += step
        if a == "undo":
            if s.can_undo():
                events.append(s.undo(moment))
            continue
        if s.done:
            continue
        if a == "bury":
            events.append(s.bury(moment))
        elif a == "suspend":
            events.append(s.suspend(moment))
        else:
            assert isinstance(a, int)
            events.append(s.answer(a, moment))
        ids = [i.card_id for i in s.queue]
        assert len(ids) == len(set(ids)), "a card is queued twice"
    return events


@settings(max_examples=150, deadline=None)
@given(ACTIONS, st.integers(0, 4), st.integers(0, 3))
def test_replaying_the_events_gives_the_sessions_states(
    actions: list[int | str], new_per_day: int, reviews_per_day: int
) -> None:
    initial = mixed_states()
    s = Session(cards(10), initial, T0, new_per_day=new_per_day, reviews_per_day=reviews_per_day)
    events = play(s, actions, timedelta(seconds=30))
    replayed = dict(initial)
    for e in events:
        replayed[e["card_id"]] = CardState.from_dict(e["state"])
    for c in s.cards:
        assert replayed.get(c.id, NEW_CARD) == s.state(c.id)
    # Nothing waiting is suspended or buried, and every id in the queue is a known card.
    for item in s.queue:
        state = s.state(item.card_id)
        assert not state.suspended
        assert not state.is_buried(s.today)
    view = s.view()
    if view is not None:
        assert view.total == view.number - 1 + len(s.queue)
        assert sum(view.left.values()) == len(s.queue)


@settings(max_examples=150, deadline=None)
@given(ACTIONS)
def test_undoing_every_step_restores_the_start(actions: list[int | str]) -> None:
    initial = mixed_states()
    s = Session(cards(8), initial, T0, new_per_day=2)
    start_queue = order(s)
    play(s, actions, timedelta(minutes=1))
    while s.can_undo():
        s.undo(T0 + timedelta(hours=1))
    assert order(s) == start_queue
    assert {k: v for k, v in s.states.items() if v != NEW_CARD} == initial


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=60))
def test_grading_always_4_or_more_after_the_given_grades_ends_the_queue(
    grades: list[int],
) -> None:
    s = Session(cards(4), {}, T0)
    for g in grades:
        if s.done:
            break
        s.answer(g, T0)
    for _ in range(4):
        if s.done:
            break
        s.answer(4, T0)
    assert s.done
    assert all(not st_.needs_redrill(DAY) for st_ in s.states.values())
