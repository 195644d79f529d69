"""The review history of one home: the log, the lock, and the index kept in step with it.

`<home>/reviews.jsonl` (flashprep.eventlog) is the source of truth; `<home>/cache/
index.sqlite` (flashprep.index) is derived from it. Opening the history reads the card
states from the index and applies whatever the log holds past what the index covers; a
missing, damaged or mismatched index is rebuilt from the log with a one-line notice.

Rules:
* one writer at a time: writers hold an flock on `<home>/lock` (released by the kernel if
  the process dies, so a stale lock never blocks anyone);
* every answer is in the log, fsynced, before `append` returns; the index is updated after
  that, so a crash between the two only leaves a tail that the next open applies;
* a log that is missing or shorter than the index (or an older flashprep's state.json)
  records is refused, not rebuilt from: the index may then be the only record of some
  answers; `flashprep doctor` explains the options;
* the first writer of each study day checks the log's bytes against the checksums of
  the backups, and backs up what was appended since, into `<home>/backups/<day>/`,
  before changing anything (flashprep.backup).
Readers never wait for a writer; a reader that finds the index behind the log brings it
up to date only when no writer holds the lock, and otherwise works from memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flashprep import eventlog, index, indexload, legacy
from flashprep.errors import HistoryError
from flashprep.events import make_event, state_after, state_row
from flashprep.fsutil import describe_os_error
from flashprep.homelock import lock_is_free, take_lock
from flashprep.legacy import LEGACY_STATE
from flashprep.schedule import NEW_CARD, CardState, CardStates, Row

LOG_NAME = eventlog.LOG_NAME
# Called with (done, total) bytes while a long log is indexed (the CLI draws a bar).
Progress = Callable[[int, int], None]
PROGRESS_FROM = 16 << 20  # a tail this long takes long enough to show its progress
# A long load commits the states it has reached after about this many bytes of log, so a
# rebuild cut short goes on from there (a commit writes every card it touched: ~0.1 s).
LOAD_COMMIT = 64 << 20


def _row(event: dict[str, Any]) -> tuple[Any, ...]:
    return state_row(event["state"])


class History:
    """The review history of one home, opened for reading or for writing."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.log_path = self.home / LOG_NAME
        self.torn_path = self.home / (LOG_NAME + eventlog.TORN_SUFFIX)
        self.states: CardStates = CardStates()
        self.offset = 0
        self.lines = 0
        self.last_id: str | None = None
        self.warnings: list[str] = []
        self.writable = False
        self.replayed = 0  # events applied from the log past what the index covered
        self.index: index.Index | None = None
        self.backup: Path | None = None  # the backup this writer made, if any
        self._lock_fd: int | None = None
        self._log: eventlog.Appender | None = None
        self._tail: eventlog.Tail | None = None
        self._progress: Progress | None = None
        self._may_fix = False  # whether this process may rewrite the index
        self._changed = False  # states differ from the index's snapshot (see close)
        self._stale_snapshot = False  # the index had no snapshot of its offset
        self._memory: index.Index | None = None  # see `indexed`
        # Appended (line, event, span) that the index does not hold yet (a failed update).
        self._unindexed: list[tuple[int, dict[str, Any], tuple[int, int]]] = []

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        write: bool = False,
        backup_day: date | None = None,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> History:
        """Load the history; with `write`, take the writer lock and prepare to append.

        A writer given `backup_day` (the study day; flashprep.workspace passes it) first
        checks and backs up the log if that day has no backup yet, before anything is
        changed. `rebuild` throws the index away and indexes the whole log again
        (flashprep doctor --repair).
        """
        h = cls(home)
        h._progress = progress
        if write:
            h._lock()
        try:
            h._load(rebuild=rebuild)
            if write:
                if backup_day is not None:
                    h._backup(backup_day)
                h._open_for_append()
            else:
                h._catch_up_if_free()
                h._store_snapshot_if_free()
        except BaseException:
            h.close()
            raise
        return h

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self, card_id: str) -> CardState:
        return self.states.get(card_id, NEW_CARD)

    def _lock(self) -> None:
        self._lock_fd = take_lock(self.home)
        self.writable = True

    def _open_index(self, rebuild: bool) -> index.Index | None:
        """The index, made afresh if it was unusable. None when there is none to be had
        (a read-only home, or a reader that must not disturb a busy writer): the history
        then works from the log alone."""
        self._may_fix = self.writable or self._can_lock()
        if rebuild:
            index.remove_index(self.home)
        path = index.index_path(self.home)
        try:
            return index.Index.open(self.home, create=self._may_fix)
        except index.IndexUnavailable as exc:
            if not self._may_fix:
                return None  # e.g. a read-only home: the log alone serves a reader
            self.warnings.append(f"{path} cannot be opened ({exc}); rebuilding it from the log")
        except index.IndexOutdated as exc:
            self.warnings.append(
                f"{path} is another flashprep's ({exc}); rebuilding it from the log"
            )
        except index.IndexDamaged:
            self.warnings.append(f"{path} is damaged; rebuilding it from the log")
        except OSError:  # none yet and a reader may not make one, or a read-only home
            return None
        if not self._may_fix:
            return None
        try:
            index.remove_index(self.home)
            return index.Index.open(self.home)
        except (OSError, index.IndexDamaged):
            return None

    def _can_lock(self) -> bool:
        return lock_is_free(self.home)

    def _load(self, *, rebuild: bool = False) -> None:
        idx = self.index = self._open_index(rebuild)
        if idx is not None and idx.offset > 0:
            self._check_log_not_lost(idx.offset, idx.lines, index.index_path(self.home))
            if not eventlog.log_ends_with(self.log_path, idx.offset, idx.last_id):
                self._discard_index(f"{index.index_path(self.home)} does not match the log")
        if (self.index is None or self.index.offset == 0) and not rebuild:
            self._check_legacy_checkpoint()
        if self.index is not None:
            try:
                snapshot = self.index.snapshot_rows()
                self._stale_snapshot = snapshot is None
                rows = snapshot or self.index.state_rows()
            except index.IndexDamaged:
                self._discard_index(f"{index.index_path(self.home)} is damaged")
                rows = self.index.state_rows() if self.index is not None else {}
            idx = self.index
            self.states = CardStates.from_rows(rows)
            if idx is not None:
                self.offset, self.lines, self.last_id = idx.offset, idx.lines, idx.last_id
        self._read_tail()
        tail = self._tail
        assert tail is not None
        if tail.torn and not self.writable:
            # Writers set it aside in _open_for_append, after the daily backup.
            self.warnings.append(
                f"{self.log_path}: the last line is incomplete (an interrupted write, "
                f"{len(tail.torn)} bytes); it is ignored and will be set aside at the next write"
            )

    def _read_tail(self) -> None:
        """Apply what the log holds past the index, a few MB at a time. When this process
        may write the index, each part but the last is loaded into it as it is read, so
        memory stays flat however long the tail (a rebuild); the last part is kept for the
        writer (`_persist_tail`), which may have to repair its end first."""
        total = self._log_size()
        start = self.offset
        long_tail = total - start > PROGRESS_FROM
        with indexload.collector_paused():
            part = self._apply_parts(total, start, long_tail)
        if self._may_fix and self.index is not None and not self.index.event_indexes:
            try:
                self.index.make_event_indexes()
            except Exception as exc:  # sqlite3.Error: lookups only go slower until then
                self.warnings.append(f"the index's lookups were not made ({exc})")
        self._tail = part if self._may_fix or self.writable else None
        if self._tail is None:
            self._tail = eventlog.Tail(
                [],
                self.offset,
                self.lines,
                part.torn if part else b"",
                part.needs_newline if part else False,
                [],
            )

    def _apply_parts(self, total: int, start: int, long_tail: bool) -> eventlog.Tail | None:
        """_read_tail's loop: apply each part to the states (loading all but the last into
        the index, when this process may); return the last part."""
        progress = self._progress if long_tail else None
        loading = self._may_fix and self.index is not None
        pending: dict[str, Row] = {}  # the states loaded parts left, not yet committed
        replayed, committed, tail = 0, start, None
        first = (self.log_path, self.offset, self.lines + 1)
        source: Iterator[indexload.PartRows | eventlog.Tail] = (
            indexload.parts(*first, total)
            if loading and indexload.worth_a_worker(total - start)
            else eventlog.scan_chunks(*first, eventlog.CHUNK)
        )
        for item in source:
            if isinstance(item, eventlog.Tail):  # read here (the others: decoded by a worker)
                tail = item
                last = bool(item.torn) or item.needs_newline or item.end >= total
                load = loading and not last
                part = indexload.part_rows(item) if load else indexload.states_only(item)
            else:
                part, last = item, False
            if loading and pending and (last or self.offset - committed >= LOAD_COMMIT):
                loading, committed = self._commit_load(pending), self.offset
            if loading and not last:
                loading = self._load_part(part, start, long_tail)
                if loading:
                    pending.update(part.states)
            self.states.set_rows(part.states)
            replayed += part.size
            self.last_id = part.last_id or self.last_id
            self.offset, self.lines = part.end, part.lines
            if progress is not None:
                progress(part.end - start, total - start)
            if last:
                break  # the last part: what the writer may still have to repair
        if loading and pending:  # the log ended early (cut while it was read)
            self._commit_load(pending)
        self.replayed = replayed
        self._changed = replayed > 0 or self._stale_snapshot
        return tail

    def _load_part(self, part: indexload.PartRows, start: int, many: bool) -> bool:
        """Load one part of the tail into the index (its events; the states wait for
        `_commit_load`, see Index.begin_load). False when the index had to be set aside."""
        idx = self.index
        assert idx is not None
        try:
            if self.offset == start:
                idx.begin_load(many=many)
            idx.add_events(part, self.states.rows())
            return True
        except Exception as exc:  # sqlite3.Error, OSError, a concurrent update
            return self._drop_index(exc)

    def _commit_load(self, pending: dict[str, Row]) -> bool:
        """The loaded parts' states, and that the index now covers them."""
        idx = self.index
        assert idx is not None
        try:
            idx.commit(pending, self.offset, self.lines, self.last_id)
        except Exception as exc:
            return self._drop_index(exc)
        pending.clear()
        return True

    def _drop_index(self, exc: Exception) -> bool:
        """A load that failed: this process goes on without the index (the next open loads
        the same tail again), so no later write can leave a gap in it."""
        self.warnings.append(f"the index was not updated ({exc}); the log is complete")
        assert self.index is not None
        self.index.close()
        self.index = None
        return False

    def _discard_index(self, why: str) -> None:
        """Start the index afresh (or, when this process may not, do without it)."""
        self.warnings.append(f"{why}; rebuilding it from the log")
        assert self.index is not None
        self.index.close()
        self.index = None
        if self._may_fix:
            try:
                index.remove_index(self.home)
                self.index = index.Index.open(self.home)
            except (OSError, index.IndexDamaged):
                self.index = None

    def _log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _check_log_not_lost(self, offset: int, lines: int, source: Path) -> None:
        """Refuse a log that is gone or shorter than `source` records: then `source` may be
        the only record of some answers, and rebuilding from the log would erase them."""
        if offset == 0:
            return
        try:
            size = self.log_path.stat().st_size
        except FileNotFoundError:
            raise HistoryError(
                f"{self.log_path} is missing but {source} records {lines} event(s); "
                f"restore it from {self.home / 'backups'} or run 'flashprep doctor' for the "
                "options - nothing was changed"
            ) from None
        except OSError as exc:
            raise HistoryError(describe_os_error("read", self.log_path, exc)) from None
        if size < offset:
            raise HistoryError(
                f"{self.log_path} is shorter than {source} records ({size} of {offset} "
                "bytes): events are missing from the log; run 'flashprep doctor' for the "
                "options - nothing was changed"
            )

    def _check_legacy_checkpoint(self) -> None:
        """An older flashprep's state.json: refuse a log shorter than it records."""
        recorded = legacy.recorded_offset(self.home)
        if recorded is not None:
            self._check_log_not_lost(*recorded, self.home / LEGACY_STATE)

    def _backup(self, day: date) -> None:
        """The day's check and backup (flashprep.backup): the log's bytes are checked
        against the backups' checksums, so a line damaged in place in the indexed part is
        refused, and what was appended since the last backup is copied. A failed copy is a
        warning, since the log stays safe without it."""
        from flashprep.backup import daily_backup

        self.backup = daily_backup(self.home, day, self.warnings)

    def _open_for_append(self) -> None:
        self._log = eventlog.Appender(self.log_path)
        tail = self._tail
        if tail is not None and tail.torn:
            self.warnings.append(self._log.set_aside_torn(tail.torn, self.offset))
        if tail is not None and tail.needs_newline:
            self._log.finish_line()
            self.offset += 1
            if tail.spans:  # the last event's line now ends with its newline
                pos, length = tail.spans[-1]
                tail.spans[-1] = (pos, length + 1)
            tail.end += 1
        self._persist_tail()
        self._retire_legacy()

    def _catch_up_if_free(self) -> None:
        if self._tail is not None and self._tail.events and self._may_fix and self._can_lock():
            self._persist_tail()

    def _persist_tail(self) -> None:
        """Write what the log holds past the index into it (best effort: on failure the
        next open applies the same tail again)."""
        tail, idx = self._tail, self.index
        self._tail = None
        if idx is None or tail is None:
            return
        if not tail.events and tail.end == idx.offset:
            return
        try:
            idx.apply(tail)
        except Exception as exc:  # sqlite3.Error, OSError, a concurrent update
            self.warnings.append(f"the index was not updated ({exc}); the log is complete")

    def _retire_legacy(self) -> None:
        """Once the index covers the log, an older flashprep's files go (flashprep.legacy)."""
        if self.index is not None and self.index.offset == self.offset:
            legacy.retire(self.home)

    # ------------------------------------------------------------ writing

    def append(self, events: list[dict[str, Any]]) -> None:
        """Write events durably (written, flushed, fsynced), then apply and index them."""
        if not self.writable or self._log is None:
            raise HistoryError("the history was opened read-only")
        prev = {e["card_id"]: self.states.row(e["card_id"]) for e in events}
        states = [(e["card_id"], CardState.from_dict(e["state"])) for e in events]
        spans = self._log.append(events)
        for card_id, state in states:
            self.states[card_id] = state
        for e, span in zip(events, spans, strict=True):
            self.lines += 1
            self._unindexed.append((self.lines, e, span))
        self.offset = spans[-1][0] + spans[-1][1]
        self.last_id = events[-1]["id"]
        self._changed = True
        known = {k: v for k, v in prev.items() if v is not None}
        # `prev` describes these events only: with older ones waiting, the index reads it.
        self._index_unindexed(known if len(self._unindexed) == len(events) else None)

    def _index_unindexed(self, prev: dict[str, Any] | None = None) -> None:
        """Index the appended events the index lacks; on failure they wait for the next
        append (or the next open, which applies the log's tail)."""
        idx, todo = self.index, self._unindexed
        if idx is None or not todo or idx.offset != todo[0][2][0]:
            return
        try:
            events = [(n, e) for n, e, _ in todo]
            rows = [_row(e) for _, e, _ in todo]
            spans = [sp for _, _, sp in todo]
            idx.apply(eventlog.Tail(events, self.offset, self.lines, b"", False, spans, rows), prev)
        except Exception as exc:
            self.warnings.append(f"the index was not updated ({exc}); the log is complete")
            return
        todo.clear()

    def record(
        self, card_id: str, kind: str, state: CardState, moment: datetime, day: date, **fields: Any
    ) -> dict[str, Any]:
        """Build one event, append it durably, and return it."""
        event = make_event(card_id, kind, state, moment, day, **fields)
        self.append([event])
        return event

    # ------------------------------------------------------------ reading events

    def card_events(self, card_id: str) -> list[dict[str, Any]]:
        """The card's events, in log order (through the index when it is up to date)."""
        idx = self.index
        if idx is None or idx.offset != self.offset:
            return eventlog.card_events_scan(self.log_path, card_id)
        return [eventlog.read_span(self.log_path, pos, n) for pos, n in idx.card_spans(card_id)]

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        """Every event of `kind` (mock interviews' questions, say), in log order, found
        through the index and read from the log."""
        idx = self.indexed()
        return [eventlog.read_span(self.log_path, pos, n) for pos, n in idx.kind_spans(kind)]

    def indexed(self) -> index.Index:
        """An index that covers the whole log as this history read it: the home's, or
        (when that one is missing or behind and cannot be brought up to date) one built
        in memory from the log."""
        if self.index is not None and self.index.offset == self.offset:
            return self.index
        if self._memory is None:
            tail = eventlog.scan(self.log_path)
            self._memory = index.Index.memory()
            self._memory.apply(tail)
        return self._memory

    def _store_snapshot(self) -> None:
        """Leave the states' snapshot in the index, if it covers them (best effort)."""
        idx = self.index
        if not self._changed or idx is None or idx.offset != self.offset or self._unindexed:
            return
        try:
            idx.store_snapshot(self.states.rows())
        except Exception:
            pass  # only the next start's speed depends on it

    def _store_snapshot_if_free(self) -> None:
        """A reader that brought the index up to date (or found no snapshot of it) leaves
        the snapshot now, before the states can change in memory, if no writer is busy."""
        if self._changed and self._may_fix and self._can_lock():
            self._store_snapshot()
        self._changed = False

    def close(self) -> None:
        if self._memory is not None:
            self._memory.close()
            self._memory = None
        if self.writable:
            self._store_snapshot()
        try:
            if self._log is not None:
                self._log.close()
                self._log = None
            if self.index is not None:
                self.index.close()
                self.index = None
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None
            self.writable = False


def replay(path: Path) -> dict[str, CardState]:
    """Every card's state from a full read of the log (for tests and doctor)."""
    states: dict[str, CardState] = {}
    for _, event in eventlog.iter_events(path):
        states[event["card_id"]] = state_after(event)
    return states
