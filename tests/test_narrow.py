"""status, decks, cards, show, readiness and stats fit 80 and 120 columns, ids whole.

The rule (flashprep/ui/layout.py, the README's "Narrow terminals"): ids and figures
are never cut or broken; names, categories, fronts and checklist items are cut with
"…"; optional columns go when even that does not fit.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from flashprep.ui.layout import BOXED, ID, TEXT, Column, cut, fit

LONG_DECK = """\
[deck]
id = "distributed-systems-consistency-models"
name = "Distributed systems: consistency models, consensus and the CAP theorem in practice"
category = "System Design, Architecture & Reliability Engineering Essentials"
description = "Long names and ids, to be shortened by rule."

[[cards]]
id = "distributed-systems-consistency-models-linearizability-vs-serializable"
front = "What is the difference between linearizability and serializability, and when \
does an interviewer care about either one?"
back = "Linearizability is about single objects in real time; serializability about transactions."
tags = ["consistency", "transactions"]
topic = "distributed-systems-consistency-models-linearizability"
"""

WIDTHS = (80, 120)


@pytest.fixture
def wide_decks(tmp_path: Path) -> Path:
    d = tmp_path / "wide-decks"
    d.mkdir()
    (d / "long.toml").write_text(LONG_DECK, encoding="utf-8")
    return d


@pytest.fixture
def studied(cli, wide_decks: Path) -> Path:  # type: ignore[no-untyped-def]
    """Some answers, so stats, readiness and show have figures and history to draw."""
    for deck, answers in (
        ("python", "\n4\n\n3\n\n5\n\n1\n\n4\nq\n"),
        ("distributed-systems-consistency-models", "\n2\n"),
    ):
        r = cli("--decks", str(wide_decks), "review", "--plain", "--deck", deck, input=answers)
        assert r.exit_code == 0, r.output
        assert "-- answer" in r.output
    return wide_decks


def run(cli, decks: Path, width: int, *args: str) -> str:  # type: ignore[no-untyped-def]
    env = {"COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"}
    r = cli("--decks", str(decks), *args, env=env)
    assert r.exit_code == 0, r.output
    return r.stdout


def whole(text: str, ident: str) -> bool:
    """`ident` appears in `text` unbroken, not as a part of a longer id."""
    return re.search(rf"(?<![\w-]){re.escape(ident)}(?![\w-])", text) is not None


def check_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert lines
    too_wide = [line for line in lines if cell_len(line.rstrip()) > width]
    assert too_wide == [], f"wider than {width}: {too_wide[:3]}"


def as_json(cli, decks: Path, *args: str):  # type: ignore[no-untyped-def]
    r = cli("--decks", str(decks), *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("width", WIDTHS)
def test_decks_fits_and_keeps_every_deck_id(cli, studied: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "decks")
    check_fits(text, width)
    rows = as_json(cli, studied, "decks")
    assert len(rows) > 10
    for row in rows:
        assert whole(text, row["id"]), row["id"]
    # The long name is cut by rule, with an ellipsis, never wrapped onto a second line.
    assert "Distributed systems: consistency models, consensus" not in text or width > 80
    (line,) = [x for x in text.splitlines() if "distributed-systems-consistency-models" in x]
    assert "…" in line


@pytest.mark.parametrize("width", WIDTHS)
def test_cards_fits_and_keeps_every_card_id(cli, studied: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "cards")
    check_fits(text, width)
    ids = [c["id"] for c in as_json(cli, studied, "cards")]
    assert "distributed-systems-consistency-models-linearizability-vs-serializable" in ids
    broken = [i for i in ids if not whole(text, i)]
    assert broken == []
    # One line per card: the front is cut, not wrapped.
    assert len(text.splitlines()) == len(ids) + 2
    # The 71-character id leaves no room for a front at 80 columns: the columns go, in
    # their order, and the id stays whole.
    header = text.splitlines()[1].split()
    assert header == (["id"] if width == 80 else ["id", "front", "due", "EF", "lapses"])
    # The bundled python deck's shorter ids leave room for the front at 80.
    python = run(cli, studied, width, "cards", "--deck", "python")
    check_fits(python, width)
    header = python.splitlines()[1].split()
    assert header[:3] == (["id", "front", "due"] if width == 80 else ["id", "deck", "front"])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "card", ["python-gil", "distributed-systems-consistency-models-linearizability-vs-serializable"]
)
def test_show_fits_and_keeps_the_ids(cli, studied: Path, width: int, card: str) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "show", card)
    check_fits(text, width)
    report = as_json(cli, studied, "show", card)
    assert whole(text, card)
    assert whole(text, report["deck"])
    if report["topic"]:
        assert whole(text, report["topic"])


@pytest.mark.parametrize("width", WIDTHS)
def test_status_fits(cli, studied: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "status")
    check_fits(text, width)
    for deck in as_json(cli, studied, "status")["decks"]:
        if deck["due"] or deck["new"] or deck["redrill"]:
            assert whole(text, deck["id"]), deck["id"]


@pytest.mark.parametrize("width", WIDTHS)
def test_readiness_fits(cli, studied: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "readiness")
    check_fits(text, width)
    report = as_json(cli, studied, "readiness")
    assert report["weakest"]
    for w in report["weakest"]:
        assert whole(text, w["topic"]), w["topic"]
    for row in report["categories"]:
        name = row["name"]
        assert whole(text, name) or cut(name, 16)[:-1] in text


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_fits(cli, studied: Path, width: int) -> None:  # type: ignore[no-untyped-def]
    text = run(cli, studied, width, "stats")
    check_fits(text, width)
    report = as_json(cli, studied, "stats")
    for d in report["per_deck"]:
        assert whole(text, d["id"]), d["id"]
    # The forecast draws one bar per day when there is room, per few days when not.
    (axis,) = [x for x in text.splitlines() if "└" in x and "┘" not in x]
    days = len(report["forecast"]["days"])
    bars = axis.count("─") // 2
    assert bars == days if width >= 2 * days + 10 else bars < days


def test_fit_drops_in_order_then_grows_text_back() -> None:
    cols = [
        Column("id", ID, justify="left"),
        Column("name", TEXT, drop=2),
        Column("category", TEXT, drop=1),
        Column("n"),
        Column("m", drop=3),
    ]
    rows = [["an-id", "N" * 30, "C" * 30, "1", "2"]]
    # 5 + 30 + 30 + 1 + 1 content, 3 a column and 1: everything at 83.
    assert fit(cols, rows, 83, BOXED) == [(0, 5), (1, 30), (2, 30), (3, 1), (4, 1)]
    # Narrower: text is cut (left column first to grow back) before a column goes.
    assert fit(cols, rows, 60, BOXED) == [(0, 5), (1, 25), (2, 12), (3, 1), (4, 1)]
    # Narrower than the text minimums allow: category goes, name gets the room.
    assert fit(cols, rows, 40, BOXED) == [(0, 5), (1, 20), (3, 1), (4, 1)]
    # Ids and figures are never cut, however narrow.
    assert fit(cols, rows, 10, BOXED) == [(0, 5), (3, 1)]


def test_cut() -> None:
    assert cut("short", 10) == "short"
    assert cut("a  long\nname here", 9) == "a long n…"
    assert cut("word  break", 6) == "word…"
    assert len(cut("x" * 50, 12)) == 12
