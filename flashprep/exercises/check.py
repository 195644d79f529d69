"""Checking an answer to an exercise card, and checking a card's own reference solution."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flashprep.cardmodel import Card
from flashprep.exercises import (
    ERROR,
    FAIL,
    PASS,
    PYTHON_MEMORY_MB,
    PYTHON_TIME_LIMIT,
    SQL_TIME_LIMIT,
    Outcome,
)

# Suggested grades (issue 15): passed on the first try and quickly, passed, passed after
# a retry, failed.
QUICK_SECONDS = 90.0  # from the card's showing to the passing run


def suggest_grade(passed: bool, attempts: int, seconds: float) -> int:
    """The grade proposed after the latest run: Enter accepts it, 0-5 overrides it."""
    if not passed:
        return 2
    if attempts > 1:
        return 3
    return 5 if seconds <= QUICK_SECONDS else 4


@dataclass
class Checker:
    """Runs answers to the exercises of one home's decks, on the configured engine."""

    home: Path | None  # None: only the deck's own and the bundled datasets
    engine: str = "sqlite"  # "sqlite" or "postgresql"
    dsn: str | None = None
    sql_limit: float = SQL_TIME_LIMIT
    python_limit: float = PYTHON_TIME_LIMIT
    memory_mb: int = PYTHON_MEMORY_MB
    _scripts: dict[str, str] = field(default_factory=dict)

    def dataset(self, card: Card) -> str:
        """The dataset script of a sql card (DeckError if there is none)."""
        from flashprep.exercises.datasets import find_dataset, read_dataset

        assert card.dataset is not None
        path = find_dataset(card.dataset, self.home, card.path or None, card.line or None)
        key = str(path)
        if key not in self._scripts:
            self._scripts[key] = read_dataset(path)
        return self._scripts[key]

    def check(self, card: Card, code: str) -> Outcome:
        """The user's `code` for `card`, run and judged."""
        if card.kind == "python":
            from flashprep.exercises.python import check_python

            assert card.tests is not None
            return check_python(code, card.tests, limit=self.python_limit, memory_mb=self.memory_mb)
        assert card.kind == "sql" and card.solution is not None
        if not code.strip():
            return Outcome(ERROR, "the answer is empty", self.engine)
        script = self.dataset(card)
        if self.engine == "postgresql":
            from flashprep.exercises.pg import check_postgres

            assert self.dsn is not None
            return check_postgres(
                code, card.solution, script, self.dsn, ordered=card.ordered, limit=self.sql_limit
            )
        from flashprep.exercises.sql import check_sqlite

        return check_sqlite(code, card.solution, script, ordered=card.ordered, limit=self.sql_limit)

    def check_reference(
        self, card: Card, engines: tuple[str, ...] = ("sqlite",)
    ) -> list[tuple[str, Outcome]]:
        """Whether the card's reference solution passes its own check, per engine.

        Python: the solution passes the card's tests. SQL: the solution runs on SQLite
        and returns rows; on PostgreSQL (when in `engines`) it runs too, and its result
        there matches its SQLite result by the comparison rule (the dataset and the
        query mean the same on both).
        """
        assert card.solution is not None
        if card.kind == "python":
            return [("python", self.check(card, card.solution))]
        from flashprep.exercises.sql import QueryError, outcome_of, run_reference_sqlite

        script = self.dataset(card)
        results: list[tuple[str, Outcome]] = []
        try:
            lite = run_reference_sqlite(card.solution, script, self.sql_limit)
        except QueryError as exc:
            return [("sqlite", Outcome(exc.status, exc.message, "sqlite"))]
        if not lite.rows:
            results.append(("sqlite", Outcome(FAIL, "the solution returns no rows", "sqlite")))
        else:
            results.append(
                ("sqlite", Outcome(PASS, f"{len(lite.rows)} row(s)", "sqlite", expected=lite))
            )
        if "postgresql" in engines:
            from flashprep.exercises.pg import run_reference_postgres

            assert self.dsn is not None
            try:
                pg = run_reference_postgres(card.solution, script, self.dsn, self.sql_limit)
            except QueryError as exc:
                results.append(("postgresql", Outcome(exc.status, exc.message, "postgresql")))
            else:
                same = outcome_of(lite, pg, card.ordered, "postgresql", 0.0)
                if not same.passed:
                    same = Outcome(
                        FAIL,
                        "PostgreSQL's result differs from SQLite's: " + same.detail,
                        "postgresql",
                        expected=lite,
                        got=pg,
                        missing=same.missing,
                        extra=same.extra,
                    )
                results.append(("postgresql", same))
        return results
