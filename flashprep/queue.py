"""Today's queue: which cards come up, in which order. Pure: no clock, no I/O.

Order: re-drills already pending today first (they were interrupted), then
reviews that are due (most overdue first, deck order breaking ties) up to the
daily review limit, then new cards in deck order up to the daily new limit.
Limits count what was already done today, so running `review` twice in a day
never goes past them. Suspended, buried and draft cards never come up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flashprep.decks import Card
from flashprep.schedule import NEW, NEW_CARD, REDRILL, REVIEW, CardState


@dataclass(frozen=True)
class QueueItem:
    card_id: str
    kind: str  # new, review or redrill


@dataclass(frozen=True)
class DayCounts:
    new_today: int  # cards introduced today
    reviews_today: int  # scheduled reviews answered today (not new, not re-drills)


def day_counts(states: Mapping[str, CardState], today: date) -> DayCounts:
    new = reviewed = 0
    for s in states.values():
        if s.last_day == today and s.reviews:
            if s.introduced == today:
                new += 1
            else:
                reviewed += 1
    return DayCounts(new, reviewed)


def build_queue(
    cards: Sequence[Card],
    states: Mapping[str, CardState],
    today: date,
    *,
    new_per_day: int = 20,
    reviews_per_day: int = 200,
) -> list[QueueItem]:
    """Today's queue for `cards` (already filtered by deck/tag, in deck order)."""
    counts = day_counts(states, today)
    redrill: list[QueueItem] = []
    due: list[tuple[date, int, str]] = []
    new: list[str] = []
    for order, card in enumerate(cards):
        if card.draft:
            continue
        s = states.get(card.id, NEW_CARD)
        if s.suspended or s.is_buried(today):
            continue
        if s.needs_redrill(today):
            redrill.append(QueueItem(card.id, REDRILL))
        elif s.is_new:
            new.append(card.id)
        elif s.is_due(today):
            assert s.due is not None
            due.append((s.due, order, card.id))
    due.sort()
    review_room = max(0, reviews_per_day - counts.reviews_today)
    new_room = max(0, new_per_day - counts.new_today)
    return (
        redrill
        + [QueueItem(cid, REVIEW) for _, _, cid in due[:review_room]]
        + [QueueItem(cid, NEW) for cid in new[:new_room]]
    )


def next_due(cards: Sequence[Card], states: Mapping[str, CardState], today: date) -> date | None:
    """The first day after today with a scheduled review, if any."""
    days = [
        s.due
        for c in cards
        if (s := states.get(c.id)) is not None
        and s.due is not None
        and not s.suspended
        and not c.draft
        and s.due > today
    ]
    return min(days) if days else None


def due_on(cards: Sequence[Card], states: Mapping[str, CardState], day: date) -> int:
    """Scheduled reviews falling due on or before `day` (for "due tomorrow")."""
    return sum(
        1
        for c in cards
        if (s := states.get(c.id)) is not None
        and s.due is not None
        and not s.suspended
        and not c.draft
        and s.due <= day
    )
