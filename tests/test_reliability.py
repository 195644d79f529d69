"""No answer is ever lost: crashes, concurrent writers, damaged files, full disks.

Each test injects one fault, many times where the fault has many shapes (every
byte offset of a torn line, the derived index truncated at every page and damaged in
every way, every middle line of the log), and checks two things: every answer that was written
before the fault is still in the log and in the card states, and the files on
disk are what they were whenever flashprep refused to go on. Counts go to the
tally in reliability_helpers (the README's Reliability table).
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from reliability_helpers import (
    D0,
    T0,
    answers_missing,
    build_history,
    fingerprint,
    index_bytes,
    log_ids,
    put_index,
    record_answers,
    states_of,
    tally,
)

from flashprep import doctor, logcheck
from flashprep.errors import HistoryError, LockedError
from flashprep.history import History, replay
from flashprep.schedule import CardState, answer

REPO = Path(__file__).resolve().parent.parent
CORRUPT_TAIL = "; the file was left as it is - run 'flashprep doctor' for the options"


def expected_states(events: list[dict]) -> dict[str, CardState]:
    out: dict[str, CardState] = {}
    for e in events:
        out[e["card_id"]] = CardState.from_dict(e["state"])
    return out


def history_ok(home: Path) -> bool:
    """doctor's log and index checks (no deck parsing: fast enough to run per case)."""
    scan = logcheck.scan_log(home / "reviews.jsonl")
    findings = logcheck.check_log(home, scan) + logcheck.check_index(home, scan)
    return all(f.level == "ok" for f in findings)


def python(code: str, *args: str, **kw) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    """A child Python running `code` with flashprep importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **kw,
    )


# ------------------------------------------------------------- crash mid-append


@pytest.mark.parametrize("checkpoint", ["before-the-append", "missing"])
def test_crash_mid_append_at_every_byte_offset_of_the_last_line(
    tmp_path: Path, checkpoint: str
) -> None:
    src = tmp_path / "src"
    earlier = build_history(src, days=2, cards=3)
    index_before = index_bytes(src)
    log_before = (src / "reviews.jsonl").read_bytes()
    last = record_answers(src, ["card-1"], day=D0.replace(day=20), grades=[3])
    full = (src / "reviews.jsonl").read_bytes()
    start = len(log_before)
    assert full.startswith(log_before) and full.endswith(b"\n")

    home = tmp_path / "home"
    cases = lost = answers = 0
    for cut in range(start, len(full) + 1):
        if home.exists():
            shutil.rmtree(home)
        home.mkdir()
        (home / "reviews.jsonl").write_bytes(full[:cut])
        if checkpoint == "before-the-append":
            put_index(home, index_before)
        complete = earlier + last if cut >= len(full) - 1 else earlier
        torn = full[start:cut] if start < cut < len(full) - 1 else b""

        reader = History.open(home)
        assert reader.states == expected_states(complete), cut
        torn_warnings = [w for w in reader.warnings if "last line is incomplete" in w]
        assert len(torn_warnings) == (1 if torn else 0), cut
        if torn:
            assert f"{len(torn)} bytes" in torn_warnings[0]
        assert (home / "reviews.jsonl").read_bytes() == full[:cut]  # readers never write

        after = record_answers(home, ["card-2"], day=D0.replace(day=21))
        present = log_ids(home)
        assert present == [e["id"] for e in complete + after], cut
        assert History.open(home).states == replay(home / "reviews.jsonl")
        if torn:
            assert (home / "reviews.jsonl.torn").read_bytes() == torn + b"\n"
        else:
            assert not (home / "reviews.jsonl.torn").exists()
        assert history_ok(home), cut
        cases += 1
        answers += len(complete)
        lost += answers_missing([e["id"] for e in complete], present)
    assert cases == len(full) - start + 1
    tally(
        "torn append (log cut at every byte offset of its last line, "
        f"index {checkpoint.replace('-', ' ')})",
        cases,
        lost,
        answers,
    )
    assert lost == 0


CRASH_CHILD = """
    import os, signal, sys
    from datetime import UTC, date, datetime
    from pathlib import Path
    from flashprep.history import History
    from flashprep.schedule import answer, answer_kind

    from flashprep import index

    home, mode, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    day = date(2026, 4, 1)
    moment = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    h = History.open(home, write=True)
    real_apply = index.Index.apply
    for i in range(n):
        if mode == "kill-before-index" and i == n - 1:
            # SIGKILL once the last answer is in the log, before the index has it.
            index.Index.apply = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        cid = f"crash-{i % 5}"
        s = h.state(cid)
        ev = h.record(cid, answer_kind(s, day), answer(s, 4, day), moment, day, grade=4)
        print(ev["id"], flush=True)
    os._exit(0)  # the process ends without closing anything
    """


@pytest.mark.parametrize("mode", ["exit", "kill-before-index"])
def test_crash_between_the_log_append_and_the_index_update(tmp_path: Path, mode: str) -> None:
    home = tmp_path / "home"
    earlier = build_history(home, days=1, cards=4)
    child = python(CRASH_CHILD, str(home), mode, "7")
    out, err = child.communicate(timeout=30)
    assert child.returncode == (0 if mode == "exit" else -signal.SIGKILL), err
    acked = out.split()
    # Killed before the index update, the 7th answer is in the log but was never
    # acknowledged to the user: it is kept all the same.
    assert len(acked) == (7 if mode == "exit" else 6)
    h = History.open(home)
    assert h.replayed == (0 if mode == "exit" else 1) and h.warnings == []
    assert h.states == replay(home / "reviews.jsonl")
    present = log_ids(home)
    assert present[: len(earlier) + len(acked)] == [e["id"] for e in earlier] + acked
    assert len(present) == len(earlier) + 7
    lost = answers_missing(acked, present)
    with History.open(home, write=True) as w:  # the next writer starts cleanly
        assert w.states == h.states
    assert history_ok(home)
    tally(f"crash between log append and index update ({mode})", 1, lost, len(acked))
    assert lost == 0


HAMMER_CHILD = """
    import sys
    from datetime import UTC, date, datetime
    from pathlib import Path
    from flashprep.history import History
    from flashprep.schedule import answer, answer_kind

    home = Path(sys.argv[1])
    day = date(2026, 4, 2)
    moment = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    h = History.open(home, write=True)
    i = 0
    while True:
        cid = f"kill-{i % 7}"
        s = h.state(cid)
        ev = h.record(cid, answer_kind(s, day), answer(s, i % 6, day), moment, day,
                      grade=i % 6)
        print(ev["id"], flush=True)
        i += 1
    """


def test_kill_9_of_a_writer_at_random_points_loses_no_acknowledged_answer(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    rng = random.Random(8)
    acked: list[str] = []
    kills = 12
    for _ in range(kills):
        child = python(HAMMER_CHILD, str(home))
        assert child.stdout is not None
        for _ in range(rng.randint(1, 40)):
            line = child.stdout.readline()
            assert line, child.stderr.read() if child.stderr else ""
            acked.append(line.strip())
        time.sleep(rng.random() / 500)  # land somewhere inside a later append
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate(timeout=30)
        acked += out.split()  # answers acknowledged before the kill landed
        assert child.returncode == -signal.SIGKILL
        h = History.open(home)  # loads without manual repair
        assert h.states == replay(home / "reviews.jsonl")
    present = log_ids(home)
    lost = answers_missing(acked, present)
    with History.open(home, write=True):
        pass
    assert history_ok(home)
    tally("kill -9 of a process appending in a loop, at random points", kills, lost, len(acked))
    assert lost == 0 and len(present) >= len(acked)


# ------------------------------------------------------------- two writers


HOLDER_CHILD = """
    import os, sys
    from pathlib import Path
    from flashprep.history import History

    h = History.open(Path(sys.argv[1]), write=True)
    print("locked", os.getpid(), flush=True)
    sys.stdin.read()  # hold the lock until the parent closes our stdin
    h.close()
    """


def start_holder(home: Path) -> tuple[subprocess.Popen, int]:  # type: ignore[type-arg]
    child = python(HOLDER_CHILD, str(home))
    assert child.stdout is not None
    line = child.stdout.readline().split()
    assert line[0] == "locked", child.stderr.read() if child.stderr else ""
    return child, int(line[1])


def test_a_second_writer_is_refused_with_the_first_ones_pid(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    build_history(home, days=1, cards=2)
    assert cli("--decks", str(mini_decks), "status").exit_code == 0  # warm the deck cache
    child, pid = start_holder(home)
    try:
        before = fingerprint(home)
        message = f"another flashprep session is running (pid {pid}); finish it first"
        with pytest.raises(LockedError) as exc:
            History.open(home, write=True)
        assert str(exc.value) == message
        r = cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n")
        assert r.exit_code == 2
        assert r.stderr == f"flashprep: error: {message}\n"
        assert fingerprint(home) == before
        assert History.open(home).states == replay(home / "reviews.jsonl")  # readers go on
        report = doctor.diagnose(home)
        session = [f for f in report["findings"] if f["check"] == "session"][0]
        assert session["message"].startswith(f"a flashprep session is running (pid {pid})")
        tally("second writer while a session holds the lock (refused)", 2, 0, 4)
    finally:
        child.communicate(input="", timeout=30)
    assert child.returncode == 0
    History.open(home, write=True).close()  # free again once the first one is done


def test_a_stale_lock_of_a_killed_process_does_not_block(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    kills = 3
    for _ in range(kills):
        child, pid = start_holder(home)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
        assert (home / "lock").read_text().strip() == str(pid)  # the dead pid is still there
        r = cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n")
        assert r.exit_code == 0, r.stderr
        assert "graded 4" in r.stdout
    assert (home / "lock").read_text().strip() == str(os.getpid())
    assert len(log_ids(home)) == kills
    tally("stale lock left by kill -9 of the holder (next writer goes ahead)", kills, 0, kills)


RACER_CHILD = """
    import os, sys, time
    from pathlib import Path
    from flashprep.errors import LockedError
    from flashprep.history import History

    home, at = Path(sys.argv[1]), float(sys.argv[2])
    time.sleep(max(0.0, at - time.time()))
    try:
        h = History.open(home, write=True)
    except LockedError as exc:
        print("refused", os.getpid(), exc, flush=True)
    else:
        print("won", os.getpid(), flush=True)
        time.sleep(0.5)
        h.close()
    """


def test_of_two_writers_starting_together_exactly_one_gets_the_lock(home: Path) -> None:
    home.mkdir()
    rounds = 3
    for _ in range(rounds):
        at = time.time() + 0.4
        kids = [python(RACER_CHILD, str(home), str(at)) for _ in range(2)]
        outs = [k.communicate(timeout=30)[0].split(maxsplit=2) for k in kids]
        results = sorted(outs, key=lambda o: o[0], reverse=True)
        assert [o[0] for o in results] == ["won", "refused"], outs
        winner = results[0][1]
        assert results[1][2].strip() == (
            f"another flashprep session is running (pid {winner}); finish it first"
        )
    tally("two writers starting at the same instant (one refused)", rounds)


WORKER_CHILD = """
    import json, sys, time
    from datetime import UTC, date, datetime
    from pathlib import Path
    from flashprep.errors import LockedError
    from flashprep.history import History
    from flashprep.schedule import answer

    home, name, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    day = date(2026, 4, 3)
    moment = datetime(2026, 4, 3, 9, 0, tzinfo=UTC)
    acked, refusals = [], 0
    for i in range(n):
        while True:
            try:
                h = History.open(home, write=True)
                break
            except LockedError:
                refusals += 1
                time.sleep(0.0005)
        with h:
            cid = f"{name}-{i}"
            acked.append(h.record(cid, "new", answer(h.state(cid), 4, day), moment, day,
                                  grade=4, seq=i)["id"])
    print(json.dumps({"acked": acked, "refusals": refusals}), flush=True)
    """


def test_two_processes_hammering_appends_lose_and_interleave_nothing(home: Path) -> None:
    home.mkdir()
    n = 40
    kids = [python(WORKER_CHILD, str(home), name, str(n)) for name in ("left", "right")]
    reads = 0
    while any(k.poll() is None for k in kids):
        History.open(home)  # a reader at any moment sees a loadable history
        reads += 1
        time.sleep(0.002)
    results = []
    for k in kids:
        out, err = k.communicate(timeout=60)
        assert k.returncode == 0, err
        results.append(json.loads(out))
    acked = results[0]["acked"] + results[1]["acked"]
    lines = (home / "reviews.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == 2 * n
    events = [json.loads(x) for x in lines[:-1]]  # every line is one whole event
    assert sorted(e["id"] for e in events) == sorted(acked)
    for name in ("left", "right"):
        seqs = [e["seq"] for e in events if e["card_id"].startswith(name + "-")]
        assert seqs == list(range(n))  # each writer's events in its own order
    assert history_ok(home)
    lost = answers_missing(acked, log_ids(home))
    tally(
        "two processes appending in turns under the lock "
        f"({sum(r['refusals'] for r in results)} refusals, {reads} concurrent reads)",
        2 * n,
        lost,
        len(acked),
    )
    assert lost == 0


# ------------------------------------------------------------- index damage


def damage_cases(good: bytes) -> list[tuple[str, bytes | None, bytes | None]]:
    """(name, index bytes or None for none, a journal to put beside it or None)."""
    import sqlite3

    def edited(sql: str) -> bytes:
        path = Path(os.environ["TMPDIR_FOR_INDEX"]) / "edit.sqlite"
        path.write_bytes(good)
        with sqlite3.connect(path, isolation_level=None) as conn:
            conn.execute(sql)
            if "states" in sql:  # the states a writer left as a snapshot would hide it
                conn.execute("DELETE FROM meta WHERE key = 'snapshot'")
        conn.close()
        return path.read_bytes()

    page = 4096
    cases: list[tuple[str, bytes | None, bytes | None]] = [
        ("deleted", None, None),
        ("empty", b"", None),
    ]
    # Every 61st byte of the header page (the schema and page size live there), then
    # every page boundary and the middle of every page.
    cases += [
        (f"truncated at byte {n}", good[:n], None)
        for n in sorted({*range(1, page, 61), *range(page, len(good), page // 2)})
    ]
    cases += [
        ("garbage bytes", bytes(range(256)) * 64, None),
        ("NUL bytes", b"\x00" * 8192, None),
        ("a text file", b"not an index\n" * 100, None),
        ("another schema version", edited("PRAGMA user_version = 7"), None),
        ("not flashprep's tables", edited("DROP TABLE states"), None),
        (
            "offset past a line start",
            edited("UPDATE meta SET value = 7 WHERE key = 'offset'"),
            None,
        ),
        ("negative offset", edited("UPDATE meta SET value = -5 WHERE key = 'offset'"), None),
        ("wrong last_id", edited("UPDATE meta SET value = 'ffff' WHERE key = 'last_id'"), None),
        ("a text ef", edited("UPDATE states SET ef = 'high'"), None),
        ("a negative interval", edited("UPDATE states SET interval = -1"), None),
        ("a bad due day", edited("UPDATE states SET due = '2026-13-40'"), None),
        ("a stale journal of another file", good, b"\x37\x7f\x06\x82" + b"\x00" * 4000),
        ("a garbage journal", good, bytes(range(256)) * 16),
    ]
    return cases


def test_a_damaged_index_is_rebuilt_with_identical_card_states(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR_FOR_INDEX", str(tmp_path))
    build_history(home, days=3, cards=6)
    good = index_bytes(home)
    assert good is not None
    log = (home / "reviews.jsonl").read_bytes()
    before = History.open(home).states
    assert before == replay(home / "reviews.jsonl") and len(before) == 6
    cases = damage_cases(good)
    index = home / "cache" / "index.sqlite"
    for name, damage, journal in cases:
        put_index(home, damage)
        if journal is not None:
            index.with_name(index.name + "-wal").write_bytes(journal)
        reader = History.open(home)
        assert reader.states == before, name
        assert len(reader.warnings) <= 1, (name, reader.warnings)
        if reader.warnings:
            assert "rebuilding it from the log" in reader.warnings[0], name
        reader.close()
        fresh = History.open(home)  # the reader rebuilt it: nothing left to say
        assert fresh.states == before and fresh.warnings == [] and fresh.replayed == 0, name
        fresh.close()
        assert history_ok(home), name
        put_index(home, good)
    assert (home / "reviews.jsonl").read_bytes() == log
    tally(
        "index deleted, empty, truncated, garbage, edited or beside a stale journal",
        len(cases),
        0,
        len(cases) * len(replay(home / "reviews.jsonl")),
    )


# ------------------------------------------------------------- corrupt middle line

CORRUPTIONS: dict[str, bytes] = {
    "garbage text": b"this is not json",
    "cut-off JSON": b'{"v":1,"id":"0a","card_id":"card-1","ts":"2026',
    "invalid UTF-8": b'{"v":1,"id":"\xff\xfe","card_id":"x"}',
    "NUL bytes": b"\x00" * 40,
    "a grade of 9": b"",  # filled in from a real line below
    "an unknown kind": b"",
    "a list for a kind": b"",
}


def corrupt(line: bytes, kind: str) -> bytes:
    if kind == "a grade of 9":
        return line.replace(b'"grade":', b'"grade":9,"was":', 1)
    if kind == "an unknown kind":
        return json.dumps({**json.loads(line), "kind": "teleport"}).encode()
    if kind == "a list for a kind":
        return json.dumps({**json.loads(line), "kind": ["new"]}).encode()
    return CORRUPTIONS[kind]


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_corrupt_middle_line_names_file_and_line_and_changes_nothing(
    tmp_path: Path, kind: str, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    src = tmp_path / "src"
    build_history(src, days=2, cards=4)
    lines = (src / "reviews.jsonl").read_bytes().split(b"\n")[:-1]
    home = tmp_path / "home"
    log = home / "reviews.jsonl"
    cases = 0
    for index in range(1, len(lines) - 1):  # every line but the first and the last
        if home.exists():
            shutil.rmtree(home)
        shutil.copytree(src, home)
        bad = lines[:index] + [corrupt(lines[index], kind)] + lines[index + 1 :]
        log.write_bytes(b"\n".join(bad) + b"\n")
        put_index(home, None)  # so the load reads the whole log
        before = fingerprint(home)
        lineno = index + 1
        for write in (False, True):
            with pytest.raises(HistoryError) as exc:
                History.open(home, write=write)
            msg = str(exc.value)
            assert msg.startswith(f"{log}:{lineno}: corrupt event (") and msg.endswith(
                CORRUPT_TAIL
            ), msg
        r = cli("status")
        assert r.exit_code == 2 and r.stderr == f"flashprep: error: {msg}\n"
        r = cli("doctor")
        assert r.exit_code == 2
        assert f"{log}:{lineno}: corrupt event (" in r.stdout
        assert "Options: (1)" in r.stdout and f"fix line {lineno}" in r.stdout
        r = cli("doctor", "--repair")
        assert r.exit_code == 2 and f"{log}:{lineno}: corrupt event (" in r.stdout
        assert fingerprint(home) == before  # hashes of every file: nothing was modified
        cases += 1
    # The valid lines around the bad one are kept byte for byte: none is lost.
    tally(f"corrupt middle line: {kind} (every middle line)", cases, 0, cases * (len(lines) - 1))


def test_a_line_damaged_inside_the_indexed_part_is_caught_by_the_daily_check(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    build_history(home, days=2, cards=3)
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[2] = b"{" + b"?" * (len(lines[2]) - 1)  # damaged in place: same length (bit rot)
    log.write_bytes(b"\n".join(lines))
    # The index covers the whole log, so a reader does not read line 3 ...
    assert cli("--decks", str(mini_decks), "status").exit_code == 0
    before = fingerprint(home)
    # ... but the first writer of a study day reads the whole log before its backup.
    r = cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n")
    assert r.exit_code == 2
    assert r.stderr.startswith(f"flashprep: error: {log}:3: corrupt event (")
    assert fingerprint(home) == before
    tally(
        "line damaged inside the indexed part (no backup yet: found by the first "
        "backup's full read)",
        1,
    )


@pytest.mark.parametrize("chunk", [None, 64], ids=["4 MiB marks", "a mark per line"])
def test_a_line_damaged_in_place_after_its_backup_is_caught_by_the_checksums(
    home: Path, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    """The daily check decodes nothing it backed up before, yet still finds bit rot there."""
    from datetime import date

    from flashprep import backup

    if chunk:
        monkeypatch.setattr(backup, "CHUNK", chunk)
    events = build_history(home, days=3, cards=4)
    with History.open(home, write=True, backup_day=date(2026, 3, 20)):
        pass  # the backup of the 20th: every line so far is in it
    log = home / "reviews.jsonl"
    good = log.read_bytes()
    lines = good.split(b"\n")
    cases = 0
    for index in range(len(lines) - 1):
        bad = list(lines)
        bad[index] = b"?" + bad[index][1:]  # one byte, in place: same length
        log.write_bytes(b"\n".join(bad))
        before = fingerprint(home)
        with pytest.raises(HistoryError) as exc:
            History.open(home, write=True, backup_day=date(2026, 3, 21))
        assert str(exc.value).startswith(f"{log}:{index + 1}: corrupt event (")
        assert str(exc.value).endswith(CORRUPT_TAIL)
        assert fingerprint(home) == before
        cases += 1
    log.write_bytes(good)
    with History.open(home, write=True, backup_day=date(2026, 3, 21)) as h:
        assert h.warnings == [] and h.backup is not None
    assert replay(log) == expected_states(events)
    tally(
        f"line damaged in place after its backup (caught by the checksums, {chunk})",
        cases,
        0,
        cases * (len(lines) - 2),
    )


# ------------------------------------------------------------- disk full, no permission


def log_fd_only(history: History, real, exc_errno: int, after: int | None = None):  # type: ignore[no-untyped-def]
    """A stand-in for os.write/os.fsync that fails on the log's descriptor only;
    with `after`, os.write first writes that many bytes (a partial write)."""

    def fake(fd, *args):  # type: ignore[no-untyped-def]
        if history._log is None or fd != history._log.fd:
            return real(fd, *args)
        if after is not None and args:
            real(fd, bytes(args[0][:after]))
        raise OSError(exc_errno, os.strerror(exc_errno))

    return fake


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES, errno.EIO])
@pytest.mark.parametrize("where", ["write", "partial write", "fsync"])
def test_a_failed_append_leaves_the_files_as_they_were(
    home: Path, monkeypatch: pytest.MonkeyPatch, err: int, where: str
) -> None:
    build_history(home, days=2, cards=3)
    h = History.open(home, write=True)
    before = fingerprint(home)
    states = dict(h.states)
    answers = len(log_ids(home))
    s = answer(h.state("card-0"), 5, D0.replace(day=25))
    # monkeypatch.context(), not .undo(): undo would also drop conftest's FLASHPREP_HOME.
    with monkeypatch.context() as m:
        if where == "fsync":
            m.setattr(os, "fsync", log_fd_only(h, os.fsync, err))
        else:
            partial = 100 if where == "partial write" else None
            m.setattr(os, "write", log_fd_only(h, os.write, err, partial))
        with pytest.raises(HistoryError) as exc:
            h.record("card-0", "review", s, T0, D0.replace(day=25), grade=5)
    assert str(exc.value) == f"cannot write {home / 'reviews.jsonl'}: {os.strerror(err)}"
    assert h.states == states
    assert fingerprint(home) == before
    h.close()
    assert fingerprint(home) == before
    # Once there is room again the same session could go on: nothing is half-written.
    record_answers(home, ["card-0"], day=D0.replace(day=25))
    assert History.open(home).states == replay(home / "reviews.jsonl")
    tally(f"failed append ({where}: {errno.errorcode[err]}, via monkeypatch)", 1, 0, answers)


@pytest.mark.parametrize("err", ["database or disk is full", "disk I/O error", "locked"])
def test_a_failed_index_update_keeps_every_answer(
    home: Path, monkeypatch: pytest.MonkeyPatch, err: str
) -> None:
    import sqlite3

    from flashprep import index

    build_history(home, days=1, cards=3)
    h = History.open(home, write=True)

    def fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise sqlite3.OperationalError(err)

    with monkeypatch.context() as m:
        m.setattr(index.Index, "apply", fail)
        acked = [
            h.record(
                c,
                "review",
                answer(h.state(c), 4, D0.replace(day=26)),
                T0,
                D0.replace(day=26),
                grade=4,
            )["id"]
            for c in ("card-0", "card-1")
        ]
    assert h.warnings == [f"the index was not updated ({err}); the log is complete"] * 2
    states = dict(h.states)
    if err == "locked":  # a passing failure: the next append indexes what was missed
        h.record(
            "card-2",
            "review",
            answer(h.state("card-2"), 5, D0.replace(day=26)),
            T0,
            D0.replace(day=26),
            grade=5,
        )
        assert len(h.warnings) == 2 and h.index is not None and h.index.offset == h.offset
        h.close()
        assert History.open(home).replayed == 0 and history_ok(home)
        return
    h.close()
    reader = History.open(home)  # applies the two answers the index lacks
    assert reader.replayed == 2 and reader.states == states == replay(home / "reviews.jsonl")
    reader.close()
    assert History.open(home).replayed == 0 and history_ok(home)
    lost = answers_missing(acked, log_ids(home))
    tally(f"failed index update ({err}, via monkeypatch)", 1, lost, len(acked))
    assert lost == 0


def test_review_on_a_full_disk_is_a_clear_error_and_changes_nothing(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    for _ in range(2):  # the second run makes today's backup: the next run adds nothing
        assert cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n").exit_code == 0
    assert (home / "backups" / "2026-03-10").is_dir()
    before = fingerprint(home)
    real_write = os.write

    def full(fd, data):  # type: ignore[no-untyped-def]
        if os.readlink(f"/proc/self/fd/{fd}").endswith("reviews.jsonl"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    with monkeypatch.context() as m:
        m.setattr(os, "write", full)
        r = cli("--decks", str(mini_decks), "review", "--plain", input="\n3\n")
    assert r.exit_code == 2
    assert r.stderr.endswith(
        f"flashprep: error: cannot write {home / 'reviews.jsonl'}: No space left on device\n"
    )
    assert fingerprint(home) == before
    tally("flashprep review on a full disk (ENOSPC, via monkeypatch)", 1, 0, 1)


def test_permission_denied_on_the_lock_is_a_clear_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_history(home, days=1, cards=2)
    before = fingerprint(home)
    real_open = os.open

    def denied(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith("/lock"):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args)

    with monkeypatch.context() as m:
        m.setattr(os, "open", denied)
        with pytest.raises(HistoryError) as exc:
            History.open(home, write=True)
    assert str(exc.value) == f"cannot write to {home}: Permission denied"
    assert fingerprint(home) == before
    tally("permission denied on the lock file (EACCES, via monkeypatch)", 1)


@pytest.fixture
def immutable(home: Path):  # type: ignore[no-untyped-def]
    """chattr +i: read-only even for root (tests run as root, where chmod is ignored)."""
    changed: list[Path] = []

    def freeze(*paths: Path) -> None:
        for p in paths:
            r = subprocess.run(["chattr", "+i", str(p)], capture_output=True)
            if r.returncode != 0:
                pytest.skip(f"chattr +i is not available here: {r.stderr.decode().strip()}")
            changed.append(p)

    yield freeze
    for p in reversed(changed):
        subprocess.run(["chattr", "-i", str(p)], check=False)


def test_a_read_only_home_is_a_clear_error_and_readers_still_work(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch, immutable
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    assert cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n\n5\n").exit_code == 0
    (home / "lock").unlink()  # the lock has to be created, too
    before = fingerprint(home)
    states = states_of(home)
    immutable(*home.rglob("*"), home)
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")  # a new day: a backup
    r = cli("--decks", str(mini_decks), "review", "--plain", input="\n3\n")
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: cannot write to {home}: Operation not permitted\n"
    assert fingerprint(home) == before
    r = cli("--decks", str(mini_decks), "status")
    assert r.exit_code == 0 and "Study day 2026-03-11" in r.stdout
    assert states_of(home) == states
    r = cli("--decks", str(mini_decks), "doctor")
    assert r.exit_code == 0
    tally("read-only home (chattr +i, a real EPERM even for root)", 1, 0, len(states))


def test_a_read_only_log_refuses_before_writing(
    home: Path, cli, mini_decks: Path, monkeypatch: pytest.MonkeyPatch, immutable
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    for _ in range(2):  # the second run makes today's backup: the next run adds nothing
        assert cli("--decks", str(mini_decks), "review", "--plain", input="\n4\n").exit_code == 0
    before = fingerprint(home)
    immutable(home / "reviews.jsonl")
    r = cli("--decks", str(mini_decks), "review", "--plain", input="\n\n5\n")
    assert r.exit_code == 2
    assert r.stderr.endswith(
        f"flashprep: error: cannot write {home / 'reviews.jsonl'}: Operation not permitted\n"
    )
    assert fingerprint(home) == before
    tally("read-only reviews.jsonl (chattr +i)", 1, 0, 1)


# ------------------------------------------------------------- newer schema


def newer_cases(lines: list[bytes], index: bytes) -> dict[str, tuple[bytes, bytes | None]]:
    newer = json.dumps({**json.loads(lines[-1]), "v": 2}).encode()
    body = b"\n".join(lines) + b"\n"
    return {
        "a newer line in the middle (no index)": (
            b"\n".join(lines[:2] + [newer] + lines[2:]) + b"\n",
            None,
        ),
        "a newer line after the indexed part": (body + newer + b"\n", index),
        "a newer last line without its newline": (body + newer, index),
    }


def test_a_history_from_a_newer_flashprep_is_refused_and_nothing_changes(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    src = tmp_path / "src"
    build_history(src, days=1, cards=4)
    lines = (src / "reviews.jsonl").read_bytes().split(b"\n")[:-1]
    good = index_bytes(src)
    assert good is not None
    cases = newer_cases(lines, good)
    home = tmp_path / "home"
    for name, (log, state) in cases.items():
        if home.exists():
            shutil.rmtree(home)
        home.mkdir()
        (home / "reviews.jsonl").write_bytes(log)
        if state is not None:
            put_index(home, state)
        before = fingerprint(home)
        path = home / "reviews.jsonl"
        for write in (False, True):
            with pytest.raises(HistoryError) as exc:
                History.open(home, write=write)
            assert str(exc.value) == (
                f"{path} was written by a newer flashprep (schema 2, this one reads 1); "
                "upgrade flashprep - nothing was changed"
            ), name
        for args in (("status",), ("review", "--plain"), ("doctor",), ("doctor", "--repair")):
            r = cli(*args, input="\n4\n")
            assert r.exit_code == 2, (name, args)
        assert "newer flashprep" in cli("doctor").stdout
        assert fingerprint(home) == before, name
    tally("history written by a newer schema (refused)", len(cases), 0, len(cases) * len(lines))


def test_a_read_only_log_with_a_torn_line_is_refused_before_the_set_aside(
    home: Path, immutable
) -> None:
    build_history(home, days=1, cards=2)
    log = home / "reviews.jsonl"
    log.write_bytes(log.read_bytes() + b'{"v":1,"id":"0a","card_')
    before = fingerprint(home)
    immutable(log)
    with pytest.raises(HistoryError) as exc:
        History.open(home, write=True)
    assert str(exc.value) == f"cannot write {log}: Operation not permitted"
    assert fingerprint(home) == before  # no reviews.jsonl.torn either
    tally("read-only reviews.jsonl (chattr +i)", 1, 0, 2)
