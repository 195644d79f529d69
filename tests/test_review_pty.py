"""The real `python -m flashprep review` in a pseudo-terminal (pexpect): the rich
screen with single key presses, then the history file it leaves behind."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

FRONT_KEYS = "Enter show the answer"


def spawn(home: Path, decks: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    full_env = {
        **os.environ,
        "FLASHPREP_HOME": str(home),
        "FLASHPREP_NOW": "2026-03-10T09:00:00+00:00",
        "FLASHPREP_BUNDLED": "0",
        "TERM": os.environ.get("TERM", "xterm-256color") or "xterm-256color",
        **(env or {}),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashprep", "--decks", str(decks), "review", *args],
        env=full_env,
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 100),
    )


def finish(child: Any) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


def events(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_reveal_grade_undo_quit(home: Path, mini_decks: Path) -> None:
    child = spawn(home, mini_decks)
    child.expect("1 of 3")
    child.expect("One\\?")
    child.expect(FRONT_KEYS)
    child.send("\r")  # reveal
    child.expect("perfect response")
    child.send("2")
    child.expect("Two\\?")
    # The answer was appended and fsynced before this card was drawn.
    assert [(e["card_id"], e["grade"]) for e in events(home)] == [("mini-one", 2)]
    child.expect(FRONT_KEYS)
    child.send(" ")  # space reveals too
    child.expect("perfect response")
    child.send("u")  # undo the answer on mini-one: it comes back
    child.expect("mini-one: undid the answer 2")
    child.expect("One\\?")
    child.expect(FRONT_KEYS)
    child.send("\r")
    child.expect("perfect response")
    child.send("5")
    child.expect("Two\\?")
    child.expect(FRONT_KEYS)
    child.send("q")
    child.expect("session over")
    tail = finish(child)
    assert "1 on 1 card(s), 100% correct" in tail
    log = events(home)
    assert [(e["card_id"], e["kind"]) for e in log] == [
        ("mini-one", "new"),
        ("mini-one", "undo"),
        ("mini-one", "new"),
    ]
    assert log[1]["undoes"] == log[0]["id"]
    assert log[1]["state"]["due"] is None
    assert log[2]["grade"] == 5
    assert log[2]["state"]["due"] == "2026-03-11"


def test_ctrl_c_and_ctrl_d_keep_the_answers(home: Path, mini_decks: Path) -> None:
    child = spawn(home, mini_decks)
    child.expect(FRONT_KEYS)
    child.send("\r")
    child.expect("perfect response")
    child.send("4")
    child.expect("Two\\?")
    child.expect(FRONT_KEYS)
    child.sendintr()
    child.expect("session over")
    tail = finish(child)
    assert "2 new, 0 review, 0 re-drill" in tail
    assert [e["grade"] for e in events(home)] == [4]

    child = spawn(home, mini_decks)
    child.expect("Two\\?")
    child.expect(FRONT_KEYS)
    child.send("\r")
    child.expect("perfect response")
    child.sendeof()  # Ctrl-D at the grade prompt
    child.expect("session over")
    finish(child)
    assert [e["card_id"] for e in events(home)] == ["mini-one"]


def test_four_grade_buttons(home: Path, mini_decks: Path) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("grade_buttons = 4\n")
    child = spawn(home, mini_decks)
    child.expect(FRONT_KEYS)
    child.send("\r")
    child.expect("Easy")
    child.send("0")  # not a key with four buttons: ignored
    child.send("3")  # Good
    child.expect("Two\\?")
    child.expect(FRONT_KEYS)
    child.send("\r")
    child.expect("Easy")
    child.send("a")  # Again
    child.expect("Three\\?")
    child.send("q")
    finish(child)
    assert [(e["card_id"], e["grade"]) for e in events(home)] == [("mini-one", 4), ("mini-two", 1)]


def test_bury_suspend_and_the_empty_queue(home: Path, mini_decks: Path) -> None:
    child = spawn(home, mini_decks)
    for key in ("s", "!", "s"):
        child.expect(FRONT_KEYS)
        child.send("\r")
        child.expect("perfect response")
        child.send(key)
    child.expect("all done for today")
    tail = finish(child)
    assert "2 buried, 1 suspended" in tail
    assert [e["kind"] for e in events(home)] == ["bury", "suspend", "bury"]
    child = spawn(home, mini_decks)
    child.expect("Nothing to review today \\(2026-03-10\\)\\.")
    finish(child)


def test_typed_answer_is_shown_beside_the_back(home: Path, mini_decks: Path) -> None:
    # pexpect does not answer prompt_toolkit's cursor-position query; skip the wait.
    child = spawn(home, mini_decks, "--type", env={"PROMPT_TOOLKIT_NO_CPR": "1"})
    child.expect("Your answer")
    child.send("uno\r")
    child.expect("your answer")
    child.expect("uno")
    child.expect("perfect response")
    child.send("5")
    child.expect("Your answer")
    child.sendintr()
    child.expect("session over")
    finish(child)
    assert [(e["card_id"], e["grade"]) for e in events(home)] == [("mini-one", 5)]
