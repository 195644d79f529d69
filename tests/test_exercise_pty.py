"""An exercise in the real `flashprep review` in a pseudo-terminal (pexpect): the answer
written in the terminal's multi-line editor, then in $EDITOR, run, retried and graded."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from test_review_exercises import write_deck

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

ASK = "Enter write your answer here"


def spawn(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    full_env = {
        **os.environ,
        "FLASHPREP_HOME": str(home),
        "FLASHPREP_NOW": "2026-03-10T09:00:00+00:00",
        "FLASHPREP_BUNDLED": "0",
        "TERM": "xterm-256color",
        **(env or {}),
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashprep", "review", *args],
        env=full_env,
        encoding="utf-8",
        timeout=15,
        dimensions=(50, 120),
    )


def events(home: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (home / "reviews.jsonl").read_text().splitlines()]


def test_write_in_the_terminal_fail_retry_in_editor_and_grade(home: Path, tmp_path: Path) -> None:
    write_deck(home / "decks")
    answer = tmp_path / "answer.sql"
    answer.write_text("SELECT name FROM people\nWHERE boss_id IS NOT NULL\nORDER BY name\n")
    editor = tmp_path / "editor.py"
    # A stand-in for $EDITOR: checks it was given the previous attempt, writes the answer.
    editor.write_text(
        "import sys, shutil\n"
        "path = sys.argv[-1]\n"
        "assert open(path).read() == 'SELECT name\\nFROM people', open(path).read()\n"
        f"shutil.copy({str(answer)!r}, path)\n"
    )
    child = spawn(home, "--kind", "sql", env={"EDITOR": f"{sys.executable} {editor}"})
    child.expect("Everyone who has a boss")
    child.expect("tables: people\\(id, name, boss_id\\)")
    child.expect(ASK)
    child.send("\r")  # the editor in the terminal
    child.expect("Esc then Enter runs it")
    child.send("SELECT name\rFROM people")  # Enter makes a new line here
    child.send("\x1b\r")  # Esc, Enter: done
    child.expect("FAIL")
    child.expect("1 row\\(s\\) that should not be there")
    child.expect("Enter grade 2")
    log = events(home)
    assert [(e["kind"], e["outcome"]) for e in log] == [("attempt", "fail")]
    assert log[0]["code"] == "SELECT name\nFROM people"
    child.send("r")  # try again
    child.expect("attempt 2")
    child.expect(ASK)
    child.send("e")  # this time in $EDITOR
    child.expect("PASS")
    child.expect("Enter grade 3")
    child.send("\r")  # take the suggestion: 3, so the card comes back today
    child.expect("re-drill")
    child.expect(ASK)
    child.send("q")
    child.expect("session over")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    log = events(home)
    assert [e["kind"] for e in log] == ["attempt", "attempt", "new"]
    assert log[1]["outcome"] == "pass" and log[1]["code"] == answer.read_text()
    assert (log[2]["grade"], log[2]["suggested"], log[2]["attempts"]) == (3, 3, 2)


def test_a_grade_key_overrides_the_suggestion(home: Path) -> None:
    write_deck(home / "decks")
    child = spawn(home, "--kind", "python")
    child.expect("double")
    child.expect(ASK)
    child.send("\r")
    child.expect("Esc then Enter runs it")
    child.send("def double(x):\r    return x * 2")
    child.send("\x1b\r")
    child.expect("PASS")
    child.expect("Enter grade 5")
    child.send("4")
    child.expect("session over|all done")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answer = events(home)[-1]
    assert (answer["grade"], answer["suggested"]) == (4, 5)
