"""status, decks, show, validate and --version through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flashprep import __version__


def test_version(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("--version")
    assert r.exit_code == 0 and r.output.strip() == f"flashprep {__version__}"


def test_status_on_the_bundled_decks(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("status", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["today"] == "2026-03-10"
    assert (data["due"], data["new"], data["redrill"]) == (0, 20, 0)
    assert sum(d["new"] for d in data["decks"]) == 20
    assert data["next_due"] is None
    assert not (home / "reviews.jsonl").exists()  # read-only commands write no history
    text = cli("status")
    assert text.exit_code == 0 and "total" in text.output and "20" in text.output


def test_status_counts_after_answers(
    cli,
    home: Path,
    mini_decks: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import datetime

    from flashprep.history import History
    from flashprep.schedule import answer

    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    moment = datetime.fromisoformat("2026-03-10T09:00:00+00:00")
    day = moment.date()
    with History.open(home, write=True) as h:
        h.record("mini-one", "new", answer(h.state("mini-one"), 5, day), moment, day, grade=5)
        h.record("mini-two", "new", answer(h.state("mini-two"), 2, day), moment, day, grade=2)
    r = cli("--decks", str(mini_decks), "status", "--json")
    data = json.loads(r.output)
    assert (data["due"], data["new"], data["redrill"]) == (0, 1, 1)
    assert data["done_today"] == {"new": 2, "reviews": 0}
    assert data["next_due"] == "2026-03-11"
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
    data = json.loads(cli("--decks", str(mini_decks), "status", "--json").output)
    assert (data["due"], data["new"], data["redrill"]) == (2, 1, 0)
    assert data["decks"] == [{"id": "mini", "name": "Mini", "due": 2, "new": 1, "redrill": 0}]


def test_new_limit_counts_cards_introduced_today(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    (home).mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("new_per_day = 5\n")
    assert json.loads(cli("status", "--json").output)["new"] == 5


def test_decks_listing(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("decks", "--json")
    rows = json.loads(r.output)
    ids = [row["id"] for row in rows]
    assert ids[0] == "python-deep-dive" and "python" in ids and "behavioral" in ids
    first = rows[0]
    assert set(first) >= {"id", "name", "category", "cards", "new", "due", "mature"}
    assert first["cards"] == first["new"] > 0 and first["due"] == first["mature"] == 0
    table = cli("decks")
    assert table.exit_code == 0 and "python-deep-dive" in table.output


def test_decks_counts_drafts_apart_without_building_a_card(
    cli,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from flashprep.report import decks_report
    from flashprep.workspace import Workspace

    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "d.toml").write_text(
        '[deck]\nid = "d"\nname = "D"\ncategory = "C"\n\n'
        '[[cards]]\nid = "d-one"\nfront = "Q?"\nback = "A"\n\n'
        '[[cards]]\nid = "d-two"\nfront = "Q2?"\nback = ""\ndraft = true\n'
    )
    ws = Workspace(home, [folder])
    [row] = decks_report(ws, {})
    assert (row["cards"], row["drafts"], row["new"], row["due"]) == (1, 1, 1, 0)
    assert "cards" not in vars(ws.collection)  # Collection.cards was never built
    assert json.loads(cli("--decks", str(folder), "decks", "--json").output) == [row]


def test_show_json_and_text(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("show", "python-gil", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    for key in ("id", "deck", "ef", "interval", "repetitions", "due", "lapses", "history"):
        assert key in data
    assert (data["deck"], data["ef"], data["due"], data["history"]) == ("python", 2.5, None, [])
    text = cli("show", "python-gil")
    assert text.exit_code == 0 and "GIL" in text.output


def test_unknown_card_suggests(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("show", "python-gill")
    assert r.exit_code == 2
    assert (
        r.output.strip()
        .splitlines()[-1]
        .startswith("flashprep: error: no card 'python-gill' (did you mean 'python-gil'")
    )


def test_validate_bundled_is_clean(cli) -> None:  # type: ignore[no-untyped-def]
    r = cli("validate", "--json")
    data = json.loads(r.output)
    assert r.exit_code == 0 and data["ok"] and data["errors"] == []
    assert data["cards"] >= 250


def test_validate_reports_every_problem(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "bad"
    d.mkdir()
    (d / "one.toml").write_text('[deck]\nid = "one"\nname = "One"\ncategory = "C"\nnope = 1\n')
    (d / "two.toml").write_text(
        '[deck]\nid = "two"\nname = "Two"\ncategory = "C"\n\n'
        '[[cards]]\nid = "x"\nfront = "Q"\nback = ""\ndraft = true\n'
    )
    r = cli("validate", str(d))
    assert r.exit_code == 2
    assert f"error: {d / 'one.toml'}:5: [deck] unknown key 'nope'" in r.output
    assert (
        f"error: {d / 'two.toml'}:6: card 'x' is unanswered (draft = true, back empty)" in r.output
    )
    assert "2 deck file(s), 1 card(s), 0 history event(s): 2 error(s)" in r.output


def test_validate_checks_a_file_named_twice_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A folder and a file in it (or one path twice) are one deck file, as for --decks
    (decks.unique_sources), not a deck that duplicates itself."""
    d = tmp_path / "decks"
    d.mkdir()
    (d / "one.toml").write_text(
        '[deck]\nid = "one"\nname = "One"\ncategory = "C"\n\n'
        '[[cards]]\nid = "x"\nfront = "Q"\nback = "A"\n'
    )
    r = cli("validate", str(d), str(d / "one.toml"), str(d / "one.toml"))
    assert r.exit_code == 0, r.output
    assert r.stdout == "1 deck file(s), 1 card(s), 0 history event(s): ok\n"


def test_validate_names_why_a_path_cannot_be_read(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os

    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)  # never opened: reading it would wait for a writer forever
    r = cli("validate", str(tmp_path / "nope.toml"), str(loop), str(fifo))
    assert r.exit_code == 2
    assert r.stderr == (
        f"error: {tmp_path / 'nope.toml'}: no such file or directory\n"
        f"error: {loop}: too many levels of symbolic links\n"
        f"error: {fifo}: not a deck file or a folder\n"
    )


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"a.toml": "[deck\n"}, "a.toml:1:6: invalid TOML"),
        ({"a.toml": b"\xff\xfe"}, "a.toml:1: not UTF-8 text"),
        (
            {"a.toml": '[deck]\nid = "A B"\nname = "n"\ncategory = "c"\n'},
            "a.toml:2: [deck] id: 'A B' is not a slug",
        ),
    ],
)
def test_bad_deck_is_one_line_exit_2_and_writes_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, home: Path, files: dict[str, str | bytes], expected: str
) -> None:
    d = tmp_path / "decks-in"
    d.mkdir()
    for name, content in files.items():
        (d / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    for command in (["status"], ["decks"], ["show", "python-gil"]):
        r = cli("--decks", str(d), *command)
        assert r.exit_code == 2, r.output
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("flashprep: error: ")
        assert expected in lines[0]
        assert "Traceback" not in r.output
    assert not (home / "reviews.jsonl").exists() and not (home / "state.json").exists()


def test_missing_decks_dir(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("--decks", str(tmp_path / "nope"), "status")
    assert r.exit_code == 2
    assert r.output.strip() == f"flashprep: error: --decks {tmp_path / 'nope'}: no such directory"


@pytest.mark.parametrize(
    "config, message",
    [
        ("new_per_day = -1\n", "new_per_day must be between 0 and 10000, got -1"),
        ("new_per_dya = 3\n", "unknown key 'new_per_dya'"),
        ("day_starts_at = 'four'\n", "day_starts_at must be a whole number, got 'four'"),
        ("grade_buttons = 5\n", "grade_buttons must be 4 or 6, got 5"),
        ("x = [\n", "invalid TOML"),
        ("sql_engine = 'mysql'\n", "sql_engine must be 'sqlite' or 'postgresql', got 'mysql'"),
        ("sql_engine = 'postgresql'\n", 'sql_engine = "postgresql" needs postgres_dsn'),
        ("postgres_dsn = 5\n", "postgres_dsn must be a non-empty string, got 5"),
    ],
)
def test_bad_config(cli, home: Path, config: str, message: str) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(config)
    r = cli("status")
    assert r.exit_code == 2
    assert r.output.startswith(f"flashprep: error: {home / 'config.toml'}: ")
    assert message in r.output and len(r.output.strip().splitlines()) == 1


def test_config_reads_every_kind_of_key(home: Path) -> None:
    from flashprep.config import Config, parse_config

    cfg = parse_config(
        "new_per_day = 7\nsql_engine = 'postgresql'\npostgres_dsn = 'postgresql://u@h/db'\n",
        home / "config.toml",
    )
    assert cfg == Config(new_per_day=7, sql_engine="postgresql", postgres_dsn="postgresql://u@h/db")
    assert parse_config("", home / "config.toml").sql_engine == "sqlite"


def test_config_with_a_byte_order_mark(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_bytes("\ufeffnew_per_day = 3\n".encode())
    r = cli("status", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["new"] == 3


def test_bad_flashprep_now(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLASHPREP_NOW", "soon")
    r = cli("status")
    assert r.exit_code == 2 and "FLASHPREP_NOW='soon' is not an ISO 8601 timestamp" in r.output


def test_home_option_overrides_env(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other-home"
    other.mkdir()
    (other / "config.toml").write_text("new_per_day = 3\n")
    assert json.loads(cli("--home", str(other), "status", "--json").output)["new"] == 3


def test_review_by_topic(cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    r = cli(
        "--decks",
        str(mini_decks),
        "review",
        "--plain",
        "--topic",
        "mini-numbers",
        input="\n5\n\n5\n\n5\n",
    )
    assert r.exit_code == 0, r.output
    assert "One?" in r.output and "Two?" in r.output and "Three?" not in r.output
    bad = cli("--decks", str(mini_decks), "review", "--plain", "--topic", "mini-number")
    assert bad.exit_code == 2
    assert "no card has the topic 'mini-number' (did you mean 'mini-numbers'?)" in bad.output
