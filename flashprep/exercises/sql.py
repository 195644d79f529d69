"""SQL exercises: run a query on a fresh copy of a dataset, and compare two results.

SQLite (the default engine): every run builds a new in-memory database from the
dataset script, so nothing a query does outlives it. Two guards:

* a time limit: a progress handler, called every few thousand virtual-machine
  steps, interrupts the query once it has run for longer than the limit (an
  endless recursive CTE ends as a TIMEOUT, not a hang);
* an authorizer that refuses ATTACH and DETACH (no other database file is
  reachable; VACUUM INTO attaches its target first, so it is refused too), any
  PRAGMA that writes (`PRAGMA x = v`, and the ones that act, such as `optimize`),
  and loading extensions (`load_extension()`);
* memory: a string or blob may not exceed 10 MB, and SQLite's heap 256 MB.

How results are compared (the rule `flashprep validate` and `review` use alike):

* columns are matched by position, and their number must agree. Names are not
  compared (an alias of your own is fine), with one help: when both results have
  the same distinct names (case-insensitively) in another order, your columns are
  put in the solution's order first;
* values are compared after normalising: numbers by value (2 = 2.0, a PostgreSQL
  numeric = a float), equal when within 1e-6 of each other (or a relative 1e-12 for
  large ones), booleans as 1 and 0, dates and times as their ISO text (what SQLite
  stores); text exactly; NULL only equals NULL;
* rows are compared as a multiset (order ignored, duplicates counted), or in
  order when the card says `ordered = true`.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from flashprep.exercises import (
    ERROR,
    FAIL,
    MAX_ROWS,
    PASS,
    SQL_TIME_LIMIT,
    TIMEOUT,
    Outcome,
    Table,
    took_too_long,
)

# PRAGMAs that only read, and may name a table or index in their argument.
READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "database_list",
        "collation_list",
        "function_list",
        "pragma_list",
        "compile_options",
        "integrity_check",
        "quick_check",
        "foreign_key_check",
    }
)
# PRAGMAs that act even without a value.
ACTING_PRAGMAS = frozenset({"optimize", "shrink_memory", "wal_checkpoint", "incremental_vacuum"})
ONE_STATEMENT = "write one SQL statement (a single query; a trailing ';' is fine)"
MAX_VALUE_BYTES = 10_000_000
HEAP_LIMIT_BYTES = 256 * 1024 * 1024
_PROGRESS_STEPS = 2_000  # SQLite VM instructions between two looks at the clock


class QueryError(Exception):
    """A query did not run; `status` is ERROR or TIMEOUT and the message says why."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Guard:
    """The authorizer and the progress handler of one SQLite connection."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.deadline = float("inf")
        self.refused: str | None = None

    def start(self) -> None:
        self.deadline = time.monotonic() + self.limit

    def progress(self) -> int:
        return 1 if time.monotonic() > self.deadline else 0  # non-zero interrupts

    def authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
    ) -> int:
        if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
            return self._refuse(
                "ATTACH, DETACH and VACUUM INTO (other database files) "
                "are not allowed in an exercise"
            )
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in ACTING_PRAGMAS or (arg2 is not None and name not in READ_PRAGMAS):
                return self._refuse(f"PRAGMA {name} is not allowed here (only reading PRAGMAs)")
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() == "load_extension":
            return self._refuse("loading SQLite extensions is not allowed in an exercise")
        return sqlite3.SQLITE_OK

    def _refuse(self, why: str) -> int:
        self.refused = why
        return sqlite3.SQLITE_DENY


def sqlite_database(
    script: str, limit: float = SQL_TIME_LIMIT
) -> tuple[sqlite3.Connection, _Guard]:
    """A new in-memory database holding the dataset `script`, guarded."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    # Memory: no string or blob over 10 MB (a recursive CTE doubling a string stops at
    # once), and SQLite's heap held to 256 MB (process-wide; flashprep's other SQLite
    # uses are far smaller). Set before the authorizer, which refuses PRAGMAs that write.
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")
    guard = _Guard(limit)
    conn.set_authorizer(guard.authorize)
    conn.set_progress_handler(guard.progress, _PROGRESS_STEPS)
    guard.start()
    try:
        conn.executescript(script)
    except sqlite3.Error as exc:
        conn.close()
        raise QueryError(
            ERROR, f"the dataset does not load: {_sqlite_message(exc, guard)}"
        ) from None
    return conn, guard


def _sqlite_message(exc: sqlite3.Error, guard: _Guard) -> str:
    if guard.refused:
        return guard.refused
    return str(exc)


def run_sqlite(conn: sqlite3.Connection, guard: _Guard, query: str) -> Table:
    """Run `query` (one statement) on `conn`; raise QueryError on an error or the time limit."""
    guard.refused = None
    guard.start()
    try:
        cur = conn.execute(query)
        return _fetch(cur.description, cur.fetchmany)
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.OperationalError) and str(exc) == "interrupted":
            raise QueryError(TIMEOUT, took_too_long(guard.limit)) from None
        raise QueryError(ERROR, _sqlite_message(exc, guard)) from None
    except (sqlite3.Warning, ValueError) as exc:  # "You can only execute one statement..."
        raise QueryError(ERROR, str(exc)) from None
    except MemoryError:
        raise QueryError(ERROR, "the result does not fit in memory") from None


def _fetch(description: Any, fetchmany: Callable[[int], list[Any]]) -> Table:
    """The rows of a cursor: at most MAX_ROWS kept, the rest counted (so an endless query
    still ends at the time limit, not in memory)."""
    columns = tuple(d[0] for d in description) if description else ()
    rows: list[tuple[Any, ...]] = []
    total = 0
    while True:
        batch = fetchmany(500)
        if not batch:
            break
        total += len(batch)
        if len(rows) < MAX_ROWS:
            rows.extend(tuple(r) for r in batch[: MAX_ROWS - len(rows)])
    return Table(columns, tuple(rows), total if total > len(rows) else None)


def is_one_statement(query: str) -> bool:
    """Whether `query` holds one SQL statement (a trailing semicolon allowed); comments,
    quoted strings and identifiers and dollar quotes are skipped."""
    i, n = 0, len(query)
    seen_end = False
    while i < n:
        ch = query[i]
        if query.startswith("--", i):
            j = query.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if query.startswith("/*", i):
            j = query.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        if ch.isspace():
            i += 1
            continue
        if seen_end:
            return False  # something after a semicolon
        if ch in "'\"":
            j = i + 1
            while j < n:
                if query[j] == ch:
                    if j + 1 < n and query[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
            continue
        if ch == "$":
            end = query.find("$", i + 1)
            tag = query[i : end + 1] if end > 0 else ""
            if tag and (tag == "$$" or tag[1:-1].replace("_", "a").isalnum()):
                close = query.find(tag, end + 1)
                i = n if close < 0 else close + len(tag)
                continue
        if ch == ";":
            seen_end = True
        i += 1
    return True


# ------------------------------------------------------------------ comparing


ABS_TOL, REL_TOL = 1e-6, 1e-12
_NUM = object()  # stands for any number in a row's coarse key


def normalise(value: Any) -> Any:
    """A value in the form the comparison uses (see the module's rule): numbers become
    int or float, booleans 1 and 0, dates and times their ISO text."""
    if value is None or isinstance(value, str | bytes):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
            return str(value)
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | dtime):
        return value.isoformat()
    return str(value)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float)


def values_equal(a: Any, b: Any) -> bool:
    """Two normalised values: numbers within ABS_TOL or REL_TOL of each other, the rest
    exactly (NULL only equals NULL)."""
    if _is_num(a) and _is_num(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return type(a) is type(b) and a == b


def rows_equal(a: Sequence[Any], b: Sequence[Any]) -> bool:
    return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))


def _row_key(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(normalise(v) for v in row)


def _coarse(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_NUM if _is_num(v) else v for v in key)


def sort_key(row: Sequence[Any]) -> tuple[Any, ...]:
    """An order for rows of mixed types: NULL first, numbers, then text, then bytes."""
    out: list[tuple[int, Any]] = []
    for v in _row_key(row):
        if v is None:
            out.append((0, 0))
        elif _is_num(v):
            out.append((1, v))
        elif isinstance(v, str):
            out.append((2, v))
        else:
            out.append((3, bytes(v)))
    return tuple(out)


def _match(
    expected: Sequence[tuple[Any, ...]], got: Sequence[tuple[Any, ...]]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """(rows of `expected` without a partner in `got`, rows of `got` without one in
    `expected`), as multisets. Rows are grouped by everything but their numbers, then
    each group's rows are paired in sorted order, numbers compared with tolerance."""
    groups: dict[tuple[Any, ...], tuple[list[Any], list[Any]]] = {}
    for side, rows in ((0, expected), (1, got)):
        for r in rows:
            key = _row_key(r)
            groups.setdefault(_coarse(key), ([], []))[side].append((sort_key(r), key, r))
    missing, extra = [], []
    for want, have in groups.values():
        want.sort(key=lambda t: t[0])
        have.sort(key=lambda t: t[0])
        i = j = 0
        while i < len(want) and j < len(have):
            if rows_equal(want[i][1], have[j][1]):
                i += 1
                j += 1
            elif want[i][0] < have[j][0]:
                missing.append(want[i][2])
                i += 1
            else:
                extra.append(have[j][2])
                j += 1
        missing.extend(t[2] for t in want[i:])
        extra.extend(t[2] for t in have[j:])
    return sorted(missing, key=sort_key), sorted(extra, key=sort_key)


@dataclass(frozen=True)
class Comparison:
    ok: bool
    reason: str  # one line; "" when ok
    got: Table  # the user's result, its columns in the solution's order if that was done
    missing: tuple[tuple[Any, ...], ...] = ()
    extra: tuple[tuple[Any, ...], ...] = ()


def _align_columns(expected: Table, got: Table) -> Table:
    """`got` with its columns in `expected`'s order, when both have the same distinct
    names (case-insensitively) in another order; else `got` as it is."""
    want = [c.lower() for c in expected.columns]
    have = [c.lower() for c in got.columns]
    if want == have or len(set(want)) != len(want) or sorted(want) != sorted(have):
        return got
    order = [have.index(c) for c in want]
    return Table(
        tuple(got.columns[i] for i in order),
        tuple(tuple(r[i] for i in order) for r in got.rows),
        got.total,
    )


def compare(expected: Table, got: Table, ordered: bool = False) -> Comparison:
    """Whether `got` matches `expected` by the module's rule, and how it differs."""
    got = _align_columns(expected, got)
    if len(got.columns) != len(expected.columns):
        return Comparison(
            False, f"{len(got.columns)} column(s), expected {len(expected.columns)}", got
        )
    if got.total is not None and expected.total is None:
        return Comparison(False, f"{got.total} rows, expected {len(expected.rows)}", got)
    missing_rows, extra_rows = _match(expected.rows, got.rows)
    missing, extra = tuple(missing_rows), tuple(extra_rows)
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} expected row(s) missing")
        if extra:
            parts.append(f"{len(extra)} row(s) that should not be there")
        count = f"{len(got.rows)} row(s), expected {len(expected.rows)}: "
        return Comparison(False, count + ", ".join(parts), got, missing, extra)
    if ordered:
        for i, (a, b) in enumerate(zip(expected.rows, got.rows, strict=True)):
            if not rows_equal(_row_key(a), _row_key(b)):
                return Comparison(
                    False,
                    f"the right rows in the wrong order (row {i + 1} "
                    "differs; this exercise asks for an order)",
                    got,
                )
    return Comparison(True, "", got)


# ------------------------------------------------------------------ checking


def check_sqlite(
    query: str, solution: str, script: str, *, ordered: bool = False, limit: float = SQL_TIME_LIMIT
) -> Outcome:
    """The user's `query` against the reference `solution`, on a fresh SQLite database."""
    if not is_one_statement(query):
        return Outcome(ERROR, ONE_STATEMENT, "sqlite")
    try:
        conn, guard = sqlite_database(script, limit)
    except QueryError as exc:
        return Outcome(exc.status, exc.message, "sqlite")
    try:
        try:
            expected = run_sqlite(conn, guard, solution)
        except QueryError as exc:
            return Outcome(ERROR, f"the reference solution does not run: {exc.message}", "sqlite")
        # A fresh database for the answer: the solution must not leave anything behind.
        conn.close()
        conn, guard = sqlite_database(script, limit)
        start = time.monotonic()
        try:
            got = run_sqlite(conn, guard, query)
        except QueryError as exc:
            return Outcome(
                exc.status, exc.message, "sqlite", time.monotonic() - start, expected=expected
            )
        return outcome_of(expected, got, ordered, "sqlite", time.monotonic() - start)
    finally:
        conn.close()


def outcome_of(expected: Table, got: Table, ordered: bool, engine: str, seconds: float) -> Outcome:
    result = compare(expected, got, ordered)
    if result.ok:
        return Outcome(
            PASS,
            f"{len(got.rows)} row(s), as expected",
            engine,
            seconds,
            expected=expected,
            got=result.got,
        )
    return Outcome(
        FAIL,
        result.reason,
        engine,
        seconds,
        expected=expected,
        got=result.got,
        missing=result.missing,
        extra=result.extra,
    )


def run_reference_sqlite(solution: str, script: str, limit: float = SQL_TIME_LIMIT) -> Table:
    """The reference solution's result; QueryError if it does not run."""
    conn, guard = sqlite_database(script, limit)
    try:
        return run_sqlite(conn, guard, solution)
    finally:
        conn.close()
