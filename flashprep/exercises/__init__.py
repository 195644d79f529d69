"""Exercises: cards that ask for code and check it by running it.

A `kind = "sql"` card is checked by running the user's query and the card's
reference solution on a fresh copy of its dataset and comparing the two results
(flashprep.exercises.sql, on SQLite or on PostgreSQL: flashprep.exercises.pg). A
`kind = "python"` card runs the user's code and then the card's asserts in a
separate, limited Python process (flashprep.exercises.python). What a check
finds is an Outcome: plain data, rendered by flashprep.ui.exercise.

Nothing here prints or prompts; nothing here is imported on the start-up path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, ERROR, TIMEOUT = "pass", "fail", "error", "timeout"
OUTCOMES = (PASS, FAIL, ERROR, TIMEOUT)

SQL_TIME_LIMIT = 3.0  # seconds per query
PYTHON_TIME_LIMIT = 5.0  # seconds for the user's code and the tests together
PYTHON_MEMORY_MB = 512  # address space of the Python child process
MAX_ROWS = 10_000  # rows of a result kept for comparing and showing


@dataclass(frozen=True)
class Table:
    """A query's result: column names and rows (values as the engine returned them)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total: int | None = None  # rows the query returned, when more than `rows` holds


@dataclass(frozen=True)
class Outcome:
    """What running one answer found.

    `status` is PASS, FAIL (ran, but the result or an assert is wrong), ERROR (did not
    run: a syntax error, an exception, a refused statement, the memory limit) or
    TIMEOUT. `detail` is one short line for the history and plain output; the other
    fields hold what a screen shows at length.
    """

    status: str
    detail: str
    engine: str  # "sqlite", "postgresql" or "python"
    seconds: float = 0.0
    expected: Table | None = None  # sql: the reference solution's result
    got: Table | None = None  # sql: the user's result
    missing: tuple[tuple[Any, ...], ...] = ()  # sql: expected rows the answer lacks
    extra: tuple[tuple[Any, ...], ...] = ()  # sql: rows the answer has but should not
    failures: tuple[str, ...] = field(default=())  # python: one line per failing assert
    output: str = ""  # python: what the code printed (its tail)

    @property
    def passed(self) -> bool:
        return self.status == PASS


def took_too_long(limit: float) -> str:
    return f"took longer than {limit:g} s (the time limit)"
