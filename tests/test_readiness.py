"""`flashprep readiness`: shares, retention and the readiness formula per category and
checklist item, the weakest topics with their review command, and --target-date."""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from flashprep import readiness, schedule, stats
from flashprep.cardmodel import Card
from flashprep.clock import study_day
from flashprep.decks import load_collection
from flashprep.history import History, replay

TODAY = date(2026, 3, 10)
DECKS = Path(__file__).resolve().parents[1] / "decks"

DECK = """\
[deck]
id = "core"
name = "Core"
category = "Mixed"

[[cards]]
id = "p1"
front = "P1?"
back = "p1"
tags = ["python", "gil"]
topic = "py-gil"

[[cards]]
id = "p2"
front = "P2?"
back = "p2"
tags = ["python", "gil"]
topic = "py-gil"

[[cards]]
id = "p3"
front = "P3?"
back = "p3"
tags = ["python", "decorators"]
topic = "py-deco"

[[cards]]
id = "p4"
front = "P4?"
back = "p4"
tags = ["python", "decorators"]
topic = "py-deco"

[[cards]]
id = "a1"
front = "A1?"
back = "a1"
tags = ["auth", "jwt"]
topic = "auth-jwt"

[[cards]]
id = "a2"
front = "A2?"
back = "a2"
tags = ["auth", "jwt"]
topic = "auth-jwt"

[[cards]]
id = "a3"
front = "A3?"
back = "a3"
tags = ["auth", "oauth2"]
topic = "auth-oauth"

[[cards]]
id = "x1"
front = "X1?"
back = "x1"
tags = ["misc"]
topic = "misc"

[[cards]]
id = "p-draft"
front = "Draft?"
back = ""
tags = ["python"]
draft = true

[[checklist]]
id = "jwt-flow"
item = "Can explain the JWT flow"
topics = ["auth-jwt"]
tags = ["oauth2"]

[[checklist]]
id = "decorators"
item = "Can write a decorator [from memory]"
topics = ["py-deco"]

[[checklist]]
id = "nothing-yet"
item = "Measured by cards nobody wrote yet"
tags = ["no-such-tag"]
"""


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    d = tmp_path / "decks"
    d.mkdir()
    (d / "core.toml").write_text(DECK, encoding="utf-8")
    return d


def answer(h: History, card: str, grade: int, when: str) -> None:
    moment = datetime.fromisoformat(when)
    day = study_day(moment, 4)
    before = h.state(card)
    h.record(
        card,
        schedule.answer_kind(before, day),
        schedule.answer(before, grade, day),
        moment,
        day,
        grade=grade,
        duration_ms=1000,
    )


def build_history(home: Path) -> None:
    with History.open(home, write=True) as h:
        # p1 mature before the window (intervals 1, 6, 17, 50), then a mature pass in it.
        for when in ("2026-01-01", "2026-01-02", "2026-01-08", "2026-01-25"):
            answer(h, "p1", 5, f"{when}T10:00:00+00:00")
        answer(h, "p1", 5, "2026-03-01T10:00:00+00:00")
        answer(h, "p2", 5, "2026-03-02T10:00:00+00:00")  # seen once
        answer(h, "p3", 4, "2026-03-02T10:00:00+00:00")
        answer(h, "p3", 1, "2026-03-03T10:00:00+00:00")  # young fail
        answer(h, "p3", 5, "2026-03-03T10:01:00+00:00")  # its re-drill: not a review
        answer(h, "a1", 5, "2026-03-02T10:00:00+00:00")
        answer(h, "a1", 4, "2026-03-03T10:00:00+00:00")  # young pass
        answer(h, "x1", 0, "2026-03-02T10:00:00+00:00")  # a card outside every row


def report(home: Path, deck_dir: Path, **kw: Any) -> dict[str, Any]:
    col = load_collection(home, [deck_dir])
    with History.open(home) as h:
        assert h.states == replay(home / "reviews.jsonl")
        act = stats.activity(h.indexed(), stats.window(TODAY, readiness.WINDOW_DAYS))
        return readiness.readiness_report(col, act, h.states, TODAY, **kw)


def row(
    cards: int, seen: int, mature: int, passed: int, total: int, value: float
) -> dict[str, Any]:
    return {
        "cards": cards,
        "seen": seen,
        "mature": mature,
        "seen_share": round(seen / cards, 4) if cards else 0.0,
        "mature_share": round(mature / cards, 4) if cards else 0.0,
        "retention": {
            "passed": passed,
            "total": total,
            "rate": round(passed / total, 4) if total else None,
        },
        "readiness": value,
    }


def test_category_rows(home: Path, decks: Path) -> None:
    build_history(home)
    r = report(home, decks)
    cats = {c["id"]: c for c in r["categories"]}
    assert [c["name"] for c in r["categories"]] == [
        "Python",
        "FastAPI",
        "Database",
        "Auth",
        "System Design",
        "API Design",
        "DevOps",
    ]
    # Python: p1-p4 (the draft never counts). Seen 3/4, mature 1/4, retention 1/2:
    # 0.2 * 0.75 + 0.5 * 0.25 + 0.3 * 0.5 = 0.425
    apart = ("id", "name", "tags", "last_mock")
    assert {k: v for k, v in cats["python"].items() if k not in apart} == row(4, 3, 1, 1, 2, 0.425)
    # Auth: a1-a3. Seen 1/3, mature 0, retention 1/1: 0.2 * 0.3333 + 0.3 = 0.3667
    assert cats["auth"]["readiness"] == 0.3667
    assert cats["auth"]["retention"]["rate"] == 1.0 and cats["auth"]["seen_share"] == 0.3333
    assert cats["fastapi"]["cards"] == 0 and cats["fastapi"]["readiness"] == 0.0


def test_checklist_rows_come_from_deck_data(home: Path, decks: Path) -> None:
    build_history(home)
    items = {c["id"]: c for c in report(home, decks)["checklist"]}
    assert list(items) == ["jwt-flow", "decorators", "nothing-yet"]
    jwt = items["jwt-flow"]  # topic auth-jwt (a1, a2) or tag oauth2 (a3)
    assert jwt["item"] == "Can explain the JWT flow" and jwt["deck"] == "core"
    assert jwt["readiness"] == 0.3667 and jwt["cards"] == 3
    # p3, p4: seen 1/2, nothing mature, retention 0/1: 0.2 * 0.5 = 0.1
    assert {k: items["decorators"][k] for k in row(0, 0, 0, 0, 0, 0)} == row(2, 1, 0, 0, 1, 0.1)
    assert items["nothing-yet"]["cards"] == 0


def test_overall_weakest_topics_and_the_review_command(home: Path, decks: Path) -> None:
    build_history(home)
    r = report(home, decks)
    # Every card of any row: p1-p4 and a1-a3 (not x1). Seen 4/7, mature 1/7, retention 2/3.
    assert r["overall"] == row(7, 4, 1, 2, 3, 0.3857)
    assert r["formula"] == "readiness = 0.2 x seen + 0.5 x mature + 0.3 x retention (30 days)"
    # Topics: py-gil 0.75, py-deco 0.1, auth-jwt 0.1 + 0.3 = 0.4, auth-oauth 0.
    assert [(w["topic"], w["readiness"], w["tag"]) for w in r["weakest"]] == [
        ("auth-oauth", 0.0, "oauth2"),
        ("py-deco", 0.1, "decorators"),
        ("auth-jwt", 0.4, "jwt"),
    ]
    assert r["review_command"] == (
        "flashprep review --topic auth-oauth --topic py-deco --topic auth-jwt"
    )
    assert r["target"] is None


def test_ties_fall_in_deck_order_on_an_empty_history(home: Path, decks: Path) -> None:
    r = report(home, decks)
    assert [w["topic"] for w in r["weakest"]] == ["py-gil", "py-deco", "auth-jwt"]
    assert r["review_command"] == (
        "flashprep review --topic py-gil --topic py-deco --topic auth-jwt"
    )
    assert r["overall"]["readiness"] == 0.0 and r["overall"]["seen"] == 0


def test_topic_tag_prefers_the_most_specific_shared_tag() -> None:
    def card(i: int, *tags: str) -> Card:
        return Card(id=f"c{i}", deck="d", front="?", back="!", tags=tags, topic="t")

    counts = {"auth": 30, "jwt": 5, "oauth2": 4, "phase-6": 100}
    assert readiness.topic_tag([card(1, "auth", "jwt"), card(2, "auth", "jwt")], counts) == "jwt"
    # No tag on every card: the one on most of them, then the most specific.
    mixed = [card(1, "auth", "jwt"), card(2, "oauth2"), card(3, "oauth2", "jwt")]
    assert readiness.topic_tag(mixed, counts) == "oauth2"
    assert readiness.topic_tag([card(1)], counts) is None


def test_target_date_plan(home: Path, decks: Path) -> None:
    build_history(home)
    # Unseen in scope: p4, a2, a3. Five study days (03-10 .. 03-14) before 03-15.
    r = report(home, decks, target=date(2026, 3, 15), new_per_day=20)
    assert r["target"] == {
        "date": "2026-03-15",
        "days_left": 5,
        "unseen": 3,
        "new_per_day_needed": 1,
        "new_per_day": 20,
        "enough": True,
        "all_seen_on": "2026-03-10",
    }
    r = report(home, decks, target=date(2026, 3, 12), new_per_day=1)
    assert r["target"]["new_per_day_needed"] == 2 and r["target"]["enough"] is False
    assert r["target"]["all_seen_on"] == "2026-03-12"


def test_readiness_cli_json_text_and_warning(cli, home: Path, decks: Path) -> None:  # type: ignore[no-untyped-def]
    build_history(home)
    (home / "config.toml").write_text("new_per_day = 1\n")
    res = cli("--decks", str(decks), "readiness", "--json", "--target-date", "2026-03-12")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data == json.loads(
        json.dumps(report(home, decks, target=date(2026, 3, 12), new_per_day=1))
    )
    assert res.stderr == (
        "flashprep: warning: new_per_day is 1 but 2 new cards a day are needed to see all 3 "
        "unseen cards before 2026-03-12; at this pace the last one comes up on 2026-03-12. "
        "Raise new_per_day in config.toml or run `flashprep review --new 2`\n"
    )
    text = cli(
        "--decks", str(decks), "readiness", "--target-date", "2026-03-20", env={"COLUMNS": "200"}
    )
    assert text.exit_code == 0 and text.stderr == ""
    for part in (
        "Must-know categories",
        "Python",
        "Interview Readiness Checklist",
        "Can write a decorator [from memory]",
        "no cards",
        "Overall:",
        "38.6%",
        "Weakest topics: auth-oauth (0%), py-deco (10%), auth-jwt (40%)",
        "flashprep review --topic auth-oauth --topic py-deco --topic auth-jwt",
        "3 card(s) not seen yet",
    ):
        assert part in text.stdout, part


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "--target-date '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("next week", "--target-date 'next week' is not a date (YYYY-MM-DD)"),
        ("2026-03-10", "--target-date 2026-03-10 is not after today (2026-03-10)"),
        ("2025-12-01", "--target-date 2025-12-01 is not after today (2026-03-10)"),
    ],
)
def test_bad_target_dates(cli, decks: Path, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    res = cli("--decks", str(decks), "readiness", "--target-date", value)
    assert res.exit_code == 2
    assert res.output == f"flashprep: error: {message}\n"


def test_empty_history(cli, decks: Path) -> None:  # type: ignore[no-untyped-def]
    res = cli("--decks", str(decks), "readiness", "--json")
    assert res.exit_code == 0
    data = json.loads(res.output)
    assert data["overall"] == row(7, 0, 0, 0, 0, 0.0)


# ------------------------------------------------------------------ the bundled mapping


def test_the_bundled_checklist_measures_every_item(home: Path) -> None:
    col = load_collection(home)
    topics = {c.topic for c in col.cards.values()}
    tags = {t for c in col.cards.values() for t in c.tags}
    checklist = [i for i in col.checklist if i.deck == "interview-checklist"]
    assert len(checklist) == 7
    for item in checklist:
        assert set(item.topics) <= topics, item.id
        assert set(item.tags) <= tags, item.id
        assert readiness.item_cards(col, item.topics, item.tags), item.id
    for tag, _ in readiness.CATEGORIES:
        assert readiness.category_cards(col, tag), tag


def test_the_checklist_items_are_the_syllabus_items() -> None:
    syllabus = (DECKS / "syllabus.md").read_text(encoding="utf-8")
    section = syllabus.split("Interview Readiness Checklist", 1)[1]
    items = [
        line[len("- [ ] ") :].replace("–", "-")
        for line in section.splitlines()
        if line.startswith("- [ ] ")
    ]
    data = tomllib.loads((DECKS / "checklist.toml").read_text(encoding="utf-8"))
    assert data.get("cards", []) == []
    mapped = [i["item"] for i in data["checklist"]]
    unmeasured = [i for i in items if i not in mapped]
    assert unmeasured == ["Have 2-3 deployed projects on GitHub with clean READMEs"]
    assert all(m in items for m in mapped)


def test_decks_and_status_skip_the_checklist_deck(cli) -> None:  # type: ignore[no-untyped-def]
    rows = json.loads(cli("decks", "--json").output)
    assert "interview-checklist" not in [r["id"] for r in rows]
    status = json.loads(cli("status", "--json").output)
    assert "interview-checklist" not in [d["id"] for d in status["decks"]]
    res = cli("readiness", "--json")
    assert res.exit_code == 0
    assert len(json.loads(res.output)["checklist"]) == 7
