"""SM-2, as SuperMemo published it (Wozniak, 1990). Pure: no clock, no I/O.

    I(1) = 1, I(2) = 6, I(n) = I(n-1) * EF   for n > 2
    EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)),  EF' >= 1.3
    q < 3: start the repetitions anew (I = 1) "without changing the E-Factor"

Choices, where libraries differ:

* EF is left unchanged on a failed answer (q < 3), as the original text says;
  many implementations lower it there too.
* EF is updated first, and the new EF gives the next interval.
* Intervals are rounded up (ceil) to whole days.
* EF is kept in integer hundredths. Every step of the formula is a whole number
  of hundredths (+10, 0, -14 for q = 5, 4, 3), so integers are exact where
  floats drift: 2.5 + 0.1 + 0.1 + 0.1 is 2.8000000000000003 in floats, and
  ceil(10 * that) would give 29 days instead of 28.
* The same-day rule (answers graded < 4 are repeated until they score >= 4,
  without rescheduling) lives in flashprep.schedule, which calls this module
  only for the first answer of a study day.
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_EF = 250  # hundredths
MIN_EF = 130
GRADES = range(6)


@dataclass(frozen=True)
class Sm2:
    """SM-2's own state for one item: EF (hundredths), interval (days), repetitions."""

    ef: int = INITIAL_EF
    interval: int = 0
    repetitions: int = 0


def ef_delta(grade: int) -> int:
    """The EF change for a passing grade, in hundredths (5 -> +10, 4 -> 0, 3 -> -14)."""
    d = 5 - grade
    return 10 - d * (8 + d * 2)


def review(state: Sm2, grade: int) -> Sm2:
    """The state after answering with `grade` (0-5)."""
    if grade not in GRADES:
        raise ValueError(f"grade must be 0-5, got {grade!r}")
    if grade < 3:
        return Sm2(ef=state.ef, interval=1, repetitions=0)
    ef = max(MIN_EF, state.ef + ef_delta(grade))
    repetitions = state.repetitions + 1
    if repetitions == 1:
        interval = 1
    elif repetitions == 2:
        interval = 6
    else:
        interval = -(-state.interval * ef // 100)  # ceil(I * EF) in exact integers
    return Sm2(ef=ef, interval=interval, repetitions=repetitions)


def ef_float(ef: int) -> float:
    """EF for display and JSON: a number with two decimals."""
    return round(ef / 100, 2)


def ef_from_float(value: float) -> int:
    return int(round(value * 100))
