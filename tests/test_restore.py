"""`flashprep doctor --restore DAY` and `--list-backups`: over many study days of real
sessions, every kept day comes back byte for byte, the log it replaces is kept, and bad
input changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from reliability_helpers import build_history, fingerprint, tally

from flashprep.backup import list_backups
from flashprep.history import History, replay
from flashprep.restore import restored_bytes

START = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def at(monkeypatch: pytest.MonkeyPatch, day: date, hour: int = 9) -> None:
    monkeypatch.setenv("FLASHPREP_NOW", f"{day.isoformat()}T{hour:02d}:00:00+00:00")


def study_day(cli, decks: Path, n: int) -> None:  # type: ignore[no-untyped-def]
    """One day of use: a review session (answering whatever is due) and a bury."""
    grades = "".join(f"\n{(n + k) % 3 + 3}\n" for k in range(6))
    r = cli("--decks", str(decks), "review", "--plain", input=grades + "q\n")
    assert r.exit_code == 0, r.output
    r = cli("--decks", str(decks), "bury", "mini-three")
    assert r.exit_code == 0, r.output


def test_each_of_seven_days_restores_byte_identical_and_reviews_go_on(
    cli, home: Path, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = home / "reviews.jsonl"
    copies: dict[str, bytes] = {}
    for n in range(10):
        day = START + timedelta(days=n)
        at(monkeypatch, day)
        if log.exists():
            copies[day.isoformat()] = log.read_bytes()  # what today's first write backs up
        study_day(cli, mini_decks, n)
    kept = [p.name for p in list_backups(home)]
    assert kept == sorted(copies)[-7:]
    assert len({copies[d] for d in kept}) == 7  # every day added something
    backups = sum(p.stat().st_size for p in (home / "backups").rglob("*") if p.is_file())
    assert backups <= 1.2 * log.stat().st_size + 7 * 2048  # the parts, and a manifest a day

    at(monkeypatch, START + timedelta(days=9), hour=20)
    for n, day in enumerate(kept):
        current = log.read_bytes()
        r = cli("doctor", "--restore", day)
        assert r.exit_code == 0, r.output
        assert log.read_bytes() == copies[day]
        aside = home / ("reviews.jsonl.before-restore-20260319T200000" + (f".{n}" if n else ""))
        assert aside.read_bytes() == current
        assert f"kept the log it replaced as {aside}" in r.stdout
        assert "index.sqlite" in {p.name for p in (home / "cache").iterdir()}  # rebuilt
        h = History.open(home)
        assert h.warnings == [] and h.replayed == 0  # the index is the restored log's
        assert h.states == replay(log)
    # Answering after a restore appends to the restored log.
    restored = log.read_bytes()
    r = cli("--decks", str(mini_decks), "forget", "mini-one")
    assert r.exit_code == 0, r.output
    after = log.read_bytes()
    assert after.startswith(restored) and len(after.splitlines()) == len(restored.splitlines()) + 1
    # The newest day was restored last, so the next study day simply builds on it.
    at(monkeypatch, START + timedelta(days=10))
    r = cli("--decks", str(mini_decks), "bury", "mini-two")
    assert r.exit_code == 0 and r.stderr == "", r.output
    copies["2026-03-20"] = after
    for day in [p.name for p in list_backups(home)]:
        assert restored_bytes(home, day) == copies[day], day
    r = cli("doctor")
    assert r.exit_code == 0, r.output
    tally(
        "restore of each kept day (byte-identical)",
        len(kept),
        0,
        sum(len(copies[d].splitlines()) for d in kept),
    )


def test_restoring_an_older_day_then_writing_the_next_day_builds_on_it(
    cli, home: Path, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = home / "reviews.jsonl"
    copies: dict[str, bytes] = {}
    for n in range(5):
        day = START + timedelta(days=n)
        at(monkeypatch, day)
        if log.exists():
            copies[day.isoformat()] = log.read_bytes()
        study_day(cli, mini_decks, n)
    assert cli("doctor", "--restore", "2026-03-12").exit_code == 0
    at(monkeypatch, START + timedelta(days=5))
    before = log.read_bytes()
    r = cli("--decks", str(mini_decks), "bury", "mini-two")
    assert r.exit_code == 0
    assert " ".join(r.stderr.split()) == (
        f"flashprep: warning: {log} continues the backup of 2026-03-12, not the newer one of "
        "2026-03-14 (as after 'flashprep doctor --restore 2026-03-12'); today's backup builds "
        "on 2026-03-12's, and the earlier days stay restorable until they are pruned"
    )
    assert restored_bytes(home, "2026-03-15") == before == copies["2026-03-12"]
    for day, data in copies.items():
        assert restored_bytes(home, day) == data


def test_an_old_style_day_is_restored_from_its_copy(cli, home: Path) -> None:
    build_history(home, days=2, cards=3)
    old = home / "backups" / "2026-03-01"
    old.mkdir(parents=True)
    data = b"".join((home / "reviews.jsonl").read_bytes().splitlines(keepends=True)[:3])
    (old / "reviews.jsonl").write_bytes(data)
    (old / "state.json").write_text("{}")
    r = cli("doctor", "--restore", "2026-03-01")
    assert r.exit_code == 0, r.output
    assert (home / "reviews.jsonl").read_bytes() == data
    assert History.open(home).states == replay(home / "reviews.jsonl")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--restore", "2026-13-01"), "--restore: '2026-13-01' is not a day (YYYY-MM-DD)"),
        (("--restore", "yesterday"), "--restore: 'yesterday' is not a day (YYYY-MM-DD)"),
        (("--restore", "2026-3-10"), "--restore: '2026-3-10' is not a day (YYYY-MM-DD)"),
        (
            ("--restore", "2020-01-01"),
            "--restore: no backup of 2020-01-01 in {root}; the backups hold 2026-03-20",
        ),
        (
            ("--restore", "2026-03-20", "--repair"),
            "--repair, --restore and --list-backups go one at a time",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_changes(
    cli, home: Path, args: tuple[str, ...], message: str
) -> None:
    build_history(home, days=2, cards=3)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass
    before = fingerprint(home)
    r = cli("doctor", *args)
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: {message.format(root=home / 'backups')}\n"
    assert r.stdout == ""
    assert fingerprint(home) == before


def test_no_backups_yet(cli, home: Path) -> None:
    build_history(home, days=1, cards=2)
    r = cli("doctor", "--restore", "2026-03-10")
    assert r.exit_code == 2
    assert r.stderr == (
        f"flashprep: error: --restore: no backup of 2026-03-10 in "
        f"{home / 'backups'}; there are no backups yet\n"
    )


def test_a_restore_while_a_session_runs_is_refused(cli, home: Path) -> None:
    build_history(home, days=2, cards=3)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        before = fingerprint(home)
        r = cli("doctor", "--restore", "2026-03-20")
    assert r.exit_code == 2
    assert r.stderr.startswith("flashprep: error: another flashprep session is running (pid ")
    assert fingerprint(home) == before


def test_a_damaged_backup_is_refused_and_reported(cli, home: Path) -> None:
    build_history(home, days=2, cards=3)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass
    folder = home / "backups" / "2026-03-20"
    part = next(p for p in folder.iterdir() if p.name.startswith("part-"))
    data = bytearray(part.read_bytes())
    data[10] ^= 1
    part.write_bytes(bytes(data))
    before = fingerprint(home)
    r = cli("doctor", "--restore", "2026-03-20")
    assert r.exit_code == 2
    assert r.stderr == (
        f"flashprep: error: cannot restore the backup of 2026-03-20: 2026-03-20/{part.name} "
        "is damaged (its CRC-32 does not match); nothing was changed\n"
    )
    assert fingerprint(home) == before
    tally("damaged backup part (restore refused)", 1, 0, 6)
    r = cli("doctor")
    assert r.exit_code == 0  # a damaged backup is a warning: the history itself is fine
    assert f"warning   backups: {folder} cannot be restored: 2026-03-20/{part.name}" in r.stdout
    r = cli("doctor", "--list-backups")
    assert r.exit_code == 2
    assert f"  2026-03-20  cannot be restored: 2026-03-20/{part.name} is damaged" in r.stdout


def test_list_backups_and_plain_doctor_show_the_days(
    cli, home: Path, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        at(monkeypatch, START + timedelta(days=n))
        study_day(cli, mini_decks, n)
    r = cli("doctor", "--list-backups")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == f"{home / 'backups'}:"
    assert lines[1].startswith("  2026-03-10  base: log of ")
    assert lines[2].startswith("  2026-03-11  incremental on 2026-03-10: log of ")
    assert lines[3].startswith("  2026-03-12  incremental on 2026-03-11: log of ")
    assert lines[-1] == "Put one back with `flashprep doctor --restore DAY`."
    r = cli("doctor")
    assert (
        f"ok        backups: {home / 'backups'}: 3 day(s) (2026-03-10, 2026-03-11, 2026-03-12), "
    ) in r.stdout


def test_a_backup_with_a_torn_last_line_is_restored_with_it(cli, home: Path) -> None:
    build_history(home, days=2, cards=3)
    log = home / "reviews.jsonl"
    torn = b'{"v":1,"id":"0a","card_id":"card-0","ts":"2026-03-1'
    log.write_bytes(log.read_bytes() + torn)
    with_torn = log.read_bytes()
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass  # backs up the log with the torn line, then sets it aside
    assert log.read_bytes() != with_torn
    r = cli("doctor", "--restore", "2026-03-20")
    assert r.exit_code == 0, r.output
    assert log.read_bytes() == with_torn  # byte for byte, the torn line too
    h = History.open(home)
    assert h.states == replay(log) and h.replayed == 0


def test_a_lost_log_comes_back_from_its_backup(cli, home: Path) -> None:
    import json

    build_history(home, days=2, cards=3)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass
    data = (home / "reviews.jsonl").read_bytes()
    (home / "reviews.jsonl").unlink()
    assert cli("status").exit_code == 2  # the index records events the log no longer has
    r = cli("doctor", "--restore", "2026-03-20", "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert (report["restored"], report["events"], report["bytes"], report["kept"]) == (
        "2026-03-20",
        6,
        len(data),
        None,
    )
    assert (home / "reviews.jsonl").read_bytes() == data
    assert cli("status").exit_code == 0


def test_a_restore_that_fails_at_the_rename_leaves_the_log_as_it_was(
    cli, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    build_history(home, days=2, cards=3)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass
    build_history(home, days=1, cards=2)
    log = home / "reviews.jsonl"
    before, states = log.read_bytes(), History.open(home).states

    def full(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as m:
        m.setattr(os, "replace", full)
        r = cli("doctor", "--restore", "2026-03-20")
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: cannot restore {log}: No space left on device\n"
    assert log.read_bytes() == before
    assert History.open(home).states == states  # cache/ went: the index is rebuilt the same
    assert not [p for p in home.iterdir() if p.name.endswith(".tmp")]
    tally(
        "restore interrupted at the rename (ENOSPC, via monkeypatch)",
        1,
        0,
        len(before.splitlines()),
    )
