"""Importing cards from CSV and TSV files, Anki's "Notes in Plain Text" export included.

Reading a file is flashprep.importfile (pure, no writes: good rows and bad rows, each
with its line; Anki's header lines; HTML fields through flashprep.htmlmd). This
module plans and writes.

Planning decides where each row goes and which rows are already present: a row
whose GUID equals a card's `guid` (or a card's id), or whose front is the same
text as a loaded card's front, is a duplicate, so importing a file twice adds
nothing the second time. Writing goes through flashprep.cardfiles.append_cards,
one atomic write per deck file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flashprep.cardfiles import (
    Added,
    DeckMeta,
    NewCard,
    Target,
    append_cards,
    front_key,
    new_deck_target,
    resolve_target,
    slugify,
    taken_ids,
)
from flashprep.cardmodel import Collection
from flashprep.importfile import BadRow, ParsedFile, Row
from flashprep.schedule import CardState

IMPORTED_CATEGORY = "Imported"
# ----------------------------------------------------------------- planning


@dataclass
class Plan:
    parsed: ParsedFile
    targets: dict[str, Target] = field(default_factory=dict)
    cards: dict[str, list[tuple[Row, NewCard]]] = field(default_factory=dict)
    duplicates: list[tuple[Row, str]] = field(default_factory=list)


def _deck_finder(col: Collection, home: Path) -> Callable[[str], Target]:
    """The target of a row's deck name: a deck with that id or name (a `flashprep export`
    deck "FlashPrep::<name>" too), else a new user deck named after it. Each deck is
    resolved (or made) once."""
    from flashprep.ankinote import DECK_PREFIX

    ids = {d.id for d in col.decks}
    by_name = {d.name.casefold(): d.id for d in col.decks}
    targets: dict[str, Target] = {}

    def target(name: str) -> Target:
        bare = name.strip().removeprefix(DECK_PREFIX)
        if bare in ids:
            deck_id = bare
        elif bare.casefold() in by_name:
            deck_id = by_name[bare.casefold()]
        else:
            deck_id = slugify(bare.replace("::", " "), max_len=60) or "imported"
        if deck_id not in targets:
            if deck_id in ids:
                targets[deck_id] = resolve_target(col, home, deck_id)
            else:
                meta = DeckMeta(deck_id, bare, IMPORTED_CATEGORY, "Imported with flashprep import.")
                targets[deck_id] = new_deck_target(col, home, meta)
        return targets[deck_id]

    return target


def plan_import(
    parsed: ParsedFile,
    col: Collection,
    home: Path,
    *,
    deck: str | None = None,
) -> Plan:
    """Decide the deck of every good row and which rows are already present."""
    plan = Plan(parsed)
    by_guid: dict[str, str] = {}
    if any(row.guid for row in parsed.rows):
        # A GUID matches a card's own `guid` (imported from Anki), the GUID `flashprep
        # export` gives the card, or the card id itself.
        from flashprep.ankinote import note_guid

        for c in col.cards.values():
            by_guid.setdefault(c.id, c.id)
            by_guid.setdefault(note_guid(c.id), c.id)
        for c in col.cards.values():
            if c.guid:
                by_guid[c.guid] = c.id
    by_front = {front_key(c.front): c.id for c in col.cards.values()}
    seen_guid: dict[str, int] = {}
    seen_front: dict[str, int] = {}
    deck_for = _deck_finder(col, home)
    fixed = deck_for(deck) if deck else None
    for row in parsed.rows:
        key = front_key(row.front)
        if row.guid and row.guid in by_guid:
            plan.duplicates.append((row, f"already present as {by_guid[row.guid]!r} (same GUID)"))
            continue
        if row.id and row.id in col.cards:
            plan.duplicates.append((row, f"already present as {row.id!r} (same card id)"))
            continue
        if key in by_front:
            plan.duplicates.append((row, f"already present as {by_front[key]!r} (same front)"))
            continue
        if row.guid and row.guid in seen_guid:
            plan.duplicates.append((row, f"same GUID as line {seen_guid[row.guid]}"))
            continue
        if key in seen_front:
            plan.duplicates.append((row, f"same front as line {seen_front[key]}"))
            continue
        if row.guid:
            seen_guid[row.guid] = row.line
        seen_front[key] = row.line
        target = fixed or deck_for(row.deck or parsed.deck or parsed.path.stem)
        plan.targets[target.deck_id] = target
        card = NewCard(
            front=row.front,
            back=row.back,
            tags=row.tags,
            key_points=row.key_points,
            id=row.id,
            topic=row.topic,
            guid=row.guid,
        )
        plan.cards.setdefault(target.deck_id, []).append((row, card))
    return plan


@dataclass
class ImportResult:
    added: list[tuple[int, Added]]  # (source line, where the card went)
    duplicates: list[tuple[int, str]]
    bad: list[BadRow]
    dry_run: bool

    def to_dict(self, path: Path) -> dict[str, Any]:
        return {
            "file": str(path),
            "dry_run": self.dry_run,
            "added": [{"line": line, **a.to_dict()} for line, a in self.added],
            "duplicates": [{"line": line, "reason": r} for line, r in self.duplicates],
            "bad": [{"line": b.line, "reason": b.reason} for b in self.bad],
        }


def run_import(
    plan: Plan,
    col: Collection,
    states: Mapping[str, CardState],
    home: Path,
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Write the planned cards, one atomic append per deck file (nothing with dry_run)."""
    taken = taken_ids(col, states)
    added: list[tuple[int, Added]] = []
    kept: set[str] = set()
    for deck_id in sorted(plan.cards):
        items = plan.cards[deck_id]
        cards = []
        for _, card in items:
            # A CardId from the file is kept only while it is free (a card deleted
            # from the decks may still have history under it).
            if card.id is not None and (card.id in taken or card.id in kept):
                card = replace(card, id=None)
            if card.id is not None:
                kept.add(card.id)
            cards.append(card)
        done = append_cards(plan.targets[deck_id], cards, taken, home=home, dry_run=dry_run)
        added.extend((row.line, a) for (row, _), a in zip(items, done, strict=True))
    added.sort(key=lambda item: item[0])
    return ImportResult(
        added,
        [(row.line, reason) for row, reason in plan.duplicates],
        plan.parsed.bad,
        dry_run,
    )
