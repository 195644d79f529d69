"""Bad input, fuzzed: the deck loader, the log loader, the config loader and `import`.

Every input must end either in a valid load or in a FlashprepError whose message
is one line; any other exception fails the test (hypothesis then shrinks it to a
small example). No load may write: the folder is fingerprinted before and after.

The examples are bounded (FLASHPREP_FUZZ_EXAMPLES, default 150 per test) and
derandomized, so CI runs the same inputs every time in a few seconds. For a longer
hunt: FLASHPREP_FUZZ_EXAMPLES=5000 FLASHPREP_FUZZ_RANDOM=1 pytest tests/test_fuzz.py
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import build_history, fingerprint, index_bytes, put_index, tally

from flashprep.config import load_config, parse_config
from flashprep.deckparse import parse_deck_text, read_deck_file
from flashprep.decks import build_collection
from flashprep.decksources import EXTRA
from flashprep.errors import FlashprepError
from flashprep.eventlog import scan
from flashprep.history import History, replay

EXAMPLES = int(os.environ.get("FLASHPREP_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FLASHPREP_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def outcome(fn: Callable[[], Any]) -> Any:
    """Run `fn`: a result, or a FlashprepError with a one-line message; nothing else."""
    try:
        return fn()
    except FlashprepError as exc:
        message = str(exc)
        assert message.strip(), "an empty error message"
        assert "\n" not in message and "\r" not in message, message
        return exc


class Scratch:
    """A fresh folder per example (function-scoped tmp_path is shared across examples)."""

    def __enter__(self) -> Path:
        self._tmp = tempfile.TemporaryDirectory(prefix="flashprep-fuzz-")
        return Path(self._tmp.name)

    def __exit__(self, *exc: object) -> None:
        self._tmp.cleanup()


# ------------------------------------------------------------------ inputs

VALID_DECK = {
    "deck": {"id": "fuzz", "name": "Fuzz", "category": "Testing", "tags": ["a-b"]},
    "cards": [
        {"id": "fuzz-one", "front": "One?", "back": "1", "tags": ["x"], "topic": "t"},
        {
            "id": "fuzz-two",
            "front": "Two?",
            "back": "",
            "draft": True,
            "key_points": ["k1", "k2"],
            "hint": "h",
        },
    ],
    "checklist": [{"id": "c-1", "item": "Know it", "topics": ["t"]}],
}

toml_scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
    st.dates(),
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def mutated_structure(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """`base` with a few values replaced, keys dropped or added, at random paths."""
    import copy

    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        node: Any = doc
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                node = child
                continue
            action = draw(st.sampled_from(["replace", "drop", "add"]))
            if action == "replace":
                node[key] = draw(toml_values)
            elif action == "drop" and isinstance(node, dict):
                del node[key]
            elif isinstance(node, dict):
                node[draw(st.text(min_size=1, max_size=8))] = draw(toml_values)
            break
    return doc


@st.composite
def mutated_bytes(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few bytes inserted, deleted, flipped, or a slice cut out."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            data += draw(st.binary(min_size=1, max_size=8))
            continue
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["insert", "delete", "flip", "cut", "newline"]))
        if action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[at]
        elif action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        else:
            data[at:at] = b"\n"
    return bytes(data)


def toml_text(doc: dict[str, Any]) -> str | None:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return None  # not representable in TOML (e.g. a list of mixed tables)


# ------------------------------------------------------------------ decks


def check_deck_text(text: str) -> None:
    path = Path("/nonexistent/fuzz.toml")
    result = outcome(lambda: parse_deck_text(text, path))
    if isinstance(result, dict):
        # A valid deck also assembles into a collection (or a one-line error).
        outcome(lambda: build_collection([(path, EXTRA, result)]))


@FUZZ
@given(st.text(max_size=400))
def test_deck_loader_on_random_text(text: str) -> None:
    check_deck_text(text)
    tally("fuzz: deck loader, random text (examples)", 1)


@FUZZ
@given(mutated_structure(VALID_DECK))
def test_deck_loader_on_mutated_valid_decks(doc: dict[str, Any]) -> None:
    text = toml_text(doc)
    if text is not None:
        check_deck_text(text)
    tally("fuzz: deck loader, mutated valid decks (examples)", 1)


@FUZZ
@given(mutated_bytes(tomli_w.dumps(VALID_DECK).encode()))
def test_deck_file_reader_on_mutated_bytes_writes_nothing(data: bytes) -> None:
    with Scratch() as folder:
        path = folder / "deck.toml"
        path.write_bytes(data)
        before = fingerprint(folder)
        outcome(lambda: read_deck_file(path))
        assert fingerprint(folder) == before
    tally("fuzz: deck file reader, mutated bytes (examples)", 1)


# ------------------------------------------------------------------ the log

with Scratch() as _src:
    build_history(_src, days=2, cards=3)
    VALID_LOG = (_src / "reviews.jsonl").read_bytes()
    VALID_INDEX = index_bytes(_src) or b""


def check_history(home: Path, *, write: bool) -> None:
    before = fingerprint(home)
    result = outcome(lambda: scan(home / "reviews.jsonl"))
    h = outcome(lambda: History.open(home))
    if isinstance(h, History):
        assert isinstance(result, FlashprepError) or h.states is not None
    assert fingerprint(home) == before  # readers never write
    if write:
        w = outcome(lambda: History.open(home, write=True))
        if isinstance(w, FlashprepError):
            assert fingerprint(home) == before  # a refused writer changed nothing
        else:
            w.close()


@FUZZ
@given(st.binary(max_size=600))
def test_log_loader_on_random_bytes(data: bytes) -> None:
    with Scratch() as home:
        (home / "reviews.jsonl").write_bytes(data)
        check_history(home, write=True)
    tally("fuzz: log loader, random bytes (examples)", 1)


@FUZZ
@given(mutated_bytes(VALID_LOG), st.booleans())
def test_log_loader_on_mutated_valid_logs(data: bytes, keep_index: bool) -> None:
    with Scratch() as home:
        (home / "reviews.jsonl").write_bytes(data)
        if keep_index:
            put_index(home, VALID_INDEX)
        check_history(home, write=True)
    tally("fuzz: log loader, mutated valid logs (examples)", 1)


@FUZZ
@given(mutated_bytes(VALID_INDEX))
def test_index_loader_on_mutated_indexes(data: bytes) -> None:
    """Whatever the index holds, the states are the log's (it is rebuilt when it is not
    an index that matches the log)."""
    with Scratch() as home:
        (home / "reviews.jsonl").write_bytes(VALID_LOG)
        put_index(home, data)
        check_history(home, write=False)
        assert History.open(home).states == replay(home / "reviews.jsonl")
    tally("fuzz: index loader, mutated index files (examples)", 1)


# ------------------------------------------------------------------ config

config_docs = st.dictionaries(
    st.sampled_from(
        [
            "new_per_day",
            "reviews_per_day",
            "day_starts_at",
            "grade_buttons",
            "leech_threshold",
            "colour",
            "",
        ]
    ),
    st.one_of(st.integers(-(10**6), 10**6), toml_values),
    max_size=5,
)


@FUZZ
@given(st.one_of(st.text(max_size=300), config_docs.map(toml_text)))
def test_config_loader_on_random_input(text: str | None) -> None:
    if text is not None:
        result = outcome(lambda: parse_config(text, Path("config.toml")))
        if not isinstance(result, FlashprepError):
            assert 0 <= result.day_starts_at <= 23 and result.grade_buttons in (4, 6)
    tally("fuzz: config loader, random text and TOML (examples)", 1)


@FUZZ
@given(st.binary(max_size=300))
def test_config_file_on_random_bytes_writes_nothing(data: bytes) -> None:
    with Scratch() as home:
        (home / "config.toml").write_bytes(data)
        before = fingerprint(home)
        outcome(lambda: load_config(home))
        assert fingerprint(home) == before
    tally("fuzz: config file, random bytes (examples)", 1)


# ------------------------------------------------------------------ import

CSV_TOKENS = [
    *'abc ,;\t|"#:\n\r<>/&',
    "<br>",
    "<b>",
    "&amp;",
    "#html:true\n",
    "#separator:tab\n",
    "#separator:Pipe\n",
    "#columns:Front\tBack\n",
    "#deck column:3\n",
    "#tags column:0\n",
    "#guid column:1\n",
    "tags:x y\n",
    "\u00e9",
    "\x00",
    "\ufeff",
    "front,back\n",
    "Front\tBack\tTags\n",
]
csv_text = st.lists(st.sampled_from(CSV_TOKENS), max_size=60).map("".join)
csv_bytes = csv_text.map(lambda t: t.encode("utf-8"))


@FUZZ
@given(st.one_of(csv_text, st.text(max_size=200)), st.sampled_from([".csv", ".tsv", ".txt"]))
def test_import_reader_on_random_text(text: str, suffix: str) -> None:
    from flashprep.importfile import ParsedFile, read_text

    result = outcome(lambda: read_text(text, Path("notes" + suffix)))
    if isinstance(result, ParsedFile):
        for row in result.rows:
            assert row.front.strip() and row.line >= 1
        for bad in result.bad:
            assert "\n" not in bad.reason and bad.line >= 1
    tally("fuzz: import reader, random text (examples)", 1)


@FUZZ
@given(st.one_of(csv_bytes, st.binary(max_size=200)))
def test_import_dry_run_on_random_files_writes_nothing(data: bytes) -> None:
    from flashprep.cardmodel import Collection
    from flashprep.importer import plan_import, run_import
    from flashprep.importfile import ParsedFile, read_file

    with Scratch() as folder:
        path = folder / "notes.txt"
        path.write_bytes(data)
        home = folder / "home"
        home.mkdir()
        before = fingerprint(folder)
        parsed = outcome(lambda: read_file(path))
        if isinstance(parsed, ParsedFile):
            col = Collection()
            plan = outcome(lambda: plan_import(parsed, col, home))
            if not isinstance(plan, FlashprepError):
                outcome(lambda: run_import(plan, col, {}, home, dry_run=True))
        assert fingerprint(folder) == before
    tally("fuzz: import (read, plan, dry run), random files (examples)", 1)


@pytest.fixture(scope="module")
def import_runner():  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from flashprep.main import app

    return lambda args, env: CliRunner().invoke(app, args, env=env)


@settings(FUZZ, max_examples=max(10, EXAMPLES // 3))
@given(st.one_of(csv_bytes, st.binary(max_size=120)))
def test_the_import_command_on_random_files(import_runner, data: bytes) -> None:  # type: ignore[no-untyped-def]
    with Scratch() as folder:
        home = folder / "home"
        path = folder / "notes.csv"
        path.write_bytes(data)
        env = {"FLASHPREP_HOME": str(home), "FLASHPREP_BUNDLED": "0"}
        r = import_runner(["import", str(path), "--dry-run"], env)
        # 0: imported; 2: refused (one error line) or some rows bad (one warning per row).
        assert r.exit_code in (0, 2), r.output
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        assert "Traceback" not in r.output
        said = r.stderr.splitlines()
        assert all(x.startswith(("flashprep: error: ", "flashprep: warning: ")) for x in said)
        errors = [x for x in said if x.startswith("flashprep: error:")]
        assert len(errors) <= 1 and (r.exit_code == 2 or not errors), r.stderr
        before = fingerprint(folder)
        r = import_runner(["import", str(path)], env)
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        if any(x.startswith("flashprep: error:") for x in r.stderr.splitlines()):
            assert fingerprint(folder) == before  # refused input wrote nothing
    tally("fuzz: flashprep import command, random files (examples)", 1)


# ------------------------------------------------------------------ crafted inputs
# Inputs that crashed a loader once (found by reading the code and by longer fuzz runs).

DEEP = "[" * 5000 + "]" * 5000
LONG_INT = "1" + "0" * 5000


@pytest.mark.parametrize(
    "text, message",
    [
        (f"x = {DEEP}\n", "invalid TOML: arrays or tables nested too deeply"),
        (f"x = {LONG_INT}\n", "invalid TOML: a number is too long"),
    ],
)
def test_crafted_toml_is_a_one_line_error(text: str, message: str) -> None:
    from flashprep.errors import ConfigError, DeckError

    with pytest.raises(DeckError) as deck_exc:
        parse_deck_text(text, Path("d.toml"))
    assert str(deck_exc.value) == f"d.toml: {message}"
    with pytest.raises(ConfigError) as config_exc:
        parse_config(text, Path("config.toml"))
    assert str(config_exc.value) == f"config.toml: {message}"


@pytest.mark.parametrize(
    "line, reason",
    [
        (b"[" * 100_000, "maximum recursion depth exceeded"),
        (
            VALID_LOG.split(b"\n")[0].replace(b'"kind":"new"', b'"kind":["new"]'),
            "unknown kind ['new']",
        ),
        (
            VALID_LOG.split(b"\n")[0].replace(b'"ef":', b'"ef":1e999,"x":', 1),
            "cannot convert float infinity to integer",
        ),
    ],
)
def test_crafted_log_lines_are_corrupt_events(tmp_path: Path, line: bytes, reason: str) -> None:
    log = tmp_path / "reviews.jsonl"
    log.write_bytes(line + b"\n" + VALID_LOG)
    with pytest.raises(FlashprepError) as exc:
        scan(log)
    assert str(exc.value).startswith(f"{log}:1: corrupt event ({reason}")


def test_an_import_column_header_past_the_last_column_is_an_error() -> None:
    from flashprep.importfile import read_text

    with pytest.raises(FlashprepError) as exc:
        read_text("#deck column:3\nfront,back\n", Path("notes.csv"))
    assert str(exc.value) == "notes.csv:1: #deck column: column 3 is past the last column (2)"
