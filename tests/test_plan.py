"""The interview plan's gathering (flashprep.plan) and the cap inside Session."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep import interview
from flashprep.cardmodel import Card, Deck
from flashprep.decks import load_collection
from flashprep.decksources import USER
from flashprep.history import History
from flashprep.plan import (
    Answer,
    card_answers,
    deck_phases,
    estimate_costs,
    parse_syllabus,
    syllabus_decks,
    syllabus_order,
    syllabus_weeks,
)
from flashprep.schedule import NEW_CARD, CardState
from flashprep.session import Session

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 10)


# ---------------------------------------------------------------- the syllabus


def test_the_weekly_summary_maps_weeks_to_phases() -> None:
    text = (Path(__file__).resolve().parent.parent / "decks" / "syllabus.md").read_text()
    phases, weeks = parse_syllabus(text)
    assert [(p.number, p.first_week, p.last_week) for p in phases] == [
        (1, 1, 2),
        (2, 2, 3),
        (3, 3, 5),
        (4, 5, 6),
        (5, 6, 9),
        (6, 9, 10),
    ]
    assert [w.phase for w in weeks] == [1, 2, 3, 3, 4, 5, 5, 5, 6, 6]
    assert weeks[0].text == "Python intermediate + CS fundamentals"


def test_bundled_decks_come_in_syllabus_order(tmp_path: Path) -> None:
    col = load_collection(tmp_path / "home")
    decks = [d.id for d in syllabus_decks(col)]
    # Each practice deck follows the deck that teaches what it practises.
    assert decks[:7] == [
        "python-deep-dive",
        "python-practice",
        "core-cs-fundamentals",
        "sql-relational-dbs",
        "sql-practice",
        "postgresql-sqlalchemy-orm",
        "fastapi-fundamentals",
    ]
    phases = deck_phases(syllabus_decks(col))
    assert phases["database"] == 6  # no phase tag: the phase of the deck before it by order
    order = syllabus_order(col)
    assert len(order) == len(col.card_decks) - len(col.drafts)
    weeks = {w["week"]: w for w in syllabus_weeks(col)}
    assert weeks[1]["decks"] == ["python-deep-dive", "python-practice", "core-cs-fundamentals"]
    assert weeks[3]["decks"] == ["fastapi-fundamentals"]
    assert weeks[4]["decks"] == ["authentication-security", "advanced-fastapi"]
    assert weeks[6]["decks"] == [] and weeks[6]["phase"] == 5  # projects: no cards
    assert "behavioral" in weeks[10]["decks"]


def test_user_decks_go_after_the_bundled_ones_or_where_their_order_puts_them() -> None:
    def deck(
        i: str,
        order: int | None,
        tags: tuple[str, ...] = (),
        source: str = "bundled",
    ) -> Deck:
        return Deck(i, i, "", "", tags, "", source, (f"{i}-1",), order)

    decks = [
        deck("a", 10, ("phase-1",)),
        deck("b", 20, ("phase-2",)),
        deck("mine", None, (), USER),
        deck("early", 15, (), USER),
        deck("tagged", None, ("phase-1",), USER),
    ]
    from flashprep.cardmodel import Collection

    col = Collection(decks=decks, card_decks={d.card_ids[0]: d.id for d in decks})
    assert [d.id for d in syllabus_decks(col)] == ["a", "early", "b", "tagged", "mine"]


# ---------------------------------------------------------------- the user's answers


def write_log(home: Path, events: list[dict]) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "reviews.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def indexed(home: Path) -> Any:
    """The index of the home's log (a reader builds it)."""
    from flashprep.history import History

    return History.open(home).indexed()


def ev(
    eid: str,
    card: str,
    kind: str,
    day: str,
    grade: int | None = None,
    ms: int | None = None,
    **extra: object,
) -> dict:
    e = {
        "v": 1,
        "id": eid,
        "card_id": card,
        "ts": day + "T09:00:00Z",
        "day": day,
        "kind": kind,
        "state": NEW_CARD.to_dict(),
        **extra,
    }
    if grade is not None:
        e["grade"] = grade
    if ms is not None:
        e["duration_ms"] = ms
    return e


def test_card_answers_drop_undone_answers_and_start_after_a_forget(tmp_path: Path) -> None:
    path = write_log(
        tmp_path,
        [
            ev("1", "a", "new", "2026-03-01", 4),
            ev("2", "a", "review", "2026-03-02", 1),
            ev("3", "a", "undo", "2026-03-02", undoes="2"),
            ev("4", "a", "review", "2026-03-02", 5),
            ev("5", "b", "new", "2026-03-01", 4),
            ev("6", "b", "forget", "2026-03-03"),
            ev("7", "b", "new", "2026-03-04", 3),
            ev("8", "c", "new", "2026-03-01", 4),
            ev("9", "c", "forget", "2026-03-02"),
            ev("10", "c", "undo", "2026-03-02", undoes="9"),
            ev("11", "d", "suspend", "2026-03-02"),
        ],
    )
    got = card_answers(indexed(path.parent))
    assert [a.grade for a in got["a"]] == [4, 5]
    assert [(a.day, a.grade) for a in got["b"]] == [(date(2026, 3, 4), 3)]
    assert [a.grade for a in got["c"]] == [4]
    assert "d" not in got


def test_costs_are_defaults_until_50_timed_answers_then_the_users_own() -> None:
    few = {f"c{i}": [Answer(DAY, "new", 4, 90_000)] for i in range(49)}
    costs = estimate_costs(few)
    assert not costs.estimated and costs.new_seconds == interview.DEFAULT_NEW_SECONDS
    many = {
        f"c{i}": [
            Answer(DAY, "new", 2, 40_000),
            Answer(DAY, "redrill", 4, 20_000),
            Answer(DAY + timedelta(days=1), "review", 4, 10_000 + 1_000 * (i % 3)),
        ]
        for i in range(30)
    }
    many["slow"] = [Answer(DAY, "new", 4, 3_600_000)]  # walked away: counts 5 minutes
    costs = estimate_costs(many)
    assert costs.estimated and costs.timed_answers == 91
    assert costs.new_seconds == round((30 * 60 + 300) / 31, 1)
    assert costs.review_seconds == 11.0


# ---------------------------------------------------------------- the cap in Session


def cards(n: int) -> list[Card]:
    return [Card(id=f"c{i}", deck="d", front="f", back="b") for i in range(n)]


def long_interval(due: date) -> CardState:
    return replace(
        NEW_CARD,
        ef=250,
        interval=40,
        repetitions=4,
        due=due,
        reviews=4,
        last_day=due - timedelta(days=40),
        introduced=due - timedelta(days=80),
    )


def test_session_caps_the_due_date_and_records_sm2_due() -> None:
    when = DAY + timedelta(days=30)
    s = Session(cards(1), {"c0": long_interval(DAY)}, T0, interview=when)
    event = s.answer(4, T0)
    assert event["state"]["interval"] == 100  # SM-2: ceil(40 * 2.5)
    assert event["sm2_due"] == (DAY + timedelta(days=100)).isoformat()
    assert event["state"]["due"] == (interview.eve(when) - timedelta(days=1)).isoformat()
    # The same answer without a date: SM-2's own due date and no sm2_due.
    plain = Session(cards(1), {"c0": long_interval(DAY)}, T0).answer(4, T0)
    assert plain["state"]["due"] == event["sm2_due"] and "sm2_due" not in plain
    assert {k: v for k, v in plain["state"].items() if k != "due"} == {
        k: v for k, v in event["state"].items() if k != "due"
    }
    # Undo brings the exact state back.
    s.undo(T0 + timedelta(seconds=5))
    assert s.state("c0") == long_interval(DAY)


def test_session_spreads_capped_cards_over_the_window() -> None:
    when = DAY + timedelta(days=30)
    states = {f"c{i}": long_interval(DAY) for i in range(6)}
    s = Session(cards(6), states, T0, interview=when)
    dues = [s.answer(4, T0 + timedelta(seconds=i))["state"]["due"] for i in range(6)]
    eve = interview.eve(when)
    assert dues == [(eve - timedelta(days=n)).isoformat() for n in range(1, 7)]


def test_no_cap_on_or_after_the_interview_day() -> None:
    when = DAY
    event = Session(cards(1), {"c0": long_interval(DAY)}, T0, interview=when).answer(4, T0)
    assert event["state"]["due"] == event["sm2_due"] == (DAY + timedelta(days=100)).isoformat()


@settings(max_examples=200, deadline=None)
@given(
    grade=st.integers(0, 5),
    interval=st.integers(1, 400),
    reps=st.integers(0, 12),
    ef=st.integers(130, 350),
    overdue=st.integers(0, 30),
    ahead=st.integers(-5, 120),
    others=st.lists(st.integers(0, 130), max_size=20),
)
def test_session_sm2_numbers_identical_with_and_without_a_date(
    grade: int, interval: int, reps: int, ef: int, overdue: int, ahead: int, others: list[int]
) -> None:
    """One answer through Session, with and without a date, from the same state: the same
    EF, interval, repetitions and counters; only the due date differs, and it is never past
    the eve while the interview is ahead. Every answer is one such step, so a whole
    history keeps SM-2's numbers."""
    when = DAY + timedelta(days=ahead)
    card = replace(
        long_interval(DAY - timedelta(days=overdue)), ef=ef, interval=interval, repetitions=reps
    )
    states = {"c0": card} | {
        f"c{i + 1}": replace(card, due=DAY + timedelta(days=d)) for i, d in enumerate(others)
    }
    ids = cards(1 + len(others))
    capped = Session(ids, states, T0, interview=when).answer(grade, T0)
    plain = Session(ids, states, T0).answer(grade, T0)
    a, b = capped["state"], plain["state"]
    assert {k: v for k, v in a.items() if k != "due"} == {k: v for k, v in b.items() if k != "due"}
    if DAY < when:
        assert capped["sm2_due"] == b["due"]
        assert a["due"] <= interview.eve(when).isoformat()
        assert a["due"] > DAY.isoformat() or a["due"] == interview.eve(when).isoformat()
    else:
        assert a["due"] == b["due"]


def test_a_real_history_keeps_sm2_due_next_to_the_capped_due(tmp_path: Path) -> None:
    when = DAY + timedelta(days=20)
    with History.open(tmp_path, write=True) as h:
        h.record(
            "c0",
            "review",
            long_interval(DAY),
            T0 - timedelta(days=40),
            DAY - timedelta(days=40),
            grade=4,
        )
        s = Session(cards(1), h.states, T0, interview=when)
        h.append([s.answer(5, T0)])
    with History.open(tmp_path) as h:
        assert h.state("c0").due is not None and h.state("c0").due <= interview.eve(when)
        assert h.state("c0").interval == 104  # ceil(40 * 2.6)


def test_recent_answers_are_the_last_ones_in_the_log(tmp_path: Path) -> None:
    from flashprep.plan import recent_answers

    rows = [ev(str(i), f"c{i}", "new", "2026-03-01", 4, 30_000) for i in range(200)]
    rows += [ev("u", "c199", "undo", "2026-03-01", undoes="199")]
    path = write_log(tmp_path, rows)
    whole = recent_answers(indexed(path.parent))
    assert len(whole) == 199 and "c199" not in whole  # undone
    assert whole["c0"] == [Answer(date(2026, 3, 1), "new", 4, 30_000)]
    tail = recent_answers(indexed(path.parent), limit=10)
    assert len(tail) == 10 and "c0" not in tail and "c198" in tail and "c189" in tail
    assert recent_answers(indexed(tmp_path / "empty")) == {}


def test_session_keeps_the_eve_for_answers_given_inside_the_window() -> None:
    # SM-2 says the eve exactly: before the window that moves to the day before it...
    state = replace(long_interval(DAY), interval=6, repetitions=2)  # next: ceil(6 * 2.5) = 15
    when = DAY + timedelta(days=16)  # eve = DAY + 15, the window starts at DAY + 2
    event = Session(cards(1), {"c0": state}, T0, interview=when).answer(4, T0)
    assert event["sm2_due"] == interview.eve(when).isoformat()
    assert event["state"]["due"] == (interview.eve(when) - timedelta(days=1)).isoformat()
    # ... and inside the window (here: a window of 16 days, so today is in it) the eve stays.
    late = Session(cards(1), {"c0": state}, T0, interview=when, window_days=16).answer(4, T0)
    assert late["state"]["due"] == late["sm2_due"] == interview.eve(when).isoformat()
