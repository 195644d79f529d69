"""The interview plan's pure rules: capped due dates, pacing, and the projected days.

Pure: no clock, no I/O; every function takes the study day it is about.

The cap. While an interview is ahead, an answer's next due date never lands after the
interview's eve. SM-2's numbers (EF, interval, repetitions) are computed by
flashprep.schedule exactly as without a date; `cap_due` moves only the due date. A
due date past the eve (or on it), given before the final window (the `window_days`
before the interview), goes to the window day with the fewest reviews already due, the latest of
those on a tie: the reviews spread over the window, as late as they can. The eve is kept
for the cards answered inside the window, whose next look is on the eve: every card
answered before the eve comes due again by the eve (that is what the cap means), so the
eve holds more than one day's budget, and `review`'s budget-limited queue takes the
longest-waiting first. Answers on or after the interview day are not capped.

Pacing. Unseen cards come in syllabus order (the caller hands them over in that order),
and every one of them is introduced by the cutoff (`cutoff_days` before the interview,
14 by default: the last card introduced then still has room for reviews after 1, 6 and
a few more days before the interview). Today's share is the unseen cards (counting those
already introduced today) over the study days left up to and including the cutoff, so a
missed day raises the rate of the days after it.

The projection. `project` plays the plan forward from today to the eve, answering
every card with grade 4 on the day it falls due: how many new cards and reviews each day
holds and how many minutes they take at the given costs. Real answers also lapse, so
it is a floor on the load, not a promise.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from flashprep import schedule
from flashprep.schedule import NEW_CARD, CardState

CUTOFF_DAYS = 14  # new cards are all introduced this many days before the interview
# Seconds an answer takes until the user's own history holds MIN_TIMED answers with a
# duration: a new card (read, answer, usually a same-day re-drill) and a review.
DEFAULT_NEW_SECONDS = 60.0
DEFAULT_REVIEW_SECONDS = 20.0
MIN_TIMED = 50
PROJECTION_GRADE = 4
MAX_LATER_DAYS = 366  # how far `suggestions` looks for a later date that fits


def eve(interview: date) -> date:
    return interview - timedelta(days=1)


def cutoff_day(today: date, interview: date, cutoff_days: int = CUTOFF_DAYS) -> date:
    """The last day new cards are introduced: `cutoff_days` before the interview, or
    today if that is already past (the interview is close: everything comes in now)."""
    return max(today, interview - timedelta(days=cutoff_days))


def window_start(interview: date, window_days: int = CUTOFF_DAYS) -> date:
    """The first day of the final window."""
    return interview - timedelta(days=window_days)


def cap_due(
    today: date,
    sm2_due: date,
    interview: date | None,
    *,
    load: Mapping[date, int] | None = None,
    window_days: int = CUTOFF_DAYS,
) -> date:
    """The due date to store for an answer given on `today` that SM-2 schedules for
    `sm2_due`; `load` counts the reviews already due on each day."""
    if interview is None or today >= interview:
        return sm2_due
    last = eve(interview)
    first = window_start(interview, window_days)
    inside = today >= first or first >= last
    if sm2_due < last or (sm2_due == last and inside):
        return sm2_due
    if inside:
        return last  # answered in the final window: one last look on the eve
    load = load or {}
    # The eve is kept for the last looks of the cards answered in the window.
    days = [last - timedelta(days=n) for n in range(1, (last - first).days + 1)]  # latest first
    return min(days, key=lambda d: load.get(d, 0))  # min keeps the first: the latest day


def due_load(states: Iterable[CardState]) -> Counter[date]:
    """Scheduled reviews per due day (suspended cards left out)."""
    return Counter(s.due for s in states if s.due is not None and not s.suspended)


def review_room(minutes: int, costs: Costs, new_cards: int) -> int:
    """Reviews that fit in a day's budget beside `new_cards` new cards."""
    left = minutes * 60 - new_cards * costs.new_seconds
    return max(0, int(left // max(1.0, costs.review_seconds)))


def new_today(
    unseen: int,
    introduced_today: int,
    today: date,
    interview: date,
    cutoff_days: int = CUTOFF_DAYS,
) -> int:
    """New cards to introduce today (those already introduced today count against it)."""
    if today >= interview:
        return 0
    days = (cutoff_day(today, interview, cutoff_days) - today).days + 1
    return math.ceil((unseen + introduced_today) / days)


@dataclass(frozen=True)
class Costs:
    """Seconds a new card and a review take (a day's first answer and its re-drills)."""

    new_seconds: float = DEFAULT_NEW_SECONDS
    review_seconds: float = DEFAULT_REVIEW_SECONDS
    timed_answers: int = 0  # answers with a duration they were estimated from
    estimated: bool = False  # False: the defaults (fewer than MIN_TIMED answers)


@dataclass(frozen=True)
class Day:
    day: date
    new: int
    reviews: int
    minutes: float
    new_ids: tuple[str, ...] = ()
    waiting: int = 0  # reviews due but over the day's budget (they move to the next day)
    review_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "new": self.new,
            "reviews": self.reviews,
            "minutes": round(self.minutes, 1),
            "waiting": self.waiting,
        }


def project(
    order: Sequence[str],
    states: Mapping[str, CardState],
    today: date,
    interview: date,
    minutes: int,
    costs: Costs,
    *,
    cutoff_days: int = CUTOFF_DAYS,
    introduced_today: int = 0,
) -> list[Day]:
    """Each day from today to the eve: new cards, reviews and minutes (see the module)."""
    cur = {cid: states.get(cid, NEW_CARD) for cid in order}
    cur = {cid: s for cid, s in cur.items() if not s.suspended}
    unseen = [cid for cid, s in cur.items() if s.is_new]
    load = due_load(cur.values())
    buckets: dict[date, list[str]] = {}
    for cid, s in cur.items():
        if s.due is not None:
            # A card answered today is not due again today, whatever its due date says.
            when = max(s.due, today + timedelta(days=1)) if s.last_day == today else s.due
            buckets.setdefault(when, []).append(cid)
    days: list[Day] = []
    d = today
    last = eve(interview)
    rank = {cid: n for n, cid in enumerate(order)}
    while d <= last:
        # Most overdue first, then syllabus order: the order of review's queue.
        keys = sorted(k for k in buckets if k <= d)
        waiting = sorted(
            (cid for key in keys for cid in buckets.pop(key)), key=lambda c: (cur[c].due, rank[c])
        )
        done_today = introduced_today if d == today else 0
        n_new = new_today(len(unseen), done_today, d, interview, cutoff_days) - done_today
        n_new = max(0, min(len(unseen), n_new))
        fresh, unseen = unseen[:n_new], unseen[n_new:]
        room = review_room(minutes, costs, n_new)
        due, held = waiting[:room], waiting[room:]
        for cid in held:  # over today's budget: still due tomorrow
            buckets.setdefault(d + timedelta(days=1), []).append(cid)
        for cid in due + fresh:
            before = cur[cid]
            after = schedule.answer(before, PROJECTION_GRADE, d)
            if before.due is not None:
                load[before.due] -= 1
            assert after.due is not None
            capped = cap_due(d, after.due, interview, load=load, window_days=cutoff_days)
            load[capped] += 1
            cur[cid] = replace(after, due=capped)
            buckets.setdefault(max(capped, d + timedelta(days=1)), []).append(cid)
        spent = (len(fresh) * costs.new_seconds + len(due) * costs.review_seconds) / 60
        days.append(Day(d, len(fresh), len(due), spent, tuple(fresh), len(held), tuple(due)))
        d += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Check:
    """Whether a projection keeps the plan: `feasible` when every day fits the budget,
    no review waits before the final window, and every card is looked at (introduced or
    reviewed) in the final window."""

    over_budget: int  # days whose new cards alone take more than the budget
    backlog: int  # the most reviews waiting past their day on a day before the final window
    missed: int  # cards with no answer in the final window

    @property
    def feasible(self) -> bool:
        return not (self.over_budget or self.backlog or self.missed)


def check(
    days: Sequence[Day],
    cards: Iterable[str],
    interview: date,
    minutes: int,
    window_days: int = CUTOFF_DAYS,
) -> Check:
    start = interview - timedelta(days=window_days)
    seen: set[str] = set()
    for d in days:
        if d.day >= start:
            seen.update(d.new_ids)
            seen.update(d.review_ids)
    return Check(
        over_budget=sum(1 for d in days if d.minutes > minutes + 1e-9),
        backlog=max((d.waiting for d in days if d.day < start - timedelta(days=1)), default=0),
        missed=sum(1 for c in cards if c not in seen) if days else 0,
    )


def fits(
    order: Sequence[str],
    states: Mapping[str, CardState],
    today: date,
    interview: date,
    minutes: int,
    costs: Costs,
    *,
    cutoff_days: int = CUTOFF_DAYS,
    introduced_today: int = 0,
) -> bool:
    days = project(
        order,
        states,
        today,
        interview,
        minutes,
        costs,
        cutoff_days=cutoff_days,
        introduced_today=introduced_today,
    )
    live = [c for c in order if not states.get(c, NEW_CARD).suspended]
    return check(days, live, interview, minutes, cutoff_days).feasible


@dataclass(frozen=True)
class Suggestions:
    minutes: int | None  # minutes a day that would fit this plan
    later_date: date | None  # the first later interview date that fits these minutes
    keep_decks: tuple[str, ...] | None  # the first decks (syllabus order) that fit
    drop_decks: tuple[str, ...] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "minutes_per_day": self.minutes,
            "interview_date": self.later_date.isoformat() if self.later_date else None,
            "keep_decks": list(self.keep_decks) if self.keep_decks is not None else None,
            "drop_decks": list(self.drop_decks) if self.drop_decks is not None else None,
        }


def suggestions(
    order: Sequence[str],
    card_decks: Mapping[str, str],
    states: Mapping[str, CardState],
    today: date,
    interview: date,
    minutes: int,
    costs: Costs,
    *,
    cutoff_days: int = CUTOFF_DAYS,
    introduced_today: int = 0,
) -> Suggestions:
    """What would fit when the plan does not: more minutes a day, a later interview, or
    fewer decks (the last ones of the syllabus left out). Each is searched on the
    projection, so each answer is a plan that `check` calls feasible."""

    def ok(ids: Sequence[str], when: date, budget: int = minutes) -> bool:
        return fits(
            ids,
            states,
            today,
            when,
            budget,
            costs,
            cutoff_days=cutoff_days,
            introduced_today=introduced_today,
        )

    def first(low: int, high: int, good: Any) -> int | None:
        """The least n in low..high with good(n), assuming good only turns true once."""
        if not good(high):
            return None
        while low < high:
            mid = (low + high) // 2
            if good(mid):
                high = mid
            else:
                low = mid + 1
        return low

    need = first(minutes + 1, 1_440, lambda m: ok(order, interview, m))
    later_days = first(1, MAX_LATER_DAYS, lambda n: ok(order, interview + timedelta(days=n)))
    later = interview + timedelta(days=later_days) if later_days is not None else None
    decks = list(dict.fromkeys(card_decks[c] for c in order))
    keep = drop = None
    for n in range(len(decks) - 1, 0, -1):
        wanted = set(decks[:n])
        if ok([c for c in order if card_decks[c] in wanted], interview):
            keep, drop = tuple(decks[:n]), tuple(decks[n:])
            break
    return Suggestions(need, later, keep, drop)


def weeks(days: Sequence[Day], card_decks: Mapping[str, str]) -> list[dict[str, Any]]:
    """The projection by week from today: its start, the decks whose cards it introduces
    (in the order they come up) and how many new cards."""
    out: list[dict[str, Any]] = []
    for n in range(0, len(days), 7):
        chunk = days[n : n + 7]
        ids = [cid for d in chunk for cid in d.new_ids]
        out.append(
            {
                "week": n // 7 + 1,
                "start": chunk[0].day.isoformat(),
                "decks": list(dict.fromkeys(card_decks[c] for c in ids)),
                "new_cards": len(ids),
            }
        )
    return out
