"""The interview plan's pure rules (flashprep.interview): the cap, pacing, projection."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep import interview, schedule
from flashprep.interview import Costs, cap_due, check, eve, project, suggestions
from flashprep.schedule import NEW_CARD

TODAY = date(2026, 3, 10)
days_ = st.integers(min_value=0, max_value=400)
grades = st.integers(min_value=0, max_value=5)


@given(
    today=days_,
    ahead=st.integers(min_value=-30, max_value=200),
    interval=days_,
    loads=st.dictionaries(st.integers(min_value=0, max_value=400), st.integers(0, 50)),
)
def test_cap_never_past_the_eve(
    today: int, ahead: int, interval: int, loads: dict[int, int]
) -> None:
    day = TODAY + timedelta(days=today)
    when = day + timedelta(days=ahead)
    sm2_due = day + timedelta(days=interval)
    load = {TODAY + timedelta(days=k): v for k, v in loads.items()}
    capped = cap_due(day, sm2_due, when, load=load)
    if day < when:
        assert capped <= eve(when)
        assert capped <= sm2_due
        assert capped >= day
        if sm2_due < eve(when):
            assert capped == sm2_due
    else:  # on or after the interview day: not capped
        assert capped == sm2_due


def test_cap_without_a_date_is_sm2() -> None:
    assert cap_due(TODAY, TODAY + timedelta(days=90), None) == TODAY + timedelta(days=90)


def test_cap_spreads_over_the_window_latest_first_and_keeps_the_eve() -> None:
    when = TODAY + timedelta(days=70)
    far = TODAY + timedelta(days=200)
    first = cap_due(TODAY, far, when)
    assert first == eve(when) - timedelta(days=1)  # the eve is kept for last looks
    load = {first: 3}
    assert cap_due(TODAY, far, when, load=load) == first - timedelta(days=1)
    # Inside the final window, a card past the interview gets one last look on the eve.
    late = when - timedelta(days=5)
    assert cap_due(late, far, when, load={eve(when): 99}) == eve(when)


@settings(max_examples=200)
@given(
    steps=st.lists(st.tuples(st.integers(0, 40), grades), min_size=1, max_size=25),
    ahead=st.integers(min_value=1, max_value=120),
)
def test_sm2_numbers_identical_with_and_without_a_date(
    steps: list[tuple[int, int]], ahead: int
) -> None:
    """Applying the cap to every answer changes due dates only, never EF/interval/reps."""
    when = TODAY + timedelta(days=ahead)
    plain = capped = NEW_CARD
    day = TODAY
    load: dict[date, int] = {}
    for gap, grade in steps:
        day += timedelta(days=gap)
        plain = schedule.answer(plain, grade, day)
        after = schedule.answer(capped, grade, day)
        assert after.due is not None
        if capped.last_day != day:  # the day's first answer schedules: cap it
            after = replace(after, due=cap_due(day, after.due, when, load=load))
        capped = after
        assert (plain.ef, plain.interval, plain.repetitions) == (
            capped.ef,
            capped.interval,
            capped.repetitions,
        )
        assert plain.lapses == capped.lapses and plain.reviews == capped.reviews
        if day < when:
            assert capped.due is not None and capped.due <= eve(when)


def test_new_today_introduces_everything_by_the_cutoff() -> None:
    when = TODAY + timedelta(days=70)
    unseen, day = 275, TODAY
    cutoff = interview.cutoff_day(TODAY, when)
    while unseen:
        n = interview.new_today(unseen, 0, day, when)
        assert n >= 1
        unseen -= min(n, unseen)
        if unseen:
            day += timedelta(days=1)
    assert day <= cutoff
    assert interview.new_today(10, 0, when, when) == 0


def test_new_today_counts_cards_already_introduced_today() -> None:
    when = TODAY + timedelta(days=24)  # cutoff in 10 days: 11 study days
    assert interview.new_today(110, 0, TODAY, when) == 10
    assert interview.new_today(105, 5, TODAY, when) == 10


IDS = [f"c{i:03d}" for i in range(275)]


def test_projection_introduces_every_card_by_the_cutoff_within_budget() -> None:
    when = TODAY + timedelta(days=70)
    days = project(IDS, {}, TODAY, when, 30, Costs())
    assert days[0].day == TODAY and days[-1].day == eve(when)
    assert sum(d.new for d in days) == len(IDS)
    cutoff = interview.cutoff_day(TODAY, when)
    assert all(d.new == 0 for d in days if d.day > cutoff)
    assert all(d.minutes <= 30 for d in days)
    result = check(days, IDS, when, 30)
    assert result.feasible, result


def test_infeasible_plan_suggests_what_would_fit() -> None:
    when = TODAY + timedelta(days=28)
    costs = Costs()
    days = project(IDS, {}, TODAY, when, 10, costs)
    assert not check(days, IDS, when, 10).feasible
    decks = {c: f"deck{int(c[1:]) // 30}" for c in IDS}
    s = suggestions(IDS, decks, {}, TODAY, when, 10, costs)
    assert s.minutes is not None and s.minutes > 10
    assert interview.fits(IDS, {}, TODAY, when, s.minutes, costs)
    assert not interview.fits(IDS, {}, TODAY, when, s.minutes - 1, costs)
    assert s.later_date is not None and s.later_date > when
    assert interview.fits(IDS, {}, TODAY, s.later_date, 10, costs)
    assert s.keep_decks and s.drop_decks and s.keep_decks[0] == "deck0"
    kept = [c for c in IDS if decks[c] in set(s.keep_decks)]
    assert interview.fits(kept, {}, TODAY, when, 10, costs)


def test_weeks_group_the_projection() -> None:
    when = TODAY + timedelta(days=70)
    days = project(IDS, {}, TODAY, when, 30, Costs())
    decks = {c: f"deck{int(c[1:]) // 30}" for c in IDS}
    weeks = interview.weeks(days, decks)
    assert weeks[0] == {
        "week": 1,
        "start": TODAY.isoformat(),
        "decks": ["deck0", "deck1"],
        "new_cards": 35,
    }
    assert sum(w["new_cards"] for w in weeks) == 275
    assert weeks[-1]["new_cards"] == 0


def test_the_final_window_holds_a_look_at_every_card_within_the_budget() -> None:
    when = TODAY + timedelta(days=70)
    days = project(IDS, {}, TODAY, when, 30, Costs())
    start = interview.window_start(when)
    window = [d for d in days if d.day >= start]
    assert len(window) == 14
    looked = {c for d in window for c in d.review_ids + d.new_ids}
    assert looked == set(IDS)
    assert all(d.minutes <= 30 for d in window)
    # Before the eve the looks are spread, not piled up: no day holds more than a fifth.
    assert max(d.reviews for d in window[:-1]) <= len(IDS) // 5
