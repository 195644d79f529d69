"""Bad input, command by command: exit code 2, one line `flashprep: error: ...` that names
the file (and line) and says what to do, no traceback, and not one byte changed on disk.

Each case builds a home with a user deck and some history (or not), breaks one thing
(a file users hand the program, an option, an environment variable), runs one command
and compares a fingerprint of the whole test folder before and after. Usage errors that
typer reports itself (several lines: usage, hint, error) are checked for exit 2 and the
"Error:" line. The last tests check the output of every read command on an empty home.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import MINI_DECK

Setup = Callable[[Path], None]
DRAFT_DECK = (
    '[deck]\nid = "dr"\nname = "Drafts"\ncategory = "C"\n\n'
    '[[cards]]\nid = "dr-one"\nfront = "Q?"\nback = ""\ndraft = true\n'
)
LOG_LINE = (
    '{"v":1,"id":"019cd6f97a805174a2ab","card_id":"mini-one","ts":"2026-03-10T09:00:00.000Z",'
    '"day":"2026-03-10","kind":"new","grade":4,"duration_ms":0,"state":{"ef":2.5,"interval":1,'
    '"repetitions":1,"due":"2026-03-11","lapses":0,"reviews":1,"last_day":"2026-03-10",'
    '"introduced":"2026-03-10"}}\n'
)


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


# ----------------------------------------------------------------- building blocks


def put(rel: str, data: str | bytes | None) -> Setup:
    """Write `data` at `rel` (under the test folder); None makes a folder there."""

    def setup(root: Path) -> None:
        p = root / rel
        if p.is_file() or p.is_symlink():
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            p.mkdir(exist_ok=True)
        elif isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")

    return setup


def remove(rel: str) -> Setup:
    def setup(root: Path) -> None:
        p = root / rel
        if p.is_dir() and not p.is_symlink():
            import shutil

            shutil.rmtree(p)
        else:
            p.unlink()

    return setup


def loop(rel: str) -> Setup:
    """A symlink to itself."""

    def setup(root: Path) -> None:
        p = root / rel
        if p.exists() or p.is_symlink():
            p.unlink()
        p.parent.mkdir(parents=True, exist_ok=True)
        p.symlink_to(p)

    return setup


def fingerprint(root: Path) -> dict[str, str]:
    """Every path under `root`: a hash for files, the target for symlinks (never followed).

    Not <home>/cache: the index is derived from the log and the decks (its deck cache only
    ever holds parses of files that parsed, and a load that fails later, with two files of
    one deck id, may still refresh it)."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if rel == "home/cache" or rel.startswith("home/cache/"):
                continue
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_dir():
                out[rel] = "<dir>"
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "<other>"
    return out


@dataclass
class Case:
    id: str
    args: list[str]
    message: str  # must appear in the one error line ({root} and {home} are filled in)
    setup: list[Setup] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    input: bytes | None = None
    filled: bool = True  # start from a home with a user deck and two answers
    usage: bool = False  # typer's own usage error (several lines)


EDIT_OK = {"EDITOR": "true"}
CASES = [
    # --- the home itself and the environment
    Case(
        "home-is-a-file",
        ["status"],
        "FLASHPREP_HOME='{root}/f' is a file, not a folder: point it at a folder",
        [put("f", "x")],
        {"FLASHPREP_HOME": "{root}/f"},
        filled=False,
    ),
    Case(
        "home-option-is-a-file",
        ["--home", "{root}/f", "status"],
        "Invalid value for '--home'",
        [put("f", "x")],
        usage=True,
        filled=False,
    ),
    Case(
        "now-not-a-timestamp",
        ["status"],
        "FLASHPREP_NOW='soon' is not an ISO 8601 timestamp",
        env={"FLASHPREP_NOW": "soon"},
    ),
    Case(
        "now-without-offset",
        ["suspend", "mini-one"],
        "FLASHPREP_NOW='2026-03-10T09:00:00' has no UTC offset",
        env={"FLASHPREP_NOW": "2026-03-10T09:00:00"},
    ),
    Case(
        "now-year-9999",
        ["review"],
        "is out of range: use a year from 1970 to 9000",
        env={"FLASHPREP_NOW": "9999-12-31T23:00:00+00:00"},
    ),
    Case(
        "now-year-1",
        ["stats"],
        "is out of range: use a year from 1970 to 9000",
        env={"FLASHPREP_NOW": "0001-01-01T00:00:00+00:00"},
    ),
    # --- config.toml
    Case(
        "config-invalid-toml",
        ["status"],
        "{home}/config.toml: invalid TOML: ",
        [put("home/config.toml", "new_per_day = \n")],
    ),
    Case(
        "config-unknown-key",
        ["review"],
        "{home}/config.toml: unknown key 'new_per_dya'",
        [put("home/config.toml", "new_per_dya = 3\n")],
    ),
    Case(
        "config-latin1",
        ["stats"],
        "{home}/config.toml:1: not UTF-8 text",
        [put("home/config.toml", b"# caf\xe9\n")],
    ),
    Case(
        "config-binary",
        ["readiness"],
        "{home}/config.toml:2: not UTF-8 text",
        [put("home/config.toml", bytes(range(256)))],
    ),
    Case(
        "config-is-a-folder",
        ["status"],
        "{home}/config.toml: is a folder, not a file",
        [put("home/config.toml", None)],
    ),
    # --- reviews.jsonl and the index derived from it
    Case(
        "log-corrupt-line",
        ["status"],
        "{home}/reviews.jsonl:1: corrupt event",
        [put("home/reviews.jsonl", "not json\n" + LOG_LINE), remove("home/cache/index.sqlite")],
    ),
    Case(
        "log-latin1",
        ["suspend", "mini-one"],
        "{home}/reviews.jsonl:1: corrupt event",
        [
            put("home/reviews.jsonl", b'{"card_id":"caf\xe9"}\n' + LOG_LINE.encode()),
            remove("home/cache/index.sqlite"),
        ],
    ),
    Case(
        "log-newer-schema",
        ["review"],
        "was written by a newer flashprep",
        [
            put("home/reviews.jsonl", LOG_LINE.replace('"v":1', '"v":99')),
            remove("home/cache/index.sqlite"),
        ],
    ),
    Case(
        "log-is-a-folder",
        ["stats"],
        "cannot read {home}/reviews.jsonl: Is a directory",
        [
            remove("home/reviews.jsonl"),
            remove("home/cache/index.sqlite"),
            put("home/reviews.jsonl", None),
        ],
    ),
    Case(
        "log-symlink-loop",
        ["undo"],
        "{home}/reviews.jsonl: Too many levels of symbolic links",
        [remove("home/cache/index.sqlite"), loop("home/reviews.jsonl")],
    ),
    Case(
        "log-shorter-than-state",
        ["review"],
        "events are missing from the log",
        [put("home/reviews.jsonl", "")],
    ),
    # --- deck files: <home>/decks, --decks
    Case(
        "deck-invalid-toml",
        ["status"],
        "{home}/decks/mini.toml:1:6: invalid TOML",
        [put("home/decks/mini.toml", "[deck\n")],
    ),
    Case(
        "deck-latin1",
        ["review"],
        "{home}/decks/mini.toml:9: not UTF-8 text (save the file as",
        [put("home/decks/mini.toml", MINI_DECK.replace("One?", "Caf\xe9?").encode("latin-1"))],
    ),
    Case(
        "deck-binary",
        ["cards"],
        "{home}/decks/mini.toml:2: not UTF-8 text",
        [put("home/decks/mini.toml", bytes(range(256)) * 4)],
    ),
    Case(
        "deck-empty",
        ["suspend", "mini-one"],
        "{home}/decks/mini.toml: missing [deck] table",
        [put("home/decks/mini.toml", "")],
    ),
    Case(
        "deck-symlink-loop",
        ["status"],
        "{home}/decks/x.toml: cannot read: Too many levels of symbolic links",
        [loop("home/decks/x.toml")],
    ),
    Case(
        "deck-dangling-symlink",
        ["stats"],
        "{home}/decks/x.toml: cannot read: No such file or directory",
        [lambda root: (root / "home/decks/x.toml").symlink_to(root / "nowhere")],
    ),
    Case(
        "deck-is-a-folder",
        ["export", "tsv", "-o", "{root}/x.txt"],
        "{home}/decks/x.toml: is a folder, not a file",
        [put("home/decks/x.toml", None)],
    ),
    Case(
        "decks-folder-is-a-file",
        ["add", "-d", "new", "--create", "-f", "Q", "-b", "A"],
        "{home}/decks is a file, but flashprep keeps your decks in a folder there",
        [remove("home/decks"), put("home/decks", "x")],
    ),
    Case(
        "decks-option-missing",
        ["--decks", "{root}/nope", "status"],
        "--decks {root}/nope: no such directory",
    ),
    Case(
        "decks-option-not-a-deck",
        ["--decks", "{root}/notes.txt", "status"],
        "--decks {root}/notes.txt: not a folder or a .toml deck file",
        [put("notes.txt", "hi")],
    ),
    Case(
        "decks-option-duplicate-deck",
        ["--decks", "{root}/more", "status"],
        "{root}/more/m.toml: duplicate deck id 'mini'",
        [put("more/m.toml", MINI_DECK)],
    ),
    # --- unknown ids, decks and tags
    Case("show-unknown", ["show", "mini-tree"], "no card 'mini-tree' (did you mean"),
    Case("suspend-unknown", ["suspend", "mini-one", "nope"], "no card 'nope'"),
    Case("unsuspend-unknown", ["unsuspend", "nope"], "no card 'nope'"),
    Case("bury-unknown", ["bury", "nope"], "no card 'nope'"),
    Case("forget-unknown", ["forget", "nope"], "no card 'nope'"),
    Case("edit-unknown", ["edit", "nope"], "no card 'nope'", env=EDIT_OK),
    Case("cards-unknown-deck", ["cards", "--deck", "nope"], "no deck 'nope'"),
    Case("cards-unknown-tag", ["cards", "--tag", "nope"], "no card has the tag 'nope'"),
    Case("review-unknown-deck", ["review", "--deck", "nope"], "no deck 'nope'"),
    Case("stats-unknown-deck", ["stats", "--deck", "nope"], "no deck 'nope'"),
    Case("export-unknown-tag", ["export", "anki", "--tag", "nope"], "no card has the tag 'nope'"),
    Case(
        "add-unknown-deck",
        ["add", "-d", "nope", "-f", "Q", "-b", "A"],
        "no deck 'nope'; pass --create to start a new user deck 'nope'",
    ),
    Case("undo-nothing", ["undo"], "nothing to undo", filled=False),
    # --- add and edit: text and $EDITOR
    Case(
        "add-stdin-not-utf8",
        ["add", "-d", "mini", "-f", "Q", "-b", "-"],
        "--back -: standard input is not UTF-8 text",
        input=b"caf\xe9\n",
    ),
    Case(
        "add-empty-front",
        ["add", "-d", "mini", "-f", " ", "-b", "A"],
        "the front (the question) is empty",
    ),
    Case("add-no-editor", ["add", "-d", "mini", "--editor"], "no editor: set $EDITOR"),
    Case(
        "add-editor-not-found",
        ["add", "-d", "mini", "--editor"],
        "cannot run the editor '/nonexistent/ed': No such file or directory",
        env={"EDITOR": "/nonexistent/ed"},
    ),
    Case(
        "add-editor-fails",
        ["add", "-d", "mini", "--editor"],
        "the editor 'false' exited with status 1; nothing was added",
        env={"EDITOR": "false"},
    ),
    Case(
        "add-editor-bad-quote",
        ["add", "-d", "mini", "--editor"],
        '$EDITOR ("vi \'") cannot be split into a command',
        env={"EDITOR": "vi '"},
    ),
    Case("edit-no-editor", ["edit", "mini-one"], "no editor: set $EDITOR"),
    Case(
        "edit-editor-fails",
        ["edit", "mini-one"],
        "exited with status 1; {home}/decks/mini.toml is as the editor left it",
        env={"EDITOR": "false"},
    ),
    # --- import files
    Case("import-missing", ["import", "{root}/nope.csv"], "{root}/nope.csv: no such file"),
    Case(
        "import-empty",
        ["import", "{root}/i.csv"],
        "{root}/i.csv: no cards found",
        [put("i.csv", "")],
    ),
    Case(
        "import-only-header",
        ["import", "{root}/i.csv", "-d", "mini"],
        "{root}/i.csv: no cards found",
        [put("i.csv", "front,back\n")],
    ),
    Case(
        "import-binary",
        ["import", "{root}/i.csv", "-d", "mini"],
        "{root}/i.csv:2: not UTF-8",
        [put("i.csv", bytes(range(256)))],
    ),
    Case(
        "import-latin1",
        ["import", "{root}/i.csv", "-d", "mini"],
        "{root}/i.csv:2: not UTF-8 text (save the file as UTF-8)",
        [put("i.csv", "front,back\ncaf\xe9,1\n".encode("latin-1"))],
    ),
    Case(
        "import-utf16",
        ["import", "{root}/i.csv", "-d", "mini"],
        "{root}/i.csv:1: not UTF-8",
        [put("i.csv", "front,back\nq,a\n".encode("utf-16"))],
    ),
    Case(
        "import-anki-bad-header",
        ["import", "{root}/i.txt", "-d", "mini"],
        "{root}/i.txt:1: #separator: unknown separator 'Nope'",
        [put("i.txt", "#separator:Nope\nq\ta\n")],
    ),
    Case(
        "import-symlink-loop",
        ["import", "{root}/i.csv"],
        "{root}/i.csv: cannot read: Too many levels of symbolic links",
        [loop("i.csv")],
    ),
    Case(
        "import-folder",
        ["import", "{root}/dd"],
        "Invalid value for 'file'",
        [put("dd", None)],
        usage=True,
    ),
    Case(
        "import-into-broken-deck",
        ["import", "{root}/i.csv", "-d", "mini"],
        "{home}/decks/mini.toml:1:6: invalid TOML",
        [put("i.csv", "front,back\nq,a\n"), put("home/decks/mini.toml", "[deck\n")],
    ),
    # --- the syllabus of generate
    Case("generate-missing", ["generate", "{root}/s.md"], "{root}/s.md: no such file"),
    Case(
        "generate-folder",
        ["generate", "{root}/dd"],
        "{root}/dd: is a folder, not a file",
        [put("dd", None)],
    ),
    Case(
        "generate-empty",
        ["generate", "{root}/s.md"],
        "{root}/s.md: no usable table",
        [put("s.md", "")],
    ),
    Case(
        "generate-binary",
        ["generate", "{root}/s.md"],
        "{root}/s.md:2: not UTF-8 text",
        [put("s.md", bytes(range(256)))],
    ),
    Case(
        "generate-no-table",
        ["generate", "{root}/s.md", "--out", "{root}/o"],
        "{root}/s.md: no usable table",
        [put("s.md", "# Notes\n\ntext\n")],
    ),
    Case(
        "generate-out-is-a-file",
        ["generate", "{root}/s.md", "--out", "{root}/o"],
        "Invalid value for '--out'",
        [put("s.md", "x"), put("o", "x")],
        usage=True,
    ),
    Case(
        "generate-out-broken-deck",
        ["generate", "{root}/s.md", "--out", "{root}/o"],
        "{root}/o/python.toml:1:6: invalid TOML",
        [
            put(
                "s.md",
                "## 1.1 Python Deep Dive\n\n| Topic | What to Cover | Time |\n"
                "|---|---|---|\n| **GIL** | the lock | 1 day |\n",
            ),
            put("o/python.toml", "[deck\n"),
        ],
    ),
    # --- output paths: stats --html and export
    Case(
        "stats-html-missing-folder",
        ["stats", "--html", "{root}/no/s.html"],
        "cannot write {root}/no/s.html: No such file or directory",
    ),
    Case(
        "stats-html-under-a-file",
        ["stats", "--html", "{root}/f/s.html"],
        "cannot write {root}/f/s.html: Not a directory",
        [put("f", "x")],
    ),
    Case(
        "stats-html-over-a-deck",
        ["stats", "--html", "{home}/decks/mini.toml"],
        "that file exists and is not an HTML page",
    ),
    Case(
        "stats-html-folder",
        ["stats", "--html", "{root}/dd"],
        "Invalid value for '--html'",
        [put("dd", None)],
        usage=True,
    ),
    Case(
        "export-anki-folder",
        ["export", "anki", "-o", "{root}/dd", "--force"],
        "cannot write {root}/dd: it is a directory",
        [put("dd", None)],
    ),
    Case(
        "export-tsv-missing-folder",
        ["export", "tsv", "-o", "{root}/no/x.txt"],
        "cannot write {root}/no/x.txt: {root}/no: no such directory",
    ),
    Case(
        "export-tsv-exists",
        ["export", "tsv", "-o", "{root}/x.txt"],
        "{root}/x.txt already exists (use --force to replace it)",
        [put("x.txt", "old")],
    ),
    Case(
        "export-only-drafts",
        ["export", "anki", "-o", "{root}/x.apkg"],
        "nothing to export: no answered cards are loaded",
        [remove("home/decks/mini.toml"), put("home/decks/dr.toml", DRAFT_DECK)],
    ),
    # --- option values
    Case(
        "readiness-bad-date",
        ["readiness", "--target-date", "2026-02-30"],
        "--target-date '2026-02-30' is not a date (YYYY-MM-DD)",
    ),
    Case(
        "readiness-past-date",
        ["readiness", "--target-date", "2026-03-01"],
        "--target-date 2026-03-01 is not after today (2026-03-10)",
    ),
    Case("review-negative-new", ["review", "--new", "-1"], "Invalid value for '--new'", usage=True),
    Case("stats-days-zero", ["stats", "--days", "0"], "Invalid value for '--days'", usage=True),
    Case("unknown-command", ["frobnicate"], "No such command 'frobnicate'", usage=True),
]


@pytest.fixture
def filled(cli: Any, home: Path) -> None:
    """A user deck and two answers (so reviews.jsonl and the index exist)."""
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "mini.toml").write_text(MINI_DECK, encoding="utf-8")
    result = cli("review", "--plain", input="\n4\n\n5\nq\n")
    assert result.exit_code == 0, result.output
    assert (home / "reviews.jsonl").exists() and (home / "cache" / "index.sqlite").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    case: Case, cli: Any, home: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if case.filled:
        request.getfixturevalue("filled")
    for setup in case.setup:
        setup(tmp_path)
    fill = {"root": str(tmp_path), "home": str(home)}
    args = [a.format(**fill) for a in case.args]
    env = {k: v.format(**fill) for k, v in case.env.items()}
    before = fingerprint(tmp_path)
    result = cli(*args, input=case.input, env=env)
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    message = case.message.format(**fill)
    if case.usage:
        assert f"Error: {message}" in result.stderr
    else:
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("flashprep: error: "), lines[0]
        assert message in lines[0], lines[0]
    assert fingerprint(tmp_path) == before


# ----------------------------------------------------------------- an empty home


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["status"], "Study day 2026-03-10\nNothing due today."),
        (["cards"], "No cards match."),
        (["cards", "--json"], "[]"),
        (["stats"], "No answers yet: run `flashprep review` to start."),
        (["readiness"], "no cards"),
        (["validate"], "0 deck file(s), 0 card(s), 0 history event(s): ok"),
        (["doctor"], "No problems found."),
        (["review"], "No cards to review: no deck is loaded (see `flashprep decks`)."),
    ],
)
def test_an_empty_home_gets_plain_answers(
    cli: Any, home: Path, args: list[str], expected: str
) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
    assert result.stderr == ""
    if args[0] != "review":  # the one writer here; it starts an empty log
        assert not home.exists()
