"""`flashprep completion SHELL` and what the shell gets back when it asks for completions."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flashprep.completion import COMPLETE_VAR


def complete(cli, words: str, *, shell: str = "bash", env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """What flashprep answers a shell completing the last word of `words`."""
    args = words.split()
    if words.endswith(" "):
        args.append("")
    full = " ".join(["flashprep", *args])
    extra = {COMPLETE_VAR: f"complete_{shell}", **(env or {})}
    if shell == "bash":
        extra |= {"COMP_WORDS": full, "COMP_CWORD": str(len(args))}
    else:
        extra["_TYPER_COMPLETE_ARGS"] = full
    result = cli(env=extra)
    assert result.exit_code == 0, result.output
    return result.output


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


@pytest.mark.parametrize(
    ("shell", "marks"),
    [
        (
            "bash",
            [
                "complete -o default -F _flashprep_completion flashprep",
                "_FLASHPREP_COMPLETE=complete_bash",
            ],
        ),
        ("zsh", ["#compdef flashprep", "_FLASHPREP_COMPLETE=complete_zsh"]),
        ("fish", ["complete --command flashprep", "_FLASHPREP_COMPLETE=complete_fish"]),
    ],
)
def test_the_script_prints_for_each_shell(cli, shell: str, marks: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli("completion", shell)
    assert result.exit_code == 0, result.output
    for mark in marks:
        assert mark in result.stdout


def test_an_unknown_shell_is_a_one_line_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("completion", "tcsh")
    assert result.exit_code == 2
    assert result.output == (
        "flashprep: error: no completion for shell 'tcsh'; choose bash, zsh or fish\n"
    )


def test_deck_ids_complete_for_deck(cli) -> None:  # type: ignore[no-untyped-def]
    got = lines(complete(cli, "review --deck py"))
    assert got == ["python", "python-deep-dive", "python-practice"]
    for words in ("stats --deck py", "cards --deck py", "export anki --deck py", "add -d py"):
        assert lines(complete(cli, words)) == got, words


def test_tags_topics_and_card_ids_complete(cli, mini_decks: Path) -> None:  # type: ignore[no-untyped-def]
    d = ["--decks", str(mini_decks)]
    # The mini deck's tags beside the bundled decks' ones.
    tags = lines(complete(cli, " ".join([*d, "review", "--tag", "ev"])))
    assert "even" in tags and all(t.startswith("ev") for t in tags)
    assert "numbers" in lines(complete(cli, " ".join([*d, "cards", "-t", "num"])))
    assert "even" not in lines(complete(cli, "review --tag ev"))
    assert lines(complete(cli, " ".join([*d, "review", "--topic", "mini-"]))) == ["mini-numbers"]
    assert lines(complete(cli, " ".join([*d, "show", "mini-t"]))) == ["mini-three", "mini-two"]
    assert lines(complete(cli, " ".join([*d, "suspend", "mini-one", "mini-t"]))) == [
        "mini-three",
        "mini-two",
    ]
    assert lines(complete(cli, " ".join([*d, "edit", "mini-o"]))) == ["mini-one"]
    # Bundled ids and tags are offered too; nothing matches nonsense.
    assert "python-gil" in lines(complete(cli, "show python-gi"))
    assert lines(complete(cli, "review --tag zzz-no-such")) == []


def test_the_zsh_and_fish_protocols(cli, mini_decks: Path) -> None:  # type: ignore[no-untyped-def]
    words = f"--decks {mini_decks} review --deck min"
    assert '"mini"' in complete(cli, words, shell="zsh")
    fish = complete(cli, words, shell="fish", env={"_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    assert lines(fish) == ["mini"]


def test_a_broken_home_completes_nothing_and_prints_no_traceback(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-decks"
    bad.mkdir()
    (bad / "broken.toml").write_text("this is [not toml")
    out = complete(cli, f"--decks {bad} review --deck py")
    assert "Traceback" not in out
    assert lines(out) == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_sources_the_script_and_completes(home: Path, tmp_path: Path) -> None:
    """The real loop: bash sources the script, its function runs flashprep, COMPREPLY."""
    exe = Path(sys.executable).with_name("flashprep")
    assert exe.exists(), exe
    script = (
        'eval "$(flashprep completion bash)"\n'
        "COMP_WORDS=(flashprep review --deck py); COMP_CWORD=3\n"
        "_flashprep_completion flashprep\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{exe.parent}{os.pathsep}{os.environ['PATH']}")
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["python", "python-deep-dive", "python-practice"]


def test_completion_work_happens_only_when_completing(  # type: ignore[no-untyped-def]
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep import completion

    calls: list[str] = []
    monkeypatch.setattr(completion, "_collection", lambda ctx: calls.append("read") or None)
    monkeypatch.setattr(completion, "prepare", lambda: calls.append("prepare"))
    for args in (["status"], ["review", "--deck", "python", "--plain"], ["show", "python-gil"]):
        cli(*args, input="q\n")
    assert calls == []
    complete(cli, "review --deck py")
    assert calls == ["prepare", "read"]
