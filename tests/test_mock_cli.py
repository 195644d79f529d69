"""`flashprep mock` through the CLI: the plain protocol, --json, the events it writes, the
reschedule rule, --history, bad input, and how stats, show, doctor and undo treat the
mock's events."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

MOCK_DECKS = {
    "py.toml": """\
[deck]
id = "py"
name = "Py"
category = "Python"

[[cards]]
id = "py-gil"
topic = "py-gil"
front = "What is the GIL?"
back = "A lock."
tags = ["python"]
key_points = ["one thread runs bytecode", "released on I/O", "not for C extensions"]

[[cards]]
id = "py-gil-2"
topic = "py-gil"
front = "How do you get CPU parallelism anyway?"
back = "Processes."
tags = ["python"]
key_points = ["multiprocessing", "C extensions release it"]

[[cards]]
id = "py-copy"
topic = "py-copy"
front = "copy vs deepcopy?"
back = "Depth."
tags = ["python"]
key_points = ["shallow shares children", "deep copies recursively"]
""",
    "au.toml": """\
[deck]
id = "au"
name = "Au"
category = "Auth"

[[cards]]
id = "au-jwt"
topic = "au-jwt"
front = "JWT vs session?"
back = "Stateless vs stateful."
tags = ["auth"]
key_points = ["signed token", "server-side session store"]

[[cards]]
id = "au-pitch"
front = "Tell me about yourself."
back = "Present, past, future."
tags = ["behavioral"]
key_points = ["present", "past", "future"]
time_limit = 90
""",
}


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    d = tmp_path / "mock-decks"
    d.mkdir()
    for name, text in MOCK_DECKS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The answer clock: each question's answer takes the next of these seconds (10 s each
    unless a test sets them)."""
    durations: list[float] = []
    state = {"t": 0.0, "start": True}

    def clock() -> float:
        if not state["start"]:
            state["t"] += durations.pop(0) if durations else 10.0
        state["start"] = not state["start"]
        return state["t"]

    import flashprep.commands.mock as command

    monkeypatch.setattr(command, "monotonic", clock)
    return durations


def events(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def run(cli: Any, decks: Path, *args: str, input: str = "") -> Any:
    return cli("--decks", str(decks), "mock", *args, input=input)


def fingerprint(root: Path) -> dict[str, str]:
    """Every file but the derived ones under a home's cache/ (the index may be refreshed)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(root).parts
    }


# ------------------------------------------------------------------ the plain protocol


def test_plain_mode_follows_the_protocol(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    # py-gil first (seed 3), weak (1 of 3): its follow-up py-gil-2 comes next.
    ticks.extend([200.0, 30.0, 20.0])
    r = run(
        cli,
        decks,
        "--category",
        "python",
        "--questions",
        "2",
        "--seed",
        "3",
        input="the GIL is a lock\n1\n\nall\n\n1 2\n",
    )
    assert r.exit_code == 0, r.output
    out = r.stdout.splitlines()
    assert out[:10] == [
        "== question 1 of 2 | Python | py-gil | 3:00",
        "What is the GIL?",
        "your answer (Enter if you answered aloud): ",
        "-- key points",
        "1. one thread runs bytecode",
        "2. released on I/O",
        "3. not for C extensions",
        "covered (numbers like 1 3, all, or Enter for none): ",
        "score: 1/3 = 33% | 3:20 of 3:00, over time",
        "== follow-up to question 1 | Python | py-gil | py-gil-2 | 3:00",
    ]
    assert "score: 2/2 = 100% | 0:30 of 3:00" in out
    assert "== question 2 of 2 | Python | py-copy | 3:00" in out
    assert "score: 2/2 = 100% | 0:20 of 3:00" in out
    assert "  over time: 1 of 3" in out
    assert "  by category: Python 78%" in out
    assert "    py-gil (67%): flashprep review --topic py-gil" in out
    log = events(home)
    assert [(e["kind"], e["card_id"], e["follow_up"]) for e in log] == [
        ("mock", "py-gil", False),
        ("mock", "py-gil-2", True),
        ("mock", "py-copy", False),
    ]
    first = log[0]
    assert (
        first["score"],
        first["covered"],
        first["seconds"],
        first["time_limit"],
        first["answer"],
        first["category"],
    ) == (0.3333, [0], 200.0, 180, "the GIL is a lock", "python")
    assert log[1]["answer"] is None  # answered aloud
    assert len({e["mock_id"] for e in log}) == 1
    assert first["state"]["due"] is None  # the card's state, unchanged


def test_no_follow_up_after_a_good_answer(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    r = run(
        cli, decks, "--category", "python", "--questions", "1", "--seed", "3", input="\n1 2 3\n"
    )
    assert r.exit_code == 0, r.output
    assert [e["card_id"] for e in events(home)] == ["py-gil"]
    assert "follow-up" not in r.stdout


def test_the_same_seed_draws_the_same_questions(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    def asked(seed: str) -> list[str]:
        r = run(
            cli, decks, "--questions", "2", "--seed", seed, "--no-reschedule", input="\nall\n" * 4
        )
        return [line for line in r.stdout.splitlines() if line.startswith("== question")]

    first = asked("11")
    assert len(first) == 2
    # A later mock is weighted away from the topics just asked, so compare fresh homes.
    import shutil

    shutil.rmtree(home)
    assert asked("11") == first


def test_a_card_time_limit_replaces_minutes(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    ticks.append(95.0)
    r = run(cli, decks, "--category", "behavioral", "--minutes", "5", input="\n1 2 3\n")
    assert r.exit_code == 0, r.output
    assert "== question 1 of 1 | Behavioral | au-pitch | 1:30" in r.stdout
    assert "score: 3/3 = 100% | 1:35 of 1:30, over time" in r.stdout
    assert events(home)[0]["time_limit"] == 90


def test_a_bad_covered_line_is_asked_again_then_stops(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    r = run(cli, decks, "--category", "auth", input="\n7\n1\n")
    assert r.exit_code == 0, r.output
    assert (
        "'7' is not a key point number 1-2: type the numbers covered, all, or nothing" in r.stdout
    )
    assert [e["covered"] for e in events(home)] == [[0]]
    r = run(cli, decks, "--category", "auth", input="\nx\ny\n")
    assert "no valid answer given twice; the mock stops here" in r.stderr
    assert len(events(home)) == 1


def test_end_of_input_keeps_the_questions_answered(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    r = run(cli, decks, "--questions", "3", "--seed", "1", input="\nall\nhalf an answer\n")
    assert r.exit_code == 0, r.output
    assert len(events(home)) == 1  # the second question had no checklist line: not kept
    assert "1 question(s)" in r.stdout


def test_json_report(cli: Any, decks: Path, home: Path, ticks: list[float]) -> None:
    r = run(cli, decks, "--questions", "2", "--seed", "5", "--json", input="\n\n" * 4)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)  # the questions went to stderr
    assert "== question 1 of 2" in r.stderr
    assert set(data) >= {"mock_id", "questions", "by_category", "weakest_topics"}
    asked = [e["card_id"] for e in events(home) if e["kind"] == "mock"]
    assert [q["card_id"] for q in data["questions"]] == asked
    q = data["questions"][0]
    assert set(q) >= {"card_id", "category", "score", "seconds", "over_time", "follow_up"}
    assert (q["score"], q["seconds"], q["over_time"]) == (0.0, 10.0, False)
    assert data["questions"][1]["follow_up"] is (asked[1] in ("py-gil-2",))
    assert all(
        w["command"] == f"flashprep review --topic {w['topic']}" for w in data["weakest_topics"]
    )
    assert data["mock_id"] == events(home)[0]["mock_id"]
    assert set(data["by_category"]) <= {"python", "auth"}
    assert set(data["by_category"]) == {q["category"] for q in data["questions"]}


# ------------------------------------------------------------------ rescheduling


def _schedule(cli: Any, decks: Path, home: Path) -> dict[str, Any]:
    """Review py-copy once (due in a day), then move the clock: it is due in 5 days."""
    r = cli("--decks", str(decks), "review", "--topic", "py-copy", input="\n5\nq\n")
    assert r.exit_code == 0, r.output
    return events(home)[-1]["state"]  # type: ignore[no-any-return]


def test_a_card_scored_below_half_is_brought_forward(
    cli: Any, decks: Path, home: Path, ticks: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in ("2026-03-10", "2026-03-11", "2026-03-17"):
        monkeypatch.setenv("FLASHPREP_NOW", f"{day}T09:00:00+00:00")
        before = _schedule(cli, decks, home)
    assert before["due"] > "2026-03-20"
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-18T09:00:00+00:00")
    due_today = json.loads(cli("--decks", str(decks), "status", "--json").stdout)["due"]
    r = run(
        cli, decks, "--category", "python", "--seed", "1", "--questions", "2", input="\n\n" * 4
    )  # nothing covered
    assert r.exit_code == 0, r.output
    log = events(home)
    moved = [e for e in log if e["kind"] == "reschedule"]
    assert [(e["card_id"], e["state"]["due"], e["previous_due"]) for e in moved] == [
        ("py-copy", "2026-03-19", before["due"])
    ]
    assert moved[0]["mock_id"] == log[-1]["mock_id"]
    # Only the due date moved: SM-2's numbers are the review's.
    assert {**moved[0]["state"], "due": before["due"]} == before
    assert "  brought forward: py-copy is due 2026-03-19" in r.stdout
    status = json.loads(cli("--decks", str(decks), "status", "--json").stdout)
    assert status["due"] == due_today  # not due today, but tomorrow
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-19T09:00:00+00:00")
    due = json.loads(cli("--decks", str(decks), "status", "--json").stdout)
    assert due["due"] >= 1


def test_no_reschedule_and_new_cards_are_left_alone(
    cli: Any, decks: Path, home: Path, ticks: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in ("2026-03-10", "2026-03-11", "2026-03-17"):
        monkeypatch.setenv("FLASHPREP_NOW", f"{day}T09:00:00+00:00")
        _schedule(cli, decks, home)
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-18T09:00:00+00:00")
    r = run(
        cli,
        decks,
        "--category",
        "python",
        "--questions",
        "2",
        "--seed",
        "1",
        "--no-reschedule",
        input="\n\n" * 4,
    )
    assert r.exit_code == 0, r.output
    assert {e["kind"] for e in events(home)} == {"new", "review", "mock"}
    r = run(cli, decks, "--category", "auth", input="\n\n")  # au-jwt is new: no due date
    assert r.exit_code == 0, r.output
    assert "reschedule" not in {e["kind"] for e in events(home)}


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--category", "cooking"],
            "flashprep: error: no category 'cooking'; choose from python, "
            "fastapi, database, auth, system-design, api-design, devops, behavioral\n",
        ),
        (["--questions", "0"], "flashprep: error: --questions must be 1 or more, got 0\n"),
        (
            ["--minutes", "0"],
            "flashprep: error: --minutes must be more than 0 and at most 600, got 0\n",
        ),
    ],
)
def test_bad_options(
    cli: Any, decks: Path, home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    run(cli, decks, "--questions", "1", "--seed", "2", input="\nall\n")
    before = fingerprint(tmp_path)
    r = run(cli, decks, *args, input="\nall\n")
    assert (r.exit_code, r.stderr, r.stdout) == (2, message, "")
    assert fingerprint(tmp_path) == before


def test_a_deck_with_a_bad_time_limit(cli: Any, decks: Path, home: Path, tmp_path: Path) -> None:
    path = decks / "au.toml"
    path.write_text(MOCK_DECKS["au.toml"].replace("time_limit = 90", "time_limit = -5"))
    before = fingerprint(tmp_path)
    r = run(cli, decks, input="\nall\n")
    assert r.exit_code == 2
    assert r.stderr == (
        f"flashprep: error: {path}:20: card 'au-pitch': time_limit: Input "
        "should be greater than 0\n"
    )
    assert fingerprint(tmp_path) == before


def test_no_card_to_ask(cli: Any, decks: Path, home: Path, tmp_path: Path) -> None:
    cli("--decks", str(decks), "status")  # the deck cache
    before = fingerprint(tmp_path)
    r = run(cli, decks, "--category", "devops")
    assert (r.exit_code, r.stderr) == (
        2,
        "flashprep: error: no card to ask: no card of devops "
        "has key points (drafts and suspended cards are left "
        "out)\n",
    )
    assert fingerprint(tmp_path) == before


# ------------------------------------------------------------------ --history


def test_history_lists_mocks_and_the_trend(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    r = run(cli, decks, "--history")
    assert (r.exit_code, r.stdout) == (0, "No mock interview yet: run `flashprep mock`.\n")
    run(cli, decks, "--category", "auth", input="\n\n")
    run(cli, decks, "--category", "auth", input="\n1\n")
    run(cli, decks, "--category", "auth", input="\nall\n")
    data = json.loads(run(cli, decks, "--history", "--json").stdout)
    assert [(m["score"], m["change"], m["questions"]) for m in data["mocks"]] == [
        (0.0, None, 1),
        (0.5, 0.5, 1),
        (1.0, 0.5, 1),
    ]
    assert data["trend"] == {"direction": "up", "change": 0.75}
    assert data["mocks"][0]["by_category"] == {"auth": 0.0}
    text = run(cli, decks, "--history").stdout
    assert "trend: up (+75 pts" in text and "100%" in text


# ------------------------------------------------------------------ the rest of flashprep


def _review_then_mock(cli: Any, decks: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for day in ("2026-03-10", "2026-03-11", "2026-03-17"):
        monkeypatch.setenv("FLASHPREP_NOW", f"{day}T09:00:00+00:00")
        _schedule(cli, decks, home)
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-18T09:00:00+00:00")
    r = run(
        cli, decks, "--category", "python", "--questions", "2", "--seed", "1", input="typed\n\n" * 4
    )
    assert r.exit_code == 0 and "reschedule" in {e["kind"] for e in events(home)}


def test_undo_takes_back_the_answer_not_the_mock(
    cli: Any, decks: Path, home: Path, ticks: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    _review_then_mock(cli, decks, home, monkeypatch)
    log = events(home)
    last_review = [e for e in log if e["kind"] == "review"][-1]
    r = cli("--decks", str(decks), "undo")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("undid the review answer to py-copy graded 5 on 2026-03-17")
    undo = events(home)[-1]
    assert undo["undoes"] == last_review["id"]
    # Back to the state before that review, still brought forward to the day after the mock.
    before_review = [
        e for e in log if e["card_id"] == "py-copy" and e["kind"] in ("new", "review")
    ][-2]["state"]
    assert undo["state"] == {**before_review, "due": "2026-03-19"} or (
        before_review["due"] <= "2026-03-19" and undo["state"] == before_review
    )
    assert [e["kind"] for e in events(home)][: len(log)] == [e["kind"] for e in log]
    # The mock's own events are never a target: next comes the review before.
    r = cli("--decks", str(decks), "undo")
    assert r.exit_code == 0 and "on 2026-03-11" in r.stdout


def test_stats_show_and_doctor_know_mock_events(
    cli: Any, decks: Path, home: Path, ticks: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    _review_then_mock(cli, decks, home, monkeypatch)
    assert cli("--decks", str(decks), "undo").exit_code == 0
    stats = json.loads(cli("--decks", str(decks), "stats", "--json").stdout)
    assert stats["answers"] == 2  # three reviews, one undone; mock events are no answers
    assert stats["time"]["answers"] == 2
    # The index holds every kind of event the log does.
    from flashprep.history import History

    with History.open(home) as h:
        kinds = {r[0] for r in h.indexed().query("SELECT kind FROM events")}
    assert kinds >= {"mock", "reschedule", "undo"}
    shown = json.loads(cli("--decks", str(decks), "show", "py-copy", "--json").stdout)
    kinds = [(e["kind"], e.get("score")) for e in shown["history"]]
    assert ("mock", 0.0) in kinds and ("reschedule", None) in kinds
    text = cli("--decks", str(decks), "show", "py-copy").stdout
    assert "mock" in text and "0%" in text
    r = cli("--decks", str(decks), "doctor", "--json")
    assert r.exit_code == 0, r.output
    levels = {f["check"]: f["level"] for f in json.loads(r.stdout)["findings"]}
    assert levels["log"] == "ok" and levels["index"] == "ok"


def test_a_mock_event_without_a_score_is_a_corrupt_line(cli: Any, decks: Path, home: Path) -> None:
    home.mkdir()
    line = (
        '{"v":1,"id":"x1","card_id":"py-gil","ts":"2026-03-10T09:00:00.000Z",'
        '"day":"2026-03-10","kind":"mock","mock_id":"m","score":2,"state":{}}\n'
    )
    (home / "reviews.jsonl").write_text(line)
    r = cli("--decks", str(decks), "status")
    assert r.exit_code == 2
    assert "reviews.jsonl:1: corrupt event (a mock question needs a score 0-1)" in r.stderr


def test_readiness_shows_the_last_mock_score_per_category(
    cli: Any, decks: Path, home: Path, ticks: list[float]
) -> None:
    data = json.loads(cli("--decks", str(decks), "readiness", "--json").stdout)
    assert {c["id"]: c["last_mock"] for c in data["categories"]}["auth"] is None
    run(cli, decks, "--category", "auth", input="\n\n")
    run(cli, decks, "--category", "auth", input="\n1\n")
    data = json.loads(cli("--decks", str(decks), "readiness", "--json").stdout)
    by_id = {c["id"]: c["last_mock"] for c in data["categories"]}
    assert by_id["auth"]["score"] == 0.5 and by_id["auth"]["day"] == "2026-03-10"
    assert by_id["python"] is None
    text = cli("--decks", str(decks), "readiness").stdout
    auth_row = next(line for line in text.splitlines() if line.strip().startswith("Auth"))
    assert "last mock" in text and auth_row.rstrip().endswith("50%")


def test_stats_html_plots_mock_scores(
    cli: Any, decks: Path, home: Path, tmp_path: Path, ticks: list[float]
) -> None:
    page = tmp_path / "stats.html"
    assert cli("--decks", str(decks), "stats", "--html", str(page)).exit_code == 0
    assert 'id="mock-scores"' not in page.read_text()  # no mock yet: no chart
    for covered in ("\n\n", "\n1\n", "\nall\n"):
        run(cli, decks, "--category", "auth", input=covered)
    r = cli("--decks", str(decks), "stats", "--html", str(page))
    assert r.exit_code == 0, r.output
    html = page.read_text()
    assert 'id="mock-scores"' in html and "<polyline" in html
    import re

    assert re.findall(r'class="mock"[^>]*data-score="([0-9.]+)"', html) == ["0.0", "0.5", "1.0"]
    assert "3 mock(s); the last, on 2026-03-10, scored 100.0%" in html


def test_a_review_sessions_undo_goes_back_to_the_brought_forward_state(
    cli: Any, decks: Path, home: Path, ticks: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    _review_then_mock(cli, decks, home, monkeypatch)
    moved = [e for e in events(home) if e["kind"] == "reschedule"][-1]
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-19T09:00:00+00:00")
    r = cli("--decks", str(decks), "review", "--topic", "py-copy", input="\n3\n\nu\nq\n")
    assert r.exit_code == 0, r.output
    answer, undo = events(home)[-2:]
    assert (answer["kind"], undo["kind"], undo["undoes"]) == ("review", "undo", answer["id"])
    assert undo["state"] == moved["state"]  # due the day after the mock, SM-2 as reviewed
    stats = json.loads(cli("--decks", str(decks), "stats", "--json").stdout)
    assert stats["answers"] == 3


def test_stats_and_the_index_read_mock_events_with_any_typed_answer(home: Path) -> None:
    from datetime import date, datetime

    from flashprep import stats as st
    from flashprep.history import History
    from flashprep.schedule import CardState

    moment = datetime.fromisoformat("2026-03-10T09:00:00+00:00")
    day = date(2026, 3, 10)
    nasty = 'he said "state":{"interval":99} and\n{"v":1,"id":"x","card_id":"y"} \\ é'
    with History.open(home, write=True) as h:
        h.record(
            "a", "review", CardState(interval=3, due=day), moment, day, grade=4, duration_ms=5000
        )
        h.record(
            "a",
            "mock",
            CardState(interval=3, due=day),
            moment,
            day,
            mock_id="m",
            score=0.5,
            covered=[0],
            key_points=2,
            seconds=12.0,
            time_limit=180,
            answer=nasty,
            follow_up=False,
            category="python",
            topic="a",
        )
    with History.open(home) as h:
        act = st.activity(h.indexed(), (day, day))
        assert [e["kind"] for e in h.events_of("mock")] == ["mock"]
        assert h.events_of("mock")[0]["answer"] == nasty
    assert act.days == {"2026-03-10": 1} and act.total_ms == 5000


def test_mock_events_are_read_through_the_index_and_after_a_rebuild(home: Path) -> None:
    from datetime import date, datetime

    from flashprep.history import History
    from flashprep.index import remove_index
    from flashprep.schedule import CardState

    moment = datetime.fromisoformat("2026-03-10T09:00:00+00:00")
    day = date(2026, 3, 10)
    with History.open(home, write=True) as h:
        for i in range(12):
            if i % 3:
                h.record("c", "new", CardState(), moment, day, grade=4)
            else:
                h.record("c", "mock", CardState(), moment, day, mock_id=f"m{i}", score=0.5)
    with open(home / "reviews.jsonl", "ab") as fh:
        fh.write(b'{"v":1,"id":"torn","card_id":"c","kind":"mo')  # a torn last line
    for _ in range(2):
        with History.open(home) as h:
            assert [e["mock_id"] for e in h.events_of("mock")] == ["m0", "m3", "m6", "m9"]
        remove_index(home)
