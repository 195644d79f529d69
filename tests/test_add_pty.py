"""The interactive `python -m flashprep add` in a pseudo-terminal (pexpect): questionary
prompts, the preview, the "another card?" loop, and a new deck made on the way."""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.pty

MINE = '[deck]\nid = "mine"\nname = "Mine"\ncategory = "Custom"\n# keep me\n'
DOWN, ESC_ENTER = "\x1b[B", "\x1b\r"


def spawn(home: Path) -> Any:
    env = {
        **os.environ,
        "FLASHPREP_HOME": str(home),
        "FLASHPREP_NOW": "2026-03-10T09:00:00+00:00",
        "FLASHPREP_BUNDLED": "0",
        "TERM": "xterm-256color",
        # pexpect does not answer prompt_toolkit's cursor-position query; without this
        # every prompt would wait a second for the reply.
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashprep", "add"],
        env=env,
        encoding="utf-8",
        timeout=10,
        dimensions=(40, 100),
    )


def test_interactive_add_two_cards_and_a_new_deck(home: Path) -> None:
    (home / "decks").mkdir(parents=True)
    mine = home / "decks" / "mine.toml"
    mine.write_text(MINE)

    child = spawn(home)
    # Round 1: an existing deck, a two-line front, tags, one key point.
    child.expect("Deck:")
    child.expect("create a new deck")
    child.send("\r")  # the first choice: mine
    child.expect("Front")
    child.send("What is a **race condition**?\rGive an example." + ESC_ENTER)
    child.expect("Back")
    child.send("Two threads update shared state." + ESC_ENTER)
    child.expect("Tags")
    child.send("Concurrency, threads\r")
    child.expect("Key point 1")
    child.send("shared mutable state\r")
    child.expect("Key point 2")
    child.send("\r")
    child.expect("front")  # the preview, rendered
    child.expect("race condition")
    child.expect("shared mutable state")
    child.expect("Add this card")
    child.send("y")
    child.expect(r"added race-condition-give-example-\w{4} to mine")
    child.expect("Add another card")
    child.send("y")
    # Round 2: a new deck.
    child.expect("Deck:")
    child.expect("create a new deck")
    child.send(DOWN + "\r")
    child.expect("New deck id")
    child.send("Redis\r")  # not a slug: refused, asked again
    child.expect("lowercase letters, digits and single hyphens")
    child.send("\x7f" * 5 + "mine\r")  # taken: refused, asked again
    child.expect("'mine' already exist")  # the terminal redraws only what changed
    child.send("\x7f" * 4 + "redis\r")
    child.expect("Deck name")
    child.send("\r")  # the suggested name
    child.expect("Category")
    child.send("\x7f" * 6 + "Caching\r")
    child.expect("Front")
    child.send("What is Redis persistence?" + ESC_ENTER)
    child.expect("Back")
    child.send("RDB snapshots and the AOF log." + ESC_ENTER)
    child.expect("Tags")
    child.send("\r")
    child.expect("Key point 1")
    child.send("\r")
    child.expect("Add this card")
    child.send("y")
    child.expect("created user deck 'redis'")
    child.expect("Add another card")
    child.send("n")
    child.expect("2 card\\(s\\) added.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    text = mine.read_text()
    assert text.startswith(MINE)
    (card,) = tomllib.loads(text)["cards"]
    assert card["front"] == "What is a **race condition**?\nGive an example."
    assert card["back"] == "Two threads update shared state."
    assert card["tags"] == ["concurrency", "threads"]
    assert card["key_points"] == ["shared mutable state"]
    redis = tomllib.loads((home / "decks" / "redis.toml").read_text())
    assert redis["deck"] == {"id": "redis", "name": "Redis", "category": "Caching"}
    assert [c["front"] for c in redis["cards"]] == ["What is Redis persistence?"]
