"""Daily backups: taken before the first write of each study day, checked by checksum,
incremental (each day stores only what it added), seven days kept and restorable byte
for byte, whole or not at all, and nothing but our own files is ever removed."""

from __future__ import annotations

import errno
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import D0, T0, build_history, fingerprint, put_index, tally

from flashprep import backup
from flashprep.backup import list_backups
from flashprep.errors import HistoryError
from flashprep.history import History, make_event
from flashprep.restore import describe, restored_bytes
from flashprep.schedule import answer

DAY = date(2026, 3, 20)


def write_on(home: Path, day: date, card: str = "card-0", n: int = 1) -> History:
    """One writer session on `day` that answers `card` `n` times (one append)."""
    with History.open(home, write=True, backup_day=day) as h:
        events = []
        for i in range(n):
            cid = card if n == 1 else f"{card}-{i}"
            events.append(make_event(cid, "review", answer(h.state(cid), 4, day), T0, day, grade=4))
        h.append(events)
    return h


def manifest(home: Path, day: date | str) -> dict:
    return json.loads((home / "backups" / str(day) / "manifest.json").read_text())


def stored_bytes(root: Path) -> int:
    """Bytes on disk under `root`, each file (hard links included) counted once."""
    seen: dict[tuple[int, int], int] = {}
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            seen[(st.st_dev, st.st_ino)] = st.st_size
    return sum(seen.values())


def test_the_first_write_of_a_day_backs_up_the_log_as_it_was(home: Path) -> None:
    build_history(home, days=2, cards=3)
    log = (home / "reviews.jsonl").read_bytes()
    h = write_on(home, DAY)
    day = home / "backups" / "2026-03-20"
    assert h.backup == day and h.warnings == []
    assert restored_bytes(home, "2026-03-20") == log
    m = manifest(home, DAY)
    assert (m["day"], m["after"], m["start"], m["end"], m["lines"]) == (
        "2026-03-20",
        None,
        0,
        len(log),
        6,
    )
    # Only the log: the index is derived from it.
    assert sorted(p.name for p in day.iterdir()) == ["manifest.json", m["pieces"][0]["file"]]
    # The second write of the day leaves that backup alone.
    h2 = write_on(home, DAY, "card-1")
    assert h2.backup is None
    assert restored_bytes(home, "2026-03-20") == log
    assert (home / "reviews.jsonl").read_bytes() != log


def test_each_later_day_stores_only_the_bytes_appended_since(home: Path) -> None:
    build_history(home, days=2, cards=3)
    write_on(home, DAY)
    before = (home / "reviews.jsonl").read_bytes()
    write_on(home, DAY + timedelta(days=1), n=3)
    m = manifest(home, DAY + timedelta(days=1))
    first = manifest(home, DAY)
    assert m["after"] == "2026-03-20" and m["start"] == first["end"]
    assert [p["size"] for p in m["pieces"]] == [len(before) - first["end"]]
    assert restored_bytes(home, "2026-03-21") == before


def test_the_daily_check_decodes_only_what_was_not_backed_up(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(home, days=3, cards=4)
    write_on(home, DAY)  # the first backup reads (and decodes) the whole log, once
    write_on(home, DAY, n=5)
    decoded: list[int] = []
    real = backup._decode

    def counting(path, lineno, raw):  # type: ignore[no-untyped-def]
        decoded.append(lineno)
        return real(path, lineno, raw)

    monkeypatch.setattr(backup, "_decode", counting)
    put_index(home, None)  # so the history's own load reads the log, not backup.py
    write_on(home, DAY + timedelta(days=1))
    assert decoded == [13, 14, 15, 16, 17, 18]  # the six events written after the backup


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
    days = [DAY + timedelta(days=n) for n in range(10)]
    logs = {}
    for n, d in enumerate(days):
        logs[d.isoformat()] = (home / "reviews.jsonl").read_bytes()
        write_on(home, d)
        if n == 0:
            (root / d.isoformat() / "README").write_text("a user's note")
    names = sorted(p.name for p in root.iterdir())
    kept = [d.isoformat() for d in days[-7:]]
    assert names == sorted([*kept, days[0].isoformat(), "2025-01-01-before-upgrade", "notes.txt"])
    # The oldest day held a file that is not ours: only our files went.
    assert sorted(p.name for p in (root / days[0].isoformat()).iterdir()) == ["README"]
    assert (root / "2025-01-01-before-upgrade" / "reviews.jsonl").read_text() == "kept"
    assert (root / "notes.txt").read_text() == "mine"
    assert [p.name for p in list_backups(home)] == [days[0].isoformat(), *kept]
    # The oldest kept day took over the parts of the pruned ones: it is the base now.
    assert manifest(home, kept[0])["after"] is None
    for d in kept:
        assert restored_bytes(home, d) == logs[d]


def test_seven_days_take_about_one_log(home: Path) -> None:
    """Issue 12's target: seven days of backups <= 1.2x the log."""
    write_on(home, D0, n=2000)  # about 500 KB of history before the first backup
    for n in range(1, 12):
        write_on(home, D0 + timedelta(days=n), card=f"card-{n}", n=60)
    log = (home / "reviews.jsonl").stat().st_size
    assert len(list_backups(home)) == 7
    total = stored_bytes(home / "backups")
    assert total <= 1.2 * log, total / log
    newest = manifest(home, list_backups(home)[-1].name)
    assert newest["end"] < total < 1.02 * newest["end"]  # in fact: the log and 7 manifests


def test_a_failed_backup_leaves_no_partial_folder_and_the_answer_is_still_saved(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(home, days=1, cards=2)
    real_fsync = os.fsync

    def full(fd: int) -> None:  # the part is written, then the disk is full
        if "/backups/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    h = write_on(home, DAY)
    target = home / "backups" / "2026-03-20"
    assert h.warnings == [
        f"cannot back up the history to {target}: No space left on device; "
        "continuing without today's backup"
    ]
    assert not (home / "backups").exists()
    assert len((home / "reviews.jsonl").read_bytes().splitlines()) == 3
    tally("disk full during the daily backup (ENOSPC at fsync, via monkeypatch)", 1, 0, 3)


def test_a_leftover_incomplete_folder_is_cleaned_but_foreign_files_stay(home: Path) -> None:
    build_history(home, days=1, cards=2)
    root = home / "backups"
    (root / ".incomplete-crashed").mkdir(parents=True)
    (root / ".incomplete-crashed" / "reviews.jsonl").write_text("partial")
    (root / ".incomplete-crashed" / "part-000000000000-0123abcd.jsonl").write_text("partial")
    (root / ".incomplete-other").mkdir()
    (root / ".incomplete-other" / "mine.txt").write_text("not flashprep's")
    write_on(home, DAY)
    assert sorted(p.name for p in root.iterdir()) == [".incomplete-other", "2026-03-20"]
    assert (root / ".incomplete-other" / "mine.txt").exists()


def test_a_torn_line_is_in_the_backup_before_it_is_set_aside(home: Path) -> None:
    build_history(home, days=1, cards=2)
    log = home / "reviews.jsonl"
    torn = b'{"v":1,"id":"0a","card_id":"card-0","ts":"2026-03-1'
    log.write_bytes(log.read_bytes() + torn)
    write_on(home, DAY)
    assert restored_bytes(home, "2026-03-20").endswith(torn)
    assert (home / "reviews.jsonl.torn").read_bytes() == torn + b"\n"
    assert torn not in log.read_bytes()
    # The next day builds on the last complete line: the torn bytes are not part of it.
    before = log.read_bytes()
    h = write_on(home, DAY + timedelta(days=1))
    assert h.warnings == []
    assert manifest(home, DAY + timedelta(days=1))["start"] == len(before) - len(
        before.splitlines(keepends=True)[-1]
    )
    assert restored_bytes(home, "2026-03-21") == before
    assert restored_bytes(home, "2026-03-20").endswith(torn)


def test_a_line_damaged_in_place_after_its_backup_is_refused_by_checksum(home: Path) -> None:
    build_history(home, days=3, cards=3)
    write_on(home, DAY)
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b'"card_id"', b'"card_iX"')  # same length: bit rot
    log.write_bytes(b"\n".join(lines))
    before = fingerprint(home)
    with pytest.raises(HistoryError) as exc:
        write_on(home, DAY + timedelta(days=1))
    assert str(exc.value) == (
        f"{log}:5: corrupt event (no card_id); the file was left as it is - run "
        "'flashprep doctor' for the options"
    )
    assert fingerprint(home) == before


def test_a_log_edited_but_still_valid_is_a_warning_and_builds_on_what_matched(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "CHUNK", 64)  # a mark at every line
    build_history(home, days=3, cards=3)
    write_on(home, DAY)
    log = home / "reviews.jsonl"
    at21 = log.read_bytes()
    write_on(home, DAY + timedelta(days=1))
    original = log.read_bytes()
    lines = original.split(b"\n")
    lines[3] = lines[3].replace(b'"duration_ms":1000', b'"duration_ms":99999')  # longer
    edited = b"\n".join(lines)
    log.write_bytes(edited)
    put_index(home, None)  # the edited log is indexed afresh, without a word
    h = write_on(home, DAY + timedelta(days=2))
    assert h.backup is not None and len(h.warnings) == 1
    assert h.warnings[0] == (
        f"{log} changed in lines 4-4 since the backup of 2026-03-21, but every line from "
        "there on is a valid event; today's backup keeps the log as it is now, and the "
        "earlier days stay restorable until they are pruned"
    )
    assert len(log.read_bytes().splitlines()) == 12  # the answer was saved all the same
    assert restored_bytes(home, "2026-03-22") == edited
    assert restored_bytes(home, "2026-03-21") == at21
    m = manifest(home, DAY + timedelta(days=2))
    assert m["after"] == "2026-03-20" and m["start"] == len(
        b"".join(original.splitlines(keepends=True)[:3])
    )
    tally("log edited by hand, every line valid", 1, 0, 11)


def test_a_shorter_log_is_a_warning_and_the_longer_one_stays_in_the_backups(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "CHUNK", 64)
    build_history(home, days=3, cards=3)
    log = home / "reviews.jsonl"
    full = log.read_bytes()
    write_on(home, DAY)
    cut = b"".join(full.splitlines(keepends=True)[:4])
    log.write_bytes(cut)
    put_index(home, None)
    h = write_on(home, DAY + timedelta(days=1))
    assert h.warnings[-1] == (
        f"{log} is shorter than at the backup of 2026-03-20 ({len(cut)} of {len(full)} bytes), "
        "but every line from there on is a valid event; today's backup keeps the log as it "
        "is now, and the earlier days stay restorable until they are pruned"
    )
    assert restored_bytes(home, "2026-03-20") == full
    assert restored_bytes(home, "2026-03-21") == cut
    assert manifest(home, DAY + timedelta(days=1))["start"] == len(cut)
    tally("log edited by hand: shorter than its backup", 1, 0, 9)


def test_damaged_backups_are_not_trusted_and_the_next_day_starts_a_new_base(home: Path) -> None:
    build_history(home, days=2, cards=3)
    write_on(home, DAY)
    (home / "backups" / "2026-03-20" / "manifest.json").write_text("{garbage")
    log = (home / "reviews.jsonl").read_bytes()
    h = write_on(home, DAY + timedelta(days=1))
    assert h.warnings == [
        f"{home / 'backups' / '2026-03-20'} cannot be used to check the log (damaged "
        "manifest.json (Expecting property name enclosed in double quotes: line 1 column 2 "
        "(char 1))); today's backup is a full copy, after a check of every line"
    ]
    assert manifest(home, DAY + timedelta(days=1))["after"] is None
    assert restored_bytes(home, "2026-03-21") == log
    days = {d.day: d for d in describe(home, verify=True)}
    assert days["2026-03-20"].problem is not None and days["2026-03-21"].problem is None
    tally("damaged backup manifest (not trusted: a new base)", 1, 0, 6)


def test_old_style_backups_stay_restorable_and_are_pruned_as_before(home: Path) -> None:
    build_history(home, days=2, cards=3)
    root = home / "backups"
    old = {}
    for n in range(3):  # what earlier versions wrote: whole copies of both files
        day = (D0 + timedelta(days=n)).isoformat()
        (root / day).mkdir(parents=True)
        old[day] = (home / "reviews.jsonl").read_bytes() + b"\n" * n
        (root / day / "reviews.jsonl").write_bytes(old[day])
        (root / day / "state.json").write_bytes(b'{"schema":1}')
    (root / "2026-03-10" / "mine.txt").write_text("a note")
    for n in range(4):
        write_on(home, DAY + timedelta(days=n))
    assert [p.name for p in list_backups(home)] == [
        "2026-03-10",
        "2026-03-11",
        "2026-03-12",
        *[f"2026-03-2{n}" for n in range(4)],
    ]
    for day, data in old.items():
        assert restored_bytes(home, day) == data
    write_on(home, DAY + timedelta(days=4))
    write_on(home, DAY + timedelta(days=5))
    assert [p.name for p in list_backups(home)][:2] == ["2026-03-10", "2026-03-12"]
    assert sorted(p.name for p in (root / "2026-03-10").iterdir()) == ["mine.txt"]
    assert not (root / "2026-03-11").exists()


def test_a_fold_that_fails_keeps_the_old_day_and_is_done_at_the_next_backup(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(home, days=1, cards=2)
    logs = {}
    for n in range(7):
        logs[(DAY + timedelta(days=n)).isoformat()] = (home / "reviews.jsonl").read_bytes()
        write_on(home, DAY + timedelta(days=n))

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise HistoryError("cannot write manifest.json: No space left on device")

    with monkeypatch.context() as m:
        m.setattr(backup, "atomic_write_bytes", full)
        logs["2026-03-27"] = (home / "reviews.jsonl").read_bytes()
        write_on(home, DAY + timedelta(days=7))
    assert len(list_backups(home)) == 8  # the base could not be folded: it stays
    for day, data in logs.items():
        assert restored_bytes(home, day) == data
    logs["2026-03-28"] = (home / "reviews.jsonl").read_bytes()
    write_on(home, DAY + timedelta(days=8))
    assert [p.name for p in list_backups(home)] == sorted(logs)[-7:]
    for day in sorted(logs)[-7:]:
        assert restored_bytes(home, day) == logs[day]
    assert all(not p.name.startswith(".") for p in (home / "backups").rglob("*"))


def test_a_base_that_took_over_years_of_days_keeps_few_files(home: Path) -> None:
    write_on(home, D0, n=50)
    for n in range(1, 60):
        write_on(home, D0 + timedelta(days=n), card=f"card-{n}", n=3)
    base = home / "backups" / list_backups(home)[0].name
    parts = [p for p in base.iterdir() if p.name.startswith("part-")]
    assert 1 <= len(parts) <= 8
    assert stored_bytes(home / "backups") < 1.1 * (home / "reviews.jsonl").stat().st_size


def test_review_backs_up_once_per_study_day_with_the_rollover_hour(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    run = ("--decks", str(mini_decks), "review", "--plain")
    assert cli(*run, input="\n4\n").exit_code == 0
    assert not (home / "backups").exists()  # nothing existed before the first write
    assert cli(*run, input="\n4\n").exit_code == 0
    assert [p.name for p in list_backups(home)] == ["2026-03-10"]
    first = fingerprint(home / "backups")
    # 02:00 on the 11th is still study day 2026-03-10 (the day starts at 04:00).
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T02:00:00+00:00")
    assert cli(*run, input="\n4\n").exit_code == 0
    assert fingerprint(home / "backups") == first
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
    log = (home / "reviews.jsonl").read_bytes()
    cli(*run, input="q\n")
    assert [p.name for p in list_backups(home)] == ["2026-03-10", "2026-03-11"]
    assert restored_bytes(home, "2026-03-11") == log


def test_a_last_event_without_its_newline_is_backed_up_and_counted_once(home: Path) -> None:
    build_history(home, days=2, cards=3)
    log = home / "reviews.jsonl"
    log.write_bytes(log.read_bytes()[:-1])  # a complete event, its newline lost
    put_index(home, None)
    write_on(home, DAY)  # backs it up, then the writer ends the line and appends
    assert manifest(home, DAY)["lines"] == 6
    before = log.read_bytes()
    h = write_on(home, DAY + timedelta(days=1))
    assert h.warnings == []
    assert manifest(home, DAY + timedelta(days=1))["lines"] == 7 == len(before.splitlines())
    assert restored_bytes(home, "2026-03-21") == before
    # A line damaged after that backup is named by its real number.
    lines = log.read_bytes().split(b"\n")
    lines[6] = b"?" + lines[6][1:]
    log.write_bytes(b"\n".join(lines))
    with pytest.raises(HistoryError, match=r"reviews\.jsonl:7: corrupt event"):
        History.open(home, write=True, backup_day=DAY + timedelta(days=2))


# One study day of a random history: what happens to the log after the day's first write.
DAY_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.integers(0, 4)),
        st.tuples(st.just("torn"), st.integers(1, 40)),
        st.tuples(st.just("edit"), st.integers(0, 10_000)),
        st.tuples(st.just("truncate"), st.integers(0, 10_000)),
        st.tuples(st.just("restore"), st.integers(0, 6)),
    ),
    max_size=3,
)


@settings(
    max_examples=int(os.environ.get("FLASHPREP_FUZZ_EXAMPLES", "150")) // 5 or 1,
    deadline=None,
    derandomize=not os.environ.get("FLASHPREP_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow],
)
@given(days=st.lists(DAY_OPS, min_size=1, max_size=11), chunk=st.sampled_from([64, 300, 1 << 22]))
def test_every_kept_day_restores_to_the_log_as_it_was_whatever_happened(
    days: list[list[tuple[str, int]]], chunk: int
) -> None:
    """Random days of appends, torn writes, hand edits, truncations and restores: each
    kept day restores to the exact bytes its first write saw, and nothing is refused."""
    import tempfile

    from flashprep import restore

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(backup, "CHUNK", chunk)
        home = Path(tmp) / "home"
        log = home / "reviews.jsonl"
        write_on(home, D0 - timedelta(days=1), n=3)
        seen: dict[str, bytes] = {}

        def write(day: date, card: str, n: int = 1) -> None:
            before = log.read_bytes()
            if write_on(home, day, card=card, n=n).backup is not None:
                seen[day.isoformat()] = before  # (a day whose first write met an empty log
                # is backed up by its next writer)

        for n, ops in enumerate(days):
            day = D0 + timedelta(days=n)
            write(day, f"c{n}")
            for op, arg in ops:
                lines = log.read_bytes().splitlines(keepends=True)
                whole = [i for i, line in enumerate(lines) if line.endswith(b"\n")]
                if op == "append" and arg:
                    write(day, f"a{n}", arg)
                elif op == "torn":
                    log.write_bytes(log.read_bytes() + b'{"v":1,"id":"x' + b"y" * arg)
                elif op == "edit" and whole:
                    i = whole[arg % len(whole)]
                    event = json.loads(lines[i])
                    event["duration_ms"] = event.get("duration_ms", 0) + 10 ** (arg % 5) + 1
                    lines[i] = json.dumps(event, separators=(",", ":")).encode() + b"\n"
                    log.write_bytes(b"".join(lines))
                    put_index(home, None)
                elif op == "truncate" and lines:
                    log.write_bytes(b"".join(lines[: arg % len(lines)]))
                    put_index(home, None)
                elif op == "restore":
                    kept = [p.name for p in list_backups(home)]
                    if kept:
                        restore.restore(home, kept[arg % len(kept)], T0)
            kept = [p.name for p in list_backups(home)]
            assert len(kept) <= 7
            for d in kept:
                assert restored_bytes(home, d) == seen[d], (d, ops)
    tally(
        "fuzz: backups, random days of appends, torn writes, edits, truncations, restores "
        "(examples)",
        1,
    )


def test_without_hard_links_the_fold_copies_and_the_days_still_restore(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))  # FAT, some network shares

    monkeypatch.setattr(os, "link", no_links)
    write_on(home, D0, n=200)
    logs = {}
    for n in range(1, 10):
        day = D0 + timedelta(days=n)
        logs[day.isoformat()] = (home / "reviews.jsonl").read_bytes()
        write_on(home, day, card=f"card-{n}", n=20)
    kept = [p.name for p in list_backups(home)]
    assert kept == sorted(logs)[-7:]
    for d in kept:
        assert restored_bytes(home, d) == logs[d]
    assert stored_bytes(home / "backups") <= 1.2 * (home / "reviews.jsonl").stat().st_size
