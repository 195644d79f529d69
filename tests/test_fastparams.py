"""The typer fast path (flashprep/fastparams.py) and the plain-typer fallback.

The fast path is taken only when typer's private pieces have the shape it expects;
otherwise, or with FLASHPREP_PLAIN_TYPER=1, the CLI runs on plain typer. These tests
force the fallback both ways and run the CLI tests through it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flashprep import fastparams

ROOT = Path(__file__).resolve().parent.parent
# CLI test modules re-run on plain typer: the core commands, bad input of every
# command, and completion.
FALLBACK_SUITE = ["tests/test_cli_core.py", "tests/test_bad_input.py", "tests/test_completion.py"]


def deferred_params() -> list[str]:
    """Names of the parameters that carry the fast stand-in, over the whole click tree."""
    import typer.main

    from flashprep.main import app

    found: list[str] = []

    def walk(command) -> None:  # type: ignore[no-untyped-def]
        for p in command.params:
            if isinstance(getattr(p, "_runtime_param", None), fastparams._Deferred):
                found.append(p.name)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def test_the_mode_follows_the_environment() -> None:
    """Run in both modes: by the main suite (fast) and by the fallback run below (plain)."""
    if os.environ.get(fastparams.PLAIN_ENV) == "1":
        assert not fastparams.available()
        assert deferred_params() == []
    else:
        assert fastparams.available()
        assert "home" in deferred_params() and "deck" in deferred_params()


def test_typer_with_other_internals_gets_plain_typer(
    cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from typer import _coercion, core

    monkeypatch.delenv(fastparams.PLAIN_ENV, raising=False)
    monkeypatch.setattr(fastparams, "_available", None)

    def no_slot(self):  # type: ignore[no-untyped-def]
        """A release that builds the runtime coercion each time, never from the slot."""
        return _coercion.build_runtime_param(self.type_descriptor)

    monkeypatch.setattr(core._TyperParameter, "get_runtime_param", no_slot)
    assert not fastparams.available()
    assert deferred_params() == []
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    bad = cli("--home", str(a_file), "status")
    assert bad.exit_code == 2 and "Invalid value for '--home'" in bad.output


@pytest.mark.parametrize(
    "remove",
    [
        ("typer._coercion", "build_runtime_param"),
        ("typer._param_types", "coerce_cli_path"),
        ("typer.core", "_TyperParameter"),
    ],
)
def test_a_missing_touch_point_turns_the_fast_path_off(
    remove: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    monkeypatch.delenv(fastparams.PLAIN_ENV, raising=False)
    monkeypatch.setattr(fastparams, "_available", None)
    monkeypatch.delattr(importlib.import_module(remove[0]), remove[1])
    assert not fastparams.available()


def test_keep_only_invoked_is_off_on_plain_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    from flashprep.main import app

    monkeypatch.setenv(fastparams.PLAIN_ENV, "1")
    mine = copy.copy(app)
    mine.registered_commands = list(app.registered_commands)
    mine.registered_groups = list(app.registered_groups)
    fastparams.keep_only_invoked(mine, ["status"], frozenset())
    assert len(mine.registered_commands) == len(app.registered_commands) > 1


def run_status(home: Path, plain: bool) -> tuple[str, bool]:
    env = dict(os.environ, FLASHPREP_HOME=str(home), COLUMNS="80", NO_COLOR="1")
    env.pop(fastparams.PLAIN_ENV, None)
    if plain:
        env[fastparams.PLAIN_ENV] = "1"
    code = (  # main() ends the process itself (flashprep.main.leave), after atexit handlers
        "import sys, atexit\n"
        "atexit.register(lambda: print('pydantic' in sys.modules))\n"
        "sys.argv = ['flashprep', 'status']\n"
        "from flashprep.main import main\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    text, _, loaded = out.stdout.rstrip("\n").rpartition("\n")
    return text, loaded == "True"


def test_plain_typer_prints_the_same_and_really_is_plain(home: Path) -> None:
    run_status(home, plain=False)  # fills the deck cache, so only typer could load pydantic
    fast, fast_pydantic = run_status(home, plain=False)
    plain, plain_pydantic = run_status(home, plain=True)
    assert plain == fast and fast.startswith("Study day 2026-03-10")
    assert (fast_pydantic, plain_pydantic) == (False, True)


@pytest.mark.slow
def test_the_cli_tests_pass_on_plain_typer() -> None:
    if os.environ.get(fastparams.PLAIN_ENV) == "1":
        pytest.skip("already the fallback run")
    env = dict(os.environ, **{fastparams.PLAIN_ENV: "1"})
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            *FALLBACK_SUITE,
            "tests/test_fastparams.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    tail = "\n".join(out.stdout.splitlines()[-15:])
    assert out.returncode == 0, tail
    assert " passed" in tail and "failed" not in tail
