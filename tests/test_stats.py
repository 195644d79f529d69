"""`flashprep stats`: every figure checked against histories built through the engine.

Histories are written with schedule.answer + History.record at fixed moments, exactly as a
review session writes them; the expected figures are worked out by hand in each test.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashprep import schedule, stats
from flashprep.clock import study_day
from flashprep.decks import load_collection
from flashprep.eventlog import scan
from flashprep.history import History, replay
from flashprep.index import Index, remove_index
from flashprep.schedule import CardState

TODAY = date(2026, 3, 10)  # the study day of conftest's FLASHPREP_NOW

DECK_A = """\
[deck]
id = "alpha"
name = "Alpha"
category = "Python"

""" + "".join(
    f'[[cards]]\nid = "a{i}"\nfront = "A{i}?"\nback = "a{i}"\ntags = ["python", "gil"]\n'
    f'topic = "alpha-{"one" if i < 4 else "two"}"\n\n'
    for i in range(1, 7)
)

DECK_B = (
    """\
[deck]
id = "beta"
name = "Beta"
category = "Auth"

"""
    + "".join(
        f'[[cards]]\nid = "b{i}"\nfront = "B{i}?"\nback = "b{i}"\ntags = ["auth", "jwt"]\n'
        f'topic = "beta-jwt"\n\n'
        for i in range(1, 4)
    )
    + """\
[[cards]]
id = "b-draft"
front = "Draft?"
back = ""
draft = true
"""
)


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    d = tmp_path / "decks"
    d.mkdir()
    (d / "alpha.toml").write_text(DECK_A, encoding="utf-8")
    (d / "beta.toml").write_text(DECK_B, encoding="utf-8")
    return d


class Engine:
    """Writes events the way a session does: schedule transitions + History.record."""

    def __init__(self, home: Path, day_starts_at: int = 4) -> None:
        self.h = History.open(home, write=True)
        self.rollover = day_starts_at
        self.before: dict[str, tuple[str, CardState]] = {}  # event id -> (card, state before)

    def answer(self, card: str, grade: int, when: str, ms: int = 1000) -> dict[str, Any]:
        moment = datetime.fromisoformat(when)
        day = study_day(moment, self.rollover)
        before = self.h.state(card)
        kind = schedule.answer_kind(before, day)
        event = self.h.record(
            card,
            kind,
            schedule.answer(before, grade, day),
            moment,
            day,
            grade=grade,
            duration_ms=ms,
        )
        self.before[event["id"]] = (card, before)
        return event

    def action(self, card: str, kind: str, when: str) -> dict[str, Any]:
        moment = datetime.fromisoformat(when)
        day = study_day(moment, self.rollover)
        s = self.h.state(card)
        new = {
            "bury": lambda: schedule.bury(s, day),
            "suspend": lambda: schedule.suspend(s),
            "forget": lambda: schedule.forget(s),
        }[kind]()
        event = self.h.record(card, kind, new, moment, day)
        self.before[event["id"]] = (card, s)
        return event

    def undo(self, event: dict[str, Any], when: str, state: CardState | None = None) -> None:
        """Undo `event`; the state defaults to the one before it (a session's undo)."""
        moment = datetime.fromisoformat(when)
        card, before = self.before[event["id"]]
        self.h.record(
            card,
            "undo",
            state or before,
            moment,
            study_day(moment, self.rollover),
            undoes=event["id"],
        )

    def close(self) -> None:
        self.h.close()


def report(home: Path, deck_dir: Path, today: date = TODAY, **kw: Any) -> dict[str, Any]:
    col = load_collection(home, [deck_dir])
    with History.open(home) as h:
        assert h.states == replay(home / "reviews.jsonl")
        return stats.stats_report(col, h, today, **kw)


def rate(passed: int, total: int) -> dict[str, Any]:
    return {"passed": passed, "total": total, "rate": round(passed / total, 4) if total else None}


# ------------------------------------------------------------------ streaks and heatmap


def test_streaks_follow_the_study_day_across_the_rollover_hour(home: Path, decks: Path) -> None:
    e = Engine(home)
    e.answer("a1", 5, "2026-03-03T10:00:00+00:00")  # study day 03-03
    e.answer("a1", 5, "2026-03-05T10:00:00+00:00")  # 03-05
    e.answer("a2", 5, "2026-03-07T02:30:00+00:00")  # before 04:00: still study day 03-06
    e.answer("a3", 5, "2026-03-07T23:00:00+00:00")  # 03-07
    e.answer("a3", 4, "2026-03-08T03:59:00+00:00")  # 03-07 again (a same-day re-drill)
    e.answer("a4", 5, "2026-03-09T04:00:00+00:00")  # 04:00 sharp: study day 03-09
    e.close()
    r = report(home, decks)
    # 03-05, 03-06, 03-07 in a row; 03-08 has nothing (its 03:59 answer is 03-07's).
    assert r["streak"] == {"current": 1, "longest": 3, "study_days": 5, "studied_today": False}
    heat = r["heatmap"]
    start = date.fromisoformat(heat["start"])
    assert start == date(2025, 9, 15) and start.weekday() == 0  # 26 whole weeks, Monday first
    assert heat["end"] == "2026-03-10" and len(heat["counts"]) == (TODAY - start).days + 1
    by_day = {start + timedelta(days=i): n for i, n in enumerate(heat["counts"]) if n}
    assert by_day == {
        date(2026, 3, 3): 1,
        date(2026, 3, 5): 1,
        date(2026, 3, 6): 1,
        date(2026, 3, 7): 2,
        date(2026, 3, 9): 1,
    }
    assert (heat["total"], heat["max"]) == (6, 2)
    assert r["answers"] == 6 and r["empty"] is False


def test_the_current_streak_counts_today_once_answered(home: Path, decks: Path) -> None:
    e = Engine(home)
    for day in ("03-07", "03-08", "03-09"):
        e.answer("a1", 5, f"2026-{day}T12:00:00+00:00")
    e.close()
    assert report(home, decks)["streak"]["current"] == 3  # today not answered yet: kept
    e = Engine(home)
    e.answer("a2", 5, "2026-03-10T08:00:00+00:00")
    e.close()
    r = report(home, decks)["streak"]
    assert (r["current"], r["longest"], r["studied_today"]) == (4, 4, True)
    # Two days later with nothing answered in between: the streak is broken.
    assert report(home, decks, today=date(2026, 3, 12))["streak"]["current"] == 0


def test_streaks_in_another_time_zone_and_rollover_hour(home: Path, decks: Path) -> None:
    e = Engine(home, day_starts_at=0)
    e.answer("a1", 5, "2026-03-08T23:30:00-08:00")  # local 03-08, already 03-09 in UTC
    e.answer("a2", 5, "2026-03-09T00:10:00-08:00")  # local 03-09
    e.close()
    r = report(home, decks)
    # With the default 04:00 rollover both would be study day 03-08.
    assert r["streak"] == {"current": 2, "longest": 2, "study_days": 2, "studied_today": False}


def test_unit_streaks() -> None:
    d = date(2026, 1, 10)
    assert stats.streaks([], d) == (0, 0)
    assert stats.streaks([d], d) == (1, 1)
    days = [d - timedelta(days=k) for k in (1, 2, 5, 6, 7, 8)]
    assert stats.streaks(days, d) == (2, 4)
    assert stats.streaks(days, d + timedelta(days=1)) == (0, 4)


@given(st.sets(st.integers(0, 60), max_size=40))
def test_streak_properties(offsets: set[int]) -> None:
    today = date(2026, 3, 10)
    days = [today - timedelta(days=k) for k in offsets]
    current, longest = stats.streaks(days, today)
    assert 0 <= current <= longest <= len(offsets)
    start = 0 if 0 in offsets else 1
    expected = 0
    while start + expected in offsets:
        expected += 1
    assert current == expected


# ------------------------------------------------------------------ true retention


def build_retention_history(home: Path) -> Engine:
    e = Engine(home)
    # a1 grows mature before the window (intervals 1, 6, 17, 50).
    for when in ("2026-01-01", "2026-01-02", "2026-01-08", "2026-01-25"):
        e.answer("a1", 5, f"{when}T10:00:00+00:00")
    e.answer("a1", 2, "2026-02-20T10:00:00+00:00")  # mature lapse
    e.answer("a1", 4, "2026-02-20T10:05:00+00:00")  # same-day re-drill: not counted
    e.answer("a1", 4, "2026-03-01T10:00:00+00:00")  # young pass (interval before: 1)
    # a2: new inside the window (not counted), then young answers.
    e.answer("a2", 4, "2026-02-10T10:00:00+00:00")
    e.answer("a2", 3, "2026-02-11T10:00:00+00:00")  # young pass
    e.answer("a2", 3, "2026-02-11T10:01:00+00:00")  # re-drills
    e.answer("a2", 5, "2026-02-11T10:02:00+00:00")
    e.answer("a2", 1, "2026-02-15T10:00:00+00:00")  # young fail (interval before: 6)
    # b1: mature, one pass, one fail that is undone, then the answer given again.
    for when in ("2025-12-01", "2025-12-02", "2025-12-08", "2025-12-25"):
        e.answer("b1", 5, f"{when}T10:00:00+00:00")
    e.answer("b1", 5, "2026-02-12T10:00:00+00:00")  # mature pass
    wrong = e.answer("b1", 0, "2026-02-13T10:00:00+00:00")
    e.undo(wrong, "2026-02-13T10:00:05+00:00")
    e.answer("b1", 4, "2026-02-13T10:00:10+00:00")  # mature pass
    # a3: the day before the window does not count, the window's first day does.
    e.answer("a3", 5, "2026-02-01T10:00:00+00:00")
    e.answer("a3", 5, "2026-02-08T10:00:00+00:00")
    e.answer("a3", 5, "2026-02-09T10:00:00+00:00")  # young pass
    # b2: a young fail taken back by `flashprep undo` after the card was buried.
    e.answer("b2", 5, "2026-02-01T10:00:00+00:00")
    e.answer("b2", 5, "2026-02-02T10:00:00+00:00")
    fail = e.answer("b2", 1, "2026-02-20T11:00:00+00:00", ms=7000)
    e.action("b2", "bury", "2026-02-20T11:00:30+00:00")
    _, before = e.before[fail["id"]]
    e.undo(fail, "2026-02-20T11:01:00+00:00", state=schedule.bury(before, date(2026, 2, 20)))
    return e


def test_true_retention_excludes_new_cards_redrills_and_undone_answers(
    home: Path, decks: Path
) -> None:
    build_retention_history(home).close()
    r = report(home, decks)
    assert r["retention"] == {
        "days": 30,
        "since": "2026-02-09",
        "young": rate(3, 4),
        "mature": rate(2, 3),
        "all": rate(5, 7),
    }
    per_deck = {d["id"]: d["retention"] for d in r["per_deck"]}
    assert per_deck["alpha"] == {"young": rate(3, 4), "mature": rate(0, 1), "all": rate(3, 5)}
    assert per_deck["beta"] == {"young": rate(0, 0), "mature": rate(2, 2), "all": rate(2, 2)}
    by_day = dict(
        zip(
            [
                date.fromisoformat(r["heatmap"]["start"]) + timedelta(days=i)
                for i in range(len(r["heatmap"]["counts"]))
            ],
            r["heatmap"]["counts"],
            strict=True,
        )
    )
    # Undone answers are in no count: 02-13 keeps one of b1's two answers, 02-20 loses b2's.
    assert by_day[date(2026, 2, 13)] == 1
    assert by_day[date(2026, 2, 20)] == 2
    assert by_day[date(2026, 2, 11)] == 3


def test_a_shorter_window_with_days(home: Path, decks: Path) -> None:
    build_retention_history(home).close()
    r = report(home, decks, days=10)  # 03-01 .. 03-10: only a1's young pass
    assert r["retention"]["since"] == "2026-03-01"
    assert (r["retention"]["young"], r["retention"]["mature"]) == (rate(1, 1), rate(0, 0))
    assert len(r["forecast"]["days"]) == 10


def test_the_same_figures_through_the_cli(cli, home: Path, decks: Path) -> None:  # type: ignore[no-untyped-def]
    build_retention_history(home).close()
    res = cli("--decks", str(decks), "stats", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data == json.loads(json.dumps(report(home, decks)))
    assert data["retention"]["all"] == rate(5, 7)


# ------------------------------------------------------------------ forecast, states, EF, time


def test_forecast_counts_due_days_overdue_buried_and_suspended(home: Path, decks: Path) -> None:
    e = Engine(home)
    e.answer("a1", 5, "2026-03-09T10:00:00+00:00")  # due 03-10: today
    e.answer("a2", 5, "2026-03-03T10:00:00+00:00")  # due 03-04: overdue, counted today
    e.answer("a3", 5, "2026-03-05T10:00:00+00:00")
    e.answer("a3", 5, "2026-03-06T10:00:00+00:00")  # interval 6: due 03-12
    e.answer("a4", 5, "2026-03-09T10:00:00+00:00")  # due 03-10, but buried until 03-11
    e.action("a4", "bury", "2026-03-10T08:00:00+00:00")
    e.answer("a5", 5, "2026-03-09T10:00:00+00:00")  # due 03-10, but suspended
    e.action("a5", "suspend", "2026-03-09T10:01:00+00:00")
    e.answer("b1", 4, "2026-03-10T08:30:00+00:00")  # new today: due 03-11
    e.answer("b2", 5, "2026-01-01T10:00:00+00:00")
    e.answer("b2", 5, "2026-01-02T10:00:00+00:00")
    e.answer("b2", 5, "2026-01-08T10:00:00+00:00")  # interval 17: due 01-25, overdue
    e.answer("b3", 5, "2026-03-01T10:00:00+00:00")
    e.answer("b3", 5, "2026-03-02T10:00:00+00:00")
    e.answer("b3", 5, "2026-03-08T10:00:00+00:00")  # interval 17: due 03-25 (offset 15)
    e.close()
    fc = report(home, decks)["forecast"]
    due = [d["due"] for d in fc["days"]]
    assert fc["days"][0] == {"day": "2026-03-10", "due": 3}  # a1, a2, b2
    assert due[1] == 2  # a4 (back from its bury) and b1
    assert due[2] == 1 and due[15] == 1
    assert sum(due) == fc["total"] == 7 and fc["overdue"] == 2
    assert len(due) == 30


def test_card_states_ef_and_time(home: Path, decks: Path) -> None:
    (home).mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("leech_threshold = 2\n")
    e = Engine(home)
    # a1 mature: EF 2.9
    for when in ("2026-01-01", "2026-01-02", "2026-01-08", "2026-01-25"):
        e.answer("a1", 5, f"{when}T10:00:00+00:00", ms=2000)
    e.answer("a2", 5, "2026-03-01T10:00:00+00:00", ms=4000)  # young, EF 2.6
    e.answer("a3", 3, "2026-03-10T08:00:00+00:00", ms=6000)  # re-drill pending today, EF 2.36
    e.answer("a4", 5, "2026-03-01T10:00:00+00:00", ms=1000)
    e.answer("a4", 1, "2026-03-05T10:00:00+00:00", ms=1000)  # failed: starts over, EF 2.6
    e.answer("b1", 5, "2026-03-01T10:00:00+00:00", ms=3000)
    e.action("b1", "suspend", "2026-03-01T10:01:00+00:00")  # suspended, EF 2.6
    e.close()
    # b2 becomes a leech (2 lapses at threshold 2) through the engine.
    with History.open(home, write=True) as h:
        s = h.state("b2")
        for when, g in (("03-01", 5), ("03-02", 1), ("03-03", 5), ("03-04", 1)):
            day = date.fromisoformat(f"2026-{when}")
            kind = schedule.answer_kind(s, day)
            s = schedule.answer(s, g, day, leech_threshold=2)
            h.record(
                "b2",
                kind,
                s,
                datetime.fromisoformat(f"2026-{when}T10:00:00+00:00"),
                day,
                grade=g,
                duration_ms=500,
            )
    assert s.leech and s.suspended and s.ef == 270  # 250 +10 +10; failures leave EF alone
    r = report(home, decks)
    assert r["cards"] == {
        "total": 9,
        "new": 3,
        "learning": 2,
        "young": 1,
        "mature": 1,
        "suspended": 2,
        "leeches": 1,
    }
    # EF (x100) of the 6 cards seen: a1 290, a2 260, a3 236, a4 260, b1 260, b2 270.
    efs = [290, 260, 236, 260, 260, 270]
    mean = sum(efs) / len(efs)
    sd = (sum((x - mean) ** 2 for x in efs) / len(efs)) ** 0.5
    assert r["ef"] == {"mean": round(mean / 100, 2), "stdev": round(sd / 100, 2), "cards": 6}
    assert r["ef"] == {"mean": 2.63, "stdev": 0.16, "cards": 6}
    # Time over the last 30 days (02-09 .. 03-10): a2 4000, a3 6000, a4 2000, b1 3000,
    # b2 4 x 500; a1's answers are older. All time adds a1's 4 x 2000.
    assert r["time"] == {
        "days": 30,
        "total_ms": 17000,
        "answers": 9,
        "cards": 5,
        "per_card_ms": 3400,
        "per_answer_ms": 1889,
        "all_time_ms": 25000,
    }
    beta = next(d for d in r["per_deck"] if d["id"] == "beta")
    assert beta["cards"] == {
        "total": 3,
        "new": 1,
        "learning": 0,
        "young": 0,
        "mature": 0,
        "suspended": 2,
        "leeches": 1,
    }
    assert beta["time"]["total_ms"] == 5000 and beta["time"]["cards"] == 2


def test_deck_filter(cli, home: Path, decks: Path) -> None:  # type: ignore[no-untyped-def]
    build_retention_history(home).close()
    r = report(home, decks, decks=["beta"])
    assert r["decks"] == ["beta"] and [d["id"] for d in r["per_deck"]] == ["beta"]
    assert r["retention"]["mature"] == rate(2, 2) and r["retention"]["young"] == rate(0, 0)
    assert r["cards"]["total"] == 3  # the draft is not a card to study
    res = cli("--decks", str(decks), "stats", "--deck", "beta", "--deck", "alpha", "--json")
    assert json.loads(res.output)["retention"]["all"] == rate(5, 7)
    bad = cli("--decks", str(decks), "stats", "--deck", "alpah")
    assert bad.exit_code == 2
    assert bad.output.strip() == "flashprep: error: no deck 'alpah' (did you mean 'alpha'?)"


def test_answers_of_cards_in_no_deck_count_in_activity_only(home: Path, decks: Path) -> None:
    e = Engine(home)
    e.answer("gone", 5, "2026-03-01T10:00:00+00:00", ms=1500)
    e.answer("gone", 5, "2026-03-02T10:00:00+00:00", ms=1500)
    e.close()
    r = report(home, decks)
    assert r["answers"] == 2 and r["time"]["total_ms"] == 3000
    assert r["retention"]["young"] == rate(1, 1)
    assert r["cards"]["new"] == 9 and all(d["time"]["answers"] == 0 for d in r["per_deck"])
    assert report(home, decks, decks=["alpha"])["answers"] == 0


def test_empty_history_gives_zeros_and_a_friendly_line(cli, decks: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("--decks", str(decks), "stats", "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["empty"] is True and data["answers"] == 0
    assert data["streak"] == {"current": 0, "longest": 0, "study_days": 0, "studied_today": False}
    assert data["heatmap"]["total"] == 0 and data["forecast"]["total"] == 0
    assert data["retention"]["all"] == rate(0, 0)
    assert data["ef"] == {"mean": None, "stdev": None, "cards": 0}
    assert data["cards"]["new"] == 9
    text = cli("--decks", str(decks), "stats")
    assert text.exit_code == 0
    assert "No answers yet: run `flashprep review` to start." in text.output
    assert "Less" in text.output and "More" in text.output


def test_text_output_shows_every_section(cli, home: Path, decks: Path) -> None:  # type: ignore[no-untyped-def]
    build_retention_history(home).close()
    res = cli("--decks", str(decks), "stats")
    assert res.exit_code == 0, res.output
    for part in (
        "Reviews per day",
        "Streak:",
        "Due in the next 30 days",
        "True retention",
        "71.4% (5/7)",
        "Cards",
        "Ease factor: mean",
        "Per deck",
        "alpha",
        "beta",
    ):
        assert part in res.output, part


def test_bad_days(cli, decks: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("--decks", str(decks), "stats", "--days", "0")
    assert res.exit_code == 2 and "--days" in res.output


# ------------------------------------------------------------------ reading the log


def test_a_torn_last_line_is_skipped_and_a_corrupt_line_is_an_error(
    cli,
    home: Path,
    decks: Path,  # type: ignore[no-untyped-def]
) -> None:
    e = Engine(home)
    e.answer("a1", 5, "2026-03-01T10:00:00+00:00")
    e.answer("a1", 5, "2026-03-02T10:00:00+00:00")
    e.close()
    log = home / "reviews.jsonl"
    with open(log, "ab") as fh:
        fh.write(b'{"v":1,"id":"x","card_id":"a1","ts":"2026-03-0')
    assert report(home, decks)["answers"] == 2
    lines = log.read_bytes().split(b"\n")
    lines[0] = b"{" + b"x" * (len(lines[0]) - 1)  # same length: the index still fits
    log.write_bytes(b"\n".join(lines))
    remove_index(home)  # so the log is read again, line 1 included
    res = cli("--decks", str(decks), "stats", "--json")
    assert res.exit_code == 2
    assert res.output.splitlines()[-1].startswith(f"flashprep: error: {log}:1: corrupt event")


def test_a_line_that_is_not_utf8_is_a_corrupt_event_as_for_the_history(
    cli,
    home: Path,
    decks: Path,  # type: ignore[no-untyped-def]
) -> None:
    """The log's bytes are decoded as UTF-8 strictly: never an answer of a card "a\ufffd"."""
    e = Engine(home)
    e.answer("a1", 5, "2026-03-01T10:00:00+00:00")
    e.answer("a2", 5, "2026-03-02T10:00:00+00:00")
    e.close()
    log = home / "reviews.jsonl"
    first, rest = log.read_bytes().split(b"\n", 1)
    log.write_bytes(first.replace(b'"card_id":"a1"', b'"card_id":"a\xff"') + b"\n" + rest)
    remove_index(home)
    res = cli("--decks", str(decks), "stats", "--json")
    assert res.exit_code == 2
    assert res.output.splitlines()[-1].startswith(
        f"flashprep: error: {log}:1: corrupt event ('utf-8' codec can't decode byte 0xff"
    )


def reference(path: Path, window: tuple[date, date]) -> tuple[Counter[str], dict[str, list[int]]]:
    """A slow, obvious replay: json.loads every line, undone ids known up front."""
    events = [json.loads(line) for line in path.read_text().splitlines()]
    undone = {e["undoes"] for e in events if e["kind"] == "undo"}
    days: Counter[str] = Counter()
    cards: dict[str, list[int]] = {}
    interval: dict[str, int] = {}
    lo, hi = window[0].isoformat(), window[1].isoformat()
    for e in events:
        cid = e["card_id"]
        if e["kind"] in ("new", "review", "redrill") and e["id"] not in undone:
            days[e["day"]] += 1
            if lo <= e["day"] <= hi:
                r = cards.setdefault(cid, [0, 0, 0, 0, 0, 0])
                r[0] += 1
                r[1] += e.get("duration_ms", 0)
                if e["kind"] == "review":
                    slot = 2 if interval.get(cid, 0) < 21 else 4
                    r[slot + 1] += 1
                    r[slot] += e["grade"] >= 3
        interval[cid] = e["state"]["interval"]
    return days, cards


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 2**32 - 1))
def test_the_streamed_replay_agrees_with_a_plain_one(tmp_path_factory, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Random histories with undos of every kind: the index kept up to date answer by
    answer, one rebuilt from the log, and one built in memory all agree with a json.loads
    replay."""
    rnd = random.Random(seed)
    home = tmp_path_factory.mktemp("h")
    e = Engine(home)
    cards = ["a1", "a2", "a3"]
    moment = datetime.fromisoformat("2025-12-01T10:00:00+00:00")
    answers: list[dict[str, Any]] = []
    for _ in range(rnd.randint(5, 60)):
        moment += timedelta(hours=rnd.choice([1, 5, 24, 24 * 7, 24 * 20]))
        when = moment.isoformat()
        roll = rnd.random()
        if roll < 0.1 and answers:
            e.undo(answers.pop(), when)  # usually the card's latest, sometimes not
        elif roll < 0.15:
            e.action(rnd.choice(cards), rnd.choice(["bury", "suspend", "forget"]), when)
        else:
            answers.append(
                e.answer(rnd.choice(cards), rnd.randint(0, 5), when, ms=rnd.randint(0, 9000))
            )
    e.close()
    log = home / "reviews.jsonl"
    window = (date(2026, 1, 1), date(2026, 3, 1))
    days, cards_ref = reference(log, window)
    results = []
    with History.open(home) as h:
        results.append(stats.activity(h.indexed(), window))
    remove_index(home)
    with History.open(home) as h:
        results.append(stats.activity(h.indexed(), window))
        memory = Index.memory()
        tail = scan(log)
        tail.rows = [tuple(CardState.from_dict(ev["state"]).to_row()) for _, ev in tail.events]
        memory.apply(tail)
        results.append(stats.activity(memory, window))
        assert h.indexed().undone_ids() == memory.undone_ids()
    for act in results:
        assert +act.days == +days
        assert {k: v for k, v in act.cards.items() if v[0]} == cards_ref


# ------------------------------------------------------------------ HTML report


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.ids: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and (
                "//" in value or value.strip().lower().startswith(("http", "data:", "javascript:"))
            ):
                self.urls.append(f"{tag} {name}={value}")

    def handle_data(self, data: str) -> None:
        if "http://" in data or "https://" in data or "url(" in data or "@import" in data:
            self.urls.append(data.strip()[:80])


def test_html_report_is_self_contained(cli, home: Path, decks: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    build_retention_history(home).close()
    out = tmp_path / "report.html"
    res = cli("--decks", str(decks), "stats", "--html", str(out))
    assert res.exit_code == 0, res.output
    assert f"Wrote {out}" in res.output
    page = out.read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(page)
    assert parser.urls == []
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(parser.tags)
    assert {"heatmap", "forecast", "card-states"} <= parser.ids
    assert parser.tags["svg"] == 3 and parser.tags["style"] == 1
    assert page.count('class="day"') == 177  # 25 whole weeks, then Monday and Tuesday
    assert 'data-date="2026-02-11" data-count="3"' in page
    assert 'data-date="2026-03-10" data-due="' in page


def test_html_with_json_keeps_stdout_pure_json(cli, decks: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.html"
    res = cli("--decks", str(decks), "stats", "--json", "--html", str(out))
    assert res.exit_code == 0
    assert json.loads(res.stdout)["empty"] is True
    assert "No answers yet" in out.read_text()
    bad = cli("--decks", str(decks), "stats", "--html", str(tmp_path / "no" / "r.html"))
    assert bad.exit_code == 2
    assert bad.output.startswith(f"flashprep: error: cannot write {tmp_path / 'no' / 'r.html'}")


def test_html_replaces_an_old_report_never_another_file(cli, decks: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "r.html"
    out.write_text("<!DOCTYPE html><p>yesterday's report</p>")
    assert cli("--decks", str(decks), "stats", "--html", str(out)).exit_code == 0
    assert "yesterday" not in out.read_text() and "flashprep stats" in out.read_text()
    deck = decks / next(p.name for p in decks.glob("*.toml"))
    before = deck.read_bytes()
    res = cli("--decks", str(decks), "stats", "--html", str(deck))
    assert (res.exit_code, res.stderr) == (
        2,
        f"flashprep: error: --html {deck}: that file exists and is not an HTML page; "
        "choose another file name (nothing was written)\n",
    )
    assert deck.read_bytes() == before


def test_html_report_renders_in_headless_chromium(  # type: ignore[no-untyped-def]
    cli, home: Path, decks: Path, tmp_path: Path
) -> None:
    """The page as a browser draws it: the three charts in their colours, no network."""
    import realparts

    from flashprep.htmlreport import LEVEL_COLOURS, STATE_COLOURS

    chromium = realparts.require_chromium()
    build_retention_history(home).close()
    out = tmp_path / "report.html"
    assert cli("--decks", str(decks), "stats", "--html", str(out)).exit_code == 0
    dom = realparts.headless(chromium, out.as_uri(), tmp_path / "dom", "--dump-dom")
    parser = _Collect()
    parser.feed(dom)
    assert {"heatmap", "forecast", "card-states"} <= parser.ids
    assert parser.tags["svg"] == 3 and parser.tags["rect"] >= 177 + 30
    assert parser.urls == []

    colours = {f"level{i}": c for i, c in enumerate(LEVEL_COLOURS)}
    colours |= {"bar": "#0969da"} | STATE_COLOURS

    def drawn(page: Path, run: str) -> dict[str, int]:
        """Pixels of each chart colour in a screenshot of `page`; `run`'s net log checked."""
        shot, net = tmp_path / f"{run}.png", tmp_path / f"{run}.json"
        realparts.headless(
            chromium,
            page.as_uri(),
            tmp_path / run,
            f"--screenshot={shot}",
            "--window-size=1000,1600",
            f"--log-net-log={net}",
        )
        assert realparts.page_requests(net) == []
        width, height, rows = realparts.read_png(shot)
        assert (width, height) == (1000, 1600)
        return realparts.count_colours(rows, colours)

    seen = drawn(out, "history")
    # The same page with no answers yet draws only the empty grid and the legends: the
    # difference is what the data drew (a heatmap cell is 11 px square, a bar wider).
    empty = tmp_path / "empty.html"
    assert (
        cli(
            "--home",
            str(tmp_path / "no-history"),
            "--decks",
            str(decks),
            "stats",
            "--html",
            str(empty),
        ).exit_code
        == 0
    )
    blank = drawn(empty, "empty")
    assert blank["level0"] >= 100 * 100, blank  # the empty grid is drawn too
    busy = sum(seen[f"level{i}"] - blank[f"level{i}"] for i in range(1, 5))
    assert busy >= 3 * 11 * 11, (seen, blank)
    assert seen["bar"] - blank["bar"] >= 100, (seen, blank)
    grown = [k for k in STATE_COLOURS if k != "new" and seen[k] - blank[k] >= 100]
    assert grown, (seen, blank)


def test_the_network_check_sees_a_page_that_loads_something(tmp_path: Path) -> None:
    """The check above can fail: a page with one remote image and one stylesheet."""
    import realparts

    chromium = realparts.require_chromium()
    page = tmp_path / "remote.html"
    page.write_text(
        '<!DOCTYPE html><p>x</p><img src="http://flashprep-test.invalid/a.png">'
        '<link rel="stylesheet" href="https://flashprep-test.invalid/b.css">'
    )
    net = tmp_path / "net.json"
    realparts.headless(
        chromium, page.as_uri(), tmp_path / "run", f"--log-net-log={net}", "--dump-dom"
    )
    assert realparts.page_requests(net) == [
        "http://flashprep-test.invalid/a.png",
        "https://flashprep-test.invalid/b.css",
    ]
