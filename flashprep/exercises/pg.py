"""SQL exercises on PostgreSQL (config `sql_engine = "postgresql"`, `postgres_dsn`).

Each check opens one connection and one transaction, which is always rolled back:
`statement_timeout` is set for the transaction, the dataset is loaded into a
schema of its own (a random name, first on the search_path), the reference
solution and then the answer run, and the rollback takes the schema and anything
the query did away. The transaction is made read-only before the answer runs,
and an answer must be one statement, so it cannot end the transaction itself.

psycopg 3 is an optional dependency (`pip install 'flashprep[postgres]'`).
"""

from __future__ import annotations

import os
import time
from typing import Any

from flashprep.errors import ConfigError
from flashprep.exercises import ERROR, SQL_TIME_LIMIT, TIMEOUT, Outcome, Table, took_too_long
from flashprep.exercises.sql import ONE_STATEMENT, QueryError, _fetch, is_one_statement, outcome_of

CONNECT_TIMEOUT = 5  # seconds


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ConfigError(
            "sql_engine = \"postgresql\" needs psycopg 3: pip install 'flashprep[postgres]'"
        ) from None
    return psycopg


class PgSession:
    """One rolled-back transaction holding a dataset in a schema of its own."""

    def __init__(self, dsn: str, script: str, limit: float = SQL_TIME_LIMIT) -> None:
        psycopg = _psycopg()
        self.psycopg = psycopg
        self.limit = limit
        try:
            self.conn = psycopg.connect(
                dsn, connect_timeout=CONNECT_TIMEOUT, application_name="flashprep"
            )
        except psycopg.Error as exc:
            raise ConfigError(
                f"cannot connect to PostgreSQL (postgres_dsn): {_first_line(exc)}"
            ) from None
        self.schema = "flashprep_" + os.urandom(6).hex()
        try:
            with self.conn.cursor() as cur:
                cur.execute(f"SET LOCAL statement_timeout = {int(limit * 1000)}")
                cur.execute(f"CREATE SCHEMA {self.schema}")
                cur.execute(f"SET LOCAL search_path TO {self.schema}")
                cur.execute(script)  # no parameters: several statements in one go
        except psycopg.Error as exc:
            self.close()
            raise QueryError(
                ERROR, f"the dataset does not load on PostgreSQL: {_first_line(exc)}"
            ) from None

    def savepoint_run(self, query: str, *, read_only: bool = False) -> Table:
        """Run one statement; on an error the transaction goes back to before it."""
        psycopg = self.psycopg
        try:
            with self.conn.cursor() as cur:
                if read_only:
                    cur.execute("SET TRANSACTION READ ONLY")
                cur.execute("SAVEPOINT flashprep_query")
                try:
                    cur.execute(query)
                    table = _fetch(cur.description, cur.fetchmany)
                except psycopg.Error:
                    cur.execute("ROLLBACK TO SAVEPOINT flashprep_query")
                    raise
                return table
        except psycopg.errors.QueryCanceled:
            raise QueryError(TIMEOUT, took_too_long(self.limit)) from None
        except psycopg.Error as exc:
            raise QueryError(ERROR, _first_line(exc)) from None

    def close(self) -> None:
        try:
            self.conn.rollback()
        except self.psycopg.Error:
            pass
        self.conn.close()

    def __enter__(self) -> PgSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: BaseException) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    text = primary or str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def check_postgres(
    query: str,
    solution: str,
    script: str,
    dsn: str,
    *,
    ordered: bool = False,
    limit: float = SQL_TIME_LIMIT,
) -> Outcome:
    if not is_one_statement(query):
        return Outcome(ERROR, ONE_STATEMENT, "postgresql")
    try:
        session = PgSession(dsn, script, limit)
    except QueryError as exc:
        return Outcome(exc.status, exc.message, "postgresql")
    with session:
        try:
            expected = session.savepoint_run(solution)
        except QueryError as exc:
            return Outcome(
                ERROR,
                f"the reference solution does not run on PostgreSQL: {exc.message}",
                "postgresql",
            )
        start = time.monotonic()
        try:
            got = session.savepoint_run(query, read_only=True)
        except QueryError as exc:
            return Outcome(
                exc.status, exc.message, "postgresql", time.monotonic() - start, expected=expected
            )
        return outcome_of(expected, got, ordered, "postgresql", time.monotonic() - start)


def run_reference_postgres(
    solution: str, script: str, dsn: str, limit: float = SQL_TIME_LIMIT
) -> Table:
    with PgSession(dsn, script, limit) as session:
        return session.savepoint_run(solution)
