"""A flashprep card as an Anki note: names, identity and the plain note and deck types.

Identity: a note's GUID is a hash of the flashprep card id, and the note type's and
the decks' ids are hashes of their names (sha256, never Python's salted hash()), so
every export of the same card, on any machine, is the same Anki note. One Anki deck
per flashprep deck, named `FlashPrep::<deck name>`.
"""

from __future__ import annotations

import hashlib
import html
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOTETYPE_NAME = "FlashPrep"
FIELD_NAMES = ("Front", "Back", "KeyPoints", "CardId", "Topic")
TEMPLATE_NAME = "Card 1"
DECK_PREFIX = "FlashPrep::"
# Extra columns of the text export, after the note's fields (1-based numbers in the header).
TSV_COLUMNS = (*FIELD_NAMES, "Deck", "Tags", "GUID")


# ----------------------------------------------------------------- identity


def stable_id(kind: str, name: str) -> int:
    """A fixed id for an Anki object, the same on every run and machine.

    In [2**30, 2**31) like the ids genanki suggests: far below the millisecond
    timestamps Anki gives its own decks and note types, so they never collide.
    """
    digest = hashlib.sha256(f"flashprep/{kind}/{name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


NOTETYPE_ID = stable_id("notetype", NOTETYPE_NAME)

_BASE62 = string.digits + string.ascii_letters


def note_guid(card_id: str) -> str:
    """The Anki GUID of a card's note: 80 bits of sha256 of the id, in 14 base-62 characters.

    Letters and digits only, so it needs no quoting in the text format.
    """
    n = int.from_bytes(hashlib.sha256(f"flashprep/card/{card_id}".encode()).digest()[:10], "big")
    out = []
    for _ in range(14):
        n, r = divmod(n, 62)
        out.append(_BASE62[r])
    return "".join(reversed(out))


def anki_deck_name(name: str) -> str:
    # "::" would nest the deck one level deeper in Anki; whitespace runs (tabs,
    # newlines) would break the one-line-per-note text format.
    return DECK_PREFIX + " ".join(name.replace("::", ":").split())


def anki_tag(tag: str) -> str:
    """Anki separates tags with spaces, so a tag cannot hold one."""
    return "_".join(tag.split())


# ----------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class AnkiNote:
    guid: str
    card_id: str
    front: str  # HTML
    back: str  # HTML
    key_points: str  # HTML list, "" when the card has none
    topic: str
    tags: tuple[str, ...]
    position: int  # order of introduction as a new card, across the whole export

    @property
    def fields(self) -> tuple[str, str, str, str, str]:
        """The note's fields in FIELD_NAMES order."""
        return (
            self.front,
            self.back,
            self.key_points,
            html.escape(self.card_id),
            html.escape(self.topic),
        )


@dataclass(frozen=True, slots=True)
class AnkiDeck:
    id: int
    name: str  # "FlashPrep::<deck name>"
    source_id: str  # the flashprep deck id
    description: str
    notes: tuple[AnkiNote, ...]


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    format: str  # "apkg" or "tsv"
    decks: tuple[AnkiDeck, ...]
    size: int

    @property
    def notes(self) -> int:
        return sum(len(d.notes) for d in self.decks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "path": str(self.path),
            "size": self.size,
            "notes": self.notes,
            "decks": [
                {"id": d.source_id, "name": d.name, "anki_id": d.id, "notes": len(d.notes)}
                for d in self.decks
            ],
        }
