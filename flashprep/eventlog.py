"""`<home>/reviews.jsonl`, the source of truth: every read and every append of it.

Nothing else opens the log. Readers get events decoded and checked by flashprep.events;
the one writer (it holds the home's lock, see flashprep.history) appends through
`Appender`, which makes each write durable before returning.

Rules:
* an append is written, flushed and fsynced before `Appender.append` returns; a failed
  write is cut off again, so the log always ends on a complete line;
* a torn last line (a crash mid-append) is reported by `scan` as `Tail.torn` and set aside
  to `reviews.jsonl.torn` by the writer before its first append;
* a corrupt line anywhere else is a HistoryError naming the file and line, and the file is
  left as it is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashprep.errors import HistoryError
from flashprep.events import SCHEMA as EVENT_SCHEMA
from flashprep.events import (
    CorruptEvent,
    NewerSchema,
    decode_event,
    decode_event_row,
    encode_event,
)
from flashprep.fsutil import describe_os_error

LOG_NAME = "reviews.jsonl"
TORN_SUFFIX = ".torn"


class NewerSchemaError(HistoryError):
    """The log was written by a newer flashprep: never touch it."""


def newer(path: Path, version: int) -> HistoryError:
    return NewerSchemaError(
        f"{path} was written by a newer flashprep (schema {version}, this one reads "
        f"{EVENT_SCHEMA}); upgrade flashprep - nothing was changed"
    )


def decode_line(path: Path, lineno: int, raw: bytes) -> dict[str, Any]:
    """Line `lineno` of the log, decoded and checked, or the HistoryError that names it."""
    return decode_line_row(path, lineno, raw)[0]


def decode_line_row(path: Path, lineno: int, raw: bytes) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """decode_line, and the row of the event's state."""
    try:
        return decode_event_row(raw)
    except NewerSchema as exc:
        raise newer(path, exc.version) from None
    except CorruptEvent as exc:
        raise HistoryError(
            f"{path}:{lineno}: corrupt event ({exc}); the file was left as it is "
            "- run 'flashprep doctor' for the options"
        ) from None


@dataclass
class Tail:
    events: list[tuple[int, dict[str, Any]]]  # (1-based line number, event)
    end: int  # byte offset just past the last complete line
    lines: int  # complete lines up to `end`
    torn: bytes  # bytes after the last newline that do not form an event
    needs_newline: bool = False  # the last event is complete but lacks its newline
    spans: list[tuple[int, int]] | None = None  # (offset, length) of each event's line
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # each event's state row


CHUNK = 8 << 20  # bytes a whole-log read decodes at a time (~27,000 events)


def decode_lines(path: Path, data: bytes, start: int, lineno: int, tail: Tail) -> int:
    """Decode the complete lines of `data` (which begins at byte `start`, line `lineno`)
    into `tail`; return the next line number."""
    events, spans, rows = tail.events, tail.spans, tail.rows
    assert spans is not None
    pos = start
    for raw in data.split(b"\n")[:-1]:
        if raw.strip():
            event, row = decode_line_row(path, lineno, raw)
            events.append((lineno, event))
            rows.append(row)
            spans.append((pos, len(raw) + 1))
        pos += len(raw) + 1
        lineno += 1
    return lineno


def scan_chunks(
    path: Path, start: int = 0, first_line: int = 1, size: int | None = CHUNK
) -> Iterator[Tail]:
    """`scan` in parts of about `size` bytes each, so a long log is never held whole:
    every part but the last ends on a line boundary and has no torn bytes."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        yield Tail([], start, first_line - 1, b"", spans=[])
        return
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    with fh:
        fh.seek(start)
        pos, lineno, carry = start, first_line, b""
        while True:
            try:
                data = fh.read() if size is None else fh.read(size)
            except OSError as exc:
                raise HistoryError(describe_os_error("read", path, exc)) from None
            if not data:
                break
            data = carry + data
            cut = data.rfind(b"\n") + 1
            body, carry = data[:cut], data[cut:]
            part = Tail([], pos, 0, b"", spans=[])
            lineno = decode_lines(path, body, pos, lineno, part)
            pos += len(body)
            part.end, part.lines = pos, lineno - 1
            yield part
        last = Tail([], pos, lineno - 1, b"", spans=[])
        rest = carry
        if rest.strip():
            try:
                event, row = decode_line_row(path, lineno, rest)
                last.events.append((lineno, event))
                last.rows.append(row)
                assert last.spans is not None
                last.spans.append((pos, len(rest)))
                last.end, last.lines, last.needs_newline = pos + len(rest), lineno, True
            except NewerSchemaError:
                raise  # a newer flashprep's event, not a torn write: never set it aside
            except HistoryError:
                last.torn = rest
        elif rest:
            last.torn = rest
        yield last


def scan(path: Path, start: int = 0, first_line: int = 1) -> Tail:
    """Complete events from byte `start` (a line boundary) to the end; raise on a corrupt
    line. A missing log is an empty one."""
    whole = Tail([], start, first_line - 1, b"", spans=[])
    for part in scan_chunks(path, start, first_line, size=None):
        whole.events += part.events
        whole.rows += part.rows
        assert whole.spans is not None and part.spans is not None
        whole.spans += part.spans
        whole.end, whole.lines = part.end, part.lines
        whole.torn, whole.needs_newline = part.torn, part.needs_newline
    return whole


def iter_events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every complete event of the log, with its line number (a whole-log read)."""
    yield from scan(path).events


def read_span(path: Path, offset: int, length: int) -> dict[str, Any]:
    """The event whose line starts at `offset` (as the index records it)."""
    try:
        with open(path, "rb") as fh:
            raw = os.pread(fh.fileno(), length, offset)
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    return decode_line(path, 0, raw)


def log_ends_with(path: Path, offset: int, event_id: str | None) -> bool:
    """Whether the log's first `offset` bytes are whole lines, the last one the event
    `event_id` (offset 0: no event, `event_id` None). How something derived from the log
    up to `offset` (the index) knows the log it came from is still there.
    """
    if offset <= 0:
        return offset == 0 and event_id is None
    start = max(0, offset - 65536)
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            chunk = fh.read(offset - start)
    except OSError:
        return False
    if len(chunk) != offset - start or not chunk.endswith(b"\n"):
        return False  # the log is shorter, or `offset` is not at the end of a line
    line = chunk[:-1].rsplit(b"\n", 1)[-1]
    try:
        return bool(json.loads(line).get("id") == event_id)
    except (ValueError, AttributeError, RecursionError):
        return False


def iter_backwards(path: Path, end: int, chunk_size: int = 1 << 16) -> Iterator[dict[str, Any]]:
    """The events of the log's first `end` bytes, last first, reading from the end."""

    def decode(raw: bytes) -> dict[str, Any] | None:
        if not raw.strip():
            return None
        try:
            return decode_event(raw)
        except (CorruptEvent, NewerSchema):
            scan(path)  # names the line, with the forward reader's usual error
            raise HistoryError(f"{path}: a corrupt event near byte {end}") from None

    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    with fh:
        pos = end
        rest = b""
        while pos > 0:
            start = max(0, pos - chunk_size)
            fh.seek(start)
            block = fh.read(pos - start) + rest
            pos = start
            lines = block.split(b"\n")
            rest = lines[0]  # may be cut; completed by the next (earlier) block
            for raw in reversed(lines[1:]):
                event = decode(raw)
                if event is not None:
                    yield event
        event = decode(rest)
        if event is not None:
            yield event


def card_events_scan(path: Path, card_id: str) -> list[dict[str, Any]]:
    """The complete events of one card, in log order, by a byte search of the whole log
    (for a log with no index: doctor, tests). flashprep writes `"card_id":"<id>"` exactly
    so, which makes this a byte search instead of a decode of every line."""
    needle = b'"card_id":' + json.dumps(card_id, ensure_ascii=False).encode("utf-8")
    events: list[dict[str, Any]] = []
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return events
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            if needle in raw and raw.endswith(b"\n"):
                event = decode_line(path, lineno, raw)
                if event["card_id"] == card_id:
                    events.append(event)
    return events


class Appender:
    """The writer's open log: durable appends, and the repair of a torn or unfinished
    last line before the first one. Only the lock holder makes one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        existed = path.exists()
        try:
            self.fd: int | None = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise HistoryError(describe_os_error("write", path, exc)) from None
        if not existed:
            from flashprep.fsutil import fsync_dir

            try:
                fsync_dir(path.parent)
            except OSError as exc:
                self.close()
                raise HistoryError(describe_os_error("write", path, exc)) from None

    def set_aside_torn(self, torn: bytes, keep_to: int) -> str:
        """Copy the torn bytes to reviews.jsonl.torn, then cut the log back to `keep_to`.
        Returns the warning to show."""
        assert self.fd is not None
        torn_path = self.path.with_name(self.path.name + TORN_SUFFIX)
        try:
            with open(torn_path, "ab") as fh:
                fh.write(torn + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.ftruncate(self.fd, keep_to)
            os.fsync(self.fd)
        except OSError as exc:
            raise HistoryError(describe_os_error("repair", self.path, exc)) from None
        return (
            f"{self.path}: the last line was incomplete (an interrupted write); "
            f"{len(torn)} bytes set aside in {torn_path.name}, every complete answer kept"
        )

    def finish_line(self) -> None:
        """End a complete last event that was written without its newline."""
        assert self.fd is not None
        try:
            os.write(self.fd, b"\n")
            os.fsync(self.fd)
        except OSError as exc:
            raise HistoryError(describe_os_error("write", self.path, exc)) from None

    def append(self, events: list[dict[str, Any]]) -> list[tuple[int, int]]:
        """Write `events` durably; return the (offset, length) of each line."""
        if self.fd is None:
            raise HistoryError("the history was opened read-only")
        lines = [encode_event(e) for e in events]
        data = b"".join(lines)
        fd = self.fd
        try:
            # The real size: cutting back must never reach below what was on disk before
            # this write, whatever the caller's bookkeeping says.
            before = os.fstat(fd).st_size
        except OSError as exc:
            raise HistoryError(describe_os_error("write", self.path, exc)) from None
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        except OSError as exc:
            try:  # cut a partial write off again, so the log ends on a complete line
                os.ftruncate(fd, before)
                os.fsync(fd)
            except OSError:
                pass
            raise HistoryError(describe_os_error("write", self.path, exc)) from None
        spans = []
        pos = before
        for line in lines:
            spans.append((pos, len(line)))
            pos += len(line)
        return spans

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
