"""Every bundled exercise's reference solution passes its own check: on SQLite always, on
PostgreSQL when FLASHPREP_TEST_PG_DSN names a server (CI starts one; with CI set and no
server these tests fail rather than skip). And a deliberately wrong answer fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from flashprep.cardmodel import Card
from flashprep.decks import load_collection
from flashprep.exercises.check import Checker


@pytest.fixture(scope="module")
def exercises(tmp_path_factory: pytest.TempPathFactory) -> list[Card]:
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("FLASHPREP_BUNDLED", raising=False)
        col = load_collection(home, use_cache=False)
    cards = [c for c in col.cards.values() if c.is_exercise]
    assert cards, "the bundled decks hold no exercise"
    return cards


def pg_dsn() -> str:
    dsn = os.environ.get("FLASHPREP_TEST_PG_DSN")
    if not dsn:
        if os.environ.get("CI"):
            pytest.fail(
                "CI is set but FLASHPREP_TEST_PG_DSN is not: the PostgreSQL tests "
                "need a server (.ci/run starts one)"
            )
        pytest.skip("FLASHPREP_TEST_PG_DSN is not set (see the README: PostgreSQL tests)")
    return dsn


def failures(cards: list[Card], checker: Checker, engines: tuple[str, ...]) -> list[str]:
    bad = []
    for card in cards:
        for engine, outcome in checker.check_reference(card, engines):
            if not outcome.passed:
                bad.append(f"{card.id} on {engine}: {outcome.detail}")
    return bad


def test_every_reference_solution_passes_on_sqlite_and_python(
    exercises: list[Card], home: Path
) -> None:
    assert failures(exercises, Checker(home), ("sqlite",)) == []


def test_every_sql_reference_solution_passes_on_postgresql(
    exercises: list[Card], home: Path
) -> None:
    dsn = pg_dsn()
    sql = [c for c in exercises if c.kind == "sql"]
    assert failures(sql, Checker(home, "postgresql", dsn), ("postgresql",)) == []


def test_a_deliberately_wrong_answer_fails_for_each_kind(exercises: list[Card], home: Path) -> None:
    checker = Checker(home)
    for kind, wrong in (("sql", "SELECT 1 AS nothing"), ("python", "pass")):
        card = next(c for c in exercises if c.kind == kind)
        outcome = checker.check(card, wrong)
        assert outcome.status in ("fail", "error"), (card.id, outcome)
        assert not outcome.passed


def test_a_deliberately_wrong_sql_answer_fails_on_postgresql(
    exercises: list[Card], home: Path
) -> None:
    dsn = pg_dsn()
    card = next(c for c in exercises if c.kind == "sql")
    checker = Checker(home, "postgresql", dsn)
    assert checker.check(card, card.solution or "").passed
    outcome = checker.check(card, "SELECT 1 AS nothing")
    assert outcome.status == "fail" and outcome.engine == "postgresql"
