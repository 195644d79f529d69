"""Shared fixtures. No test touches the real user home: FLASHPREP_HOME always
points into tmp_path and the clock is fixed through FLASHPREP_NOW."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXED_NOW = "2026-03-10T09:00:00+00:00"


@pytest.fixture(autouse=True)
def flashprep_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("FLASHPREP_HOME", str(home))
    monkeypatch.setenv("FLASHPREP_NOW", FIXED_NOW)
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user" / "data"))
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    return home


@pytest.fixture
def home(flashprep_home: Path) -> Path:
    return flashprep_home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner: CliRunner):  # type: ignore[no-untyped-def]
    """Invoke flashprep with arguments; returns the Result."""
    from flashprep.main import app

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=input, env=env)

    return invoke


MINI_DECK = """\
[deck]
id = "mini"
name = "Mini"
category = "Testing"
description = "A tiny deck for tests."

[[cards]]
id = "mini-one"
front = "One?"
back = "1"
tags = ["numbers"]
topic = "mini-numbers"

[[cards]]
id = "mini-two"
front = "Two?"
back = "2"
tags = ["numbers", "even"]
topic = "mini-numbers"

[[cards]]
id = "mini-three"
front = "Three?"
back = "3"
tags = ["numbers"]
"""


@pytest.fixture
def mini_decks(tmp_path: Path) -> Path:
    """A --decks folder with one three-card deck."""
    d = tmp_path / "mini-decks"
    d.mkdir()
    (d / "mini.toml").write_text(MINI_DECK, encoding="utf-8")
    return d
