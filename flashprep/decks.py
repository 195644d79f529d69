"""Decks: where they come from, how they are parsed and checked, and the cache.

Sources (flashprep.decksources) are read in this order: the bundled decks (shipped
inside the package), the user's decks in `<home>/decks/*.toml`, then each `--decks DIR`.
`FLASHPREP_BUNDLED=0` leaves the bundled decks out (for a user's own decks
only, and for tests). A card id is
the card's identity in the history, so it must be unique across every loaded
deck; a user card may replace a bundled card of the same id only with
`override = true`.

Parsing a deck file (flashprep.deckparse) means tomllib plus the pydantic models
in flashprep.deckschema (Card, Deck and Collection are in flashprep.cardmodel). Both
are slow next to reading a cache, so the parsed, validated cards of each file are
cached in the home's index (flashprep.index), keyed by the file's path, size and
mtime; a warm start reads that cache and never imports
pydantic. A changed file is parsed and validated again.

Each file's cache entry has two parts (see the cache section): a head with what every
start needs (the file's deck table and its cards' ids, lines, draft and override
flags) and the card rows, each card a tuple of its Card fields (marshal keeps tuples,
and a tuple unpacks straight into Card). A start reads the heads only; the rows are
read when a command first asks for Card objects (Collection.cards), which
`flashprep status` never does. It is only a cache: another Python, flashprep version
or Card layout, or a file that does not load, is a miss and the file is parsed again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from flashprep import __version__
from flashprep.cardmodel import Card, ChecklistItem, Collection, Deck
from flashprep.deckparse import read_deck_file
from flashprep.decksources import BUNDLED, EXTRA, USER, deck_sources
from flashprep.errors import DeckError

CACHE_FORMAT = 5
# ----------------------------------------------------------------- cache
#
# Parsed deck files are cached in the home's index (flashprep.index, table `decks`), one
# row per file keyed by its resolved path and stamped with its size and mtime_ns, so a
# run with `--decks DIR` adds its files' rows without evicting anyone else's. A row holds
# two marshal blobs:
#
#   head   DeckFile.head(): the file's [deck] table, checklist, and its cards' ids, lines,
#          and draft and override positions: all that assembling the collection and
#          counting cards need;
#   rows   each card as a tuple of its Card fields but deck and path (_ROW_FIELDS), text
#          included. Read only when a command first asks for Card objects.
#
# At 50,000 cards the heads load in a few milliseconds. Rows that do not match their
# head (a damaged cache) are parsed again from the deck file. The cache is best effort:
# an index that cannot be opened or written only costs the parse.


# A cached card is its Card fields minus the two that belong to the file.
_ROW_FIELDS = tuple(f for f in Card.__slots__ if f not in ("deck", "path"))
_DECK_AT = Card.__slots__.index("deck")
_PATH_AT = Card.__slots__.index("path") - 1  # position in a row that already has the deck
_ID, _LINE, _DRAFT, _OVERRIDE = (_ROW_FIELDS.index(f) for f in ("id", "line", "draft", "override"))


def _cache_key() -> list[Any]:
    return [CACHE_FORMAT, __version__, sys.implementation.cache_tag, list(Card.__slots__)]


class DeckFile:
    """One deck file's cards and checklist, in the cache's shape.

    The head (`deck`, `checklist`, `ids`, `lines`, `drafts`, `overrides`) is read
    on every start; `rows()` (every card's fields but deck and path) is loaded on
    demand for a file that came from the cache.
    """

    __slots__ = ("deck", "checklist", "ids", "lines", "drafts", "overrides", "_rows", "_load")

    def __init__(
        self,
        head: dict[str, Any],
        rows: list[tuple[Any, ...]] | None = None,
        load: Callable[[], list[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.deck: dict[str, Any] = head["deck"]
        self.checklist: list[dict[str, Any]] = head["checklist"]
        self.ids: tuple[str, ...] = head["ids"]
        self.lines: tuple[int, ...] = head["lines"]
        self.drafts: tuple[int, ...] = head["drafts"]  # positions in `ids`
        self.overrides: tuple[int, ...] = head["overrides"]  # positions in `ids`
        self._rows = rows
        self._load = load

    @classmethod
    def from_parsed(cls, data: dict[str, Any]) -> DeckFile:
        """From parse_deck_text's plain form."""
        rows = []
        for c in data["cards"]:
            card = _card_from_dict(c, "", "")
            rows.append(tuple(getattr(card, f) for f in _ROW_FIELDS))
        head = {
            "deck": data["deck"],
            "checklist": data["checklist"],
            "ids": tuple(r[_ID] for r in rows),
            "lines": tuple(r[_LINE] for r in rows),
            "drafts": tuple(i for i, r in enumerate(rows) if r[_DRAFT]),
            "overrides": tuple(i for i, r in enumerate(rows) if r[_OVERRIDE]),
        }
        return cls(head, rows)

    def head(self) -> dict[str, Any]:
        return {
            "deck": self.deck,
            "checklist": self.checklist,
            "ids": self.ids,
            "lines": self.lines,
            "drafts": self.drafts,
            "overrides": self.overrides,
        }

    def rows(self) -> list[tuple[Any, ...]]:
        if self._rows is None:
            assert self._load is not None
            self._rows = self._load()
        return self._rows


def _rows_match(rows: Any, ids: tuple[str, ...]) -> bool:
    try:
        return (
            type(rows) is list
            and all(type(r) is tuple and len(r) == len(_ROW_FIELDS) for r in rows)
            and tuple(r[_ID] for r in rows) == ids
        )
    except Exception:
        return False


def _open_cache(home: Path) -> Any:
    """The home's index for its deck cache, or None (then nothing is cached)."""
    from flashprep import index

    try:
        return index.Index.open(home)
    except (OSError, index.IndexDamaged):
        return None


class _CachedRows:
    """The card rows of the cached files of one load, read in one query the first time a
    command asks for Card objects (the index is open only for that query)."""

    def __init__(self, home: Path, keys: Sequence[str]) -> None:
        self.home = home
        self.keys = keys
        self._blobs: dict[str, bytes] | None = None

    def rows(self, key: str, path: Path, ids: tuple[str, ...]) -> list[tuple[Any, ...]]:
        import marshal

        if self._blobs is None:
            self._blobs = {}
            idx = _open_cache(self.home)
            if idx is not None:
                try:
                    self._blobs = idx.deck_rows(self.keys)
                except Exception:  # a damaged cache: every file is parsed
                    pass
                finally:
                    idx.close()
        try:
            rows = marshal.loads(self._blobs[key])
        except Exception:
            rows = None
        if _rows_match(rows, ids):
            return rows
        rows = DeckFile.from_parsed(read_deck_file(path)).rows()
        if tuple(r[_ID] for r in rows) != ids:
            raise DeckError("the file changed while flashprep read it; run the command again", path)
        return rows


def _card_from_dict(c: dict[str, Any], deck_id: str, path: str) -> Card:
    return Card(
        id=c["id"],
        deck=deck_id,
        front=c["front"],
        back=c["back"],
        tags=tuple(c["tags"]),
        topic=c["topic"],
        key_points=tuple(c["key_points"]),
        hint=c["hint"],
        draft=c["draft"],
        override=c["override"],
        path=path,
        line=c["line"],
        guid=c.get("guid"),
        time_limit=c.get("time_limit"),
        kind=c.get("kind", "card"),
        dataset=c.get("dataset"),
        solution=c.get("solution"),
        ordered=c.get("ordered", False),
        tests=c.get("tests"),
    )


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def load_parsed(
    sources: Sequence[tuple[Path, str]], home: Path | None, *, use_cache: bool = True
) -> list[tuple[Path, str, DeckFile]]:
    """Every source as a DeckFile: from the cache where its stamp matches, else parsed."""
    import marshal

    idx = _open_cache(home) if (home is not None and use_cache and sources) else None
    keyed = []
    for path, source in sources:
        try:
            # stat first: resolve() raises RuntimeError, not OSError, on a symlink loop.
            stamp = marshal.dumps(_stat_key(path))
            key = str(path.resolve())
        except OSError as exc:
            raise DeckError(f"cannot read: {exc.strerror}", path) from None
        keyed.append((path, source, key, stamp))
    fmt = marshal.dumps(_cache_key())
    heads: dict[str, Any] = {}
    if idx is not None:
        try:
            heads = idx.deck_heads(k for _, _, k, _ in keyed)
        except Exception:
            heads = {}
    cached = _CachedRows(home, list(heads)) if home is not None else None
    out = []
    fresh = []
    for path, source, key, stamp in keyed:
        f = None
        hit = heads.get(key)
        if cached is not None and hit is not None and hit[0] == stamp and hit[1] == fmt:
            try:
                head = marshal.loads(hit[2])
                f = DeckFile(head, load=partial(cached.rows, key, path, head["ids"]))
            except Exception:
                f = None
        if f is None:
            f = DeckFile.from_parsed(read_deck_file(path))
            fresh.append((key, stamp, fmt, marshal.dumps(f.head()), marshal.dumps(f.rows())))
        out.append((path, source, f))
    if idx is not None:
        try:
            if fresh:
                idx.store_decks(fresh)
        except Exception:
            pass  # a cache that cannot be written only costs speed
        finally:
            idx.close()
    return out


# ----------------------------------------------------------------- assembling


def build_collection(
    parsed: Sequence[tuple[Path, str, DeckFile | dict[str, Any]]],
    *,
    errors: list[DeckError] | None = None,
) -> Collection:
    """Assemble parsed files (DeckFiles, or parse_deck_text's dicts) into a Collection.

    Cross-file problems (duplicate ids) raise the first DeckError, or, when an
    `errors` list is given, are collected there and the offending card skipped.
    Only the files' heads are read here; their rows are read when the
    collection's Card objects are first wanted (_card_objects).
    """

    def problem(exc: DeckError) -> None:
        if errors is None:
            raise exc
        errors.append(exc)

    files = [
        (path, source, data if isinstance(data, DeckFile) else DeckFile.from_parsed(data))
        for path, source, data in parsed
    ]
    # Sources keep their order (bundled, user, --decks); within one, decks sort by
    # their `order` key, so new cards follow the syllabus rather than file names.
    rank = {BUNDLED: 0, USER: 1, EXTRA: 2}
    files.sort(key=lambda p: (rank.get(p[1], 3), p[2].deck.get("order", 1000)))
    # A card's fields come from its deck's file, unless a user card overrode it.
    parts = _Parts()
    decks: list[Deck] = []
    checklist: list[ChecklistItem] = []
    for n, (path, source, f) in enumerate(files):
        deck_id = f.deck["id"]
        if deck_id in parts.deck_files:
            first = files[parts.deck_files[deck_id]][0]
            problem(DeckError(f"duplicate deck id {deck_id!r} (also in {first})", path))
            continue
        parts.deck_files[deck_id] = n
        if not f.overrides and parts.card_decks.keys().isdisjoint(f.ids):
            # The usual case: every card of the file is new to the collection.
            kept = f.ids
            parts.card_decks.update(dict.fromkeys(kept, deck_id))
        else:
            kept = _add_checked(files, n, parts, problem)
        for item in f.checklist:
            checklist.append(
                ChecklistItem(
                    item["id"], item["item"], tuple(item["topics"]), tuple(item["tags"]), deck_id
                )
            )
        meta = f.deck
        decks.append(
            Deck(
                deck_id,
                meta["name"],
                meta["category"],
                meta["description"],
                tuple(meta["tags"]),
                str(path),
                source,
                kept,
                meta.get("order"),
            )
        )
    drafts = frozenset(
        f.ids[pos]
        for n, (_, _, f) in enumerate(files)
        for pos in f.drafts
        if parts.supplier(f.ids[pos]) == n
    )
    return Collection(
        decks=decks,
        checklist=checklist,
        card_decks=parts.card_decks,
        drafts=drafts,
        build_cards=partial(_card_objects, files, parts),
    )


class _Parts:
    """Which file each card of an assembled collection comes from."""

    __slots__ = ("card_decks", "deck_files", "overridden")

    def __init__(self) -> None:
        self.card_decks: dict[str, str] = {}  # card id -> deck id, in collection order
        self.deck_files: dict[str, int] = {}  # deck id -> index of its file
        self.overridden: dict[str, int] = {}  # card id -> index of the file that replaced it

    def supplier(self, card_id: str) -> int | None:
        """The index of the file whose row holds the card's fields (None: not in the collection)."""
        n = self.overridden.get(card_id)
        if n is None:
            deck_id = self.card_decks.get(card_id)
            n = None if deck_id is None else self.deck_files[deck_id]
        return n


def _add_checked(
    files: Sequence[tuple[Path, str, DeckFile]],
    n: int,
    parts: _Parts,
    problem: Callable[[DeckError], None],
) -> tuple[str, ...]:
    """Add file `n`'s cards one by one, for a file with overrides or ids seen before.

    Returns the ids that joined the file's deck: an overriding card replaces the
    bundled card's fields but keeps its deck and place in the collection.
    """
    path, source, f = files[n]
    deck_id = f.deck["id"]
    overrides = set(f.overrides)
    kept = []
    for pos, card_id in enumerate(f.ids):
        line = f.lines[pos]
        first_n = parts.supplier(card_id)
        if first_n is not None:
            first_path, first_source, first = files[first_n]
            first_line = first.lines[first.ids.index(card_id)]
            if pos in overrides and first_source == BUNDLED and source != BUNDLED:
                parts.overridden[card_id] = n  # the history keeps following the id
                continue
            problem(
                DeckError(
                    f"duplicate card id {card_id!r}: also in {first_path}:{first_line}"
                    + (
                        ""
                        if first_source != BUNDLED
                        else " (set override = true to replace a bundled card)"
                    ),
                    path,
                    line,
                )
            )
            continue
        if pos in overrides:
            problem(
                DeckError(
                    f"card {card_id!r} has override = true "
                    "but there is no bundled card with that id",
                    path,
                    line,
                )
            )
            continue
        parts.card_decks[card_id] = deck_id
        kept.append(card_id)
    return tuple(kept)


def _card_objects(files: Sequence[tuple[Path, str, DeckFile]], parts: _Parts) -> dict[str, Card]:
    """Build every Card of an assembled collection from its files' rows."""
    cards: dict[str, Any] = dict.fromkeys(parts.card_decks)  # keeps the collection's order
    d, p = _DECK_AT, _PATH_AT
    supplying = set(parts.deck_files.values()) | set(parts.overridden.values())
    for n, (path, _, f) in enumerate(files):
        if n not in supplying:
            continue  # a file left out as a duplicate deck
        where = str(path)
        for r in f.rows():
            card_id = r[_ID]
            if parts.supplier(card_id) == n:
                deck_id = parts.card_decks[card_id]
                fields = (*r[:d], deck_id, *r[d:p], where, *r[p:])  # in Card's field order
                cards[card_id] = Card(*fields)
    return cards


def load_collection(
    home: Path, extra_dirs: Sequence[Path] = (), *, use_cache: bool = True
) -> Collection:
    sources = deck_sources(home, extra_dirs)
    return build_collection(load_parsed(sources, home, use_cache=use_cache))


def check_files(
    paths: Sequence[tuple[Path, str]],
) -> tuple[list[tuple[Path, str, dict[str, Any]]], list[DeckError]]:
    """Parse every file without the cache, collecting one error per bad file."""
    good, errors = [], []
    for path, source in paths:
        try:
            good.append((path, source, read_deck_file(path)))
        except DeckError as exc:
            errors.append(exc)
    return good, errors
