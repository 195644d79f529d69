"""Start-up stays light: what `import flashprep.main` and a warm `status` may import.

Not timed (timings belong to benchmarks/bench.py); these guard the imports that
make the difference, so a lazy import cannot silently become an eager one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("questionary", "genanki", "markdown_it", "pygments", "rich", "pydantic", "multiprocessing")
ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str, env: dict[str, str] | None = None) -> set[str]:
    """Top-level package names in sys.modules after running `code` in a fresh interpreter."""
    probe = (
        "import sys\n"
        f"{code}\n"
        "print('\\n' + repr(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        env=env or dict(os.environ),
    )
    assert out.returncode == 0, out.stderr
    return set(eval(out.stdout.strip().splitlines()[-1]))


def test_import_cli_loads_no_heavy_library() -> None:
    loaded = loaded_after("import flashprep.main")
    assert "typer" in loaded  # the probe works
    assert sorted(loaded & set(HEAVY)) == []


def status_modules(home: Path) -> tuple[set[str], str]:
    env = dict(os.environ, FLASHPREP_HOME=str(home))
    # main() ends the process itself (flashprep.main.leave), running atexit handlers.
    probe = (
        "import sys, atexit\n"
        "atexit.register(lambda: print('\\n' + repr(sorted({m.split('.')[0] for m in "
        "sys.modules}))))\n"
        "sys.argv = ['flashprep', 'status']\n"
        "from flashprep.main import main\n"
        "main()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    return set(eval(lines[-1])), "\n".join(lines[:-1])


def test_warm_status_loads_neither_pydantic_nor_rich(home: Path) -> None:
    # The first run parses the decks (pydantic) and fills the cache; the second reads it.
    status_modules(home)
    assert (home / "cache").is_dir()
    loaded, text = status_modules(home)
    assert text.startswith("Study day 2026-03-10")
    assert "pydantic" not in loaded
    assert "rich" not in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_status_with_an_interview_date_stays_light_too(home: Path) -> None:
    """The plan's pacing is pure Python; the FSRS forecast is loaded only where it is shown."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("interview_date = 2026-05-18\n")
    status_modules(home)
    loaded, text = status_modules(home)
    assert "Interview on 2026-05-18: 69 days left." in text
    assert sorted(loaded & {*HEAVY, "fsrs_rs_python"}) == []


# ------------------------------------------------------ cheap parameter coercion


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["--home", "{home}", "status"],
        ["--decks", "{decks}", "status", "--json"],
        ["--decks", "{decks}", "decks", "--json"],
        ["--decks", "{decks}", "show", "mini-one", "--json"],
        ["validate", "{decks}"],
    ],
)
def test_fast_coercion_gives_typer_s_values(
    args: list[str], home: Path, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every value the stand-in produces is the one typer's own coercion gives."""
    import typer.main

    from flashprep import fastparams
    from flashprep.main import app

    if not hasattr(typer.core, "_TyperParameter"):
        pytest.skip("this typer coerces through click types; fastparams does nothing")
    from typer._coercion import build_runtime_param

    seen: list[tuple[str, object, object]] = []
    original = fastparams._Deferred.coerce

    def checking(self, value, param, ctx):  # type: ignore[no-untyped-def]
        ours = original(self, value, param, ctx)
        theirs = build_runtime_param(param.type_descriptor).coerce(value, param=param, ctx=ctx)
        seen.append((param.name, ours, theirs))
        return ours

    monkeypatch.setattr(fastparams._Deferred, "coerce", checking)
    argv = [a.format(home=home, decks=mini_decks) for a in args]
    command = typer.main.get_command(app)
    with pytest.raises(SystemExit) as exc:
        command.main(argv, prog_name="flashprep")
    assert exc.value.code in (0, None)
    assert seen
    for name, ours, theirs in seen:
        assert ours == theirs, name
        assert type(ours) is type(theirs), name


def test_fast_coercion_keeps_typer_s_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = cli("--home", str(a_file), "status")
    assert result.exit_code == 2
    assert "Invalid value for '--home'" in result.output


def test_status_json_still_parses(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("status", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["today"] == "2026-03-10"


# ------------------------------------------------------ one command's click tree


@pytest.mark.parametrize(
    ("argv", "kept"),
    [
        (["status"], ["status"]),
        (["--home", "status", "decks"], ["decks"]),  # a home folder named "status"
        (["--decks=x", "export", "anki"], ["export"]),
        (["stat"], None),  # not a command: typer's suggestions need them all
        (["status", "--help"], None),
        (["--version"], []),  # eager: it exits before any command is looked at
        (["--version", "status"], []),
        (["--version", "--help"], None),
        ([], None),
    ],
)
def test_keep_only_invoked(argv: list[str], kept: list[str] | None) -> None:
    import copy

    from flashprep.fastparams import command_name, keep_only_invoked
    from flashprep.main import app

    mine = copy.copy(app)
    mine.registered_commands = list(app.registered_commands)
    mine.registered_groups = list(app.registered_groups)
    before = [command_name(c) for c in [*mine.registered_commands, *mine.registered_groups]]
    keep_only_invoked(mine, argv, frozenset({"--home", "--decks"}))
    after = [command_name(c) for c in [*mine.registered_commands, *mine.registered_groups]]
    assert after == (before if kept is None else kept)


@pytest.mark.parametrize("args", [["status"], ["no-such-command"], ["decks", "--json"]])
def test_the_entry_point_behaves_like_the_full_app(
    args: list[str],
    home: Path,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    """`python -m flashprep` (pruned click tree) prints what CliRunner on the full app does."""
    out = subprocess.run(
        [sys.executable, "-m", "flashprep", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, COLUMNS="80", TERM="dumb", NO_COLOR="1"),
    )
    full = cli(*args, env={"COLUMNS": "80", "TERM": "dumb", "NO_COLOR": "1"})
    assert out.returncode == full.exit_code
    assert out.stdout == full.stdout


# ------------------------------------------------------ the exit without teardown


def run_main(
    args: list[str], home: Path, prelude: str = "", answers: str = ""
) -> subprocess.CompletedProcess[str]:
    probe = (
        f"import sys\n{prelude}sys.argv = ['flashprep', *{args!r}]\n"
        "from flashprep.main import main\nmain()\nprint('NOT REACHED')\n"
    )
    env = dict(os.environ, FLASHPREP_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-c", probe],
        input=answers,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_main_ends_the_process_as_sys_exit_would(home: Path, tmp_path: Path) -> None:
    from flashprep import __version__

    done = run_main(["--version"], home)
    assert (done.returncode, done.stderr) == (0, "")
    assert __version__ in done.stdout and "NOT REACHED" not in done.stdout  # piped: flushed
    bad = run_main(["--decks", str(tmp_path / "nowhere"), "status"], home)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
    mark = tmp_path / "atexit-ran"
    ran = run_main(
        ["status"],
        home,
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(mark)!r}).touch)\n",
    )
    assert ran.returncode == 0 and mark.exists()


def test_main_waits_for_a_running_thread_as_a_normal_exit_does(home: Path, tmp_path: Path) -> None:
    mark = tmp_path / "thread-finished"
    prelude = (
        "import threading, time, pathlib\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        f"    pathlib.Path({str(mark)!r}).touch()\n"
        "threading.Thread(target=late).start()\n"
    )
    done = run_main(["--version"], home, prelude)
    assert done.returncode == 0 and mark.exists()


def test_a_review_ended_by_main_leaves_a_consistent_index(home: Path) -> None:
    from flashprep.history import History, replay

    answered = run_main(["review", "--plain", "--limit", "1"], home, answers="\n4\nq\n")
    assert answered.returncode == 0, answered.stderr
    with History.open(home) as h:
        assert h.replayed == 0 and h.warnings == []  # the index covers the answer
        assert len(h.states) == 1 and h.states == replay(home / "reviews.jsonl")
