"""SM-2 against hand-computed sequences and its invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashprep import sm2
from flashprep.sm2 import Sm2, ef_delta, review


def run(grades: list[int]) -> list[Sm2]:
    s = Sm2()
    out = []
    for g in grades:
        s = review(s, g)
        out.append(s)
    return out


def test_ef_deltas_are_whole_hundredths() -> None:
    assert [ef_delta(q) for q in (5, 4, 3)] == [10, 0, -14]


def test_four_perfect_answers() -> None:
    seq = run([5, 5, 5, 5])
    assert [s.ef for s in seq] == [260, 270, 280, 290]
    assert [s.interval for s in seq] == [1, 6, 17, 50]
    assert [s.repetitions for s in seq] == [1, 2, 3, 4]


def test_grade_four_keeps_ef() -> None:
    seq = run([4, 4, 4, 4])
    assert [s.ef for s in seq] == [250, 250, 250, 250]
    # 1, 6, ceil(6 * 2.5) = 15, ceil(15 * 2.5) = ceil(37.5) = 38
    assert [s.interval for s in seq] == [1, 6, 15, 38]


def test_grade_three_lowers_ef() -> None:
    seq = run([3, 3, 3])
    assert [s.ef for s in seq] == [236, 222, 208]
    # ceil(6 * 2.08) = ceil(12.48) = 13
    assert [s.interval for s in seq] == [1, 6, 13]


def test_failure_keeps_ef_and_restarts() -> None:
    seq = run([5, 5, 5, 2, 4, 4, 4])
    assert [s.ef for s in seq] == [260, 270, 280, 280, 280, 280, 280]
    assert [s.interval for s in seq] == [1, 6, 17, 1, 1, 6, 17]
    assert [s.repetitions for s in seq] == [1, 2, 3, 0, 1, 2, 3]


@pytest.mark.parametrize("grade", [0, 1, 2])
def test_every_failing_grade_resets(grade: int) -> None:
    s = review(Sm2(ef=190, interval=40, repetitions=5), grade)
    assert s == Sm2(ef=190, interval=1, repetitions=0)


def test_ef_floor() -> None:
    s = Sm2(ef=135, interval=10, repetitions=3)
    assert review(s, 3).ef == 130
    assert review(Sm2(ef=130, interval=10, repetitions=3), 3).ef == 130


def test_exact_arithmetic_where_floats_are_off_by_a_day() -> None:
    # Floats: 2.5 + 0.1 + 0.1 + 0.1 == 2.8000000000000003 and ceil(10 * that) == 29.
    assert math.ceil(10 * (2.5 + 0.1 + 0.1 + 0.1)) == 29
    s = review(Sm2(ef=270, interval=10, repetitions=2), 5)
    assert s.ef == 280
    assert s.interval == 28


def test_bad_grade() -> None:
    with pytest.raises(ValueError):
        review(Sm2(), 6)
    with pytest.raises(ValueError):
        review(Sm2(), -1)


def test_ef_json_form() -> None:
    assert sm2.ef_float(280) == 2.8
    assert sm2.ef_from_float(2.8) == 280
    assert sm2.ef_from_float(sm2.ef_float(143)) == 143


grades = st.lists(st.integers(0, 5), min_size=1, max_size=40)


@given(grades)
def test_invariants(gs: list[int]) -> None:
    s = Sm2()
    for g in gs:
        before = s
        s = review(s, g)
        assert s.ef >= 130
        assert s.interval >= 1
        if g >= 3 and before.repetitions >= 2:
            assert s.interval >= before.interval
        if g < 3:
            assert s.ef == before.ef and s.repetitions == 0


@given(grades)
def test_ef_matches_the_float_formula_rounded(gs: list[int]) -> None:
    s = Sm2()
    ef = 2.5
    for g in gs:
        s = review(s, g)
        if g >= 3:
            ef = max(1.3, ef + (0.1 - (5 - g) * (0.08 + (5 - g) * 0.02)))
        assert s.ef == round(ef * 100)
