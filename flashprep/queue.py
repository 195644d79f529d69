"""Today's queue: which cards come up, in which order. Pure: no clock, no I/O.

Order: re-drills already pending today first (they were interrupted), then
reviews that are due (most overdue first, deck order breaking ties) up to the
daily review limit, then new cards in deck order up to the daily new limit.
Limits count what was already done today, so running `review` twice in a day
never goes past them. Suspended, buried and draft cards never come up.

Cards come in as ids (Collection.select_ids: already filtered, in deck order,
drafts left out), and states are read in their row form (flashprep.schedule.CardStates):
`flashprep status` orders and counts 50,000 cards without building a Card or a
CardState for any of them. A row keeps its days as ISO strings, which compare
like the dates, so each rule below is CardState's own method spelled on the row
(tests/test_scale.py checks that they agree):

    hidden      suspended, or today < buried_until          (CardState.is_buried)
    re-drill    the redrill flag and last_day == today       (CardState.needs_redrill)
    new         no due day (never answered, or forgotten)    (CardState.is_new)
    due         due <= today and last_day != today           (CardState.is_due)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flashprep.schedule import (
    BURIED_AT,
    DUE_AT,
    FLAGS_AT,
    INTRODUCED_AT,
    LAST_DAY_AT,
    NEW,
    REDRILL,
    REDRILL_FLAG,
    REVIEW,
    REVIEWS_AT,
    SUSPENDED_FLAG,
    CardState,
    rows_of,
)


@dataclass(frozen=True)
class QueueItem:
    card_id: str
    kind: str  # new, review or redrill


@dataclass(frozen=True)
class DayCounts:
    new_today: int  # cards introduced today
    reviews_today: int  # scheduled reviews answered today (not new, not re-drills)


def day_counts(states: Mapping[str, CardState], today: date) -> DayCounts:
    day = today.isoformat()
    new = reviewed = 0
    for row in rows_of(states).values():
        if row[LAST_DAY_AT] == day and row[REVIEWS_AT]:
            if row[INTRODUCED_AT] == day:
                new += 1
            else:
                reviewed += 1
    return DayCounts(new, reviewed)


def build_queue(
    card_ids: Sequence[str],
    states: Mapping[str, CardState],
    today: date,
    *,
    new_per_day: int = 20,
    reviews_per_day: int = 200,
) -> list[QueueItem]:
    """Today's queue for `card_ids` (already filtered by deck/tag, no drafts, in deck order)."""
    rows = rows_of(states)
    day = today.isoformat()
    counts = day_counts(states, today)
    redrill: list[QueueItem] = []
    due: list[str] = []
    new: list[str] = []
    for card_id in card_ids:
        row = rows.get(card_id)
        if row is None:  # never answered: a new card
            new.append(card_id)
            continue
        flags, buried_until = row[FLAGS_AT], row[BURIED_AT]
        if flags & SUSPENDED_FLAG or (buried_until is not None and day < buried_until):
            continue
        due_day, last_day = row[DUE_AT], row[LAST_DAY_AT]
        if flags & REDRILL_FLAG and last_day == day:
            redrill.append(QueueItem(card_id, REDRILL))
        elif due_day is None:
            new.append(card_id)
        elif due_day <= day and last_day != day:
            due.append(card_id)
    # Most overdue first; the sort is stable, so deck order breaks ties.
    due.sort(key=lambda card_id: rows[card_id][DUE_AT])
    review_room = max(0, reviews_per_day - counts.reviews_today)
    new_room = max(0, new_per_day - counts.new_today)
    return (
        redrill
        + [QueueItem(cid, REVIEW) for cid in due[:review_room]]
        + [QueueItem(cid, NEW) for cid in new[:new_room]]
    )


def _scheduled(card_ids: Sequence[str], states: Mapping[str, CardState]) -> list[str]:
    """The due days (ISO) of the cards in `card_ids` that are scheduled and not suspended."""
    rows = rows_of(states)
    return [
        row[DUE_AT]
        for card_id in card_ids
        if (row := rows.get(card_id)) is not None
        and row[DUE_AT] is not None
        and not row[FLAGS_AT] & SUSPENDED_FLAG
    ]


def next_due(card_ids: Sequence[str], states: Mapping[str, CardState], today: date) -> date | None:
    """The first day after today with a scheduled review, if any."""
    day = today.isoformat()
    later = [d for d in _scheduled(card_ids, states) if d > day]
    return date.fromisoformat(min(later)) if later else None


def due_on(card_ids: Sequence[str], states: Mapping[str, CardState], day: date) -> int:
    """Scheduled reviews falling due on or before `day` (for "due tomorrow")."""
    iso = day.isoformat()
    return sum(1 for d in _scheduled(card_ids, states) if d <= iso)
