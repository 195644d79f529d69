"""The card model: Card, ChecklistItem, Deck, and the Collection of every loaded card.

Plain frozen dataclasses with no I/O; flashprep.decks builds a Collection from the deck
files and their cache, flashprep.deckparse reads one file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from flashprep.errors import UnknownCardError

MAX_KEY_POINTS = 5  # per card, in every deck file
CARD_KINDS = ("card", "sql", "python")


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    deck: str
    front: str
    back: str
    tags: tuple[str, ...] = ()
    topic: str | None = None
    key_points: tuple[str, ...] = ()
    hint: str | None = None
    draft: bool = False
    override: bool = False
    path: str = ""
    line: int = 0
    guid: str | None = None  # the Anki note GUID of an imported card (import dedup)
    time_limit: int | None = None  # seconds a mock interview gives it (None: --minutes)
    # Exercises (flashprep.exercises): kind "sql" or "python" asks for code and runs it.
    kind: str = "card"  # CARD_KINDS
    dataset: str | None = None  # sql: the dataset id (datasets/<id>.sql)
    solution: str | None = None  # sql and python: the reference solution
    ordered: bool = False  # sql: row order matters
    tests: str | None = None  # python: asserts run after the user's code

    @property
    def is_exercise(self) -> bool:
        return self.kind != "card"


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    item: str
    topics: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str


@dataclass(frozen=True)
class Deck:
    id: str
    name: str
    category: str
    description: str
    tags: tuple[str, ...]
    path: str
    source: str
    card_ids: tuple[str, ...] = ()
    order: int | None = None  # the deck's `order` key, if it has one


@dataclass(eq=False)
class Collection:
    """Every loaded deck and card, in source order then file order.

    Which cards there are is known at once: `card_decks` (card id -> deck id, in
    collection order) and `drafts`. The Card objects, which carry the text, are
    built on the first use of `cards` (from the deck cache's rows; see the cache
    section below). Selecting, ordering and counting cards by id (`select_ids`,
    flashprep.queue) needs no Card, so `flashprep status` on 50,000 cards builds
    none.
    """

    decks: list[Deck] = field(default_factory=list)
    checklist: list[ChecklistItem] = field(default_factory=list)
    card_decks: dict[str, str] = field(default_factory=dict)
    drafts: frozenset[str] = frozenset()
    build_cards: Callable[[], dict[str, Card]] = dict  # makes `cards` on first use

    @cached_property
    def cards(self) -> dict[str, Card]:
        """Every card by id, in collection order (the keys of `card_decks`)."""
        return self.build_cards()

    def deck(self, deck_id: str) -> Deck:
        for d in self.decks:
            if d.id == deck_id:
                return d
        raise UnknownCardError(
            f"no deck {deck_id!r}" + did_you_mean(deck_id, [d.id for d in self.decks])
        )

    def card(self, card_id: str) -> Card:
        try:
            return self.cards[card_id]
        except KeyError:
            raise UnknownCardError(
                f"no card {card_id!r}" + did_you_mean(card_id, self.cards)
            ) from None

    def select(
        self,
        decks: Sequence[str] = (),
        tags: Sequence[str] = (),
        *,
        topics: Sequence[str] = (),
        include_drafts: bool = False,
    ) -> list[Card]:
        """Cards in any of `decks` (all when empty) carrying any of `tags` (any when empty)
        and covering any of `topics` (any when empty).

        Unknown deck ids are an error; a tag or topic that matches no card is an error
        too, since a typo there would silently show an empty queue.
        """
        ids = self.select_ids(decks, tags, topics=topics, include_drafts=include_drafts)
        return [self.cards[card_id] for card_id in ids]

    def select_ids(
        self,
        decks: Sequence[str] = (),
        tags: Sequence[str] = (),
        *,
        topics: Sequence[str] = (),
        include_drafts: bool = False,
    ) -> list[str]:
        """The ids of `select`'s cards, in the same order. Builds no Card unless `tags` or
        `topics` are given (they are read from the cards)."""
        for d in decks:
            self.deck(d)
        wanted_decks = set(decks)
        wanted_tags = set(tags)
        if wanted_tags:
            known = {t for c in self.cards.values() for t in c.tags}
            for t in tags:
                if t not in known:
                    raise UnknownCardError(f"no card has the tag {t!r}" + did_you_mean(t, known))
        wanted_topics = set(topics)
        if wanted_topics:
            known_topics = {c.topic for c in self.cards.values() if c.topic}
            for t in topics:
                if t not in known_topics:
                    raise UnknownCardError(
                        f"no card has the topic {t!r}" + did_you_mean(t, known_topics)
                    )
        # Each filter narrows the ids in collection order; the common case (every deck,
        # no drafts, no tags) is a plain copy of the ids.
        ids: Iterable[str] = self.card_decks
        if wanted_decks:
            ids = (cid for cid, deck in self.card_decks.items() if deck in wanted_decks)
        if self.drafts and not include_drafts:
            ids = (cid for cid in ids if cid not in self.drafts)
        if wanted_tags:
            ids = (cid for cid in ids if not wanted_tags.isdisjoint(self.cards[cid].tags))
        if wanted_topics:
            ids = (cid for cid in ids if self.cards[cid].topic in wanted_topics)
        return list(ids)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + ", ".join(repr(c) for c in close) + "?)"
