"""Daily backups: taken before the first write of each study day, seven days kept,
whole or not at all, and nothing but our own copies is ever removed."""

from __future__ import annotations

import errno
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from reliability_helpers import D0, T0, build_history, fingerprint

from flashprep import backup
from flashprep.history import History
from flashprep.schedule import answer


def write_on(home: Path, day: date, card: str = "card-0") -> History:
    with History.open(home, write=True, backup_day=day) as h:
        h.record(card, "review", answer(h.state(card), 4, day), T0, day, grade=4)
    return h


def test_the_first_write_of_a_day_backs_up_the_files_as_they_were(home: Path) -> None:
    build_history(home, days=2, cards=3)
    log = (home / "reviews.jsonl").read_bytes()
    h = write_on(home, date(2026, 3, 20))
    day = home / "backups" / "2026-03-20"
    assert h.backup == day
    assert (day / "reviews.jsonl").read_bytes() == log
    # The index is derived from the log: only the log is backed up.
    assert sorted(p.name for p in day.iterdir()) == ["reviews.jsonl"]
    # The second write of the day leaves that backup alone.
    h2 = write_on(home, date(2026, 3, 20), "card-1")
    assert h2.backup is None
    assert (day / "reviews.jsonl").read_bytes() == log
    assert (home / "reviews.jsonl").read_bytes() != log


def test_a_backup_restores_the_states_of_its_day(tmp_path: Path, home: Path) -> None:
    build_history(home, days=2, cards=3)
    before = History.open(home).states
    write_on(home, date(2026, 3, 20))
    assert History.open(home).states != before
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "reviews.jsonl").write_bytes(
        (home / "backups" / "2026-03-20" / "reviews.jsonl").read_bytes())
    h = History.open(restored)
    assert h.states == before and h.warnings == []


def test_a_fresh_home_has_nothing_to_back_up(home: Path) -> None:
    write_on(home, D0)
    assert not (home / "backups").exists()


def test_readers_never_back_up(home: Path) -> None:
    build_history(home, days=1, cards=2)
    History.open(home).close()
    assert not (home / "backups").exists()


def test_seven_days_are_kept_and_nothing_else_is_removed(home: Path) -> None:
    build_history(home, days=1, cards=2)
    root = home / "backups"
    root.mkdir()
    (root / "notes.txt").write_text("mine")
    (root / "2025-01-01-before-upgrade").mkdir()
    (root / "2025-01-01-before-upgrade" / "reviews.jsonl").write_text("kept")
    days = [date(2026, 3, 20) + timedelta(days=n) for n in range(10)]
    write_on(home, days[0])
    (root / days[0].isoformat() / "README").write_text("a user's note")
    for d in days[1:]:
        write_on(home, d)
    names = sorted(p.name for p in root.iterdir())
    kept = [d.isoformat() for d in days[-7:]]
    assert names == sorted([*kept, days[0].isoformat(), "2025-01-01-before-upgrade", "notes.txt"])
    # The oldest day held a file that is not ours: only our two copies went.
    assert sorted(p.name for p in (root / days[0].isoformat()).iterdir()) == ["README"]
    assert (root / "2025-01-01-before-upgrade" / "reviews.jsonl").read_text() == "kept"
    assert (root / "notes.txt").read_text() == "mine"
    assert [p.name for p in backup.list_backups(home)] == [days[0].isoformat(), *kept]


def test_a_failed_backup_leaves_no_partial_folder_and_the_answer_is_still_saved(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(home, days=1, cards=2)
    calls = []

    def copy_then_fail(src: Path, dst: Path) -> None:
        calls.append(src.name)
        real_copy(src, dst)  # the log is copied, then the disk is full before the rename
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real_copy = backup._copy
    monkeypatch.setattr(backup, "_copy", copy_then_fail)
    h = write_on(home, date(2026, 3, 20))
    target = home / "backups" / "2026-03-20"
    assert h.warnings == [
        f"cannot back up the history to {target}: No space left on device; "
        "continuing without today's backup"
    ]
    assert list((home / "backups").iterdir()) == []
    assert len((home / "reviews.jsonl").read_bytes().splitlines()) == 3


def test_a_leftover_incomplete_folder_is_cleaned_but_foreign_files_stay(home: Path) -> None:
    build_history(home, days=1, cards=2)
    root = home / "backups"
    (root / ".incomplete-crashed").mkdir(parents=True)
    (root / ".incomplete-crashed" / "reviews.jsonl").write_text("partial")
    (root / ".incomplete-other").mkdir()
    (root / ".incomplete-other" / "mine.txt").write_text("not flashprep's")
    write_on(home, date(2026, 3, 20))
    assert sorted(p.name for p in root.iterdir()) == [".incomplete-other", "2026-03-20"]
    assert (root / ".incomplete-other" / "mine.txt").exists()


def test_a_torn_line_is_in_the_backup_before_it_is_set_aside(home: Path) -> None:
    build_history(home, days=1, cards=2)
    log = home / "reviews.jsonl"
    torn = b'{"v":1,"id":"0a","card_id":"card-0","ts":"2026-03-1'
    log.write_bytes(log.read_bytes() + torn)
    write_on(home, date(2026, 3, 20))
    assert (home / "backups" / "2026-03-20" / "reviews.jsonl").read_bytes().endswith(torn)
    assert (home / "reviews.jsonl.torn").read_bytes() == torn + b"\n"
    assert torn not in log.read_bytes()


def test_review_backs_up_once_per_study_day_with_the_rollover_hour(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    run = ("--decks", str(mini_decks), "review", "--plain")
    assert cli(*run, input="\n4\n").exit_code == 0
    assert not (home / "backups").exists()  # nothing existed before the first write
    assert cli(*run, input="\n4\n").exit_code == 0
    assert [p.name for p in backup.list_backups(home)] == ["2026-03-10"]
    first = fingerprint(home / "backups")
    # 02:00 on the 11th is still study day 2026-03-10 (the day starts at 04:00).
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T02:00:00+00:00")
    assert cli(*run, input="\n4\n").exit_code == 0
    assert fingerprint(home / "backups") == first
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
    log = (home / "reviews.jsonl").read_bytes()
    cli(*run, input="q\n")
    assert [p.name for p in backup.list_backups(home)] == ["2026-03-10", "2026-03-11"]
    assert (home / "backups" / "2026-03-11" / "reviews.jsonl").read_bytes() == log

