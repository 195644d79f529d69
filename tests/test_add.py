"""`flashprep add` (scripted): cards appended to user deck files byte-for-byte, the
`-extra` rule for bundled decks, readable unique ids, and the errors that write nothing."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashprep.cardfiles import is_slug, new_card_id, slugify
from flashprep.decksources import bundled_dir

USER_DECK = """\
# My SQL cards -- hand-written, keep the comments!
[deck]
id = "my-sql"   # the id never changes
name = "My SQL"
category = "Databases"

[[cards]]
id = "sql-where-having"
front = "WHERE vs HAVING?"
back = '''
WHERE filters rows, HAVING filters groups.
'''
tags = [ "sql",   "aggregates" ]   # odd spacing on purpose

# a trailing comment, then no newline at the end"""


@pytest.fixture(autouse=True)
def only_user_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def user_deck(home: Path, text: str = USER_DECK, name: str = "my-sql.toml") -> Path:
    d = home / "decks"
    d.mkdir(parents=True, exist_ok=True)
    path = d / name
    path.write_bytes(text.encode("utf-8"))
    return path


def show(cli: Any, card_id: str) -> dict[str, Any]:
    result = cli("show", card_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def status(cli: Any) -> dict[str, Any]:
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def add_json(cli: Any, *args: str, input: str | None = None) -> dict[str, Any]:
    result = cli("add", *args, "--json", input=input)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ----------------------------------------------------------------- appending


def test_the_file_is_kept_byte_for_byte_above_the_new_card(cli: Any, home: Path) -> None:
    path = user_deck(home)
    before = path.read_bytes()
    added = add_json(
        cli,
        "--deck",
        "my-sql",
        "--front",
        "What does an index cost?",
        "--back",
        "Slower writes\nand disk space.",
        "--tag",
        "sql",
        "--tag",
        "Indexes",
        "--key-point",
        "writes get slower",
        "--key-point",
        "uses disk",
    )
    after = path.read_bytes()
    assert after.startswith(before)
    # The file had no final newline: one is added, then a blank line, then the card.
    assert after[len(before) :].startswith(b"\n\n[[cards]]\n")
    assert added == {
        "id": "index-cost-" + added["id"].rsplit("-", 1)[1],
        "deck": "my-sql",
        "path": str(path),
        "line": before.count(b"\n") + 3,
        "created_deck": False,
        "via": None,
    }
    assert after.decode().splitlines()[added["line"] - 1] == "[[cards]]"
    card = show(cli, added["id"])
    assert (card["front"], card["back"]) == (
        "What does an index cost?",
        "Slower writes\nand disk space.",
    )
    assert card["tags"] == ["sql", "indexes"]
    assert card["key_points"] == ["writes get slower", "uses disk"]
    assert (card["deck"], card["line"], card["new"]) == ("my-sql", added["line"], True)
    # The old card is still there, untouched.
    assert show(cli, "sql-where-having")["back"] == "WHERE filters rows, HAVING filters groups."


def test_a_second_card_appends_after_the_first(cli: Any, home: Path) -> None:
    path = user_deck(home, USER_DECK + "\n")
    first = add_json(cli, "--deck", "my-sql", "--front", "Q1?", "--back", "A1")
    middle = path.read_bytes()
    second = add_json(cli, "--deck", "my-sql", "--front", "Q2?", "--back", "A2")
    assert path.read_bytes().startswith(middle)
    assert second["line"] > first["line"]
    data = tomllib.loads(path.read_text())
    assert [c["id"] for c in data["cards"]] == ["sql-where-having", first["id"], second["id"]]


def test_crlf_files_get_crlf_cards(cli: Any, home: Path) -> None:
    path = user_deck(home, USER_DECK.replace("\n", "\r\n") + "\r\n")
    before = path.read_bytes()
    add_json(cli, "--deck", "my-sql", "--front", "Q?", "--back", "line one\nline two")
    tail = path.read_bytes()[len(before) :]
    assert path.read_bytes().startswith(before)
    assert b"\r\n" in tail and b"\n" not in tail.replace(b"\r\n", b"")


def test_a_symlinked_deck_stays_a_symlink_and_keeps_its_mode(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    real = tmp_path / "dotfiles" / "my-sql.toml"
    real.parent.mkdir()
    real.write_text(USER_DECK, encoding="utf-8")
    real.chmod(0o640)
    (home / "decks").mkdir(parents=True)
    link = home / "decks" / "my-sql.toml"
    link.symlink_to(real)
    add_json(cli, "--deck", "my-sql", "--front", "Q?", "--back", "A")
    assert link.is_symlink()
    assert "Q?" in real.read_text()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_back_from_stdin(cli: Any, home: Path) -> None:
    user_deck(home)
    added = add_json(
        cli,
        "--deck",
        "my-sql",
        "--front",
        "Explain EXPLAIN",
        "--back",
        "-",
        input="```sql\nEXPLAIN ANALYZE SELECT 1;\n```\n",
    )
    assert show(cli, added["id"])["back"] == "```sql\nEXPLAIN ANALYZE SELECT 1;\n```"


def test_the_new_card_is_new_in_status(cli: Any, home: Path) -> None:
    user_deck(home)
    assert status(cli)["new"] == 1
    add_json(cli, "--deck", "my-sql", "--front", "Q?", "--back", "A")
    assert status(cli)["new"] == 2


def test_text_output(cli: Any, home: Path) -> None:
    path = user_deck(home, USER_DECK + "\n")
    result = cli("add", "--deck", "my-sql", "--front", "Why VACUUM?", "--back", "Dead tuples.")
    assert result.exit_code == 0, result.output
    card_id = new_card_id("Why VACUUM?", ())
    line = USER_DECK.count("\n") + 3
    assert result.stdout == f"added {card_id} to my-sql ({path}:{line})\n"


def test_editor_writes_front_and_back(cli: Any, home: Path, tmp_path: Path) -> None:
    user_deck(home)
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "t = p.read_text()\n"
        "t = t.replace('-->\\n', '-->\\nTyped in the editor?\\n', 1)\n"
        "p.write_text(t + 'Yes.\\n')\n"
    )
    env = {"EDITOR": f"{sys.executable} {script}"}
    result = cli("add", "--deck", "my-sql", "--editor", "--json", env=env)
    assert result.exit_code == 0, result.output
    card = show(cli, json.loads(result.stdout)["id"])
    assert (card["front"], card["back"]) == ("Typed in the editor?", "Yes.")


# ----------------------------------------------------------------- bundled decks


def test_bundled_decks_are_never_written(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "1")
    bundled = bundled_dir() / "python.toml"
    digest = hashlib.sha256(bundled.read_bytes()).hexdigest()
    result = cli(
        "add", "--deck", "python", "--front", "What is a GIL-free build?", "--back", "PEP 703."
    )
    assert result.exit_code == 0, result.output
    extra = home / "decks" / "python-extra.toml"
    card_id = new_card_id("What is a GIL-free build?", ())
    assert result.stdout == (
        "created user deck 'python-extra' for your cards next to 'python'\n"
        f"added {card_id} to python-extra ({extra}:8)\n"
    )
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == digest
    data = tomllib.loads(extra.read_text())
    assert data["deck"] == {
        "id": "python-extra",
        "name": "Python must-knows (my cards)",
        "category": "Python",
        "description": "My own cards next to the bundled deck 'python'.",
    }
    # The next card for `python` goes into the same -extra deck.
    again = add_json(cli, "--deck", "python", "--front", "Another?", "--back", "Yes.")
    assert (again["deck"], again["path"], again["created_deck"]) == (
        "python-extra",
        str(extra),
        False,
    )
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == digest
    decks = json.loads(cli("decks", "--json").stdout)
    assert {d["id"]: d["cards"] for d in decks}["python-extra"] == 2


def test_decks_from_a_decks_folder_are_not_written_either(
    cli: Any, home: Path, mini_decks: Path
) -> None:
    before = (mini_decks / "mini.toml").read_bytes()
    result = cli(
        "--decks",
        str(mini_decks),
        "add",
        "--deck",
        "mini",
        "--front",
        "Four?",
        "--back",
        "4",
        "--json",
    )
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    assert added["deck"] == "mini-extra" and added["via"] == "mini"
    assert (mini_decks / "mini.toml").read_bytes() == before
    assert Path(added["path"]) == home / "decks" / "mini-extra.toml"


# ----------------------------------------------------------------- ids


def test_ids_are_a_readable_slug_plus_a_suffix() -> None:
    card_id = new_card_id("What is the GIL in Python?", ())
    base, suffix = card_id.rsplit("-", 1)
    assert base == "gil-python"
    assert len(suffix) == 4 and int(suffix, 16) >= 0
    assert new_card_id("What is the GIL in Python?", ()) == card_id  # reproducible
    assert new_card_id("¿Qué es el GIL?", ()).startswith("que-es-el-gil-")
    assert new_card_id("日本語", ()).startswith("card-")
    assert slugify("  FastAPI: Depends() & yield!  ") == "fastapi-depends-yield"


@given(
    st.text(max_size=80), st.sets(st.text(alphabet="abcdef0123456789-", max_size=12), max_size=5)
)
def test_new_ids_are_slugs_and_never_taken(front: str, extra: set[str]) -> None:
    first = new_card_id(front, ())
    taken = extra | {first}
    card_id = new_card_id(front, taken)
    assert is_slug(card_id) and card_id not in taken


def test_the_same_front_twice_gets_two_ids(cli: Any, home: Path) -> None:
    user_deck(home)
    a = add_json(cli, "--deck", "my-sql", "--front", "Same?", "--back", "one")
    result = cli("add", "--deck", "my-sql", "--front", "Same?", "--back", "two", "--json")
    assert result.exit_code == 0
    b = json.loads(result.stdout)
    assert a["id"] != b["id"]
    assert (
        result.stderr == f"flashprep: warning: card {a['id']!r} has the same front; both are kept\n"
    )


def test_ids_are_unique_across_decks_and_the_history(cli: Any, home: Path) -> None:
    front = "Unique?"
    first_choice = new_card_id(front, ())
    # Another deck already uses the id the front would get ...
    user_deck(
        home,
        '[deck]\nid = "other"\nname = "O"\ncategory = "C"\n\n'
        f'[[cards]]\nid = "{first_choice}"\nfront = "x"\nback = "y"\n',
        "other.toml",
    )
    user_deck(home)
    # ... and the history remembers the next one (a card deleted from its deck).
    second_choice = new_card_id(front, {first_choice})
    (home / "reviews.jsonl").write_text(
        json.dumps(
            {
                "v": 1,
                "id": "0000000000000000aaaa",
                "card_id": second_choice,
                "ts": "2026-03-01T09:00:00.000Z",
                "day": "2026-03-01",
                "kind": "suspend",
                "state": {"suspended": True},
            }
        )
        + "\n"
    )
    added = add_json(cli, "--deck", "my-sql", "--front", front, "--back", "A")
    assert added["id"] not in (first_choice, second_choice)
    assert added["id"] == new_card_id(front, {first_choice, second_choice})


def test_the_history_is_read_for_its_ids_only(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep.schedule import CardState

    user_deck(home)
    assert cli("suspend", "sql-where-having").exit_code == 0  # leaves an index
    assert (home / "cache" / "index.sqlite").exists()

    def decode(row: Any) -> CardState:
        raise AssertionError("a card state was decoded")

    # A new id only has to avoid the ids: decoding 20,000 states took ~35 ms.
    monkeypatch.setattr(CardState, "from_row", staticmethod(decode))
    added = add_json(cli, "--deck", "my-sql", "--front", "Ids only?", "--back", "A")
    assert added["id"] == new_card_id("Ids only?", {"sql-where-having"})


# ----------------------------------------------------------------- new decks


def test_create_a_new_user_deck(cli: Any, home: Path) -> None:
    result = cli(
        "add",
        "--deck",
        "redis",
        "--create",
        "--deck-name",
        "Redis",
        "--category",
        "Caching",
        "--front",
        "Redis persistence?",
        "--back",
        "RDB and AOF.",
        "--json",
    )
    assert result.exit_code == 0, result.output
    added = json.loads(result.stdout)
    path = home / "decks" / "redis.toml"
    assert added == {
        "id": added["id"],
        "deck": "redis",
        "path": str(path),
        "line": 7,
        "created_deck": True,
        "via": None,
    }
    assert tomllib.loads(path.read_text())["deck"] == {
        "id": "redis",
        "name": "Redis",
        "category": "Caching",
    }
    assert path.read_text().startswith("# Created by flashprep.")


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--deck", "my-sq", "--front", "Q", "--back", "A"],
            "no deck 'my-sq' (did you mean 'my-sql'?); "
            "pass --create to start a new user deck 'my-sq'",
        ),
        (
            ["--deck", "my-sql", "--front", "Q"],
            "give both --front and --back (or --editor to write them in $EDITOR)",
        ),
        (
            ["--front", "Q", "--back", "A"],
            "--deck is required with --front/--back (see `flashprep decks`)",
        ),
        (["--deck", "my-sql", "--front", "  ", "--back", "A"], "the front (the question) is empty"),
        (["--deck", "my-sql", "--front", "Q", "--back", ""], "the back (the answer) is empty"),
        (
            ["--deck", "my-sql", "--front", "Q", "--back", "A", "--tag", "!!!"],
            "tag '!!!' has no letters or digits to make a tag from",
        ),
        (
            ["--deck", "my-sql", "--front", "Q", "--back", "A", *["-k", "p"] * 6],
            "at most 5 key points, got 6",
        ),
        (
            ["--deck", "Bad Id", "--create", "--front", "Q", "--back", "A"],
            "deck id 'Bad Id' is not a slug "
            "(lowercase letters, digits and single hyphens, e.g. 'my-sql')",
        ),
        (
            ["--deck", "my-sql", "--editor"],
            "no editor: set $EDITOR (for example: export EDITOR=nano)",
        ),
        ([], "add needs --deck, --front and --back when it is not run in a terminal"),
    ],
)
def test_bad_input_writes_nothing(cli: Any, home: Path, args: list[str], message: str) -> None:
    path = user_deck(home)
    before = path.read_bytes()
    result = cli("add", *args)
    assert (result.exit_code, result.stderr) == (2, f"flashprep: error: {message}\n")
    assert path.read_bytes() == before
    assert sorted(p.name for p in (home / "decks").iterdir()) == ["my-sql.toml"]


@pytest.mark.parametrize(
    ("args", "stdin", "env", "message"),
    [
        (["--back", "-"], b"caf\xe9\n", {}, "--back -: standard input is not UTF-8 text"),
        # Undecodable argv bytes reach Python as lone surrogates.
        (["--back", "caf\udce9"], None, {}, "the back is not UTF-8 text"),
        (
            ["--editor"],
            None,
            {"EDITOR": "vi '"},
            '$EDITOR ("vi \'") cannot be split into a command: No closing quotation',
        ),
        (
            ["--editor"],
            None,
            {"EDITOR": f'{sys.executable} -c "import sys; sys.exit(3)"'},
            f"the editor {sys.executable!r} exited with status 3; nothing was added",
        ),
    ],
)
def test_bad_text_and_bad_editors_write_nothing(
    cli: Any, home: Path, args: list[str], stdin: bytes | None, env: dict[str, str], message: str
) -> None:
    path = user_deck(home)
    before = path.read_bytes()
    result = cli("add", "--deck", "my-sql", "--front", "Q", *args, input=stdin, env=env)
    assert (result.exit_code, result.stderr) == (2, f"flashprep: error: {message}\n")
    assert path.read_bytes() == before


def test_an_editor_that_saves_latin1_adds_nothing(cli: Any, home: Path, tmp_path: Path) -> None:
    path = user_deck(home)
    before = path.read_bytes()
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[-1])\n"
        "p.write_bytes(p.read_bytes().replace(b'-->\\n', b'-->\\ncaf\\xe9?\\n', 1) + b'Yes.\\n')\n"
    )
    env = {"EDITOR": f"{sys.executable} {script}"}
    result = cli("add", "--deck", "my-sql", "--editor", env=env)
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: the edited text is not UTF-8 (set your editor to save UTF-8); "
        "nothing was added\n",
    )
    assert path.read_bytes() == before


def test_a_broken_deck_file_is_reported_and_left_alone(cli: Any, home: Path) -> None:
    path = user_deck(home, USER_DECK.replace('name = "My SQL"', 'name = "My SQL'))
    before = path.read_bytes()
    result = cli("add", "--deck", "my-sql", "--front", "Q", "--back", "A")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"flashprep: error: {path}:4:")
    assert path.read_bytes() == before


def test_no_temporary_files_are_left_behind(cli: Any, home: Path) -> None:
    user_deck(home)
    add_json(cli, "--deck", "my-sql", "--front", "Q?", "--back", "A")
    assert sorted(os.listdir(home / "decks")) == ["my-sql.toml"]
