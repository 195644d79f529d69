"""Listing cards: the rows of `flashprep cards`, filtered by deck, tag, text and state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypedDict

from flashprep import sm2
from flashprep.cardmodel import Collection
from flashprep.schedule import NEW_CARD, CardState

# ----------------------------------------------------------------- listing


class CardRow(TypedDict):
    """One row of `flashprep cards` (and of `cards --json`)."""

    id: str
    deck: str
    front: str  # its first non-empty line
    tags: list[str]
    status: str  # draft, suspended, leech, buried, new, due or scheduled
    due: str | None  # ISO date
    interval: int
    ef: float
    repetitions: int
    lapses: int
    reviews: int
    suspended: bool
    buried_until: str | None  # ISO date, while buried
    leech: bool
    draft: bool
    path: str
    line: int


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def card_rows(
    col: Collection,
    states: Mapping[str, CardState],
    today: date,
    *,
    decks: Sequence[str] = (),
    tags: Sequence[str] = (),
    search: str | None = None,
    due: bool = False,
    new: bool = False,
    suspended: bool = False,
    leeches: bool = False,
) -> list[CardRow]:
    """Cards matching every filter given; the state flags (due, new, suspended,
    leeches) match a card that has any one of them."""
    needle = search.casefold() if search else None
    flags = due or new or suspended or leeches
    rows: list[CardRow] = []
    for c in col.select(decks, tags, include_drafts=True):
        s = states.get(c.id, NEW_CARD)
        live = not c.draft and not s.suspended and not s.is_buried(today)
        is_due = live and not s.is_new and (s.is_due(today) or s.needs_redrill(today))
        is_new = not c.draft and not s.suspended and s.is_new
        if flags and not (
            (due and is_due)
            or (new and is_new)
            or (suspended and s.suspended)
            or (leeches and s.leech)
        ):
            continue
        if needle is not None and not any(
            needle in field.casefold() for field in (c.id, c.front, c.back, *c.tags)
        ):
            continue
        if c.draft:
            status = "draft"
        elif s.suspended:
            status = "leech" if s.leech else "suspended"
        elif s.is_buried(today):
            status = "buried"
        elif s.is_new:
            status = "new"
        elif is_due:
            status = "due"
        else:
            status = "scheduled"
        buried = s.buried_until if s.is_buried(today) else None
        rows.append(
            {
                "id": c.id,
                "deck": c.deck,
                "front": _first_line(c.front),
                "tags": list(c.tags),
                "status": status,
                "due": s.due.isoformat() if s.due else None,
                "interval": s.interval,
                "ef": sm2.ef_float(s.ef),
                "repetitions": s.repetitions,
                "lapses": s.lapses,
                "reviews": s.reviews,
                "suspended": s.suspended,
                "buried_until": buried.isoformat() if buried else None,
                "leech": s.leech,
                "draft": c.draft,
                "path": c.path,
                "line": c.line,
            }
        )
    return rows
