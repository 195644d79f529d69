"""The interview simulator (benchmarks/interview_sim.py) and the recall forecast.

The simulator's figures live in benchmarks/RESULTS.md; here: its true memory is FSRS-6 as
fsrs-rs computes it, plan mode introduces every card by the cutoff, and the forecast
(flashprep.forecast) stays in [0, 1] and falls with time."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep import forecast
from flashprep.plan import Answer

SIM = Path(__file__).resolve().parent.parent / "benchmarks" / "interview_sim.py"


@pytest.fixture(scope="module")
def sim() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flashprep_interview_sim", SIM)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


reviews = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from([0, 0, 1, 2, 3, 6, 10, 30, 90, 200])),
    min_size=0,
    max_size=10,
)


@settings(max_examples=300, deadline=None)
@given(first=st.integers(1, 4), rest=reviews)
def test_the_true_memory_is_fsrs6_as_fsrs_rs_computes_it(
    sim: ModuleType, first: int, rest: list[tuple[int, int]]
) -> None:
    import fsrs_rs_python as f

    seq = [(first, 0), *rest]
    state = None
    for rating, elapsed in seq:
        state = sim.fsrs_step(sim.W, state, rating, elapsed)
    assert state is not None
    want = f.FSRS(list(sim.W)).memory_state(f.FSRSItem([f.FSRSReview(r, t) for r, t in seq]))
    assert state[0] == pytest.approx(want.stability, rel=1e-4)
    assert state[1] == pytest.approx(want.difficulty, rel=1e-4)
    assert list(sim.W) == pytest.approx(list(f.DEFAULT_PARAMETERS), rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_plan_mode_introduces_every_card_by_the_cutoff(sim: ModuleType, seed: int) -> None:
    out = sim.simulate(seed, 70, True)
    assert out.unseen == 0
    assert out.all_by_cutoff
    assert out.last_intro <= sim.START + timedelta(days=70 - 14)
    assert 0.0 < out.recall <= 1.0
    assert out.busiest_minutes <= sim.BUDGET + 5  # the day's last answer may run over


def test_the_speed_run_too(sim: ModuleType) -> None:
    out = sim.simulate(3, 28, True, 0.0, 1.0, 45)
    assert out.unseen == 0 and out.all_by_cutoff


DAY = date(2026, 3, 10)
grades = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 30)), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(history=grades, later=st.integers(0, 400), more=st.integers(1, 400))
def test_forecasts_lie_in_0_1_and_fall_with_elapsed_time(
    history: list[tuple[int, int]], later: int, more: int
) -> None:
    day = DAY
    answers = []
    for grade, gap in history:
        day += timedelta(days=gap)
        answers.append(Answer(day, "review", grade))
    params = forecast.default_parameters()
    near = forecast.card_recall(
        {"c": answers}, ["c", "unseen"], day + timedelta(days=later), params
    )
    far = forecast.card_recall({"c": answers}, ["c"], day + timedelta(days=later + more), params)
    assert 0.0 <= far["c"] <= near["c"] <= 1.0
    assert near["unseen"] == 0.0
    assert forecast.recall(3.0, 0, params) == 1.0
    assert forecast.recall(10.0, 10, params) == pytest.approx(0.9)


def test_grades_map_to_fsrs_ratings() -> None:
    assert [forecast.rating(g) for g in range(6)] == [1, 1, 1, 2, 3, 4]
    answers = [
        Answer(DAY, "new", 4),
        Answer(DAY, "redrill", 5),
        Answer(DAY + timedelta(days=3), "review", 2),
    ]
    assert forecast.reviews(answers) == [(3, 0), (4, 0), (1, 3)]


def test_parameters_are_fitted_only_from_enough_long_term_reviews(sim: ModuleType) -> None:
    import random

    rng = random.Random(5)
    few = {
        f"c{i}": [Answer(DAY, "new", 4), Answer(DAY + timedelta(days=2), "review", 4)]
        for i in range(100)
    }
    fit = forecast.fit_parameters(few)
    assert not fit.fitted and fit.long_term_reviews == 100
    assert fit.parameters == forecast.default_parameters()
    # A simulated learner's memory, many cards over months: enough to fit.
    many: dict[str, list[Answer]] = {}
    for i in range(300):
        mem = sim.Memory(rng.gauss(0, 1.0), 1.0)
        day = DAY
        mem.answer(4, day)
        xs = [Answer(day, "new", 4)]
        for gap in (1, 4, 10, 25):
            day += timedelta(days=gap)
            grade = 4 if rng.random() < mem.p(day) else 1
            mem.answer(grade, day)
            xs.append(Answer(day, "review", grade))
        many[f"c{i}"] = xs
    fit = forecast.fit_parameters(many)
    assert fit.long_term_reviews == 1200
    assert len(fit.parameters) == 21
    assert fit.fitted or "better" in fit.reason
