"""Card management through the CLI: suspend, unsuspend, bury, forget, undo, leeches,
the `cards` listing and `edit`, each checked through `status --json` and `show --json`."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from flashprep.cardfiles import new_card_id
from flashprep.decksources import bundled_dir


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def at(monkeypatch: pytest.MonkeyPatch, day: str, hour: str = "09:00") -> None:
    monkeypatch.setenv("FLASHPREP_NOW", f"{day}T{hour}:00+00:00")


def ok(cli: Any, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    result = cli(*args, input=input, env=env)
    assert result.exit_code == 0, result.output
    return result


def status(cli: Any, decks: Path) -> dict[str, Any]:
    return json.loads(ok(cli, "--decks", str(decks), "status", "--json").stdout)


def show(cli: Any, decks: Path, card_id: str) -> dict[str, Any]:
    return json.loads(ok(cli, "--decks", str(decks), "show", card_id, "--json").stdout)


def state(cli: Any, decks: Path, card_id: str) -> dict[str, Any]:
    """show --json without the history list (what an undo must restore exactly)."""
    report = show(cli, decks, card_id)
    report.pop("history")
    return report


def log(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def review(cli: Any, decks: Path, keys: str) -> None:
    """A plain review session: `keys` is what is typed, one line per prompt."""
    ok(cli, "--decks", str(decks), "review", input=keys)


# ----------------------------------------------------------------- suspend / unsuspend


def test_suspend_and_unsuspend(cli: Any, mini_decks: Path, home: Path) -> None:
    d = str(mini_decks)
    assert status(cli, mini_decks)["new"] == 3
    result = ok(cli, "--decks", d, "suspend", "mini-one")
    assert result.stdout == "suspended mini-one: now suspended\n"
    assert status(cli, mini_decks)["new"] == 2
    card = show(cli, mini_decks, "mini-one")
    assert (card["suspended"], card["new"]) == (True, True)
    assert [e["kind"] for e in card["history"]] == ["suspend"]
    # A second suspend changes nothing and writes nothing.
    result = ok(cli, "--decks", d, "suspend", "mini-one")
    assert result.stdout == "mini-one: already suspended, nothing to do\n"
    assert len(log(home)) == 1
    result = ok(cli, "--decks", d, "unsuspend", "mini-one")
    assert result.stdout == "unsuspended mini-one: now new\n"
    assert status(cli, mini_decks)["new"] == 3
    assert show(cli, mini_decks, "mini-one")["suspended"] is False
    assert [e["kind"] for e in log(home)] == ["suspend", "unsuspend"]


def test_several_ids_and_json(cli: Any, mini_decks: Path) -> None:
    d = str(mini_decks)
    ok(cli, "--decks", d, "suspend", "mini-two")
    result = ok(cli, "--decks", d, "suspend", "mini-one", "mini-two", "mini-one", "--json")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["changed"]) for r in rows] == [("mini-one", True), ("mini-two", False)]
    assert rows[1]["reason"] == "already suspended"
    assert rows[0]["state"]["suspended"] is True
    assert status(cli, mini_decks)["new"] == 1


def test_unknown_ids_are_an_error_and_nothing_is_written(
    cli: Any, mini_decks: Path, home: Path
) -> None:
    for command in ("suspend", "unsuspend", "bury", "forget"):
        result = cli("--decks", str(mini_decks), command, "mini-one", "mini-tree")
        assert result.exit_code == 2
        assert result.stderr == (
            "flashprep: error: no card 'mini-tree' "
            "(did you mean 'mini-three', 'mini-two', 'mini-one'?)\n"
        )
    assert log(home) == []


def files_of(home: Path) -> dict[str, str]:
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.parts[-2] != "cache"
    }


def test_an_unknown_id_writes_no_backup_either(cli: Any, mini_decks: Path, home: Path) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    before = files_of(home)
    assert not (home / "backups").exists()  # the review began with an empty log
    for command in ("suspend", "unsuspend", "bury", "forget"):
        result = cli("--decks", str(mini_decks), command, "mini-tree")
        assert result.exit_code == 2, result.output
    assert files_of(home) == before


def test_nothing_to_undo_in_a_new_home_writes_nothing(
    cli: Any, mini_decks: Path, home: Path
) -> None:
    result = cli("--decks", str(mini_decks), "undo")
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: nothing to undo: the history has no answer that is not already undone\n",
    )
    assert not home.exists()


# ----------------------------------------------------------------- bury


def test_bury_hides_a_due_card_until_the_next_study_day(
    cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review(cli, mini_decks, "\n5\nq\n")  # mini-one, due tomorrow
    at(monkeypatch, "2026-03-11")
    assert status(cli, mini_decks)["due"] == 1
    result = ok(cli, "--decks", str(mini_decks), "bury", "mini-one")
    assert result.stdout == "buried mini-one: now buried until 2026-03-12\n"
    assert status(cli, mini_decks)["due"] == 0
    assert show(cli, mini_decks, "mini-one")["buried_until"] == "2026-03-12"
    # 03:00 is still the study day of the 11th (the day starts at 04:00).
    at(monkeypatch, "2026-03-12", "03:00")
    assert status(cli, mini_decks)["due"] == 0
    at(monkeypatch, "2026-03-12", "04:00")
    assert status(cli, mini_decks)["due"] == 1
    rows = json.loads(ok(cli, "--decks", str(mini_decks), "cards", "--due", "--json").stdout)
    assert [r["id"] for r in rows] == ["mini-one"]


def test_bury_a_new_card(cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ok(cli, "--decks", str(mini_decks), "bury", "mini-two")
    assert status(cli, mini_decks)["new"] == 2
    at(monkeypatch, "2026-03-11")
    assert status(cli, mini_decks)["new"] == 3


# ----------------------------------------------------------------- forget


def test_forget_makes_a_card_new_and_keeps_its_events(
    cli: Any, mini_decks: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    at(monkeypatch, "2026-03-11")
    review(cli, mini_decks, "\n4\nq\n")
    card = show(cli, mini_decks, "mini-one")
    assert (card["new"], card["reviews"], card["due"]) == (False, 2, "2026-03-17")
    result = ok(cli, "--decks", str(mini_decks), "forget", "mini-one")
    assert result.stdout == "forgot mini-one: now new\n"
    card = show(cli, mini_decks, "mini-one")
    assert (card["new"], card["reviews"], card["due"], card["ef"]) == (True, 0, None, 2.5)
    assert [e["kind"] for e in card["history"]] == ["new", "review", "forget"]
    assert status(cli, mini_decks)["new"] == 3
    assert ok(cli, "--decks", str(mini_decks), "forget", "mini-one").stdout == (
        "mini-one: already new, nothing to do\n"
    )
    assert len(log(home)) == 3


# ----------------------------------------------------------------- undo


def test_undo_restores_the_exact_previous_state(
    cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review(cli, mini_decks, "\n4\nq\n")
    at(monkeypatch, "2026-03-11")
    before_card = state(cli, mini_decks, "mini-one")
    before_status = status(cli, mini_decks)
    review(cli, mini_decks, "\n1\nq\n")  # a lapse: due again, re-drill pending
    assert state(cli, mini_decks, "mini-one") != before_card
    result = ok(cli, "--decks", str(mini_decks), "undo")
    assert result.stdout == (
        "undid the review answer to mini-one graded 1 on 2026-03-11: "
        "now due 2026-03-11, interval 1d, EF 2.50\n"
    )
    assert state(cli, mini_decks, "mini-one") == before_card
    assert status(cli, mini_decks) == before_status
    kinds = [e["kind"] for e in show(cli, mini_decks, "mini-one")["history"]]
    assert kinds == ["new", "review", "undo"]  # append-only: the answer stays in the log


def test_undo_goes_back_answer_by_answer_then_stops(cli: Any, mini_decks: Path, home: Path) -> None:
    empty_card = state(cli, mini_decks, "mini-one")
    review(cli, mini_decks, "\n5\n\n4\nq\n")
    undo = ok(cli, "--decks", str(mini_decks), "undo", "--json")
    first = json.loads(undo.stdout)
    assert first["card_id"] == "mini-two"
    assert first["undone"]["grade"] == 4
    assert log(home)[-1]["undoes"] == first["undone"]["id"]
    ok(cli, "--decks", str(mini_decks), "undo")
    assert state(cli, mini_decks, "mini-one") == empty_card
    assert status(cli, mini_decks)["new"] == 3
    result = cli("--decks", str(mini_decks), "undo")
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: nothing to undo: the history has no answer that is not already undone\n",
    )


def test_undo_warns_once_about_a_damaged_index(cli: Any, mini_decks: Path, home: Path) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    index = home / "cache" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        index.with_name(index.name + suffix).unlink(missing_ok=True)
    index.write_text("garbage")
    result = ok(cli, "--decks", str(mini_decks), "undo")
    assert result.stderr == (
        f"flashprep: warning: {index} is damaged; rebuilding it from the log\n"
    )


def test_undo_skips_an_answer_the_session_already_undid(
    cli: Any, mini_decks: Path, home: Path
) -> None:
    # one: 5, two: 4, then at three's grade prompt `u` takes two's answer back.
    review(cli, mini_decks, "\n5\n\n4\n\nu\nq\n")
    assert [e["kind"] for e in log(home)] == ["new", "new", "undo"]
    result = ok(cli, "--decks", str(mini_decks), "undo")
    assert result.stdout == "undid the new answer to mini-one graded 5 on 2026-03-10: now new\n"
    assert show(cli, mini_decks, "mini-two")["new"] is True


def test_undo_keeps_what_was_done_to_the_card_since(
    cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    ok(cli, "--decks", str(mini_decks), "suspend", "mini-one")
    ok(cli, "--decks", str(mini_decks), "undo")
    card = show(cli, mini_decks, "mini-one")
    assert (card["new"], card["suspended"], card["reviews"]) == (True, True, 0)


def test_undo_across_days(cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    at(monkeypatch, "2026-03-11")
    day_one = state(cli, mini_decks, "mini-one")
    review(cli, mini_decks, "\n5\nq\n")
    at(monkeypatch, "2026-03-20")
    ok(cli, "--decks", str(mini_decks), "undo")
    assert state(cli, mini_decks, "mini-one") == {**day_one, "due": "2026-03-11"}


# ----------------------------------------------------------------- leeches

SOLO_DECK = """\
[deck]
id = "solo"
name = "Solo"
category = "Testing"

[[cards]]
id = "solo-card"
front = "Hard?"
back = "Very."
"""


@pytest.mark.parametrize("threshold", [None, 3])
def test_a_card_that_lapses_enough_is_a_suspended_leech(
    cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: int | None
) -> None:
    decks = tmp_path / "solo"
    decks.mkdir()
    (decks / "solo.toml").write_text(SOLO_DECK)
    if threshold is not None:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(f"leech_threshold = {threshold}\n")
    limit = threshold or 8
    review(cli, decks, "\n5\n")  # learned on day 0
    for lapse in range(1, limit + 1):
        at(monkeypatch, f"2026-04-{2 * lapse - 1:02d}")
        review(cli, decks, "\n0\nq\n")  # a lapse
        card = show(cli, decks, "solo-card")
        assert card["lapses"] == lapse
        assert (card["leech"], card["suspended"]) == ((lapse == limit),) * 2
        if lapse < limit:
            at(monkeypatch, f"2026-04-{2 * lapse:02d}")
            review(cli, decks, "\n5\n")  # learned again
    leeches = json.loads(ok(cli, "--decks", str(decks), "cards", "--leeches", "--json").stdout)
    assert [(r["id"], r["status"], r["lapses"]) for r in leeches] == [("solo-card", "leech", limit)]
    at(monkeypatch, "2026-05-20")
    assert status(cli, decks)["due"] == 0
    # Unsuspended, it is due again but still marked a leech.
    ok(cli, "--decks", str(decks), "unsuspend", "solo-card")
    assert status(cli, decks)["due"] == 1
    card = show(cli, decks, "solo-card")
    assert (card["leech"], card["suspended"]) == (True, False)
    leeches = json.loads(ok(cli, "--decks", str(decks), "cards", "--leeches", "--json").stdout)
    assert [r["status"] for r in leeches] == ["due"]


# ----------------------------------------------------------------- cards


def ids(cli: Any, decks: Path, *args: str) -> list[str]:
    result = ok(cli, "--decks", str(decks), "cards", *args, "--json")
    return [r["id"] for r in json.loads(result.stdout)]


def test_cards_filters(cli: Any, mini_decks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    review(cli, mini_decks, "\n5\nq\n")
    ok(cli, "--decks", str(mini_decks), "suspend", "mini-three")
    at(monkeypatch, "2026-03-11")
    assert ids(cli, mini_decks) == ["mini-one", "mini-two", "mini-three"]
    assert ids(cli, mini_decks, "--due") == ["mini-one"]
    assert ids(cli, mini_decks, "--new") == ["mini-two"]
    assert ids(cli, mini_decks, "--suspended") == ["mini-three"]
    assert ids(cli, mini_decks, "--due", "--new") == ["mini-one", "mini-two"]
    assert ids(cli, mini_decks, "--leeches") == []
    assert ids(cli, mini_decks, "--tag", "even") == ["mini-two"]
    assert ids(cli, mini_decks, "--search", "THREE") == ["mini-three"]
    assert ids(cli, mini_decks, "--search", "2") == ["mini-two"]  # the back
    assert ids(cli, mini_decks, "--deck", "mini", "--new", "--search", "one") == []
    row = json.loads(ok(cli, "--decks", str(mini_decks), "cards", "--due", "--json").stdout)[0]
    assert row == {
        "id": "mini-one",
        "deck": "mini",
        "front": "One?",
        "tags": ["numbers"],
        "status": "due",
        "due": "2026-03-11",
        "interval": 1,
        "ef": 2.6,
        "repetitions": 1,
        "lapses": 0,
        "reviews": 1,
        "suspended": False,
        "buried_until": None,
        "leech": False,
        "draft": False,
        "path": str(mini_decks / "mini.toml"),
        "line": 7,
    }


def test_cards_table(cli: Any, mini_decks: Path) -> None:
    ok(cli, "--decks", str(mini_decks), "suspend", "mini-three")
    out = ok(cli, "--decks", str(mini_decks), "cards", env={"COLUMNS": "100"}).stdout
    lines = out.splitlines()
    assert lines[0].strip() == "3 card(s)"
    assert lines[1].split() == ["id", "deck", "front", "due", "interval", "EF", "lapses"]
    assert lines[2].split() == ["mini-one", "mini", "One?", "new", "2.50", "0"]
    assert lines[4].split() == ["mini-three", "mini", "Three?", "suspended", "2.50", "0"]
    assert ok(cli, "--decks", str(mini_decks), "cards", "--leeches").stdout == "No cards match.\n"


def test_cards_cuts_a_long_front_to_the_width(cli: Any, home: Path) -> None:
    ok(cli, "add", "--deck", "long", "--create", "--front", "word " * 40, "--back", "b")
    out = ok(cli, "cards", env={"COLUMNS": "120"}).stdout
    row = out.splitlines()[2]
    assert len(row) <= 120
    assert row.split()[1] == "long"
    assert "word wor…" in row  # the front, cut to fit ...
    assert row.split()[-3:] == ["new", "2.50", "0"]  # ... so the columns after it still show
    # Narrower: the id stays whole on its line, columns give way (flashprep/ui/layout.py).
    lines = ok(cli, "cards", env={"COLUMNS": "90"}).stdout.splitlines()
    assert all(len(line) <= 90 for line in lines)
    assert lines[2].split()[0] == new_card_id("word " * 40, ())
    assert lines[2].split()[-1] == "0" and "word word…" in lines[2]


def test_cards_unknown_tag(cli: Any, mini_decks: Path) -> None:
    result = cli("--decks", str(mini_decks), "cards", "--tag", "eve")
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: no card has the tag 'eve' (did you mean 'even'?)\n",
    )


# ----------------------------------------------------------------- edit

EDITOR = """\
import os, pathlib, sys
with open(os.environ["EDIT_LOG"], "a") as fh:
    fh.write(" ".join(sys.argv[1:]) + "\\n")
path = pathlib.Path(sys.argv[-1])
if os.environ.get("EDIT_FROM"):
    path.write_text(path.read_text().replace(os.environ["EDIT_FROM"], os.environ["EDIT_TO"]))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    calls = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDIT_LOG", str(calls))
    return calls


def test_edit_opens_a_user_card_at_its_line(cli: Any, home: Path, editor: Path) -> None:
    ok(cli, "add", "--deck", "mine", "--create", "--front", "First?", "--back", "1")
    added = json.loads(
        ok(cli, "add", "--deck", "mine", "--front", "Second?", "--back", "2", "--json").stdout
    )
    result = ok(cli, "edit", added["id"], env={"EDIT_FROM": '"2"', "EDIT_TO": '"two"'})
    assert result.stdout == f"{added['path']}: ok\n"
    assert editor.read_text() == f"+{added['line']} {added['path']}\n"
    assert json.loads(ok(cli, "show", added["id"], "--json").stdout)["back"] == "two"


def test_edit_copies_a_bundled_card_with_override(
    cli: Any, home: Path, editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "1")
    bundled = bundled_dir() / "python.toml"
    digest = hashlib.sha256(bundled.read_bytes()).hexdigest()
    ok(cli, "suspend", "python-gil")  # some progress to keep
    result = ok(cli, "edit", "python-gil", env={"EDIT_FROM": "mutex", "EDIT_TO": "MUTEX"})
    extra = home / "decks" / "python-extra.toml"
    assert result.stdout == (
        f"copied bundled card python-gil to {extra}:8 with override = true "
        "(it replaces the bundled card; progress is kept)\n"
        f"{extra}: ok\n"
    )
    assert editor.read_text() == f"+8 {extra}\n"
    assert hashlib.sha256(bundled.read_bytes()).hexdigest() == digest
    card = json.loads(ok(cli, "show", "python-gil", "--json").stdout)
    assert (card["deck"], card["path"], card["suspended"]) == ("python", str(extra), True)
    assert "MUTEX" in card["back"]
    assert "override = true" in extra.read_text()
    # Editing it again opens the copy; there is no second copy.
    ok(cli, "edit", "python-gil")
    assert editor.read_text().splitlines()[-1] == f"+8 {extra}"
    assert extra.read_text().count('id = "python-gil"') == 1


def test_the_copy_of_a_bundled_card_keeps_every_field(home: Path, tmp_path: Path) -> None:
    import tomllib

    from flashprep.cardmodel import Card, Collection, Deck
    from flashprep.decksources import BUNDLED
    from flashprep.editor import prepare_edit

    source = str(tmp_path / "b.toml")
    card = Card(
        "b-one",
        "b",
        "F?",
        "B.",
        tags=("t",),
        topic="top",
        key_points=("k",),
        hint="h",
        path=source,
        line=5,
        guid="Note#Guid",
    )
    col = Collection(
        decks=[Deck("b", "B", "C", "", (), source, BUNDLED, ("b-one",))],
        card_decks={"b-one": "b"},
        build_cards=lambda: {"b-one": card},
    )
    path, line, added = prepare_edit(col, home, "b-one")
    assert added is not None and (path, added.deck) == (home / "decks" / "b-extra.toml", "b-extra")
    (copy,) = tomllib.loads(path.read_text())["cards"]
    # The guid too: `flashprep export` must still update the Anki note the card came from.
    assert copy == {
        "id": "b-one",
        "topic": "top",
        "front": "F?",
        "back": "B.",
        "tags": ["t"],
        "key_points": ["k"],
        "hint": "h",
        "override": True,
        "guid": "Note#Guid",
    }


def test_the_copy_of_a_bundled_exercise_keeps_its_exercise_keys(home: Path, tmp_path: Path) -> None:
    from flashprep.cardmodel import Card, Collection, Deck
    from flashprep.deckparse import read_deck_file
    from flashprep.decksources import BUNDLED
    from flashprep.editor import prepare_edit

    source = str(tmp_path / "b.toml")
    card = Card(
        "b-sql",
        "b",
        "F?",
        "B.",
        path=source,
        line=5,
        kind="sql",
        dataset="shop",
        solution="SELECT 1\nFROM t",
        ordered=True,
    )
    col = Collection(
        decks=[Deck("b", "B", "C", "", (), source, BUNDLED, ("b-sql",))],
        card_decks={"b-sql": "b"},
        build_cards=lambda: {"b-sql": card},
    )
    path, _, _ = prepare_edit(col, home, "b-sql")
    (copy,) = read_deck_file(path)["cards"]  # the copy is a valid exercise again
    assert (copy["kind"], copy["dataset"], copy["solution"], copy["ordered"], copy["tests"]) == (
        "sql",
        "shop",
        "SELECT 1\nFROM t",
        True,
        None,
    )


def test_edit_without_an_editor(cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "1")
    result = cli("edit", "python-gil")
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: no editor: set $EDITOR (for example: export EDITOR=nano)\n",
    )
    assert not (home / "decks").exists()


@pytest.mark.parametrize(
    ("code", "failure"),
    [
        ("import sys; sys.exit(3)", "exited with status 3"),
        ("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", "was killed by signal 9"),
    ],
)
def test_edit_with_a_failing_editor(cli: Any, home: Path, code: str, failure: str) -> None:
    added = json.loads(
        ok(cli, "add", "--deck", "mine", "--create", "-f", "Q?", "-b", "A", "--json").stdout
    )
    before = Path(added["path"]).read_bytes()
    result = cli("edit", added["id"], env={"EDITOR": f'{sys.executable} -c "{code}"'})
    assert (result.exit_code, result.stderr) == (
        2,
        f"flashprep: error: the editor {sys.executable!r} {failure}; "
        f"{added['path']} is as the editor left it\n",
    )
    assert Path(added["path"]).read_bytes() == before


def test_edit_unknown_card(cli: Any, mini_decks: Path, editor: Path) -> None:
    result = cli("--decks", str(mini_decks), "edit", "mini-tw")
    assert (result.exit_code, result.stderr) == (
        2,
        "flashprep: error: no card 'mini-tw' "
        "(did you mean 'mini-two', 'mini-three', 'mini-one'?)\n",
    )


def test_a_broken_edit_is_reported_and_edit_opens_the_error(
    cli: Any, home: Path, editor: Path
) -> None:
    added = json.loads(
        ok(
            cli, "add", "--deck", "mine", "--create", "--front", "Q?", "--back", "A", "--json"
        ).stdout
    )
    path = added["path"]
    result = cli("edit", added["id"], env={"EDIT_FROM": 'back = "A"', "EDIT_TO": "back = A"})
    assert result.exit_code == 2
    assert result.stderr == (
        f"flashprep: error: {path}:{added['line'] + 3}:8: invalid TOML: Invalid value - the file "
        f"is saved as you left it; fix it with `flashprep edit {added['id']}`\n"
    )
    # While the file is broken, `edit` opens it at the error.
    result = cli("edit", added["id"], env={"EDIT_FROM": "back = A", "EDIT_TO": 'back = "A"'})
    assert result.exit_code == 0, result.output
    assert editor.read_text().splitlines()[-1] == f"+{added['line'] + 3} {path}"
    assert result.stdout == f"{path}: ok\n"
