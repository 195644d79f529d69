"""kill -9 of a real `flashprep review` in a pseudo-terminal, after each of several answers.

Every answer the screen acknowledged (the next card is drawn only after the answer
was appended and fsynced) must be in the log, and the next run must start
cleanly, with no manual repair, at the first card not yet answered.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import tally

from flashprep import doctor

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

CARDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliett",
]


@pytest.fixture
def pty_decks(tmp_path: Path) -> Path:
    d = tmp_path / "pty-decks"
    d.mkdir()
    cards = "".join(
        f'\n[[cards]]\nid = "pty-{name}"\nfront = "Question {name}?"\nback = "Answer {name}"\n'
        for name in CARDS
    )
    (d / "pty.toml").write_text(
        '[deck]\nid = "pty"\nname = "Pty"\ncategory = "Testing"\n' + cards, encoding="utf-8"
    )
    return d


def spawn(home: Path, decks: Path) -> Any:
    env = {
        **os.environ,
        "FLASHPREP_HOME": str(home),
        "FLASHPREP_NOW": "2026-03-10T09:00:00+00:00",
        "FLASHPREP_BUNDLED": "0",
        "TERM": "xterm-256color",
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashprep", "--decks", str(decks), "review"],
        env=env,
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 100),
    )


def answers(home: Path) -> list[str]:
    path = home / "reviews.jsonl"
    if not path.exists():
        return []
    return [json.loads(x)["card_id"] for x in path.read_text().splitlines()]


def front(child: Any, name: str) -> None:
    child.expect(re.escape(f"Question {name}?"))
    child.expect("Enter show the answer")


def answer(child: Any, grade: str) -> None:
    child.send("\r")
    child.expect("perfect response")
    child.send(grade)


def kill9(child: Any) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    assert child.signalstatus == signal.SIGKILL


def test_kill_9_after_each_of_several_answers_loses_nothing(home: Path, pty_decks: Path) -> None:
    given: list[str] = []  # answers the screen acknowledged
    kills = 0
    # Runs of 1, 2 and 3 acknowledged answers, each ended by kill -9 on the next card.
    for per_run in (1, 2, 3):
        child = spawn(home, pty_decks)
        for _ in range(per_run):
            name = CARDS[len(given)]
            front(child, name)  # the next run starts at the first unanswered card
            answer(child, "4")
            given.append(f"pty-{name}")
        front(child, CARDS[len(given)])  # drawn after the last answer was fsynced
        kill9(child)
        kills += 1
        assert answers(home) == given  # every acknowledged answer, nothing else
    # A kill right after the grade key, acknowledged or not: all or nothing.
    child = spawn(home, pty_decks)
    front(child, CARDS[len(given)])
    answer(child, "5")
    kill9(child)
    kills += 1
    after = answers(home)
    assert after in (given, given + [f"pty-{CARDS[len(given)]}"])
    given = after
    # The next run starts cleanly where the last one stopped, and ends normally.
    child = spawn(home, pty_decks)
    front(child, CARDS[len(given)])
    answer(child, "5")
    given.append(f"pty-{CARDS[len(given)]}")
    front(child, CARDS[len(given)])
    child.send("q")
    child.expect("session over")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    log = answers(home)
    assert log == given and len(set(log)) == len(log)
    assert not (home / "reviews.jsonl.torn").exists()
    report = doctor.diagnose(home, [pty_decks])
    assert report["ok"], report["findings"]
    lost = sum(1 for cid in given if cid not in log)
    tally(
        "kill -9 of flashprep review in a pseudo-terminal, after answers", kills, lost, len(given)
    )
    assert lost == 0


def test_a_re_drill_pending_at_the_kill_comes_back_first(home: Path, pty_decks: Path) -> None:
    child = spawn(home, pty_decks)
    front(child, "alpha")
    answer(child, "2")  # below 4: alpha comes back later today
    front(child, "bravo")
    kill9(child)
    child = spawn(home, pty_decks)
    front(child, "alpha")  # the pending re-drill first, as after a normal quit
    answer(child, "5")
    front(child, "bravo")
    kill9(child)
    lines = (home / "reviews.jsonl").read_text().splitlines()
    log = [(e["card_id"], e["kind"], e["grade"]) for e in map(json.loads, lines)]
    assert log == [("pty-alpha", "new", 2), ("pty-alpha", "redrill", 5)]
    tally("kill -9 of flashprep review in a pseudo-terminal, after answers", 2, 0, 2)


def test_a_second_review_is_refused_while_the_first_one_runs(home: Path, pty_decks: Path) -> None:
    first = spawn(home, pty_decks)
    front(first, "alpha")  # holds the writer lock from here on
    second = spawn(home, pty_decks)
    second.expect(pexpect.EOF)
    second.close()
    assert second.exitstatus == 2
    assert (
        f"flashprep: error: another flashprep session is running (pid {first.pid}); finish it first"
    ) in " ".join(str(second.before).split())
    answer(first, "4")  # the first session goes on undisturbed
    front(first, "bravo")
    first.send("q")
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 0
    assert answers(home) == ["pty-alpha"]
    tally("second flashprep review in a pseudo-terminal while one runs (refused)", 1, 0, 1)
