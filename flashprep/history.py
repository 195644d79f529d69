"""The review history: an append-only JSON Lines log and a state checkpoint.

`<home>/reviews.jsonl` is the source of truth. Each line is one event: an
answer (kind new / review / redrill) or a card-management action (suspend,
unsuspend, bury, forget, undo), with the card's resulting state in full, so
replaying the log is "the last event of each card wins".

`<home>/state.json` is a checkpoint of every card's state plus the byte offset,
line count and id of the last event it includes. Loading reads the checkpoint
and then only the log's tail past that offset, so start-up never parses the
whole log. The checkpoint is replaced atomically and may lag the log by any
number of events (a crash between the two writes is harmless); a missing,
damaged or mismatched checkpoint is rebuilt from the log.
Its rows are kept undecoded until a card's state is read (flashprep.statemap),
and a marshal copy keyed by its exact bytes (`<home>/cache/state.marshal`, see
"the checkpoint's cache") spares a 50,000-card start most of the JSON decoding.

Durability rules:
* every append is written, flushed and fsynced before `append` returns;
* a torn last line (a crash mid-append) is copied aside to `reviews.jsonl.torn`
  and cut off before the next append, so the next answer never glues onto it;
* a corrupt line anywhere else is an error naming the line, and the file is
  left exactly as it is;
* one writer at a time: writers hold an flock on `<home>/lock` (released by the
  kernel if the process dies, so a stale lock never blocks anyone);
* a log that is missing or shorter than the checkpoint records is refused, not
  rebuilt from: state.json may then be the only record of some answers;
* the first writer of each study day checks the log's bytes against the checksums
  of the backups, and backs up what was appended since, into `<home>/backups/<day>/`,
  before changing anything (flashprep.backup).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flashprep import __version__, schedule
from flashprep.clock import utc_iso
from flashprep.errors import HistoryError, LockedError
from flashprep.fsutil import atomic_write_bytes, describe_os_error, fsync_dir
from flashprep.schedule import NEW_CARD, ROW_FIELDS, CardState
from flashprep.statemap import CardStates, check_rows, rows_of

SCHEMA = 1
LOG_NAME = "reviews.jsonl"
STATE_NAME = "state.json"
STATE_CACHE = "cache/state.marshal"  # decoded state.json, keyed by its bytes
LOCK_NAME = "lock"
EVENT_KINDS = frozenset(
    {"new", "review", "redrill", "suspend", "unsuspend", "bury", "forget", "undo", "leech"}
)
ANSWER_KINDS = frozenset(schedule.ANSWER_KINDS)


def new_event_id(moment: datetime) -> str:
    """Sortable and unique: milliseconds since the epoch, then 32 random bits."""
    return f"{int(moment.timestamp() * 1000):012x}{os.urandom(4).hex()}"


def make_event(
    card_id: str,
    kind: str,
    state: CardState,
    moment: datetime,
    day: date,
    *,
    grade: int | None = None,
    duration_ms: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "v": SCHEMA,
        "id": new_event_id(moment),
        "card_id": card_id,
        "ts": utc_iso(moment),
        "day": day.isoformat(),
        "kind": kind,
    }
    if grade is not None:
        event["grade"] = grade
    if duration_ms is not None:
        event["duration_ms"] = max(0, int(duration_ms))
    event.update(extra)
    event["state"] = state.to_dict()
    return event


def check_event(obj: Any) -> tuple[str, CardState]:
    """Validate one decoded log line; return (card_id, state) or raise ValueError."""
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    version = obj.get("v", 1)
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError("bad schema version")
    if version > SCHEMA:
        raise NewerSchema(version)
    card_id = obj.get("card_id")
    if not isinstance(card_id, str) or not card_id:
        raise ValueError("no card_id")
    if not isinstance(obj.get("id"), str):
        raise ValueError("no event id")
    kind = obj.get("kind")
    # A str check first: an unhashable kind (a list) would raise TypeError in the set lookup.
    if not isinstance(kind, str) or kind not in EVENT_KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    grade = obj.get("grade")
    if obj["kind"] in ANSWER_KINDS and (
        not isinstance(grade, int) or isinstance(grade, bool) or not 0 <= grade <= 5
    ):
        raise ValueError("an answer needs a grade 0-5")
    for key in ("ts", "day"):
        if not isinstance(obj.get(key), str):
            raise ValueError(f"no {key}")
    date.fromisoformat(obj["day"])
    state = obj.get("state")
    if not isinstance(state, dict):
        raise ValueError("no state")
    try:
        return card_id, CardState.from_dict(state)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"bad state: {exc}") from None


def decode_cards(data: dict[str, Any]) -> CardStates:
    """The card states of a decoded state.json; raises ValueError/TypeError/KeyError if bad.

    Checkpoints keep each state as a row (CardState.to_row, in the order named by
    "card_fields"): a third of the size of one object per card. The rows are
    checked here and kept as they are; a CardState is built when a card's state is
    read (flashprep.statemap). A checkpoint with one object per card
    (CardState.to_dict) is still read.
    """
    cards = data["cards"]
    if "card_fields" not in data:
        return CardStates({k: CardState.from_dict(v) for k, v in cards.items()})
    if data["card_fields"] != list(ROW_FIELDS):
        raise ValueError("unknown card_fields")
    if not isinstance(cards, dict):
        raise ValueError("cards is not a table")
    check_rows(cards.values())
    return CardStates.from_rows(cards)


# What a damaged state.json can raise while decode_checkpoint reads it.
CHECKPOINT_DAMAGE = (ValueError, KeyError, TypeError, AttributeError, OverflowError, RecursionError)


def decode_checkpoint(raw: bytes) -> tuple[int, int, str | None, CardStates]:
    """(offset, lines, last_id, states) of state.json's bytes: the one reading of a
    checkpoint, for opening the history and for doctor alike.

    Raises NewerSchema for a newer flashprep's checkpoint, and one of CHECKPOINT_DAMAGE
    (a KeyError names the missing key; the others say what is wrong) for a damaged one.
    """
    data = _paused_gc(json.loads, raw)
    schema = data["schema"]
    if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA:
        raise NewerSchema(schema)
    if schema != SCHEMA:
        raise ValueError(f"schema {schema!r}")
    offset, lines, last_id = data["offset"], data["lines"], data["last_id"]
    for name, value in (("offset", offset), ("lines", lines)):
        if not _whole(value):
            raise ValueError(f"{name} is not a whole number")
    if last_id is not None and not isinstance(last_id, str):
        raise ValueError("last_id is not a string")
    return offset, lines, last_id, decode_cards(data)


def _paused_gc(load: Any, data: bytes) -> Any:
    """load(data) (json.loads, marshal.loads) with the cyclic garbage collector paused.

    A 50,000-card checkpoint decodes into 50,000 rows at once, which would set off
    dozens of collections that cannot find anything (decoded data has no cycles).
    """
    import gc

    if not gc.isenabled():
        return load(data)
    gc.disable()
    try:
        return load(data)
    finally:
        gc.enable()


# ------------------------------------------------------------ the checkpoint's cache
#
# Decoding state.json's JSON and checking its rows is most of a 50,000-card start
# (~80 ms of ~250). So the decoded, checked checkpoint is also kept in marshal form
# in <home>/cache/state.marshal (~15 ms to load), keyed by the size and CRC-32 of
# the exact state.json bytes it was decoded from, and by this flashprep and Python:
# it is never stale, since any other bytes are a miss, read the JSON way. Only
# writers store it (readers never write): with each checkpoint, and after reading a
# checkpoint it lacks. Like the deck cache it is best effort, and a damaged one
# (its own CRC-32 fails) is a miss.


def _state_key(raw: bytes) -> list[Any]:
    import zlib

    return [1, __version__, sys.implementation.cache_tag, len(raw), zlib.crc32(raw)]


def _read_state_cache(
    home: Path, raw: bytes
) -> tuple[tuple[int, int, str | None], dict[str, Any]] | None:
    """(offset, lines, last_id) and the rows of state.json `raw`, if the cache has them."""
    import marshal
    import zlib

    try:
        blob = (home / STATE_CACHE).read_bytes()
    except OSError:
        return None
    payload = blob[4:]
    if blob[:4] != zlib.crc32(payload).to_bytes(4, "little"):
        return None
    try:
        data = _paused_gc(marshal.loads, payload)
        if data["key"] != _state_key(raw):
            return None
        offset, lines, last_id = data["header"]
        return (offset, lines, last_id), data["rows"]
    except Exception:  # not this flashprep's cache: a miss
        return None


def _write_state_cache(
    home: Path, raw: bytes, header: tuple[int, int, str | None], rows: Mapping[str, Any]
) -> None:
    """Cache the checked rows of state.json `raw` (in its order); best effort."""
    import marshal
    import zlib

    # One string object per distinct day: marshal stores the others as references,
    # which makes loading ~40% faster.
    days: dict[str, str] = {}
    compact = {
        k: tuple([days.setdefault(v, v) if type(v) is str else v for v in row])
        for k, row in rows.items()
    }
    payload = marshal.dumps({"key": _state_key(raw), "header": list(header), "rows": compact})
    try:
        (home / STATE_CACHE).parent.mkdir(exist_ok=True)
        atomic_write_bytes(home / STATE_CACHE, zlib.crc32(payload).to_bytes(4, "little") + payload)
    except Exception:
        pass


class NewerSchema(ValueError):
    def __init__(self, version: int) -> None:
        super().__init__(f"schema {version}")
        self.version = version


class NewerSchemaError(HistoryError):
    """The log or checkpoint was written by a newer flashprep: never touch it."""


def _newer(path: Path, version: int) -> HistoryError:
    return NewerSchemaError(
        f"{path} was written by a newer flashprep (schema {version}, this one reads {SCHEMA}); "
        "upgrade flashprep - nothing was changed"
    )


@dataclass
class Tail:
    events: list[tuple[int, dict[str, Any]]]  # (1-based line number, event)
    end: int  # byte offset just past the last complete line
    lines: int  # complete lines up to `end`
    torn: bytes  # bytes after the last newline that do not form an event
    needs_newline: bool = False  # the last event is complete but lacks its newline


def scan(path: Path, start: int = 0, first_line: int = 1) -> Tail:
    """Read complete events from byte `start` to the end; raise on a corrupt line."""
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            data = fh.read()
    except FileNotFoundError:
        return Tail([], start, first_line - 1, b"")
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    events: list[tuple[int, dict[str, Any]]] = []
    pos = 0
    lineno = first_line
    cut = data.rfind(b"\n") + 1
    body, rest = data[:cut], data[cut:]
    for raw in body.split(b"\n")[:-1]:
        pos += len(raw) + 1
        if raw.strip():
            events.append((lineno, _decode(path, lineno, raw)))
        lineno += 1
    torn = b""
    needs_newline = False
    if rest.strip():
        try:
            events.append((lineno, _decode(path, lineno, rest)))
            pos += len(rest)
            lineno += 1
            needs_newline = True
        except NewerSchemaError:
            raise  # a newer flashprep's event, not a torn write: never set it aside
        except HistoryError:
            torn = rest
    elif rest:
        torn = rest
    return Tail(events, start + pos, lineno - 1, torn, needs_newline)


class CorruptEvent(ValueError):
    """A log line that is not a valid event; its message is the reason, kept short."""


def decode_event(raw: bytes) -> dict[str, Any]:
    """One log line, decoded and checked (check_event): the one test of what a valid
    event is, for opening the history and for doctor's tolerant scan alike.

    Raises NewerSchema for a newer flashprep's event and CorruptEvent for anything else.
    """
    try:
        obj = json.loads(raw)
        check_event(obj)
    except NewerSchema:
        raise
    # Not only ValueError: deeply nested arrays raise RecursionError in json, and an
    # "ef": 1e999 (JSON's Infinity) raises OverflowError when turned into hundredths.
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise CorruptEvent(str(exc).split("\n")[0][:80]) from None
    return obj


def _decode(path: Path, lineno: int, raw: bytes) -> dict[str, Any]:
    try:
        return decode_event(raw)
    except NewerSchema as exc:
        raise _newer(path, exc.version) from None
    except CorruptEvent as exc:
        raise HistoryError(
            f"{path}:{lineno}: corrupt event ({exc}); the file was left as it is "
            "- run 'flashprep doctor' for the options"
        ) from None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def lock_pid(fd: int) -> str:
    """The pid the lock holder wrote; it writes it just after taking the lock, so wait a
    moment if the file is still empty rather than report "pid ?"."""
    import time

    for _ in range(25):
        try:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            return "?"
        if pid:
            return pid
        time.sleep(0.02)
    return "?"


def log_ends_with(path: Path, offset: int, event_id: str | None) -> bool:
    """Whether the log's first `offset` bytes are whole lines, the last one the event
    `event_id` (offset 0: no event, `event_id` None). How something derived from the log
    up to `offset` (state.json, the stats cache) knows the log it came from is still there.
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


def iter_events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every complete event of the log, with its line number (whole-log read)."""
    yield from scan(path).events


def card_events(path: Path, card_id: str) -> list[dict[str, Any]]:
    """The complete events of one card, in log order.

    Only lines that hold the card's id are decoded: flashprep writes `"card_id":"<id>"`
    exactly so (compact separators), which makes a million-line log a byte search
    instead of a million JSON decodes. A line that fails to decode is the same error as
    in `scan`; damage on other cards' lines is left to validate and doctor.
    """
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
                event = _decode(path, lineno, raw)
                if event["card_id"] == card_id:
                    events.append(event)
    return events


class History:
    """The review history of one home, opened for reading or for writing."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.log_path = self.home / LOG_NAME
        self.state_path = self.home / STATE_NAME
        self.torn_path = self.home / (LOG_NAME + ".torn")
        self.states: CardStates = CardStates()
        self.offset = 0
        self.lines = 0
        self.last_id: str | None = None
        self.warnings: list[str] = []
        self.writable = False
        self.replayed = 0
        self._lock_fd: int | None = None
        self._log_fd: int | None = None
        self._dirty = False
        self._needs_newline = False
        self._torn = b""
        self._rebuild = False
        # state.json as read the slow way (bytes, header) while the cache lacked it
        self._uncached: tuple[bytes, tuple[int, int, str | None]] | None = None
        self.backup: Path | None = None  # the backup this writer made, if any
        self.kept_checkpoint: Path | None = None  # where a rebuild kept the old state.json

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        write: bool = False,
        backup_day: date | None = None,
        rebuild: bool = False,
    ) -> History:
        """Load the history; with `write`, take the writer lock and prepare to append.

        A writer given `backup_day` (the study day; flashprep.workspace passes it) first
        checks the log and backs it up into `<home>/backups/<day>/` if that day has no
        backup yet, after the log was read but before anything is changed.
        `rebuild` ignores state.json and replays the whole log (flashprep doctor --repair).
        """
        h = cls(home)
        if write:
            h._lock()
        try:
            h._load(rebuild=rebuild)
            if write:
                if backup_day is not None:
                    h._backup(backup_day)
                h._open_for_append()
        except BaseException:
            h.close(checkpoint=False)
            raise
        return h

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def state(self, card_id: str) -> CardState:
        return self.states.get(card_id, NEW_CARD)

    def _lock(self) -> None:
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise HistoryError(describe_os_error("write to", self.home, exc)) from None
        # Every path out of here either keeps `fd` as the lock or closes it: a leaked
        # descriptor would hold the flock for the rest of this process's life.
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # pragma: no cover - non-POSIX: no locking available
            pass
        except OSError:
            pid = lock_pid(fd)
            os.close(fd)
            raise LockedError(
                f"another flashprep session is running (pid {pid}); finish it first"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError as exc:
            os.close(fd)
            raise HistoryError(describe_os_error("write to", self.home, exc)) from None
        self._lock_fd = fd
        self.writable = True

    def _read_checkpoint(self) -> None:
        try:
            raw = self.state_path.read_bytes()
        except FileNotFoundError:
            # An empty log (a session quit before its first answer) needs no checkpoint.
            if self.log_path.exists() and self.log_path.stat().st_size > 0:
                self.warnings.append(f"{self.state_path} is missing; rebuilt it from the log")
            return
        except OSError as exc:
            raise HistoryError(describe_os_error("read", self.state_path, exc)) from None
        cached = _read_state_cache(self.home, raw)
        if cached is not None:
            (offset, lines, last_id), rows = cached
            self._accept_checkpoint(CardStates.from_rows(rows), offset, lines, last_id)
            return
        try:
            offset, lines, last_id, states = decode_checkpoint(raw)
        except NewerSchema as exc:
            raise _newer(self.state_path, exc.version) from None
        except CHECKPOINT_DAMAGE:
            self.warnings.append(f"{self.state_path} is damaged; rebuilt it from the log")
            return
        if self._accept_checkpoint(states, offset, lines, last_id):
            # A writer caches it once the history is open; readers never write.
            self._uncached = (raw, (offset, lines, last_id))

    def _accept_checkpoint(
        self, states: CardStates, offset: int, lines: int, last_id: str | None
    ) -> bool:
        """Take a decoded checkpoint if it matches the log (else it is rebuilt from the log)."""
        self._check_log_not_lost(offset, lines)
        if not log_ends_with(self.log_path, offset, last_id):
            self.warnings.append(
                f"{self.state_path} does not match the log; rebuilt it from the log"
            )
            return False
        self.states, self.offset, self.lines, self.last_id = states, offset, lines, last_id
        return True

    def _refuse_newer_checkpoint(self) -> None:
        """A rebuild ignores state.json, but must not replace one from a newer flashprep."""
        try:
            decode_checkpoint(self.state_path.read_bytes())
        except NewerSchema as exc:
            raise _newer(self.state_path, exc.version) from None
        except (OSError, *CHECKPOINT_DAMAGE):
            return

    def _check_log_not_lost(self, offset: int, lines: int) -> None:
        """Refuse a log that is gone or shorter than the checkpoint: then state.json may be
        the only record of some answers, and rebuilding it from the log would erase them."""
        if offset == 0:
            return
        try:
            size = self.log_path.stat().st_size
        except FileNotFoundError:
            raise HistoryError(
                f"{self.log_path} is missing but {self.state_path} records {lines} event(s); "
                f"restore it from {self.home / 'backups'} or run 'flashprep doctor' for the "
                "options - nothing was changed"
            ) from None
        except OSError as exc:
            raise HistoryError(describe_os_error("read", self.log_path, exc)) from None
        if size < offset:
            raise HistoryError(
                f"{self.log_path} is shorter than {self.state_path} records ({size} of {offset} "
                "bytes): events are missing from the log; run 'flashprep doctor' for the "
                "options - nothing was changed"
            )

    def _load(self, *, rebuild: bool = False) -> None:
        self._rebuild = rebuild
        if rebuild:
            self._refuse_newer_checkpoint()
        else:
            self._read_checkpoint()
        tail = scan(self.log_path, self.offset, self.lines + 1)
        for _, event in tail.events:
            self.states[event["card_id"]] = CardState.from_dict(event["state"])
            self.last_id = event["id"]
        self.replayed = len(tail.events)
        self.offset, self.lines = tail.end, tail.lines
        self._needs_newline = tail.needs_newline
        self._dirty = self.replayed > 0 or bool(self.warnings) or rebuild
        self._torn = tail.torn
        if tail.torn:
            # Writers set it aside in _open_for_append, after the daily backup.
            if not self.writable:
                self.warnings.append(
                    f"{self.log_path}: the last line is incomplete (an interrupted write, "
                    f"{len(tail.torn)} bytes); it is ignored "
                    "and will be set aside at the next write"
                )

    def _set_aside_torn(self, torn: bytes) -> None:
        """Copy the torn bytes to reviews.jsonl.torn, then cut them off the log (through
        the append descriptor, which is open by now: a log that cannot be written is
        refused before anything is copied)."""
        assert self._log_fd is not None
        try:
            with open(self.torn_path, "ab") as fh:
                fh.write(torn + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.ftruncate(self._log_fd, self.offset)
            os.fsync(self._log_fd)
        except OSError as exc:
            raise HistoryError(describe_os_error("repair", self.log_path, exc)) from None
        self.warnings.append(
            f"{self.log_path}: the last line was incomplete (an interrupted write); "
            f"{len(torn)} bytes set aside in {self.torn_path.name}, every complete answer kept"
        )

    def _backup(self, day: date) -> None:
        """The day's backup (flashprep.backup.daily_backup): first the log's bytes are
        checked against the backups' checksums, so a line damaged in place is found (and
        refused) while older backups without the damage are still kept. A backup that
        cannot be written is a warning, since the log stays safe without it."""
        from flashprep.backup import daily_backup

        self.backup = daily_backup(self.home, day, self.warnings)

    def _open_for_append(self) -> None:
        existed = self.log_path.exists()
        try:
            self._log_fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise HistoryError(describe_os_error("write", self.log_path, exc)) from None
        if self._torn:
            self._set_aside_torn(self._torn)
            self._torn = b""
        try:
            if self._needs_newline:
                # A complete last event written without its newline: finish the line.
                os.write(self._log_fd, b"\n")
                os.fsync(self._log_fd)
                self.offset += 1
                self._needs_newline = False
            if not existed:
                fsync_dir(self.home)
        except OSError as exc:
            raise HistoryError(describe_os_error("write", self.log_path, exc)) from None
        if self._rebuild:
            self._keep_old_checkpoint()
        if self._dirty:
            self.checkpoint()  # caches the new checkpoint too
        elif self._uncached is not None:
            _write_state_cache(self.home, *self._uncached, self.states.rows())

    def _keep_old_checkpoint(self) -> None:
        """Before a forced rebuild replaces state.json, keep the old one if it differs
        (as state.json.old, .old.1, ...): it may be the only record of a lost log's tail."""
        try:
            old = self.state_path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise HistoryError(describe_os_error("read", self.state_path, exc)) from None
        if old == self._encode_checkpoint()[0]:
            return
        n = 0
        while True:
            keep = self.home / (STATE_NAME + ".old" + (f".{n}" if n else ""))
            if not keep.exists():
                break
            n += 1
        atomic_write_bytes(keep, old, error=HistoryError)
        self.kept_checkpoint = keep

    # ------------------------------------------------------------ writing

    def append(self, events: list[dict[str, Any]]) -> None:
        """Write events durably (written, flushed, fsynced) and apply them."""
        if not self.writable or self._log_fd is None:
            raise HistoryError("the history was opened read-only")
        parsed = [(e["card_id"], CardState.from_dict(e["state"])) for e in events]
        data = b"".join(
            json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
            for e in events
        )
        fd = self._log_fd
        try:
            # The real size, not self.offset: cutting back must never reach below what
            # was on disk before this write, whatever the bookkeeping says.
            before = os.fstat(fd).st_size
        except OSError as exc:
            raise HistoryError(describe_os_error("write", self.log_path, exc)) from None
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        except OSError as exc:
            # Cut a partial write off again, so the log ends on a complete line.
            try:
                os.ftruncate(fd, before)
                os.fsync(fd)
            except OSError:
                pass
            raise HistoryError(describe_os_error("write", self.log_path, exc)) from None
        for card_id, state in parsed:
            self.states[card_id] = state
        self.offset += len(data)
        self.lines += len(events)
        self.last_id = events[-1]["id"]
        self._dirty = True

    def record(
        self, card_id: str, kind: str, state: CardState, moment: datetime, day: date, **fields: Any
    ) -> dict[str, Any]:
        """Build one event, append it durably, and return it."""
        event = make_event(card_id, kind, state, moment, day, **fields)
        self.append([event])
        return event

    def _encode_checkpoint(self) -> tuple[bytes, dict[str, Any]]:
        """state.json's bytes for the current states, and the rows they hold (in order)."""
        rows = dict(sorted(rows_of(self.states).items()))
        data = {
            "schema": SCHEMA,
            "offset": self.offset,
            "lines": self.lines,
            "last_id": self.last_id,
            "card_fields": list(ROW_FIELDS),
            "cards": rows,
        }
        return json.dumps(data, separators=(",", ":")).encode("utf-8"), rows

    def checkpoint(self) -> None:
        """Replace state.json atomically with the current states (and cache them)."""
        raw, rows = self._encode_checkpoint()
        atomic_write_bytes(self.state_path, raw, error=HistoryError)
        _write_state_cache(self.home, raw, (self.offset, self.lines, self.last_id), rows)
        self._dirty = False

    def close(self, *, checkpoint: bool = True) -> None:
        try:
            if checkpoint and self.writable and self._dirty:
                self.checkpoint()
        finally:
            if self._log_fd is not None:
                os.close(self._log_fd)
                self._log_fd = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # releases the flock
                self._lock_fd = None
            self.writable = False


def replay(path: Path) -> dict[str, CardState]:
    """Every card's state from a full read of the log (for tests)."""
    states: dict[str, CardState] = {}
    for _, event in iter_events(path):
        states[event["card_id"]] = CardState.from_dict(event["state"])
    return states
