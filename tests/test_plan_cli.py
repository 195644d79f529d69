"""`flashprep plan` and what a date changes in review, status, readiness and stats --html.

The clock is FLASHPREP_NOW (2026-03-10, conftest); the bundled decks are loaded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

JSON_KEYS = {
    "interview_date",
    "days_left",
    "minutes_per_day",
    "new_per_day",
    "cutoff",
    "feasible",
    "weeks",
    "daily",
    "forecast",
}


def plan_json(cli, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = cli("plan", *args, "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def events(home: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (home / "reviews.jsonl").read_text().splitlines()]


def test_plan_stores_the_date_and_prints_the_json_keys(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    data = plan_json(cli, "--interview", "2026-05-19", "--minutes", "40")
    assert JSON_KEYS <= data.keys()
    assert (data["interview_date"], data["days_left"], data["minutes_per_day"]) == (
        "2026-05-19",
        70,
        40,
    )
    assert data["cutoff"] == "2026-05-05"
    assert data["feasible"] is True
    cards = data["cards"]
    assert sum(w["new_cards"] for w in data["weeks"]) == cards
    assert {"week", "start", "decks", "new_cards"} == data["weeks"][0].keys()
    assert data["weeks"][0]["decks"][0] == "python-deep-dive"  # syllabus week 1 first
    assert len(data["daily"]) == 70 and data["daily"][0]["day"] == "2026-03-10"
    assert {"day", "new", "reviews", "minutes"} <= data["daily"][0].keys()
    assert all(d["minutes"] <= 40 for d in data["daily"])
    assert data["new_per_day"] == data["daily"][0]["new"] == -(-cards // 57)
    fc = data["forecast"]
    assert fc["mean"] == 0.0 and set(fc["by_category"]) >= {"python", "fastapi", "devops"}
    text = (home / "config.toml").read_text()
    assert "interview_date = 2026-05-19\n" in text and "minutes_per_day = 40\n" in text
    # Shown again from config.toml, in JSON and as text.
    assert plan_json(cli)["interview_date"] == "2026-05-19"
    shown = cli("plan")
    assert shown.exit_code == 0 and "Interview on 2026-05-19" in shown.stdout
    assert "The plan fits." in shown.stdout


def test_plan_keeps_other_keys_and_comments_and_clear_removes_the_date(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "config.toml").write_text("# mine\nnew_per_day = 7\n")
    assert cli("plan", "--interview", "2026-06-01").exit_code == 0
    assert (home / "config.toml").read_text() == (
        "# mine\nnew_per_day = 7\ninterview_date = 2026-06-01\nminutes_per_day = 30\n"
    )
    result = cli("plan", "--clear")
    assert result.exit_code == 0 and "removed" in result.stdout
    assert (home / "config.toml").read_text() == "# mine\nnew_per_day = 7\nminutes_per_day = 30\n"
    assert plan_json(cli) == {"interview_date": None, "days_left": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interview", "2026-03-01"], "is not after today (2026-03-10)"),
        (["--interview", "2026-03-10"], "is not after today"),
        (["--interview", "next friday"], "'next friday' is not a date (YYYY-MM-DD)"),
        (["--interview", "2026-02-30"], "is not a date"),
        (["--interview", "2026-06-01", "--minutes", "0"], "--minutes must be between 1 and 1440"),
        (
            ["--interview", "2026-06-01", "--minutes", "ten"],
            "--minutes 'ten' is not a whole number",
        ),
        (["--minutes", "20"], "no interview date ahead"),
        (["--clear", "--minutes", "20"], "--clear removes the date"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_config_unchanged(  # type: ignore[no-untyped-def]
    cli, home: Path, args: list[str], message: str
) -> None:
    home.mkdir(parents=True)
    before = b"# keep me\r\nnew_per_day = 9\n"
    (home / "config.toml").write_bytes(before)
    result = cli("plan", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flashprep: error: ") and message in lines[0]
    assert (home / "config.toml").read_bytes() == before


def test_a_bad_config_is_refused_before_anything_is_written(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "config.toml").write_bytes(b"minutes_per_day = -3\n")
    result = cli("plan", "--interview", "2026-06-01")
    assert result.exit_code == 2 and "minutes_per_day must be between 1 and 1440" in result.stderr
    assert (home / "config.toml").read_bytes() == b"minutes_per_day = -3\n"


def test_an_infeasible_plan_says_what_would_fit(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    data = plan_json(cli, "--interview", "2026-04-21", "--minutes", "10")
    assert data["feasible"] is False
    fits = data["fits"]
    assert fits["minutes_per_day"] > 10
    assert fits["interview_date"] > "2026-04-21"
    assert fits["drop_decks"] and fits["keep_decks"][0] == "python-deep-dive"
    text = cli("plan").stdout
    assert "does not fit" in text and f"--minutes {fits['minutes_per_day']}" in text


def test_review_paces_new_cards_and_records_the_capped_due(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("plan", "--interview", "2026-03-31").exit_code == 0  # 21 days: cutoff in 7
    status = json.loads(cli("status", "--json").stdout)
    assert status["interview"]["days_left"] == 21
    rate = status["interview"]["new_per_day"]
    from flashprep.decks import load_collection

    cards = len(load_collection(home).select_ids())  # every bundled card, exercises too
    assert rate == -(-cards // 8) and status["new"] == rate
    # Answer every card of today's queue with 5 (SM-2 due in 1 day: no cap needed); the
    # exercises, which ask for code, are left out.
    result = cli("review", "--plain", "--kind", "card", input="\n5\n" * rate)
    assert result.exit_code == 0, result.output
    ev = events(home)
    assert len(ev) == rate and all(e["kind"] == "new" for e in ev)
    assert all(e["sm2_due"] == e["state"]["due"] == "2026-03-11" for e in ev)
    text = cli("status").stdout
    assert "Interview on 2026-03-31: 21 days left." in text


def test_review_caps_a_long_interval_to_the_eve(cli, home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from flashprep.history import History
    from flashprep.schedule import CardState

    moment = __import__("datetime").datetime(2026, 3, 10, 9, tzinfo=__import__("datetime").UTC)
    with History.open(home, write=True) as h:
        # A card on a 40-day interval, due today.
        h.record(
            "python-gil",
            "review",
            CardState(
                ef=260,
                interval=40,
                repetitions=4,
                due=date(2026, 3, 10),
                reviews=4,
                last_day=date(2026, 1, 29),
                introduced=date(2026, 1, 1),
            ),
            moment,
            date(2026, 1, 29),
            grade=4,
        )
    assert cli("plan", "--interview", "2026-04-10").exit_code == 0
    result = cli("review", "--plain", "--new", "0", input="\n4\n")
    assert result.exit_code == 0, result.output
    assert (
        "python-gil: graded 4; next due 2026-04-08 (in 29 days, before the interview; "
        "SM-2's interval is 104 days)"
    ) in result.stdout
    last = events(home)[-1]
    assert last["card_id"] == "python-gil" and last["state"]["interval"] == 104
    assert last["sm2_due"] == "2026-06-22"
    # The final window is 2026-03-27..04-09; the eve is kept for last looks.
    assert last["state"]["due"] == "2026-04-08"


def test_readiness_and_stats_html_show_the_forecast(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    no_date = json.loads(cli("readiness", "--json").stdout)
    assert no_date["interview"] is None
    assert cli("plan", "--interview", "2026-05-19").exit_code == 0
    cli("review", "--plain", input="\n4\n" * 3)
    data = json.loads(cli("readiness", "--json").stdout)
    iv = data["interview"]
    assert iv["date"] == "2026-05-19" and iv["days_left"] == 70
    assert 0 < iv["mean"] < 1 and 0 < iv["by_category"]["python"] < 1
    assert iv["by_checklist"]["python-oop-decorators-generators"] > 0
    assert len(iv["at_risk"]) == 3 and all(0 < r["p"] < 1 for r in iv["at_risk"])
    text = cli("readiness").stdout
    assert "Recall forecast for" in text and "Most at risk on the day" in text
    out = tmp_path / "s.html"
    assert cli("stats", "--html", str(out)).exit_code == 0
    page = out.read_text()
    assert 'id="recall-forecast"' in page and "Recall forecast for the interview" in page


def test_a_passed_date_is_plain_sm2_again(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "config.toml").write_text("interview_date = 2026-03-01\n")
    result = cli("plan")
    assert result.exit_code == 0 and "has passed" in result.stdout
    status = json.loads(cli("status", "--json").stdout)
    assert status["interview"] is None and status["new"] == 20
