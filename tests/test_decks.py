"""Deck loading: sources, validation messages, duplicate ids, the parse cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flashprep.deckparse import read_deck_file
from flashprep.decks import load_collection
from flashprep.errors import DeckError

HEAD = '[deck]\nid = "d"\nname = "D"\ncategory = "C"\n'


def card(cid: str, extra: str = "") -> str:
    return f'\n[[cards]]\nid = "{cid}"\nfront = "Q {cid}?"\nback = "A"\n{extra}'


def write(dirpath: Path, name: str, text: str | bytes) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    p = dirpath / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    "text, message",
    [
        (
            HEAD + '\n[[cards]]\nid = "a"\nfront = "Q"\nback = "x\n',
            ":9:10: invalid TOML: Illegal character '\\n'",
        ),
        (
            HEAD + '\n[[cards]]\nid = "a"\nfront = ""\nback = "A"\n',
            ":8: card 'a': front: must not be empty",
        ),
        (HEAD + '\n[[cards]]\nid = "a"\nfront = "Q"\n', ":6: card 'a': missing field 'back'"),
        (
            HEAD + '\n[[cards]]\nid = "a"\nfront = "Q"\nback = "  "\n',
            ":6: card 'a': field 'back' must not be empty "
            "(mark an unanswered card with draft = true)",
        ),
        (HEAD + card("a", 'fornt = "typo"\n'), ":10: card 'a': unknown key 'fornt'"),
        (
            HEAD + card("Bad_Id"),
            ":7: card 'Bad_Id': id: 'Bad_Id' is not a slug "
            "(lowercase letters, digits and single hyphens, e.g. 'python-gil')",
        ),
        (HEAD + 'colour = "red"\n', ":5: [deck] unknown key 'colour'"),
        ('[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n', ": missing [deck] table"),
        (HEAD + card("a", 'tags = "x"\n'), ":10: card 'a': tags must be a list, got str"),
        (HEAD + card("a") + card("a"), ":11: duplicate card id 'a' (also at line 6)"),
        (
            HEAD + card("a", "time_limit = -5\n"),
            ":10: card 'a': time_limit: Input should be greater than 0",
        ),
        (
            HEAD + card("a", 'time_limit = "90"\n'),
            ":10: card 'a': time_limit must be a whole number, got str",
        ),
    ],
)
def test_file_errors_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path, "deck.toml", text)
    with pytest.raises(DeckError) as exc:
        read_deck_file(p)
    assert str(exc.value) == f"{p}{message}", str(exc.value)
    assert "\n" not in str(exc.value)


def test_non_utf8(tmp_path: Path) -> None:
    p = write(tmp_path, "deck.toml", (HEAD + card("a")).encode() + b"\n# caf\xe9\n")
    with pytest.raises(DeckError) as exc:
        read_deck_file(p)
    assert str(exc.value) == f"{p}:11: not UTF-8 text (save the file as UTF-8)"


def test_draft_may_have_an_empty_back(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        "deck.toml",
        HEAD + '\n[[cards]]\nid = "a"\nfront = "Q"\nback = ""\ndraft = true\n',
    )
    data = read_deck_file(p)
    assert data["cards"][0]["draft"] is True


def test_sources_in_order_and_duplicates_across_files(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    write(home / "decks", "mine.toml", HEAD + card("a") + card("b"))
    extra = tmp_path / "extra"
    write(extra, "more.toml", HEAD.replace('"d"', '"e"') + card("c"))
    col = load_collection(home, [extra])
    assert list(col.cards) == ["a", "b", "c"]
    assert [d.id for d in col.decks] == ["d", "e"]
    write(extra, "clash.toml", HEAD.replace('"d"', '"f"') + card("b"))
    with pytest.raises(DeckError) as exc:
        load_collection(home, [extra])
    assert str(exc.value) == (
        f"{extra / 'clash.toml'}:6: duplicate card id 'b': "
        f"also in {home / 'decks' / 'mine.toml'}:11"
    )


def test_override_replaces_a_bundled_card(home: Path) -> None:
    from flashprep.decksources import bundled_dir

    bundled = load_collection(home)
    first = next(iter(bundled.cards.values()))
    write(home / "decks", "mine.toml", HEAD.replace('"d"', '"mine"') + card(first.id))
    with pytest.raises(DeckError) as exc:
        load_collection(home)
    assert "set override = true to replace a bundled card" in str(exc.value)
    write(
        home / "decks",
        "mine.toml",
        HEAD.replace('"d"', '"mine"') + card(first.id, "override = true\n"),
    )
    col = load_collection(home)
    replaced = col.cards[first.id]
    assert replaced.front == f"Q {first.id}?"
    assert replaced.deck == first.deck  # still reviewed with its deck
    assert str(bundled_dir()) not in replaced.path
    assert len(col.cards) == len(bundled.cards)


def test_missing_decks_dir(home: Path, tmp_path: Path) -> None:
    with pytest.raises(DeckError) as exc:
        load_collection(home, [tmp_path / "nope"])
    assert str(exc.value) == f"--decks {tmp_path / 'nope'}: no such directory"


def test_a_file_reached_twice_is_loaded_once(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    mine = write(home / "decks", "mine.toml", HEAD + card("a"))
    extra = write(tmp_path / "extra", "e.toml", HEAD.replace('"d"', '"e"') + card("b"))
    col = load_collection(home, [home / "decks", mine, extra.parent, extra.parent])
    assert (list(col.cards), [d.id for d in col.decks]) == (["a", "b"], ["d", "e"])
    assert col.cards["a"].path == str(mine)  # the user's copy, loaded first, is the one kept


def test_decks_option_on_a_file_that_is_not_a_deck(home: Path, tmp_path: Path) -> None:
    notes = write(tmp_path, "notes.txt", "hello")
    with pytest.raises(DeckError) as exc:
        load_collection(home, [notes])
    assert str(exc.value) == f"--decks {notes}: not a folder or a .toml deck file"


def test_user_decks_path_that_is_a_file(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    home.mkdir(parents=True)
    (home / "decks").write_text("x", encoding="utf-8")
    with pytest.raises(DeckError) as exc:
        load_collection(home)
    assert str(exc.value) == (
        f"{home / 'decks'} is a file, but flashprep keeps your decks in a folder there: "
        "rename or move that file"
    )


def test_symlink_loop_is_a_deck_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    (home / "decks").mkdir(parents=True)
    loop = home / "decks" / "loop.toml"
    loop.symlink_to(loop)
    with pytest.raises(DeckError) as exc:
        load_collection(home)
    assert str(exc.value) == f"{loop}: cannot read: Too many levels of symbolic links"


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    p = write(tmp_path, "deck.toml", ("\ufeff" + HEAD + card("a", "back2 = 1\n")).encode())
    with pytest.raises(DeckError) as exc:  # line numbers still count from the first line
        read_deck_file(p)
    assert str(exc.value) == f"{p}:10: card 'a': unknown key 'back2'"
    write(tmp_path, "deck.toml", ("\ufeff" + HEAD + card("a")).encode())
    assert [c["id"] for c in read_deck_file(p)["cards"]] == ["a"]


def test_cache_is_used_and_invalidated(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    p = write(home / "decks", "mine.toml", HEAD + card("a"))
    load_collection(home)
    assert (home / "cache" / "index.sqlite").exists()
    calls = []
    import flashprep.decks as decks

    real = decks.read_deck_file
    monkeypatch.setattr(decks, "read_deck_file", lambda path: calls.append(path) or real(path))
    load_collection(home)
    assert calls == []  # warm: no parsing
    p.write_text(HEAD + card("a") + card("b"), encoding="utf-8")
    col = load_collection(home)
    assert calls == [p] and list(col.cards) == ["a", "b"]


def test_a_cached_load_gives_the_same_cards_and_decks(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import fields

    from flashprep.cardmodel import Card

    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    every_field = (
        'tags = ["x", "y"]\ntopic = "t"\nkey_points = ["k1", "k2"]\nhint = "h"\n'
        'guid = "g&1"\ntime_limit = 90\n'
    )
    write(
        home / "decks",
        "mine.toml",
        HEAD
        + card("a", every_field)
        + card("b")
        + '\n[[cards]]\nid = "c"\nfront = "Q?"\nback = ""\ndraft = true\n'
        + card("d", 'kind = "sql"\ndataset = "shop"\nsolution = "SELECT 1"\nordered = true\n')
        + card("e", 'kind = "python"\nsolution = "x = 1"\ntests = "assert x == 1"\n'),
    )
    cold = load_collection(home)  # parses, fills the cache
    warm = load_collection(home)  # reads the cache only
    assert list(warm.cards) == ["a", "b", "c", "d", "e"]
    assert warm.cards == cold.cards and warm.decks == cold.decks
    a = warm.cards["a"]
    flags = ("draft", "override")
    exercise = ("kind", "dataset", "solution", "ordered", "tests")
    assert all(
        getattr(a, f.name) != f.default for f in fields(Card) if f.name not in flags + exercise
    )
    assert warm.cards["c"].draft
    d, e = warm.cards["d"], warm.cards["e"]
    assert all(getattr(d, k) != getattr(a, k) for k in ("kind", "dataset", "solution", "ordered"))
    assert (e.kind, e.solution, e.tests) == ("python", "x = 1", "assert x == 1")


def test_an_unreadable_cache_is_a_miss(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    write(home / "decks", "mine.toml", HEAD + card("a"))
    load_collection(home)
    index = home / "cache" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        index.with_name(index.name + suffix).unlink(missing_ok=True)
    index.write_bytes(b"\x00garbage" * 100)
    assert list(load_collection(home).cards) == ["a"]


def test_warm_start_does_not_import_pydantic(home: Path) -> None:
    load_collection(home)  # fills the cache
    code = (
        "import sys; from pathlib import Path; from flashprep.decks import load_collection;"
        f"load_collection(Path({str(home)!r})); print('pydantic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bundled_decks_ship_and_load(home: Path) -> None:
    col = load_collection(home)
    assert len(col.decks) >= 10
    assert all(d.source == "bundled" for d in col.decks)
