"""A long log loaded into the index with worker processes decoding it (flashprep.indexload)
gives exactly the index a load in one process gives, and falls back to one process."""

from __future__ import annotations

import sqlite3
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flashprep import eventlog, history, indexload
from flashprep.errors import HistoryError
from flashprep.history import History, replay
from flashprep.index import remove_index
from flashprep.schedule import answer

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def write_log(home: Path, cards: int = 30, days: int = 12) -> None:
    """Answers over several days, a few undone, and a blank line: every column is used."""
    with History.open(home, write=True) as h:
        for n in range(days):
            day, moment = date(2026, 3, 10) + timedelta(days=n), T0 + timedelta(days=n)
            for c in range(cards):
                if (c + n) % 3 == 0:
                    continue
                cid = f"card-{c}"
                kind = "new" if h.state(cid).reviews == 0 else "review"
                grade = (c * 7 + n) % 6
                event = h.record(
                    cid, kind, answer(h.state(cid), grade, day), moment, day, grade=grade
                )
                if c % 11 == 0:
                    h.record(cid, "undo", h.state(cid), moment, day, undoes=event["id"])
    with (home / "reviews.jsonl").open("ab") as fh:
        fh.write(b"\n")
    with History.open(home, write=True) as h:
        h.record("card-0", "suspend", h.state("card-0"), T0, date(2026, 3, 30))


def tables(home: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(home / "cache" / "index.sqlite")) as conn:
        return {
            "states": conn.execute("SELECT * FROM states ORDER BY card_id").fetchall(),
            "events": conn.execute("SELECT * FROM events ORDER BY line").fetchall(),
            "meta": conn.execute("SELECT * FROM meta WHERE key != 'snapshot'").fetchall(),
            "names": sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master")),
        }


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of ~2 KB, and every tail long enough for workers."""
    monkeypatch.setattr(eventlog, "CHUNK", 2048)
    monkeypatch.setattr(history, "PROGRESS_FROM", 0)
    monkeypatch.setattr(history, "LOAD_COMMIT", 8192)
    monkeypatch.setattr(indexload, "_cores", lambda: 2)
    monkeypatch.setattr(indexload, "PARALLEL_FROM", 0)


def rebuilt(home: Path, parallel: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    remove_index(home)
    with monkeypatch.context() as m:
        if not parallel:
            m.setattr(indexload, "worth_a_worker", lambda length: False)
        with History.open(home) as h:
            assert h.states == replay(home / "reviews.jsonl")
            assert h.warnings == []
    return tables(home)


@pytest.mark.usefixtures("small_parts")
def test_workers_build_the_same_index(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_log(home)
    size = (home / "reviews.jsonl").stat().st_size
    assert size > 10 * eventlog.CHUNK  # many parts for the workers, the rest read here
    decoded: list[int] = []
    real = indexload._result_of

    def counting(future: Any) -> indexload.PartRows:
        part = real(future)
        decoded.append(part.size)
        return part

    alone = rebuilt(home, False, monkeypatch)
    monkeypatch.setattr(indexload, "_result_of", counting)
    together = rebuilt(home, True, monkeypatch)
    assert len(decoded) > 5 and sum(decoded) < len(together["events"])
    assert together == alone
    assert len(alone["events"]) == len(replay_lines(home))
    assert any(row[8] for row in alone["events"])  # undone events are marked
    assert {"events_card", "events_id", "events_day"} <= set(alone["names"])


def replay_lines(home: Path) -> list[bytes]:
    return [x for x in (home / "reviews.jsonl").read_bytes().split(b"\n") if x.strip()]


@pytest.mark.usefixtures("small_parts")
def test_a_corrupt_line_decoded_by_a_worker_names_its_line(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(home)
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[40] = b'{"v": 1, "id": "x"'
    log.write_bytes(b"\n".join(lines))
    messages = []
    for parallel in (False, True):
        remove_index(home)
        with monkeypatch.context() as m:
            if not parallel:
                m.setattr(indexload, "worth_a_worker", lambda length: False)
            with pytest.raises(HistoryError) as info:
                History.open(home)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and f"{log}:41: corrupt event" in messages[0]


class FailingPool:
    """A pool whose worker dies after `good` parts (as if it were killed)."""

    def __init__(self, good: int) -> None:
        self.good = good

    def __call__(self, *args: Any, **kwargs: Any) -> FailingPool:
        return self

    def __enter__(self) -> FailingPool:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def submit(self, fn: Any, *args: Any) -> Any:
        from concurrent.futures import Future

        future: Future[bytes] = Future()
        if self.good > 0:
            self.good -= 1
            future.set_result(fn(*args))
        else:
            future.set_exception(BrokenProcessPool("a worker died"))
        return future


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("good", [0, 3])
def test_a_dead_worker_leaves_the_rest_to_this_process(
    home: Path, monkeypatch: pytest.MonkeyPatch, good: int
) -> None:
    write_log(home)
    alone = rebuilt(home, False, monkeypatch)
    monkeypatch.setattr(indexload, "_pool", FailingPool(good))
    assert rebuilt(home, True, monkeypatch) == alone


@pytest.mark.usefixtures("small_parts")
def test_no_processes_at_all_is_a_load_in_one_process(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_log(home)
    alone = rebuilt(home, False, monkeypatch)

    def refused(*args: Any, **kwargs: Any) -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(indexload, "_pool", refused)
    assert rebuilt(home, True, monkeypatch) == alone


def test_one_core_or_a_short_tail_needs_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexload, "_cores", lambda: 1)
    assert not indexload.worth_a_worker(1 << 40)
    monkeypatch.setattr(indexload, "_cores", lambda: 2)
    assert indexload.worth_a_worker(indexload.PARALLEL_FROM)
    assert not indexload.worth_a_worker(indexload.PARALLEL_FROM - 1)
