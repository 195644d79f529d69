"""`flashprep doctor`: every check, what --repair fixes, and what it never touches."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from reliability_helpers import build_history, fingerprint, index_bytes, log_ids, put_index

from flashprep.history import History, replay
from flashprep.restore import restored_bytes


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def findings(cli, *args: str) -> tuple[int, dict[str, list[dict]]]:  # type: ignore[no-untyped-def]
    r = cli(*args, "doctor", "--json")
    data = json.loads(r.stdout)
    by: dict[str, list[dict]] = {}
    for f in data["findings"]:
        by.setdefault(f["check"], []).append(f)
    return r.exit_code, by


def test_a_healthy_home_passes_and_nothing_is_written(tmp_path: Path, cli, home: Path) -> None:
    r = cli("doctor")
    assert r.exit_code == 0 and r.stdout.endswith("No problems found.\n")
    assert not home.exists()  # a missing home is not created
    build_history(home, days=2, cards=3)
    before = fingerprint(home)
    code, by = findings(cli)
    assert code == 0
    assert by["log"][0]["message"] == f"{home / 'reviews.jsonl'}: 6 events, parses cleanly"
    assert by["index"][0]["message"] == (
        f"{home / 'cache' / 'index.sqlite'} equals a replay of the log (3 cards)"
    )
    assert by["orphans"][0]["level"] == "warning"  # card-0.. are in no deck here
    assert fingerprint(home) == before


def test_text_output_lists_each_check(cli, home: Path, mini_decks: Path) -> None:
    build_history(home, days=1, cards=2)
    r = cli("--decks", str(mini_decks), "doctor")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == f"flashprep doctor: {home}"
    assert lines[1] == f"  ok        log: {home / 'reviews.jsonl'}: 2 events, parses cleanly"
    assert lines[3] == "  ok        decks: 1 deck file(s), 3 cards"
    assert lines[4].startswith("  warning   orphans: 2 event(s) for 2 card(s) in no loaded deck")
    assert (
        lines[5] == "            fix: they are kept; a card's progress comes back if a deck "
        "with its id is loaded again"
    )
    assert lines[-1] == "No problems found (1 warning(s))."


def test_a_bad_config_is_a_problem(cli, home: Path) -> None:
    home.mkdir()
    config = home / "config.toml"
    config.write_text("new_per_dya = 3\n")
    code, by = findings(cli)
    assert code == 2
    assert by["config"] == [
        {
            "check": "config",
            "level": "problem",
            "message": f"{config}: unknown key 'new_per_dya' (known keys: new_per_day, "
            "reviews_per_day, day_starts_at, grade_buttons, leech_threshold, "
            "interview_date, minutes_per_day, sql_engine, postgres_dsn)",
            "fix": f"fix {config} (or move it away for the defaults); every other command "
            "refuses to run until then",
        }
    ]
    config.write_text("new_per_day = 3\n")
    code, by = findings(cli)
    assert (code, by["config"][0]["message"]) == (0, f"{config}: valid")


def test_a_torn_last_line_is_set_aside_by_repair(cli, home: Path) -> None:
    build_history(home, days=1, cards=3)
    log = home / "reviews.jsonl"
    good = log.read_bytes()
    torn = b'{"v":1,"id":"019c","card_id":"card-9","kind":"ne'
    log.write_bytes(good + torn)
    code, by = findings(cli)
    assert code == 2
    assert by["log"][0]["level"] == "problem"
    assert by["log"][0]["message"] == (
        f"{log}:4: the last line is incomplete ({len(torn)} bytes, an interrupted write); "
        "every complete event before it is intact"
    )
    r = cli("doctor", "--repair")
    assert r.exit_code == 0, r.stdout
    assert (
        f"  repaired  moved the incomplete last line ({len(torn)} bytes) of reviews.jsonl "
        "into reviews.jsonl.torn" in r.stdout
    )
    assert log.read_bytes() == good
    assert (home / "reviews.jsonl.torn").read_bytes() == torn + b"\n"
    assert restored_bytes(home, "2026-03-10") == good + torn


def edited_index(home: Path, sql: str) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(home / "cache" / "index.sqlite", isolation_level=None)) as c:
        c.execute(sql)


@pytest.mark.parametrize(
    "damage, message",
    [
        (None, "{index} is missing"),
        (b"not an index " * 40, "{index} is damaged (file is not a database)"),
        ("UPDATE meta SET value = 3 WHERE key = 'offset'", "{index} does not match the log"),
        (
            "UPDATE states SET interval = 99 WHERE card_id = 'card-1'",
            "{index} disagrees with a replay of the log for 1 card(s) (card-1)",
        ),
    ],
)
def test_a_missing_or_damaged_index_is_a_warning_and_rebuilt_by_repair(
    cli, home: Path, damage: bytes | str | None, message: str
) -> None:
    build_history(home, days=2, cards=3)
    index = home / "cache" / "index.sqlite"
    if isinstance(damage, str):
        edited_index(home, damage)
    else:
        put_index(home, damage)
    before = fingerprint(home, skip=("lock",))
    code, by = findings(cli)
    assert code == 0  # the index is derived: any damage is a warning, never a problem
    assert by["index"][0]["level"] == "warning"
    assert by["index"][0]["message"] == message.format(index=index)
    assert fingerprint(home, skip=("lock",)) == before  # doctor alone changes nothing
    r = cli("doctor", "--repair")
    assert r.exit_code == 0 and "rebuilt the index from the log (3 cards)" in r.stdout
    assert findings(cli)[1]["index"][0]["level"] == "ok"
    assert History.open(home).states == replay(home / "reviews.jsonl")


def test_an_index_behind_the_log_is_only_a_warning(cli, home: Path) -> None:
    build_history(home, days=1, cards=2)
    old = index_bytes(home)
    build_history(home, days=1, cards=3)
    put_index(home, old)
    code, by = findings(cli)
    assert code == 0
    assert by["index"][0]["level"] == "warning"
    assert by["index"][0]["message"].startswith(
        f"{home / 'cache' / 'index.sqlite'} is 3 event(s) behind"
    )
    r = cli("doctor", "--repair")
    assert r.exit_code == 0 and "rebuilt the index from the log" in r.stdout
    assert findings(cli)[1]["index"][0]["level"] == "ok"


def test_a_log_shorter_than_the_index_is_refused_explained_and_repaired(cli, home: Path) -> None:
    build_history(home, days=2, cards=3)
    log = home / "reviews.jsonl"
    full = log.read_bytes()
    assert cli("status").exit_code == 0
    # A first write on a new day makes a backup of the whole log ...
    with History.open(home, write=True, backup_day=date(2026, 3, 12)):
        pass
    # ... then the log loses its last two lines (a restore gone wrong, a bad disk).
    cut = b"".join(full.splitlines(keepends=True)[:-2])
    log.write_bytes(cut)
    index = home / "cache" / "index.sqlite"
    r = cli("status")
    assert r.exit_code == 2
    assert r.stderr == (
        f"flashprep: error: {log} is shorter than {index} records "
        f"({len(cut)} of {len(full)} bytes): events are missing from the log; run "
        "'flashprep doctor' for the options - nothing was changed\n"
    )
    code, by = findings(cli)
    assert code == 2
    assert by["index"][0]["level"] == "problem"
    fix = by["index"][0]["fix"]
    assert "flashprep doctor --restore 2026-03-12 (6 events) puts back" in fix
    assert "--repair rebuilds the index from the log as it is" in fix
    r = cli("doctor", "--repair")
    assert r.exit_code == 0
    assert log.read_bytes() == cut
    assert History.open(home).states == replay(log)


def test_a_missing_log_with_an_index_is_refused(cli, home: Path) -> None:
    build_history(home, days=1, cards=2)
    (home / "reviews.jsonl").unlink()
    r = cli("status")
    assert r.exit_code == 2
    assert r.stderr.startswith(
        f"flashprep: error: {home / 'reviews.jsonl'} is missing but "
        f"{home / 'cache' / 'index.sqlite'} records 2 event(s); restore it from"
    )


def test_a_corrupt_middle_line_names_the_newest_good_backup(cli, home: Path) -> None:
    build_history(home, days=2, cards=2)
    for day in (12, 13):
        with History.open(home, write=True, backup_day=date(2026, 3, day)):
            pass
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[1] = b'{"v":1,"card_id":"x"}'
    log.write_bytes(b"\n".join(lines))
    before = fingerprint(home)
    before_bytes = log.read_bytes()
    code, by = findings(cli)
    assert code == 2
    f = by["log"][0]
    assert f["message"] == (
        f'{log}:2: corrupt event (no event id); the line is \'{{"v":1,"card_id":"x"}}\''
    )
    assert "flashprep doctor --restore 2026-03-13 (4 events) puts back" in f["fix"]
    assert "answers given after 2026-03-13 are not in it" in f["fix"]
    assert "fix line 2, or move it to another file" in f["fix"]
    r = cli("doctor", "--repair")
    assert r.exit_code == 2
    assert r.stdout.endswith(
        "1 problem(s) left that --repair does not fix; see the options above.\n"
    )
    assert fingerprint(home) == before
    # Following option (1) as written gives a history that loads, with nothing thrown away.
    r = cli("doctor", "--restore", "2026-03-13")
    assert r.exit_code == 0, r.output
    kept = home / "reviews.jsonl.before-restore-20260310T090000"
    assert r.stdout == (
        f"restored {home}/reviews.jsonl as it was at the backup of 2026-03-13 (4 events, "
        f"{len(log.read_bytes()):,} bytes)\nkept the log it replaced as {kept}\n"
        "removed cache/ (derived from the log)\n"
        "rebuilt the index from the restored log (2 cards)\n"
    )
    assert log.read_bytes() == restored_bytes(home, "2026-03-13")
    assert History.open(home).states == replay(log)
    assert findings(cli)[0] == 0
    assert kept.read_bytes() == before_bytes


def test_orphaned_events_are_reported_and_kept(cli, home: Path, mini_decks: Path) -> None:
    build_history(home, days=1, cards=2)
    ids = log_ids(home)
    code, by = findings(cli, "--decks", str(mini_decks))
    assert code == 0
    assert by["orphans"][0]["message"] == (
        "2 event(s) for 2 card(s) in no loaded deck (card-0, card-1)"
    )
    assert cli("--decks", str(mini_decks), "doctor", "--repair").exit_code == 0
    assert log_ids(home) == ids


def test_a_broken_deck_is_a_problem_with_file_and_line(cli, tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "bad.toml").write_text(
        '[deck]\nid = "bad"\nname = "Bad"\ncategory = "X"\n\n'
        '[[cards]]\nid = "Not A Slug"\nfront = "?"\nback = "!"\n'
    )
    code, by = findings(cli, "--decks", str(decks))
    assert code == 2
    assert by["decks"][0]["message"].startswith(f"{decks / 'bad.toml'}:7: card 'Not A Slug': id:")
    assert by["orphans"][0]["level"] == "ok"


def test_a_last_event_without_its_newline_is_finished_by_repair(cli, home: Path) -> None:
    build_history(home, days=1, cards=2)
    log = home / "reviews.jsonl"
    good = log.read_bytes()
    log.write_bytes(good[:-1])
    put_index(home, None)
    code, by = findings(cli)
    assert by["log"][0]["level"] == "warning"
    assert cli("doctor", "--repair").exit_code == 0
    assert log.read_bytes() == good


def test_repair_is_refused_while_a_session_runs(cli, home: Path) -> None:
    import os

    build_history(home, days=1, cards=2)
    put_index(home, None)
    with History.open(home, write=True):
        code, by = findings(cli)
        assert by["session"][0]["message"].startswith(
            f"a flashprep session is running (pid {os.getpid()})"
        )
        r = cli("doctor", "--repair")
        assert r.exit_code == 2
        assert r.stderr == (
            f"flashprep: error: another flashprep session is running (pid {os.getpid()}); "
            "finish it first\n"
        )
