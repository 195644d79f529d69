"""The index's rows for a stretch of the log, and loading a long log with a second core.

A rebuild decodes and checks every line of the log (flashprep.eventlog) and inserts one
row per event into the index (flashprep.index); the two halves cost about the same. With a
second core the decoding runs in a worker process a few parts ahead of the inserts: the
worker turns each part of the log into the rows below and sends them back packed with
marshal, which takes a fraction of a microsecond per event to unpack against several to
decode and check. The last parts of the log are always read in this process
(eventlog.scan_chunks), so a torn or unfinished last line is handled in one place.
"""

from __future__ import annotations

import gc
import marshal
import os
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from flashprep import eventlog
from flashprep.events import Kind
from flashprep.schedule import Row

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

PREV = 8  # the place of prev_interval in an events row (see EVENT_COLUMNS)
EVENT_COLUMNS = (
    "line, id, card_id, day, kind, grade, duration_ms, undoes, prev_interval, interval, pos, len"
)


class PartRows(NamedTuple):
    """One part of the log as the index stores it."""

    rows: list[list[Any]]  # the events table's rows, in EVENT_COLUMNS order
    firsts: list[tuple[int, str]]  # (place in rows, card) of each card's first event here
    states: dict[str, Row]  # each card's state after the part
    undone: list[str]  # ids of the events this part's undo events take back
    end: int  # byte offset just past the part
    lines: int  # lines up to `end`
    last_id: str | None  # the part's last event id
    size: int  # events in the part


def part_rows(tail: eventlog.Tail) -> PartRows:
    """The rows of a part read by eventlog. An event's prev_interval is its card's interval
    before it; for a card's first event in the part it is left None and listed in
    `firsts`, to be filled from the states before the part (Index.add_events)."""
    rows: list[list[Any]] = []
    firsts: list[tuple[int, str]] = []
    states: dict[str, Row] = {}
    undone: list[str] = []
    undo = str(Kind.UNDO)
    assert tail.spans is not None
    for (line, e), (pos, length), row in zip(tail.events, tail.spans, tail.rows, strict=True):
        cid = e["card_id"]
        before = states.get(cid)
        if before is None:
            firsts.append((len(rows), cid))
        states[cid] = row
        kind = e["kind"]
        undoes = e.get("undoes") if kind == undo else None
        if type(undoes) is str:
            undone.append(undoes)
        else:
            undoes = None
        grade, ms = e.get("grade"), e.get("duration_ms")
        rows.append(
            [
                line,
                e["id"],
                cid,
                e["day"],
                kind,
                grade if type(grade) is int else None,
                ms if type(ms) is int else None,
                undoes,
                None if before is None else before[1],
                row[1],
                pos,
                length,
            ]
        )
    last_id = tail.events[-1][1]["id"] if tail.events else None
    return PartRows(rows, firsts, states, undone, tail.end, tail.lines, last_id, len(rows))


def states_only(tail: eventlog.Tail) -> PartRows:
    """A part's states without its event rows, for a part that is not loaded here."""
    states: dict[str, Row] = {
        e["card_id"]: r for (_, e), r in zip(tail.events, tail.rows, strict=True)
    }
    last_id = tail.events[-1][1]["id"] if tail.events else None
    return PartRows([], [], states, [], tail.end, tail.lines, last_id, len(tail.events))


@contextmanager
def collector_paused() -> Iterator[None]:
    """While the log is read: a million small dicts, none of them in a cycle, which the
    cyclic garbage collector would only walk again and again (a third of a rebuild's
    time). Whatever it would have found is collected once this ends."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# ---------------------------------------------------------------- the worker

PARALLEL_FROM = 32 << 20  # a tail this long is decoded in a worker, when there are 2 cores
AHEAD = 3  # parts handed to the workers before the first one is waited for


def _decode(path: str, body: bytes, pos: int, lineno: int) -> bytes:
    """In the worker: one part (whole lines) as marshal-packed PartRows."""
    tail = eventlog.Tail([], pos, 0, b"", spans=[])
    end_line = eventlog.decode_lines(Path(path), body, pos, lineno, tail)
    tail.end, tail.lines = pos + len(body), end_line - 1
    return marshal.dumps(tuple(part_rows(tail)))


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started afresh (spawn: nothing of this process is inherited)."""
    # Imported here: concurrent.futures and multiprocessing cost every start ~9 ms.
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=gc.disable)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worth_a_worker(length: int) -> bool:
    return length >= PARALLEL_FROM and _cores() >= 2


def parts(
    path: Path, start: int, first_line: int, total: int
) -> Iterator[PartRows | eventlog.Tail]:
    """eventlog.scan_chunks's parts from byte `start` (a line boundary, line
    `first_line`), with all but about the last part decoded by worker processes and
    given as PartRows. A corrupt line raises as scan_chunks would; if the worker cannot
    be started or dies, this process reads on from the first part it did not get."""
    from concurrent.futures.process import BrokenProcessPool  # see _pool

    resume = (start, first_line)  # where this process reads on
    pending: deque[tuple[Future[bytes], int]] = deque()  # parts handed out, in order
    try:
        # Two workers keep this process busy on two cores; a third helps on four or more.
        workers = min(_cores(), 3)
        pool = _pool(workers)
        with pool, open(path, "rb") as fh:
            fh.seek(start)
            at, line, reading = start, first_line, True
            while True:
                while reading and len(pending) <= AHEAD and total - at > eventlog.CHUNK:
                    data = fh.read(eventlog.CHUNK)
                    body = data[: data.rfind(b"\n") + 1]
                    if not body:  # a line longer than a part: this process reads it
                        reading = False
                        break
                    fh.seek(at + len(body))
                    pending.append((pool.submit(_decode, str(path), body, at, line), at))
                    at += len(body)
                    line += body.count(b"\n")
                if not pending:
                    break
                part = _result_of(pending[0][0])
                pending.popleft()
                resume = (part.end, part.lines + 1)
                yield part
    except (BrokenProcessPool, OSError, ImportError, NotImplementedError):
        pass  # no worker to be had (or it died): this process reads on from `resume`
    finally:
        for future, _ in pending:
            future.cancel()
    # The rest (about one part) in smaller parts: fewer decoded events held at once.
    yield from eventlog.scan_chunks(path, *resume, max(eventlog.CHUNK // 4, 1))


def _result_of(future: Future[bytes]) -> PartRows:
    """A worker's part, unpacked (a corrupt line's HistoryError is raised here)."""
    return PartRows(*marshal.loads(future.result()))
