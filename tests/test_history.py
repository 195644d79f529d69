"""The JSON Lines log and the index derived from it: append, catch up, rebuild, refuse."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flashprep.errors import HistoryError, LockedError
from flashprep.history import History, replay
from flashprep.schedule import NEW_CARD, answer

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D0 = date(2026, 3, 10)


def answer_cards(home: Path, ids: list[str], grade: int = 4) -> None:
    with History.open(home, write=True) as h:
        for cid in ids:
            s = answer(h.state(cid), grade, D0)
            h.record(cid, "new", s, T0, D0, grade=grade, duration_ms=1500)


def index_meta(home: Path) -> dict[str, object]:
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as conn:
        return dict(conn.execute("SELECT key, value FROM meta"))


def damage_index(home: Path, damage: bytes | None) -> None:
    path = home / "cache" / "index.sqlite"
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    if damage is None:
        path.unlink()
    else:
        path.write_bytes(damage)


def test_events_and_the_index(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    lines = (home / "reviews.jsonl").read_text().splitlines()
    assert len(lines) == 2
    ev = json.loads(lines[0])
    assert ev["card_id"] == "a" and ev["grade"] == 4 and ev["kind"] == "new"
    assert ev["ts"] == "2026-03-10T09:00:00.000Z" and ev["day"] == "2026-03-10"
    assert ev["state"]["ef"] == 2.5 and ev["state"]["due"] == "2026-03-11"
    meta = index_meta(home)
    assert meta["lines"] == 2
    assert meta["offset"] == (home / "reviews.jsonl").stat().st_size
    assert meta["last_id"] == json.loads(lines[1])["id"]
    h = History.open(home)
    assert set(h.states) == {"a", "b"} and h.replayed == 0 and h.warnings == []
    assert not (home / "state.json").exists()


def index_bytes(home: Path) -> bytes:
    """The index as it stands (its write-ahead log folded in)."""
    index = home / "cache" / "index.sqlite"
    with closing(sqlite3.connect(index)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return index.read_bytes()


def test_reader_catches_up_from_the_tail(home: Path) -> None:
    answer_cards(home, ["a"])
    kept = index_bytes(home)  # the index as it was after one answer
    answer_cards(home, ["b", "c"])
    damage_index(home, kept)  # a crash between the log appends and the index updates
    h = History.open(home)
    assert set(h.states) == {"a", "b", "c"}
    assert h.replayed == 2 and h.warnings == []
    assert h.states == replay(home / "reviews.jsonl")
    h.close()
    assert index_meta(home)["lines"] == 3  # the reader brought the index up to date
    assert History.open(home).replayed == 0


@pytest.mark.parametrize("damage", [b"", b"{not json", b"SQLite format 3\x00" + b"x" * 200, None])
def test_damaged_index_is_rebuilt(home: Path, damage: bytes | None) -> None:
    answer_cards(home, ["a", "b"])
    before = History.open(home).states
    damage_index(home, damage)
    h = History.open(home, write=True)
    h.close()
    assert h.states == before
    if damage is None:
        assert h.warnings == []  # a missing index is simply built
    else:
        assert len(h.warnings) == 1 and "rebuilding it from the log" in h.warnings[0]
    assert index_meta(home)["lines"] == 2
    assert History.open(home).replayed == 0


def test_an_index_of_another_log_is_rebuilt(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    log = home / "reviews.jsonl"
    first = log.read_bytes().split(b"\n")[0] + b"\n"
    log.write_bytes(first + first.replace(b'"card_id":"a"', b'"card_id":"z"'))
    h = History.open(home, write=True)
    h.close()
    assert set(h.states) == {"a", "z"}
    assert any("does not match the log" in w for w in h.warnings)


def test_torn_last_line_is_set_aside_by_the_next_writer(home: Path) -> None:
    answer_cards(home, ["a"])
    kept = index_bytes(home)
    answer_cards(home, ["b"])
    log = home / "reviews.jsonl"
    data = log.read_bytes()
    cut = data[: len(data) - 20]
    log.write_bytes(cut)
    # A crash mid-append happens before the index update that would include the event.
    damage_index(home, kept)
    reader = History.open(home)
    assert set(reader.states) == {"a"}
    assert any("the last line is incomplete" in w for w in reader.warnings)
    assert log.read_bytes() == cut  # readers never repair the log
    answer_cards(home, ["c"])
    lines = log.read_text().splitlines()
    assert [json.loads(x)["card_id"] for x in lines] == ["a", "c"]
    torn_len = len(cut) - (data.index(b"\n") + 1)
    assert (home / "reviews.jsonl.torn").read_bytes() == cut[-torn_len:] + b"\n"
    assert set(History.open(home).states) == {"a", "c"}


def test_complete_last_event_without_newline_is_kept(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    log = home / "reviews.jsonl"
    log.write_bytes(log.read_bytes()[:-1])
    damage_index(home, None)
    answer_cards(home, ["c"])
    assert [json.loads(x)["card_id"] for x in log.read_text().splitlines()] == ["a", "b", "c"]
    assert not (home / "reviews.jsonl.torn").exists()
    h = History.open(home)
    assert h.replayed == 0 and h.states == replay(log)
    assert [e["card_id"] for e in h.card_events("b")] == ["b"]


def test_corrupt_middle_line_is_an_error_and_the_file_is_untouched(home: Path) -> None:
    answer_cards(home, ["a", "b", "c"])
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[1] = b'{"broken": '
    log.write_bytes(b"\n".join(lines))
    damage_index(home, None)
    before = log.read_bytes()
    with pytest.raises(HistoryError) as exc:
        History.open(home, write=True)
    assert str(exc.value).startswith(f"{log}:2: corrupt event (")
    assert "run 'flashprep doctor'" in str(exc.value)
    assert log.read_bytes() == before


def test_newer_schema_is_refused(home: Path) -> None:
    answer_cards(home, ["a"])
    log = home / "reviews.jsonl"
    log.write_bytes(log.read_bytes().replace(b'"v":1', b'"v":99'))
    damage_index(home, None)
    with pytest.raises(HistoryError) as exc:
        History.open(home, write=True)
    assert "written by a newer flashprep (schema 99, this one reads 1)" in str(exc.value)
    assert b'"v":99' in log.read_bytes()


def test_an_index_of_another_schema_is_rebuilt(home: Path) -> None:
    answer_cards(home, ["a"])
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as conn:
        conn.execute("PRAGMA user_version = 99")
    h = History.open(home, write=True)
    h.close()
    index = home / "cache" / "index.sqlite"
    assert set(h.states) == {"a"}
    assert h.warnings == [
        f"{index} is another flashprep's (index schema 99, this one uses 3); "
        "rebuilding it from the log"
    ]
    assert History.open(home).warnings == []


def test_a_log_shorter_than_the_index_is_refused(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    log = home / "reviews.jsonl"
    log.write_bytes(b"")
    with pytest.raises(HistoryError) as exc:
        History.open(home)
    assert "events are missing from the log" in str(exc.value)
    assert log.read_bytes() == b""


def test_one_writer_at_a_time(home: Path) -> None:
    import os

    with History.open(home, write=True):
        with pytest.raises(LockedError) as exc:
            History.open(home, write=True)
        assert str(exc.value) == (
            f"another flashprep session is running (pid {os.getpid()}); finish it first"
        )
        assert History.open(home).states == {}  # readers are not blocked
    History.open(home, write=True).close()  # released


def test_reader_of_a_missing_home_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "nowhere"
    h = History.open(home)
    assert h.states == {} and not home.exists()


def test_state_of_unknown_card_is_new(home: Path) -> None:
    assert History.open(home).state("x") == NEW_CARD


def test_a_home_of_the_previous_release_opens_with_the_same_states(home: Path) -> None:
    """tests/data/home-0.1 was written by the release that kept state.json and marshal
    caches: its card states come back the same, and its derived files are retired."""
    import shutil

    src = Path(__file__).parent / "data" / "home-0.1"
    shutil.copytree(src, home, dirs_exist_ok=True)
    expected = json.loads((src / "state.json").read_text())
    h = History.open(home, write=True)
    h.close()
    from flashprep.schedule import CardState

    rows = expected["cards"]
    assert {k: v.to_row() for k, v in h.states.items()} == rows
    assert {k: CardState.from_row(v) for k, v in rows.items()} == replay(home / "reviews.jsonl")
    assert not (home / "state.json").exists() and (home / "state.json.old").exists()
    assert not (home / "cache" / "state.marshal").exists()


def test_a_previous_release_state_json_with_more_than_the_log_is_refused(home: Path) -> None:
    import shutil

    shutil.copytree(Path(__file__).parent / "data" / "home-0.1", home, dirs_exist_ok=True)
    (home / "reviews.jsonl").write_bytes(b"")
    with pytest.raises(HistoryError) as exc:
        History.open(home)
    assert "events are missing from the log" in str(exc.value)
    assert f"shorter than {home / 'state.json'} records" in str(exc.value)


def test_card_events_through_the_index_and_without_it(home: Path) -> None:
    from flashprep.eventlog import card_events_scan

    answer_cards(home, ["a", "ab", "a"])
    log = home / "reviews.jsonl"
    with History.open(home) as h:
        assert [e["card_id"] for e in h.card_events("a")] == ["a", "a"]
        assert h.card_events("zz") == []
    lines = log.read_bytes().split(b"\n")
    lines.insert(1, b'{"damaged line of another card"')  # not read: no "card_id":"a" in it
    log.write_bytes(b"\n".join(lines))
    events = card_events_scan(log, "a")
    assert [e["card_id"] for e in events] == ["a", "a"]
    assert card_events_scan(log, "zz") == []
    assert card_events_scan(home / "missing.jsonl", "a") == []


def test_a_long_log_is_indexed_in_parts_with_progress(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep import eventlog, history

    answer_cards(home, [f"c{i}" for i in range(40)])
    damage_index(home, None)
    monkeypatch.setattr(eventlog, "CHUNK", 700)  # a few events a part
    monkeypatch.setattr(history, "PROGRESS_FROM", 0)
    seen: list[tuple[int, int]] = []
    with History.open(home, progress=lambda done, total: seen.append((done, total))) as h:
        assert h.replayed == 40 and h.states == replay(home / "reviews.jsonl")
    size = (home / "reviews.jsonl").stat().st_size
    assert len(seen) > 5 and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert index_meta(home)["lines"] == 40
    assert History.open(home).replayed == 0


def test_an_interrupted_rebuild_goes_on_from_where_it_stopped(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep import eventlog, history, index

    answer_cards(home, [f"c{i}" for i in range(40)])
    damage_index(home, None)
    monkeypatch.setattr(eventlog, "CHUNK", 700)
    monkeypatch.setattr(history, "PROGRESS_FROM", 0)  # a long load: the lookups dropped
    monkeypatch.setattr(history, "LOAD_COMMIT", 1400)  # a commit every other part
    real, calls = index.Index.commit, []

    def stop_at_the_second(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt  # the user gave up on a long rebuild
        return real(self, *args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(index.Index, "commit", stop_at_the_second)
        with pytest.raises(KeyboardInterrupt):
            History.open(home, write=True)
    done = index_meta(home)["lines"]
    assert 0 < done < 40  # the parts up to the first commit were kept
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as c:
        (past,) = c.execute("SELECT count(*) FROM events WHERE line > ?", (done,)).fetchone()
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
    assert past > 0  # the rows loaded since, not committed ...
    assert "events_card" not in names
    h = History.open(home)
    assert h.replayed == 40 - done and h.states == replay(home / "reviews.jsonl")
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as c:
        lines = [r[0] for r in c.execute("SELECT line FROM events ORDER BY line")]
        names = {r[0] for r in c.execute("SELECT name FROM sqlite_master")}
    assert lines == list(range(1, 41))  # ... replaced once, never twice
    assert {"events_card", "events_id", "events_day"} <= names


def test_a_writer_leaves_a_snapshot_that_the_next_start_reads(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep import index

    answer_cards(home, ["a", "b"])
    rows_read: list[int] = []
    real = index.Index.state_rows
    monkeypatch.setattr(index.Index, "state_rows", lambda self: rows_read.append(1) or real(self))
    h = History.open(home)
    assert h.states == replay(home / "reviews.jsonl") and rows_read == []  # the snapshot
    answer_cards(home, ["c"])  # a newer offset: the old snapshot is stale ...
    with closing(sqlite3.connect(home / "cache" / "index.sqlite", isolation_level=None)) as c:
        c.execute("UPDATE meta SET value = x'00ff' WHERE key = 'snapshot'")  # ... or damaged
    h = History.open(home)
    assert h.states == replay(home / "reviews.jsonl") and rows_read == [1]  # the table
    h.close()  # that reader left a good snapshot, since no writer was busy:
    h = History.open(home)
    assert h.states == replay(home / "reviews.jsonl") and rows_read == [1]
    h.close()


def test_a_reader_that_rebuilt_the_index_leaves_its_snapshot(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep import index

    answer_cards(home, ["a", "b", "c"])
    damage_index(home, None)
    with History.open(home) as h:
        h.states["a"] = NEW_CARD  # a change in memory only: never the snapshot's
    rows_read: list[int] = []
    real = index.Index.state_rows
    monkeypatch.setattr(index.Index, "state_rows", lambda self: rows_read.append(1) or real(self))
    with History.open(home) as h:
        assert h.states == replay(home / "reviews.jsonl") and rows_read == []
    damage_index(home, None)
    asked: list[int] = []
    monkeypatch.setattr(History, "_can_lock", lambda self: asked.append(1) or len(asked) == 1)
    with History.open(home) as h:  # a writer took the lock while this reader rebuilt
        assert h.states == replay(home / "reviews.jsonl")
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as c:
        assert c.execute("SELECT count(*) FROM meta WHERE key = 'snapshot'").fetchone() == (0,)
