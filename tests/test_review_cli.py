"""`flashprep review` in plain mode (stdin is not a terminal under CliRunner):
the line protocol, answers landing in reviews.jsonl, status agreeing afterwards,
limits and filters, empty queues, and the durability order of the session loop."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from flashprep.history import History
from flashprep.reviewing import run_session
from flashprep.session import QUIT, REVEAL, CardView, Session


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def events(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def status(cli, *args: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = cli(*args, "status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


PROMPT_FRONT = "Enter = show the answer, q = quit: "
PROMPT_GRADE = "grade 0-5, s = bury, ! = suspend, u = undo, q = quit: "


def test_a_whole_plain_session(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    # one: 4; two: 2 (back to the end); three: 5; two again: 4.
    result = cli("--decks", str(mini_decks), "review", input="\n4\n\n2\n\n5\n\n4\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "== card 1 of 3 (new) | Mini | mini-numbers | mini-one | "
        "left: 3 new, 0 review, 0 re-drill\n"
        "One?\n"
        f"{PROMPT_FRONT}\n"
        "-- answer\n"
        "1\n"
        f"{PROMPT_GRADE}\n"
        "-> mini-one: graded 4; next due 2026-03-11 (in 1 day)\n"
    )
    assert "-> mini-two: graded 2; it comes back later today\n" in out
    assert "== card 4 of 4 (re-drill) | Mini | mini-numbers | mini-two" in out
    assert "-> mini-two: graded 4; done for today\n" in out
    assert out.endswith(
        "Session over (study day 2026-03-10).\n"
        "  answers:      4 on 3 card(s), 75% correct (grade 3 or more)\n"
        "  grades:       0:0  1:0  2:1  3:0  4:2  5:1\n"
        "  time:         0s\n"
        "  left today:   0 new, 0 review, 0 re-drill\n"
        "  due tomorrow: 3\n"
    )
    log = events(home)
    assert [(e["card_id"], e["kind"], e["grade"]) for e in log] == [
        ("mini-one", "new", 4),
        ("mini-two", "new", 2),
        ("mini-three", "new", 5),
        ("mini-two", "redrill", 4),
    ]
    assert all(e["day"] == "2026-03-10" for e in log)
    st = status(cli, "--decks", str(mini_decks))
    assert (st["total"], st["new"], st["redrill"]) == (0, 0, 0)
    assert st["done_today"] == {"new": 3, "reviews": 0}
    assert st["next_due"] == "2026-03-11"
    again = cli("--decks", str(mini_decks), "review")
    assert again.exit_code == 0
    assert again.stdout == "Nothing to review today (2026-03-10). Next review due 2026-03-11.\n"


@pytest.mark.parametrize(
    ("typed", "where"),
    [
        ("\n4\nq\n", "q at the grade prompt"),
        ("\n4\nq\n\n", "q at the front"),
        ("\n4\n\n", "end of input at the grade prompt"),
        ("\n4\n", "end of input at the front"),
    ],
)
def test_stopping_half_way_keeps_the_answers(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path, home: Path, typed: str, where: str
) -> None:
    result = cli("--decks", str(mini_decks), "review", input=typed)
    assert result.exit_code == 0, where
    assert "Session over (study day 2026-03-10).\n" in result.stdout
    assert "  answers:      1 on 1 card(s), 100% correct (grade 3 or more)\n" in result.stdout
    assert "  left today:   2 new, 0 review, 0 re-drill\n" in result.stdout
    assert [(e["card_id"], e["grade"]) for e in events(home)] == [("mini-one", 4)]
    st = status(cli, "--decks", str(mini_decks))
    assert (st["new"], st["done_today"]["new"]) == (2, 1)
    # The next session starts where this one stopped.
    nxt = cli("--decks", str(mini_decks), "review", input="q\n")
    assert nxt.stdout.startswith("== card 1 of 2 (new) | Mini | mini-numbers | mini-two")


def test_an_interrupted_redrill_is_due_again_in_the_next_session(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path
) -> None:
    cli("--decks", str(mini_decks), "review", input="\n1\nq\n")
    result = cli("--decks", str(mini_decks), "review", input="q\n")
    assert result.stdout.startswith("== card 1 of 3 (re-drill) | Mini | mini-numbers | mini-one")
    assert status(cli, "--decks", str(mini_decks))["redrill"] == 1


def test_a_wrong_key_is_asked_again_once(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--decks", str(mini_decks), "review", input="\nx\n5\nq\n")
    assert result.exit_code == 0
    assert (
        f"{PROMPT_GRADE}\n'x' is not an answer: type a grade 0-5, or s, !, u or q\n"
        f"{PROMPT_GRADE}\n-> mini-one: graded 5"
    ) in result.stdout
    assert [e["grade"] for e in events(home)] == [5]


def test_two_wrong_keys_stop_the_session_cleanly(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--decks", str(mini_decks), "review", input="\n4\n\n6\nyes\n\n5\n")
    assert result.exit_code == 0
    assert result.stderr == (
        "flashprep: warning: no valid answer given twice; the session stops here "
        "(every answer so far is saved)\n"
    )
    assert "  answers:      1 on 1 card(s)" in result.stdout
    assert [(e["card_id"], e["grade"]) for e in events(home)] == [("mini-one", 4)]


def test_undo_brings_the_card_back_with_its_old_state(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path, home: Path
) -> None:
    result = cli("--decks", str(mini_decks), "review", input="\n2\n\nu\n\n5\nq\n")
    assert result.exit_code == 0
    assert "-> mini-one: undid the answer 2\n" in result.stdout
    # After the undo, mini-one is card 1 again: shown twice in all.
    assert result.stdout.count("| mini-one |") == 2
    log = events(home)
    assert [(e["card_id"], e["kind"]) for e in log] == [
        ("mini-one", "new"),
        ("mini-one", "undo"),
        ("mini-one", "new"),
    ]
    assert log[1]["undoes"] == log[0]["id"]
    assert log[1]["state"] == {
        "ef": 2.5,
        "interval": 0,
        "repetitions": 0,
        "due": None,
        "lapses": 0,
        "reviews": 0,
        "last_day": None,
        "introduced": None,
    }
    assert "  answers:      1 on 1 card(s), 100% correct" in result.stdout
    st = status(cli, "--decks", str(mini_decks))
    assert (st["new"], st["redrill"]) == (2, 0)


def test_undo_with_nothing_to_undo_asks_again(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--decks", str(mini_decks), "review", input="\nu\nu\n4\nq\n")
    assert result.exit_code == 0
    assert result.stdout.count("-> nothing to undo yet\n") == 2
    assert [e["grade"] for e in events(home)] == [4]


def test_bury_and_suspend(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--decks", str(mini_decks), "review", input="\ns\n\n!\nq\n")
    assert result.exit_code == 0
    assert "-> mini-one: buried until 2026-03-11\n" in result.stdout
    assert "-> mini-two: suspended\n" in result.stdout
    assert "  set aside:    1 buried, 1 suspended\n" in result.stdout
    assert [(e["card_id"], e["kind"]) for e in events(home)] == [
        ("mini-one", "bury"),
        ("mini-two", "suspend"),
    ]
    assert status(cli, "--decks", str(mini_decks))["new"] == 1


def test_typed_answer_and_key_points_in_plain_mode(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, home: Path
) -> None:
    decks = tmp_path / "kp"
    decks.mkdir()
    (decks / "kp.toml").write_text(
        '[deck]\nid = "kp"\nname = "Key points"\ncategory = "Testing"\n\n'
        '[[cards]]\nid = "kp-gil"\nfront = "What is the GIL?"\nback = "A lock."\n'
        'key_points = ["one thread runs bytecode", "released on I/O"]\n',
        encoding="utf-8",
    )
    result = cli("--decks", str(decks), "review", "--type", input="a mutex\n3\n")
    assert result.exit_code == 0, result.output
    assert (
        "type your answer, then Enter (q = quit): \n-- answer\nA lock.\n"
        "[ ] one thread runs bytecode\n[ ] released on I/O\n-- your answer: a mutex\n"
    ) in result.stdout
    assert events(home)[0]["grade"] == 3


def test_limits_and_filters(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    one = cli("--decks", str(mini_decks), "review", "--new", "1", input="\n5\n")
    assert "== card 1 of 1 (new) | Mini | mini-numbers | mini-one" in one.stdout
    assert "(and 2 new, 0 review over today's limits)" in one.stdout
    held = cli("--decks", str(mini_decks), "review", "--new", "1")
    assert held.stdout == (
        "Nothing to review today (2026-03-10). Waiting: 2 new card(s) over the daily new-card "
        "limit (1; `--new N` raises it). Next review due 2026-03-11.\n"
    )
    tagged = cli("--decks", str(mini_decks), "review", "--tag", "even", input="\n5\n")
    assert "== card 1 of 1 (new) | Mini | mini-numbers | mini-two" in tagged.stdout
    assert [e["card_id"] for e in events(home)] == ["mini-one", "mini-two"]


def test_the_review_limit_override(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli("--decks", str(mini_decks), "review", input="\n5\n\n5\n\n5\n")
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
    result = cli("--decks", str(mini_decks), "review", "--limit", "2", input="\n4\n\n4\n")
    assert "== card 1 of 2 (review) | Mini | mini-numbers | mini-one" in result.stdout
    assert "== card 2 of 2 (review)" in result.stdout
    assert "(and 0 new, 1 review over today's limits)" in result.stdout
    assert [e["kind"] for e in events(home)][-2:] == ["review", "review"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "--deck", "nope"], "flashprep: error: no deck 'nope'\n"),
        (["review", "--tag", "odd"], "flashprep: error: no card has the tag 'odd'\n"),
    ],
)
def test_bad_filters_are_errors(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path, home: Path, args: list[str], message: str
) -> None:
    result = cli("--decks", str(mini_decks), *args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert not (home / "reviews.jsonl").exists()


def test_a_negative_limit_is_refused(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("--decks", str(mini_decks), "review", "--new", "-1")
    assert result.exit_code == 2
    assert "Invalid value for '--new'" in result.stderr
    assert not (home / "reviews.jsonl").exists()


def test_no_decks_at_all(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("review")
    assert result.exit_code == 0
    assert result.stdout == "No cards to review: no deck is loaded (see `flashprep decks`).\n"


def test_only_draft_cards(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "d.toml").write_text(
        '[deck]\nid = "d"\nname = "D"\ncategory = "C"\n\n'
        '[[cards]]\nid = "d-one"\nfront = "Q?"\nback = ""\ndraft = true\n'
    )
    result = cli("--decks", str(drafts), "review")
    assert result.exit_code == 0
    assert result.stdout == (
        "No cards to review: the loaded decks hold only 1 draft card(s) without an answer "
        "(`flashprep validate` lists them).\n"
    )


def test_a_topic_of_draft_cards_only_is_a_filter_that_matches_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """--topic narrows the cards as --deck and --tag do: the decks hold a card to review,
    so "the loaded decks hold only drafts" would be wrong."""
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "d.toml").write_text(
        '[deck]\nid = "d"\nname = "D"\ncategory = "C"\n\n'
        '[[cards]]\nid = "d-one"\nfront = "Q?"\nback = "A"\n\n'
        '[[cards]]\nid = "d-two"\nfront = "Q2?"\nback = ""\ndraft = true\ntopic = "later"\n'
    )
    result = cli("--decks", str(decks), "review", "--topic", "later")
    assert result.exit_code == 0
    assert result.stdout == (
        "No cards to review: no card matches --deck/--tag/--topic/--kind (see `flashprep decks`).\n"
    )


def test_another_session_holds_the_lock(cli, mini_decks: Path, home: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    with History.open(home, write=True):
        result = cli("--decks", str(mini_decks), "review", input="\n5\n")
    assert result.exit_code == 2
    assert result.stderr == (
        f"flashprep: error: another flashprep session is running (pid {os.getpid()}); "
        "finish it first\n"
    )
    assert events(home) == []


def test_bundled_decks_in_a_new_home(  # type: ignore[no-untyped-def]
    cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's "done when": 20 new cards, grading, quitting half way, status agrees."""
    monkeypatch.delenv("FLASHPREP_BUNDLED")
    before = status(cli)
    assert (before["new"], before["total"]) == (20, 20)
    answers = "".join(f"\n{g}\n" for g in (5, 4, 4, 3, 5, 2, 4, 5, 1, 4)) + "q\n"
    result = cli("review", input=answers)
    assert result.exit_code == 0
    assert "== card 1 of 20 (new) |" in result.stdout
    assert "  answers:      10 on 10 card(s), 80% correct (grade 3 or more)\n" in result.stdout
    assert "  left today:   10 new, 0 review, 3 re-drill" in result.stdout
    log = events(home)
    assert len(log) == 10
    assert {e["kind"] for e in log} == {"new"}
    after = status(cli)
    assert after["done_today"] == {"new": 10, "reviews": 0}
    assert (after["new"], after["redrill"], after["due"]) == (10, 3, 0)
    nxt = cli("review", input="q\n")
    assert "== card 1 of 13 (re-drill) |" in nxt.stdout


def test_plain_mode_loads_neither_rich_nor_questionary(mini_decks: Path, home: Path) -> None:
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules}"
        " & {'rich', 'questionary', 'prompt_toolkit', 'pygments', 'markdown_it'}),"
        " file=sys.stderr))\n"
        "sys.argv = ['flashprep', '--decks', sys.argv[1], 'review']\n"
        "from flashprep.main import main\n"
        "main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(mini_decks)],
        input="\n4\nq\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stderr
    assert "-> mini-one: graded 4" in proc.stdout


class RecordingUI:
    """A scripted UI that checks the log at every card: answers land before it shows."""

    def __init__(self, log: Path, grades: list[int]) -> None:
        self.log = log
        self.grades = grades
        self.seen: list[tuple[str, int]] = []

    def __enter__(self) -> RecordingUI:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
        lines = len(self.log.read_text().splitlines()) if self.log.exists() else 0
        self.seen.append((view.card.id, lines))
        return (REVEAL, None) if self.grades else (QUIT, None)

    def back(self, view: CardView, typed: str | None, can_undo: bool) -> int | str:
        return self.grades.pop(0)

    def notice(self, text: str) -> None:
        pass

    def summary(self, summary: Any, held_back: dict[str, int]) -> None:
        pass


def test_each_answer_is_in_the_log_before_the_next_card(mini_decks: Path, home: Path) -> None:
    from flashprep.decks import load_collection

    col = load_collection(home, [mini_decks])
    moment = datetime.fromisoformat("2026-03-10T09:00:00+00:00")
    with History.open(home, write=True) as history:
        session = Session(list(col.cards.values()), history.states, moment)
        ui = RecordingUI(history.log_path, [2, 5, 5])
        run_session(session, history, ui, lambda: moment)
    assert ui.seen == [("mini-one", 0), ("mini-two", 1), ("mini-three", 2), ("mini-one", 3)]


def test_ctrl_c_during_a_card_keeps_earlier_answers(mini_decks: Path, home: Path) -> None:
    from flashprep.decks import load_collection

    class Interrupting(RecordingUI):
        def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
            if view.number == 2:
                raise KeyboardInterrupt
            return super().front(view, can_undo)

    col = load_collection(home, [mini_decks])
    moment = datetime.fromisoformat("2026-03-10T09:00:00+00:00")
    with History.open(home, write=True) as history:
        session = Session(list(col.cards.values()), history.states, moment)
        run_session(session, history, Interrupting(history.log_path, [4, 4]), lambda: moment)
    assert session.summary().answers == 1
    assert [e["card_id"] for e in events(home)] == ["mini-one"]


def test_burying_lets_the_next_new_card_move_up_as_status_counts(  # type: ignore[no-untyped-def]
    cli, mini_decks: Path, home: Path
) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("new_per_day = 2\n")
    result = cli("--decks", str(mini_decks), "review", input="\ns\n\n5\nq\n")
    assert "== card 2 of 3 (new) | Mini | mini-numbers | mini-two" in result.stdout
    assert "  left today:   1 new, 0 review, 0 re-drill\n" in result.stdout
    st = status(cli, "--decks", str(mini_decks))
    assert (st["new"], st["done_today"]["new"]) == (1, 1)
    nxt = cli("--decks", str(mini_decks), "review", input="q\n")
    assert nxt.stdout.startswith("== card 1 of 1 (new) | Mini | mini-three")
