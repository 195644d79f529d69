"""`<home>/cache/index.sqlite`: everything derived from the log, in one SQLite file.

The log (flashprep.eventlog) is the only truth. The index holds what is derived from it,
so that no command has to read the whole log:

* `states`: every card's current state (the last event of each card wins), one row per
  card in CardState.to_row's layout;
* `events`: one row per event (its id, card, day, kind, grade, duration, the interval
  before and after it, whether an undo took it back, and where its line is in the log),
  for stats, show, undo and the commands that read past events;
* `meta`: the log offset, line count and last event id the index covers, and a snapshot of
  every card's state at that offset (one marshal blob left by a writer when it closes, or
  by a reader that brought the index up to date; read instead of the `states` rows while
  it is current);
* `decks`: the parsed-deck cache, one row per deck file keyed by its path, size and
  mtime_ns, so every source set (`--decks DIR` or not) keeps its own files' rows.

It is disposable. On open it must be this flashprep's schema and cover a prefix of the
log that still ends with the event it records (checked with `log_ends_with`); anything
else (deleted, truncated, garbage, another schema, a journal that does not belong to it)
is thrown away and rebuilt from the log. The tail of the log past what it covers is
applied on open, so a crash between a log append and the index update loses nothing: the
index is never trusted over the log.

Durability: the index is written with synchronous=NORMAL in WAL mode. A power cut may lose
its last transactions, which only means a longer tail to apply on the next open.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from flashprep.eventlog import Tail
from flashprep.indexload import EVENT_COLUMNS, PREV, PartRows, part_rows
from flashprep.schedule import ROW_FIELDS, Row
from flashprep.sm2 import MIN_EF

INDEX_NAME = "cache/index.sqlite"
SCHEMA = 3  # PRAGMA user_version of this flashprep's index (another one is rebuilt)
_SUFFIXES = ("", "-wal", "-shm", "-journal")

# meta and decks hold blobs of megabytes (the snapshot, a deck file's cards), so they are
# rowid tables: in a WITHOUT ROWID table every lookup that meets such a row reads all of
# it to compare keys (~5 ms for the three small meta values beside a 4 MB snapshot).
_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE states (
    card_id TEXT PRIMARY KEY, ef INTEGER, interval INTEGER, repetitions INTEGER, due TEXT,
    lapses INTEGER, reviews INTEGER, last_day TEXT, introduced TEXT, flags INTEGER,
    buried_until TEXT
) WITHOUT ROWID;
CREATE TABLE events (
    line INTEGER PRIMARY KEY, id TEXT NOT NULL, card_id TEXT NOT NULL, day TEXT NOT NULL,
    kind TEXT NOT NULL, grade INTEGER, duration_ms INTEGER, undoes TEXT,
    undone INTEGER NOT NULL DEFAULT 0, prev_interval INTEGER, interval INTEGER,
    pos INTEGER NOT NULL, len INTEGER NOT NULL
);
CREATE TABLE decks (key TEXT PRIMARY KEY, stamp BLOB, format BLOB, head BLOB, rows BLOB);
"""
_EVENT_INDEXES = """
CREATE INDEX events_card ON events (card_id, line);
CREATE INDEX events_id ON events (id);
CREATE INDEX events_day ON events (day);
"""
# Every table an index of this schema has (checked on open: cheap). The event indexes
# may be missing: a long rebuild drops them while it loads (a sorted build at the end is
# several times faster than keeping them up to date row by row), and a rebuild cut short
# leaves them out; queries work without them, and the next writer makes them again.
_TABLE_NAMES = frozenset({"meta", "states", "events", "decks"})
_EVENT_INDEX_NAMES = ("events_card", "events_id", "events_day")
_DAY_FIELDS = frozenset({"due", "last_day", "introduced", "buried_until"})


class IndexDamaged(Exception):
    """The index file is not a usable index (it is rebuilt)."""


class IndexOutdated(IndexDamaged):
    """The index was made by a flashprep with another index schema (it is rebuilt)."""


class IndexUnavailable(IndexDamaged):
    """The index cannot be opened here (a read-only home, a folder in its place)."""


def index_path(home: Path) -> Path:
    return Path(home) / INDEX_NAME


def remove_index(home: Path) -> None:
    """Delete the index and its journals (it is rebuilt from the log)."""
    base = index_path(home)
    for suffix in _SUFFIXES:
        base.with_name(base.name + suffix).unlink(missing_ok=True)


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    if not create and not path.exists():
        raise FileNotFoundError(path)
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":  # e.g. a read-only folder
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        # 8 MB of page cache (SQLite's default is 2 MB) for the lookups keyed by card that
        # a catch-up updates; a long rebuild makes them once, at the end, and needs no more.
        conn.execute("PRAGMA cache_size = -8192")
    except BaseException:
        conn.close()
        raise
    return conn


def _iso_day(value: Any) -> bool:
    if type(value) is not str or len(value) != 10:
        return False
    try:
        return date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _check_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    """Raise ValueError unless every row (card_id first, then CardState.to_row's places)
    holds values CardState.from_row accepts, dates as YYYY-MM-DD. Each place's distinct
    values are checked once: a few milliseconds for 50,000 rows."""
    if not rows:
        return
    for place, name in enumerate(("card_id", *ROW_FIELDS)):
        values = {r[place] for r in rows}
        if name == "card_id":
            bad = [v for v in values if type(v) is not str or not v]
        elif name in _DAY_FIELDS:
            bad = [v for v in values if v is not None and not _iso_day(v)]
        else:  # `type(v) is int` leaves out bools, as CardState.from_row does
            bad = [v for v in values if type(v) is not int or v < 0]
            if not bad and name == "ef100" and min(values) < MIN_EF:
                bad = [min(values)]
        if bad:
            raise ValueError(f"{name}: {bad[0]!r}")


def _create_tables(conn: sqlite3.Connection) -> None:
    """Make the tables of a new (empty) index file, unless another process just did."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise IndexDamaged("not a flashprep index")
            for statement in (_TABLES + _EVENT_INDEXES).split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class Index:
    """An open index. Read with its methods; change it only inside `transaction`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self.offset = 0
        self.lines = 0
        self.last_id: str | None = None
        self.event_indexes = True  # whether the events table's indexes exist
        self._read_meta()

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, home: Path, *, create: bool = True) -> Index:
        """Open the home's index, making a fresh empty one if there is none; raise
        IndexDamaged when the file is not a usable index of this schema."""
        path = index_path(home)
        try:
            conn = _connect(path, create=create)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise IndexUnavailable(str(exc)) from None
            raise IndexDamaged(str(exc)) from None
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0 and create:
                _create_tables(conn)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA:
                raise IndexOutdated(f"index schema {version}, this one uses {SCHEMA}")
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not _TABLE_NAMES <= names:
                raise IndexDamaged("not flashprep's tables")
            opened = cls(conn, path)
            opened.event_indexes = all(n in names for n in _EVENT_INDEX_NAMES)
            return opened
        except sqlite3.OperationalError as exc:
            conn.close()
            raise IndexUnavailable(str(exc)) from None
        except sqlite3.Error as exc:
            conn.close()
            raise IndexDamaged(str(exc)) from None
        except BaseException:
            conn.close()
            raise

    @classmethod
    def memory(cls) -> Index:
        """A fresh index in memory, for a history whose index on disk cannot be used."""
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _create_tables(conn)
        return cls(conn, Path(":memory:"))

    def _read_meta(self) -> None:
        meta = dict(
            self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('offset', 'lines', 'last_id')"
            )
        )
        offset, lines, last_id = meta.get("offset", 0), meta.get("lines", 0), meta.get("last_id")
        if type(offset) is not int or type(lines) is not int or offset < 0 or lines < 0:
            raise IndexDamaged("bad meta")
        if last_id is not None and type(last_id) is not str:
            raise IndexDamaged("bad meta")
        self.offset, self.lines, self.last_id = offset, lines, last_id

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------ reading

    def state_rows(self) -> dict[str, Row]:
        """Every card's state row (CardState.to_row's layout) by card id; IndexDamaged if
        a row is not one CardState.from_row accepts (the index is checked as it is read,
        so a damaged one is rebuilt, never half used)."""
        try:
            rows = self.conn.execute(
                "SELECT card_id, ef, interval, repetitions, due, lapses, reviews, last_day, "
                "introduced, flags, buried_until FROM states"
            ).fetchall()
        except sqlite3.Error as exc:
            raise IndexDamaged(str(exc)) from None
        try:
            _check_rows(rows)
        except (ValueError, TypeError) as exc:
            raise IndexDamaged(f"a bad card state ({exc})") from None
        return {r[0]: r[1:] for r in rows}

    def snapshot_rows(self) -> dict[str, Row] | None:
        """`state_rows` from the snapshot left in the index, if it is of the offset the index
        covers now (else None): one marshal blob loads several times faster than 50,000
        table rows are read and checked."""
        try:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'snapshot'").fetchone()
            if row is None or type(row[0]) is not bytes:
                return None
            offset, rows = marshal.loads(row[0])
        except Exception:  # a damaged blob: the table is read instead
            return None
        if offset != self.offset or type(rows) is not dict:
            return None
        return rows

    def store_snapshot(self, rows: Mapping[str, Sequence[Any]]) -> None:
        """Keep `rows` (every card's state at the offset the index covers) as the snapshot;
        IndexDamaged if another process moved the index meanwhile (nothing is kept)."""
        blob = marshal.dumps((self.offset, {k: tuple(v) for k, v in rows.items()}))
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('snapshot', ?)", (blob,))

    def card_spans(self, card_id: str) -> list[tuple[int, int]]:
        """(offset, length) in the log of each of the card's events, in log order."""
        return list(
            self.conn.execute(
                "SELECT pos, len FROM events WHERE card_id = ? ORDER BY line", (card_id,)
            )
        )

    def kind_spans(self, kind: str) -> list[tuple[int, int]]:
        """(offset, length) in the log of every event of `kind`, in log order."""
        return list(
            self.conn.execute("SELECT pos, len FROM events WHERE kind = ? ORDER BY line", (kind,))
        )

    def undone_ids(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT id FROM events WHERE undone = 1")}

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read-only query over the tables above (stats and the reports use it)."""
        return self.conn.execute(sql, params).fetchall()

    # ------------------------------------------------------------ writing

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, refused if another process moved the index meanwhile."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            (offset,) = conn.execute(
                "SELECT coalesce((SELECT value FROM meta WHERE key = 'offset'), 0)"
            ).fetchone()
            if offset != self.offset:
                raise IndexDamaged("the index changed under this process")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def apply(self, tail: Tail, prev: Mapping[str, Row] | None = None) -> None:
        """Index the events of `tail` (a part of the log read by flashprep.eventlog, in log
        order) and record that the index now covers the log up to its end. `prev` is the
        card states before these events, if the caller has them (else they are read)."""
        part = part_rows(tail)
        with self._writing() as conn:
            conn.execute("DELETE FROM events WHERE line > ?", (self.lines,))  # see begin_load
            self._add(part, prev)
            covered = self._cover(part.states, part.end, part.lines, part.last_id or self.last_id)
        self.offset, self.lines, self.last_id = covered

    # A long tail (a rebuild) is loaded part by part, so memory stays flat: begin_load,
    # then add_events for each part (events only), then commit with the states they left.
    # Until commit the index still covers what it did: a load cut short is started again
    # by the next open, whose rows replace the ones it left (the line is the key).

    def begin_load(self, *, many: bool) -> None:
        """Before add_events: rows a load cut short left past what the index covers go,
        and with `many` (a rebuild) the event indexes too, made again by make_event_indexes
        once the rows are in: one sorted build is several times faster than keeping them
        up to date row by row."""
        with self._writing() as conn:
            conn.execute("DELETE FROM events WHERE line > ?", (self.lines,))
            if many:
                for name in _EVENT_INDEX_NAMES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
                self.event_indexes = False

    def add_events(self, part: PartRows, prev: Mapping[str, Row]) -> None:
        """One part of a load: the events' rows, not yet their states (see begin_load).
        `prev` is every card's state before the part."""
        with self._writing():
            self._add(part, prev)

    def commit(self, states: Mapping[str, Row], end: int, lines: int, last_id: str | None) -> None:
        """End a load: the cards' `states` once its events are applied, and that the index
        covers the log up to `end`."""
        with self._writing():
            covered = self._cover(states, end, lines, last_id)
        self.offset, self.lines, self.last_id = covered

    def make_event_indexes(self) -> None:
        """The events table's indexes, made if they are missing."""
        if not self.event_indexes:
            self.conn.executescript(_EVENT_INDEXES.replace("INDEX", "INDEX IF NOT EXISTS"))
            self.event_indexes = True

    def _cover(
        self, states: Mapping[str, Row], end: int, lines: int, last_id: str | None
    ) -> tuple[int, int, str | None]:
        """Inside a transaction: the states, and the meta of what the index then covers
        (returned, for the caller to adopt once the transaction has committed)."""
        conn = self.conn
        conn.executemany(
            "INSERT OR REPLACE INTO states VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            ((cid, *row) for cid, row in states.items()),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (("offset", end), ("lines", lines), ("last_id", last_id)),
        )
        return end, lines, last_id

    def _add(self, part: PartRows, prev: Mapping[str, Row] | None) -> None:
        """Insert a part's event rows, their prev_interval completed from `prev` (read from
        the states table when it is None)."""
        conn = self.conn
        rows = part.rows
        if prev is None:
            ids = [cid for _, cid in part.firsts]
            prev = {  # only a row's interval (place 1) is read
                cid: (None, interval)
                for cid, interval in self._where_in(
                    "SELECT card_id, interval FROM states WHERE card_id", ids
                )
            }
        for place, cid in part.firsts:
            before = prev.get(cid)
            if before is not None:
                rows[place][PREV] = before[1]
        conn.executemany(
            f"INSERT OR REPLACE INTO events ({EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        if part.undone:
            conn.executemany(
                "UPDATE events SET undone = 1 WHERE id = ?", [(i,) for i in part.undone]
            )

    # ------------------------------------------------------------ the deck cache

    def deck_heads(self, keys: Iterable[str]) -> dict[str, tuple[Any, Any, Any]]:
        """(stamp, format, head) of each cached deck file in `keys`, undecoded."""
        found = self._where_in("SELECT key, stamp, format, head FROM decks WHERE key", list(keys))
        return {key: (stamp, fmt, head) for key, stamp, fmt, head in found}

    def deck_rows(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The undecoded card rows of each cached deck file in `keys`."""
        return dict(self._where_in("SELECT key, rows FROM decks WHERE key", keys))

    def _where_in(self, select: str, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """The rows of `select` ("... WHERE column") IN `keys`, queried 500 keys at a time
        (SQLite's limit on bound parameters may be as low as 999)."""
        for start in range(0, len(keys), 500):
            some = list(keys[start : start + 500])
            yield from self.conn.execute(f"{select} IN ({','.join('?' * len(some))})", some)

    def store_decks(self, entries: Sequence[tuple[str, bytes, bytes, bytes, bytes]]) -> None:
        """Replace the cached rows of these deck files (key, stamp, format, head, rows)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO decks VALUES (?,?,?,?,?)", entries)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
