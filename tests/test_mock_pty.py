"""The real `python -m flashprep mock` in a pseudo-terminal (pexpect): the live countdown,
the keys of the answer, checklist and model-answer screens, and quitting mid-mock."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_mock_cli import MOCK_DECKS

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

ALOUD_KEYS = "Answer aloud, then Enter"
RED_BACKGROUND = "41m"  # the SGR code of "on red"


@pytest.fixture
def decks(tmp_path: Path) -> Path:
    d = tmp_path / "mock-decks"
    d.mkdir()
    for name, text in MOCK_DECKS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


def spawn(home: Path, decks: Path, *args: str) -> Any:
    env = {
        **os.environ,
        "FLASHPREP_HOME": str(home),
        "FLASHPREP_NOW": "2026-03-10T09:00:00+00:00",
        "FLASHPREP_BUNDLED": "0",
        "TERM": os.environ.get("TERM", "xterm-256color") or "xterm-256color",
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashprep", "--decks", str(decks), "mock", *args],
        env=env,
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 100),
    )


def mock_events(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [e for e in map(json.loads, lines) if e["kind"] == "mock"]


def finish(child: Any) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


def test_countdown_turns_red_and_keeps_counting(home: Path, decks: Path) -> None:
    # 0.02 minutes: a one-second limit, so the countdown runs out during the test.
    child = spawn(
        home, decks, "--category", "python", "--questions", "2", "--seed", "3", "--minutes", "0.02"
    )
    child.expect("question 1 of 2")
    child.expect("What is the GIL")
    child.expect("left")
    child.expect(ALOUD_KEYS)
    child.expect(RED_BACKGROUND + r"⏱  \+0:0[1-9] over time", timeout=6)  # past zero, red
    child.expect(r"\+0:0[2-9] over time", timeout=6)  # and still counting
    child.send("t")
    child.expect("type your answer")
    child.send("a lock\x7fk")  # a backspace
    child.expect("a lock")
    child.send("\r")
    child.expect("Which key points did your answer cover")
    child.send("1")
    child.send("3")
    child.send("3")  # ticked twice: unticked
    child.send("\r")
    child.expect("score: 1/3 = 33%")
    child.expect("over time")
    child.expect("model answer")
    child.expect("A lock.")
    child.expect("Enter next question")
    # The question was saved before the model answer was shown.
    saved = mock_events(home)
    assert [(e["card_id"], e["covered"], e["answer"]) for e in saved] == [("py-gil", [0], "a lock")]
    assert saved[0]["seconds"] >= 2 and saved[0]["time_limit"] == 1
    child.send("\r")
    child.expect("follow-up to question 1")  # 33% < 75%: the interviewer digs in
    child.expect(ALOUD_KEYS)
    child.send("\r")  # answered aloud
    child.expect("Which key points")
    child.send("a")
    child.send("\r")
    child.expect("score: 2/2 = 100%")
    child.send("q")  # stop at the model answer
    child.expect("mock over")
    tail = finish(child)
    assert "2 question(s)" in tail
    assert [e["answer"] for e in mock_events(home)] == ["a lock", None]


def test_quitting_mid_mock_keeps_the_answered_questions(home: Path, decks: Path) -> None:
    child = spawn(home, decks, "--questions", "3", "--seed", "2")
    child.expect(ALOUD_KEYS)
    time.sleep(0.3)
    child.send(" ")
    child.expect("Which key points")
    child.send("n")
    child.send("\r")
    child.expect("score: 0/")
    child.send("\r")
    child.expect(ALOUD_KEYS)
    child.send("\r")
    child.expect("Which key points")
    child.send("q")  # at the checklist: this question is not scored, the first one stays
    child.expect("mock over")
    finish(child)
    assert len(mock_events(home)) == 1

    child = spawn(home, decks, "--questions", "3", "--seed", "2")
    child.expect(ALOUD_KEYS)
    child.sendintr()  # Ctrl-C while answering
    child.expect("no question was answered")
    finish(child)
    assert len(mock_events(home)) == 1
