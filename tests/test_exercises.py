"""The exercise runners: SQL on SQLite (and PostgreSQL), Python in a limited child."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashprep.exercises import ERROR, FAIL, PASS, TIMEOUT, Table
from flashprep.exercises.python import check_python
from flashprep.exercises.sql import check_sqlite, compare, is_one_statement

DATA = """
CREATE TABLE t (a INTEGER, b TEXT, p REAL);
INSERT INTO t VALUES (1, 'x', 1.5), (2, 'y', 2.25), (3, NULL, NULL), (3, NULL, NULL);
"""
ENDLESS_CTE = (
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
)


# ------------------------------------------------------------------ SQL on SQLite


def test_the_same_rows_in_any_order_pass() -> None:
    out = check_sqlite("SELECT a, b FROM t ORDER BY a DESC", "SELECT a, b FROM t", DATA)
    assert out.status == PASS and out.detail == "4 row(s), as expected"


def test_a_wrong_answer_fails_with_both_results_and_the_difference() -> None:
    out = check_sqlite("SELECT a, b FROM t WHERE a > 1", "SELECT a, b FROM t", DATA)
    assert out.status == FAIL
    assert out.detail == "3 row(s), expected 4: 1 expected row(s) missing"
    assert out.missing == ((1, "x"),) and out.extra == ()
    assert out.expected is not None and len(out.expected.rows) == 4
    assert out.got is not None and len(out.got.rows) == 3


def test_duplicates_count() -> None:
    out = check_sqlite("SELECT DISTINCT a FROM t", "SELECT a FROM t", DATA)
    assert out.status == FAIL and out.missing == ((3,),)


def test_ordered_cards_compare_in_order() -> None:
    sol = "SELECT a FROM t ORDER BY a"
    assert check_sqlite("SELECT a FROM t ORDER BY a", sol, DATA, ordered=True).passed
    out = check_sqlite("SELECT a FROM t ORDER BY a DESC", sol, DATA, ordered=True)
    assert out.status == FAIL and "wrong order (row 1 differs" in out.detail


def test_column_count_must_agree_names_need_not() -> None:
    assert check_sqlite("SELECT a AS alias FROM t", "SELECT a FROM t", DATA).passed
    out = check_sqlite("SELECT a, b FROM t", "SELECT a FROM t", DATA)
    assert out.status == FAIL and out.detail == "2 column(s), expected 1"


def test_the_same_names_in_another_order_are_put_in_order() -> None:
    assert check_sqlite("SELECT B, a FROM t", "SELECT a, b FROM t", DATA).passed
    # Positions decide when the names differ.
    assert not check_sqlite("SELECT b AS x, a AS y FROM t", "SELECT a, b FROM t", DATA).passed


def test_numbers_compare_by_value_within_6_decimal_places() -> None:
    assert check_sqlite("SELECT 0.1 + 0.2", "SELECT 0.3", DATA).passed
    assert check_sqlite("SELECT 2.0", "SELECT 2", DATA).passed
    assert not check_sqlite("SELECT 0.30001", "SELECT 0.3", DATA).passed
    expected = Table(("avg",), ((Decimal("1.8750000000000000"),),))
    assert compare(expected, Table(("x",), ((1.875,),))).ok


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9))
def test_float_noise_is_ignored(x: float) -> None:
    noisy = x + abs(x) * 1e-13
    assert compare(Table(("x",), ((x,),)), Table(("x",), ((noisy,),))).ok
    assert compare(Table(("x",), ((Decimal(repr(x)),),)), Table(("x",), ((x,),))).ok
    assert not compare(Table(("x",), ((x,),)), Table(("x",), ((x + 0.01,),))).ok


@given(
    st.lists(st.tuples(st.integers(-5, 5), st.sampled_from(["a", "b", None])), max_size=20),
    st.randoms(),
)
def test_a_shuffled_result_matches_and_a_dropped_row_is_named(rows, rnd) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert compare(Table(("a", "b"), tuple(rows)), Table(("a", "b"), tuple(shuffled))).ok
    if rows:
        short = compare(Table(("a", "b"), tuple(rows)), Table(("a", "b"), tuple(shuffled[1:])))
        assert not short.ok and short.missing == (shuffled[0],) and short.extra == ()


def test_sql_errors_are_the_engines_message() -> None:
    out = check_sqlite("SELEC a FROM t", "SELECT a FROM t", DATA)
    assert out.status == ERROR and out.detail == 'near "SELEC": syntax error'
    out = check_sqlite("SELECT nope FROM t", "SELECT a FROM t", DATA)
    assert out.detail == "no such column: nope"


def test_one_statement_only() -> None:
    assert is_one_statement("SELECT 1;  -- done\n")
    assert is_one_statement("SELECT ';' AS x, \"a;b\" FROM t /* ; */")
    assert is_one_statement("SELECT $$;$$")
    assert not is_one_statement("SELECT 1; DROP TABLE t")
    assert check_sqlite("SELECT 1; SELECT 2", "SELECT 1", DATA).status == ERROR


def test_an_endless_recursive_cte_times_out() -> None:
    out = check_sqlite(ENDLESS_CTE, "SELECT 1", DATA, limit=0.5)
    assert out.status == TIMEOUT and out.detail == "took longer than 0.5 s (the time limit)"
    assert out.seconds < 3


def test_an_endless_result_is_counted_not_kept_and_times_out() -> None:
    query = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r"
    out = check_sqlite(query, "SELECT 1", DATA, limit=0.5)
    assert out.status == TIMEOUT


@pytest.mark.parametrize(
    "query, message",
    [
        ("ATTACH DATABASE ':memory:' AS other", "ATTACH, DETACH and VACUUM INTO"),
        ("DETACH DATABASE main", "ATTACH, DETACH and VACUUM INTO"),
        ("VACUUM INTO '/tmp/flashprep-must-not-exist.db'", "ATTACH, DETACH and VACUUM INTO"),
        ("PRAGMA journal_mode = OFF", "PRAGMA journal_mode is not allowed"),
        ("PRAGMA user_version = 7", "PRAGMA user_version is not allowed"),
        ("PRAGMA optimize", "PRAGMA optimize is not allowed"),
        ("SELECT load_extension('/tmp/evil')", "loading SQLite extensions is not allowed"),
    ],
)
def test_the_authorizer_refuses(query: str, message: str) -> None:
    out = check_sqlite(query, "SELECT 1", DATA)
    assert out.status == ERROR and out.detail.startswith(message)
    assert not os.path.exists("/tmp/flashprep-must-not-exist.db")


def test_a_value_growing_without_end_stops_at_the_size_limit() -> None:
    query = (
        "WITH RECURSIVE r(s) AS (SELECT 'x' UNION ALL SELECT s || s FROM r) SELECT count(*) FROM r"
    )
    out = check_sqlite(query, "SELECT 1", DATA)
    assert out.status == ERROR and out.detail == "string or blob too big"


def test_reading_pragmas_are_allowed() -> None:
    out = check_sqlite(
        "SELECT name FROM pragma_table_info('t')",
        "SELECT 'a' UNION ALL SELECT 'b' UNION ALL SELECT 'p'",
        DATA,
    )
    assert out.passed
    assert check_sqlite("PRAGMA user_version", "SELECT 0", DATA).passed


def test_each_run_starts_from_the_dataset() -> None:
    # A solution that deletes rows leaves nothing behind for the answer's database.
    out = check_sqlite("SELECT count(*) FROM t", "SELECT count(*) FROM t", DATA)
    assert out.passed and out.got is not None and out.got.rows == ((4,),)


# ------------------------------------------------------------------ Python


def test_python_passes() -> None:
    out = check_python("def double(x):\n    return 2 * x\n", "assert double(2) == 4\n")
    assert out.status == PASS and out.engine == "python"


def test_each_failing_assert_is_reported_with_its_expression() -> None:
    tests = "assert f(1) == 2\nassert f(2) == 4\nassert f(3) == 6, 'three'\nassert f(0)\n"
    out = check_python("def f(x):\n    return x + 1\n", tests)
    assert out.status == FAIL
    assert out.failures == (
        "assert f(2) == 4  (left: 3, right: 4)",
        "assert f(3) == 6  (three; left: 4, right: 6)",
    )
    assert out.detail.startswith("2 test(s) failed: assert f(2) == 4")


def test_each_side_of_a_comparison_is_evaluated_once() -> None:
    code = "def gen():\n    yield 1\n    yield 2\ng = gen()\n"
    out = check_python(code, "assert next(g) == 1\nassert next(g) == 2\n")
    assert out.passed


def test_a_test_statement_that_raises_is_reported_and_the_rest_run() -> None:
    out = check_python("x = 1", "y = 1 / 0\nassert x == 2\n")
    assert out.failures == (
        "y = 1 / 0  (raised ZeroDivisionError: division by zero)",
        "assert x == 2  (left: 1, right: 2)",
    )


def test_code_that_does_not_run_is_an_error() -> None:
    assert check_python("def f(:\n", "assert True").detail.startswith("SyntaxError")
    out = check_python("raise KeyError('k')", "assert True")
    assert out.status == ERROR and out.detail == "your code raised KeyError: 'k' (line 1)"


def test_an_endless_loop_times_out() -> None:
    out = check_python("while True:\n    pass\n", "assert True", limit=1)
    assert out.status == TIMEOUT and out.detail == "took longer than 1 s (the time limit)"
    assert out.seconds < 5


def test_the_memory_limit() -> None:
    out = check_python("data = bytearray(400 * 1024 * 1024)", "assert True", memory_mb=200)
    assert out.status == ERROR and out.detail == "used more than 200 MB of memory (the limit)"
    assert check_python(
        "data = bytearray(20 * 1024 * 1024)", "assert len(data) > 0", memory_mb=200
    ).passed


def test_the_child_is_isolated(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    (tmp_path / "planted.py").write_text("X = 1\n")
    out = check_python(
        "import sys, os",
        "assert sys.flags.isolated == 1\n"
        "assert 'planted' not in sys.modules\n"
        "assert not any(p == os.getcwd() for p in sys.path)\n",
    )
    assert out.passed, out.failures


def test_what_the_code_printed_is_kept() -> None:
    out = check_python("print('hello')", "assert False")
    assert out.output == "hello\n" and out.failures == ("assert False",)


# ------------------------------------------------------------------ PostgreSQL


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


PG_DATA = """
CREATE TABLE t (a INTEGER, b TEXT, p NUMERIC(10, 2));
INSERT INTO t VALUES (1, 'x', 1.5), (2, 'y', 2.25), (3, NULL, NULL);
"""


def test_postgres_pass_fail_and_error() -> None:
    from flashprep.exercises.pg import check_postgres

    dsn = pg_dsn()
    assert check_postgres("SELECT avg(p) FROM t", "SELECT avg(p) FROM t", PG_DATA, dsn).passed
    out = check_postgres("SELECT a FROM t WHERE a > 1", "SELECT a FROM t", PG_DATA, dsn)
    assert out.status == FAIL and out.missing == ((1,),) and out.engine == "postgresql"
    out = check_postgres("SELEC 1", "SELECT a FROM t", PG_DATA, dsn)
    assert out.status == ERROR and out.detail == 'syntax error at or near "SELEC"'


def test_postgres_times_out_and_leaves_nothing_behind() -> None:
    import psycopg

    from flashprep.exercises.pg import check_postgres

    dsn = pg_dsn()
    out = check_postgres(ENDLESS_CTE, "SELECT 1", PG_DATA, dsn, limit=0.5)
    assert out.status == TIMEOUT and out.detail == "took longer than 0.5 s (the time limit)"
    out = check_postgres("DELETE FROM t", "SELECT 1", PG_DATA, dsn)
    assert out.status == ERROR and "read-only transaction" in out.detail
    with psycopg.connect(dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'flashprep_%'"
        ).fetchone()
    assert left == (0,)


# ------------------------------------------------------------------ the suggested grade


@pytest.mark.parametrize(
    "passed, attempts, seconds, grade",
    [
        (True, 1, 20.0, 5),  # first try, quickly
        (True, 1, 90.0, 5),
        (True, 1, 91.0, 4),  # first try, slowly
        (True, 2, 5.0, 3),  # after a retry, however fast
        (True, 7, 500.0, 3),
        (False, 1, 5.0, 2),  # failed
        (False, 3, 500.0, 2),
    ],
)
def test_the_suggested_grade(passed: bool, attempts: int, seconds: float, grade: int) -> None:
    from flashprep.exercises.check import suggest_grade

    assert suggest_grade(passed, attempts, seconds) == grade
