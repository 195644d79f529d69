"""Decks: where they come from, how they are parsed and checked, and the cache.

Sources are read in this order: the bundled decks (shipped inside the package),
the user's decks in `<home>/decks/*.toml`, then each `--decks DIR`.
`FLASHPREP_BUNDLED=0` leaves the bundled decks out (for a user's own decks
only, and for tests). A card id is
the card's identity in the history, so it must be unique across every loaded
deck; a user card may replace a bundled card of the same id only with
`override = true`.

Parsing a deck file means tomllib plus the pydantic models in
flashprep.deckschema. Both are slow next to reading a cache, so the parsed,
validated cards of each file are cached in `<home>/cache/decks.marshal`, keyed by
the file's path, size and mtime; a warm start reads that cache and never imports
pydantic. A changed file is parsed and validated again.

The cache holds each card as a tuple of its Card fields (marshal keeps tuples,
and a tuple unpacks straight into Card). At 50,000 cards that loads in a third
of the time of JSON objects of the same cards (benchmarks/RESULTS.md), and it is
only a cache: another Python, flashprep version or Card layout, or a file that
does not load, is a miss and the decks are parsed again.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashprep import __version__
from flashprep.errors import DeckError, UnknownCardError

CACHE_FORMAT = 2
BUNDLED, USER, EXTRA = "bundled", "user", "extra"


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


@dataclass
class Collection:
    """Every loaded deck and card, in source order then file order."""

    decks: list[Deck] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)
    checklist: list[ChecklistItem] = field(default_factory=list)

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

    def deck_cards(self, deck_id: str) -> list[Card]:
        return [c for c in self.cards.values() if c.deck == deck_id]

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
        out = []
        for c in self.cards.values():
            if c.draft and not include_drafts:
                continue
            if wanted_decks and c.deck not in wanted_decks:
                continue
            if wanted_tags and wanted_tags.isdisjoint(c.tags):
                continue
            if wanted_topics and c.topic not in wanted_topics:
                continue
            out.append(c)
        return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return " (did you mean " + ", ".join(repr(c) for c in close) + "?)"


# ----------------------------------------------------------------- sources


def bundled_dir() -> Path:
    """The bundled decks: inside the installed package, or decks/ in a source tree."""
    # The wheel puts them in the package folder (what importlib.resources.files
    # would return for this regular package, without importing it and zipfile).
    packaged = Path(__file__).resolve().parent / "decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "decks"


def user_decks_dir(home: Path) -> Path:
    return home / "decks"


def deck_sources(home: Path, extra_dirs: Sequence[Path] = ()) -> list[tuple[Path, str]]:
    """(file, source) for every deck file, in load order. Missing --decks dirs are errors."""
    out: list[tuple[Path, str]] = []
    dirs = [(user_decks_dir(home), USER)]
    if os.environ.get("FLASHPREP_BUNDLED", "1") not in ("0", "no", "false"):
        dirs.insert(0, (bundled_dir(), BUNDLED))
    for directory, source in dirs:
        if directory.is_dir():
            out.extend((p, source) for p in sorted(directory.glob("*.toml")))
        elif source == USER and directory.exists():
            # Skipping it would hide every user deck without a word.
            raise DeckError(
                f"{directory} is a file, but flashprep keeps your decks in a folder there: "
                "rename or move that file"
            )
    for directory in extra_dirs:
        directory = Path(directory)
        if directory.is_file() and directory.suffix == ".toml":
            out.append((directory, EXTRA))
            continue
        if directory.is_file():
            raise DeckError(f"--decks {directory}: not a folder or a .toml deck file")
        if not directory.is_dir():
            raise DeckError(f"--decks {directory}: no such directory")
        out.extend((p, EXTRA) for p in sorted(directory.glob("*.toml")))
    if extra_dirs:
        # A file reached twice (`--decks <home>/decks`, or one folder given twice) is
        # loaded once, not reported as a duplicate of itself.
        seen: set[str] = set()
        unique = []
        for p, source in out:
            real = os.path.realpath(p)
            if real not in seen:
                seen.add(real)
                unique.append((p, source))
        out = unique
    return out


# ----------------------------------------------------------------- parsing

_TABLE_RE = re.compile(r"^\s*\[\[\s*(cards|checklist)\s*\]\]\s*(#.*)?$")
_DECK_RE = re.compile(r"^\s*\[\s*deck\s*\]\s*(#.*)?$")


def _table_lines(text: str) -> dict[str, list[int]]:
    """1-based line numbers of each [[cards]] / [[checklist]] header and [deck]."""
    found: dict[str, list[int]] = {"cards": [], "checklist": [], "deck": []}
    for n, line in enumerate(text.splitlines(), start=1):
        m = _TABLE_RE.match(line)
        if m:
            found[m.group(1)].append(n)
        elif _DECK_RE.match(line):
            found["deck"].append(n)
    return found


def _key_line(text: str, start: int, key: str) -> int:
    """The line of `key = ...` at or after line `start` (falls back to `start`)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = text.splitlines()
    for n in range(start, len(lines) + 1):
        if n > start and lines[n - 1].lstrip().startswith("["):
            break
        if pattern.match(lines[n - 1]):
            return n
    return start


def _describe(err: dict[str, Any]) -> str:
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] in ("cards", "checklist") and isinstance(loc[1], int):
        loc = loc[2:]  # the table and index are already named by the caller
    elif loc and loc[0] == "deck":
        loc = loc[1:]
    named = [p for p in loc if not isinstance(p, int)]
    name = str(named[-1]) if named else ""
    kind = err["type"]
    if kind == "missing":
        return f"missing field {name!r}"
    if kind == "extra_forbidden":
        return f"unknown key {name!r}"
    if kind == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"{name}: {msg}" if name else msg
    if kind.endswith("_type"):
        expected = kind.removesuffix("_type").replace("dict", "table").replace("str", "string")
        return f"{name} must be a {expected}, got {type(err.get('input')).__name__}"
    return f"{name}: {err['msg']}" if name else str(err["msg"])


def parse_deck_text(text: str, path: Path) -> dict[str, Any]:
    """Parse and validate one deck file; return its plain, cacheable form."""
    import tomllib

    from pydantic import ValidationError

    from flashprep.deckschema import DeckFileModel

    # Some Windows editors start UTF-8 files with a byte-order mark, which TOML rejects.
    text = text.removeprefix("\ufeff")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        detail = msg[: m.start()].strip() if m else msg
        if m:
            raise DeckError(
                f"invalid TOML: {detail}", path, int(m.group(1)), int(m.group(2))
            ) from None
        raise DeckError(f"invalid TOML: {detail}", path) from None
    except RecursionError:
        # tomllib recurses into nested arrays and inline tables.
        raise DeckError("invalid TOML: arrays or tables nested too deeply", path) from None
    except ValueError:
        # tomllib raises a plain ValueError for an integer of more than 4300 digits.
        raise DeckError("invalid TOML: a number is too long", path) from None
    lines = _table_lines(text)
    try:
        model = DeckFileModel.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        line: int | None = None
        where = ""
        if len(loc) >= 2 and loc[0] in ("cards", "checklist") and isinstance(loc[1], int):
            table, index = str(loc[0]), loc[1]
            headers = lines[table]
            if index < len(headers):
                line = headers[index]
                if len(loc) >= 3:
                    line = _key_line(text, line, str(loc[2]))
            item = raw.get(table, [])
            ident = (
                item[index].get("id")
                if isinstance(item, list) and index < len(item) and isinstance(item[index], dict)
                else None
            )
            where = (
                f"{'card' if table == 'cards' else 'checklist item'} {ident!r}: "
                if isinstance(ident, str)
                else f"{table}[{index + 1}]: "
            )
        elif loc and loc[0] == "deck":
            line = lines["deck"][0] if lines["deck"] else None
            if line is not None and len(loc) >= 2:
                line = _key_line(text, line, str(loc[1]))
            where = "[deck] "
            if len(loc) == 1:
                kind = "missing" if err["type"] == "missing" else "a bad"
                raise DeckError(f"{kind} [deck] table", path) from None
        elif len(loc) == 0:
            pass
        raise DeckError(where + _describe(err), path, line) from None
    headers = lines["cards"]
    cards = []
    for i, c in enumerate(model.cards):
        cards.append(
            {
                "id": c.id,
                "front": c.front.strip("\n"),
                "back": c.back.strip("\n"),
                "tags": list(c.tags),
                "topic": c.topic,
                "key_points": list(c.key_points),
                "hint": c.hint,
                "draft": c.draft,
                "override": c.override,
                "guid": c.guid,
                "line": headers[i] if i < len(headers) else 0,
            }
        )
    seen: dict[str, int] = {}
    for c in cards:
        if c["id"] in seen:
            raise DeckError(
                f"duplicate card id {c['id']!r} (also at line {seen[c['id']]})", path, c["line"]
            )
        seen[c["id"]] = c["line"]
    return {
        "deck": model.deck.model_dump(),
        "cards": cards,
        "checklist": [item.model_dump() for item in model.checklist],
    }


def read_deck_file(path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeckError(f"cannot read: {exc.strerror}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DeckError("not UTF-8 text (save the file as UTF-8)", path, line) from None
    return parse_deck_text(text, path)


# ----------------------------------------------------------------- cache


def _cache_path(home: Path) -> Path:
    return home / "cache" / "decks.marshal"


# A cached card is its Card fields minus the two that belong to the file.
_ROW_FIELDS = tuple(f for f in Card.__slots__ if f not in ("deck", "path"))
_DECK_AT = Card.__slots__.index("deck")
_PATH_AT = Card.__slots__.index("path") - 1  # position in a row that already has the deck


def _cache_key() -> list[Any]:
    return [CACHE_FORMAT, __version__, sys.implementation.cache_tag, list(Card.__slots__)]


def _read_cache(home: Path) -> dict[str, Any]:
    import marshal

    try:
        data = marshal.loads(_cache_path(home).read_bytes())
    except Exception:  # missing, or not a marshal file of this Python: a miss
        return {}
    if not isinstance(data, dict) or data.get("format") != _cache_key():
        return {}
    files = data.get("files")
    return files if isinstance(files, dict) else {}


def _write_cache(home: Path, files: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    import marshal

    from flashprep.fsutil import atomic_write_bytes

    path = _cache_path(home)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = marshal.dumps({"format": _cache_key(), "files": files})
        atomic_write_bytes(path, payload)
        (path.parent / "decks.json").unlink(missing_ok=True)  # the older JSON cache
    except Exception:
        pass


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
    )


def _file_cards(data: dict[str, Any], deck_id: str, path: str) -> Iterable[Card]:
    """The cards of one parsed file: from the cache's rows or the parser's dicts."""
    rows = data.get("rows")
    if rows is None:
        for c in data["cards"]:
            yield _card_from_dict(c, deck_id, path)
        return
    d, p = _DECK_AT, _PATH_AT
    for r in rows:
        yield Card(*r[:d], deck_id, *r[d:p], path, *r[p:])


def _cacheable(data: dict[str, Any]) -> dict[str, Any]:
    """A parsed file in the cache's shape: each card as a row of its Card fields."""
    rows = []
    for c in data["cards"]:
        card = _card_from_dict(c, "", "")
        rows.append(tuple(getattr(card, f) for f in _ROW_FIELDS))
    return {"deck": data["deck"], "rows": rows, "checklist": data["checklist"]}


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


def load_parsed(
    sources: Sequence[tuple[Path, str]], home: Path | None, *, use_cache: bool = True
) -> list[tuple[Path, str, dict[str, Any]]]:
    cache = _read_cache(home) if (home is not None and use_cache) else {}
    fresh: dict[str, Any] = {}
    out = []
    changed = False
    for path, source in sources:
        try:
            # stat first: resolve() raises RuntimeError, not OSError, on a symlink loop.
            stamp = _stat_key(path)
            key = str(path.resolve())
        except OSError as exc:
            raise DeckError(f"cannot read: {exc.strerror}", path) from None
        hit = cache.get(key)
        if hit and hit.get("stamp") == stamp:
            data = hit["data"]
        else:
            data = read_deck_file(path)
            changed = True
        fresh[key] = {"stamp": stamp, "data": data}
        out.append((path, source, data))
    if home is not None and use_cache and (changed or set(fresh) != set(cache)):
        _write_cache(
            home,
            {
                k: {"stamp": v["stamp"], "data": v["data"] if "rows" in v["data"]
                    else _cacheable(v["data"])}
                for k, v in fresh.items()
            },
        )
    return out


# ----------------------------------------------------------------- assembling


def build_collection(
    parsed: Sequence[tuple[Path, str, dict[str, Any]]], *, errors: list[DeckError] | None = None
) -> Collection:
    """Assemble parsed files into a Collection.

    Cross-file problems (duplicate ids) raise the first DeckError, or, when an
    `errors` list is given, are collected there and the offending card skipped.
    """

    def problem(exc: DeckError) -> None:
        if errors is None:
            raise exc
        errors.append(exc)

    # Sources keep their order (bundled, user, --decks); within one, decks sort by
    # their `order` key, so new cards follow the syllabus rather than file names.
    rank = {BUNDLED: 0, USER: 1, EXTRA: 2}
    parsed = sorted(parsed, key=lambda p: (rank.get(p[1], 3), p[2]["deck"].get("order", 1000)))
    col = Collection()
    deck_paths: dict[str, Path] = {}
    where: dict[str, tuple[Path, int, str]] = {}
    for path, source, data in parsed:
        meta = data["deck"]
        deck_id = meta["id"]
        if deck_id in deck_paths:
            problem(
                DeckError(f"duplicate deck id {deck_id!r} (also in {deck_paths[deck_id]})", path)
            )
            continue
        deck_paths[deck_id] = path
        ids = []
        for card in _file_cards(data, deck_id, str(path)):
            if card.id in col.cards:
                first_path, first_line, first_source = where[card.id]
                if card.override and first_source == BUNDLED and source != BUNDLED:
                    # Replaces the bundled card everywhere; the id keeps its history.
                    original = col.cards[card.id]
                    col.cards[card.id] = Card(
                        **{
                            **{f: getattr(card, f) for f in Card.__slots__},
                            "deck": original.deck,
                        }
                    )
                    where[card.id] = (path, card.line, source)
                    continue
                problem(
                    DeckError(
                        f"duplicate card id {card.id!r}: also in {first_path}:{first_line}"
                        + (
                            ""
                            if first_source != BUNDLED
                            else " (set override = true to replace a bundled card)"
                        ),
                        path,
                        card.line,
                    )
                )
                continue
            if card.override:
                problem(
                    DeckError(
                        f"card {card.id!r} has override = true "
                        "but there is no bundled card with that id",
                        path,
                        card.line,
                    )
                )
                continue
            col.cards[card.id] = card
            where[card.id] = (path, card.line, source)
            ids.append(card.id)
        for item in data["checklist"]:
            col.checklist.append(
                ChecklistItem(
                    item["id"], item["item"], tuple(item["topics"]), tuple(item["tags"]), deck_id
                )
            )
        col.decks.append(
            Deck(
                deck_id,
                meta["name"],
                meta["category"],
                meta["description"],
                tuple(meta["tags"]),
                str(path),
                source,
                tuple(ids),
            )
        )
    # Overriding cards sit in the original deck's list, not the user deck's.
    by_deck: dict[str, list[str]] = {}
    for c in col.cards.values():
        by_deck.setdefault(c.deck, []).append(c.id)
    col.decks = [
        Deck(
            d.id,
            d.name,
            d.category,
            d.description,
            d.tags,
            d.path,
            d.source,
            tuple(by_deck.get(d.id, ())),
        )
        for d in col.decks
    ]
    return col


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
