"""Card files: new cards written into user deck files, their ids and their target decks.

Adding a card appends a `[[cards]]` table, rendered with tomli-w, to the end of a
user deck file in `<home>/decks/`. What is already in the file is never parsed
and written back: its bytes, comments and order stay exactly as they were, and
the new content (old bytes + new card) is checked by the deck parser before it
replaces the file atomically. Bundled decks (and decks from `--decks` folders)
are never written: a card added to deck `python` goes into the user deck
`python-extra`, created on first use.

A new card's id is a readable slug of its front plus a short hash suffix, unique
across every loaded deck and every id the history knows (so a new card never
inherits a deleted card's progress).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flashprep.cardmodel import MAX_KEY_POINTS, Collection, Deck
from flashprep.decksources import BUNDLED, USER, user_decks_dir
from flashprep.errors import DeckError, FlashprepError, InputError
from flashprep.schedule import CardState

EXTRA_SUFFIX = "-extra"

# ----------------------------------------------------------------- ids

# Dropped from ids so they stay short and say what the card is about.
_STOPWORDS = frozenset(
    "a an and are as at be by can do does for how i in is it its of on or the this to "
    "what when which who why with you your".split()  # not "where": SQL's WHERE
)
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_len: int = 40) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary ("" if none)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for w in words:
        candidate = f"{out}-{w}" if out else w
        if len(candidate) > max_len:
            break
        out = candidate
    if not out and words:
        out = words[0][:max_len]
    return out


def is_slug(value: str) -> bool:
    return bool(_SLUG_RE.match(value))


def _id_base(front: str) -> str:
    words = slugify(front, max_len=200).split("-")
    kept = [w for w in words if w and w not in _STOPWORDS] or [w for w in words if w]
    return slugify(" ".join(kept)) or "card"


def new_card_id(front: str, taken: Iterable[str] | Mapping[str, Any]) -> str:
    """`<slug of the front>-<4 hex>`; the suffix is a hash of the front, so it is
    reproducible, and a clash (same front twice) takes the next salt."""
    base = _id_base(front)
    for n in range(10_000):
        salt = front if n == 0 else f"{front}\x00{n}"
        candidate = f"{base}-{hashlib.sha1(salt.encode('utf-8')).hexdigest()[:4]}"
        if candidate not in taken:
            return candidate
    raise FlashprepError(f"cannot find a free card id for {base!r}")  # pragma: no cover


def normalize_tags(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as slugs, split on commas and spaces, duplicates dropped, order kept."""
    out: list[str] = []
    for value in values:
        for part in re.split(r"[,\s]+", value):
            if not part:
                continue
            tag = slugify(part.replace("::", "-"))
            if not tag:
                raise InputError(f"tag {part!r} has no letters or digits to make a tag from")
            if tag not in out:
                out.append(tag)
    return tuple(out)


# ----------------------------------------------------------------- targets


@dataclass(frozen=True)
class DeckMeta:
    """The [deck] table of a user deck that is about to be created."""

    id: str
    name: str
    category: str
    description: str = ""


@dataclass(frozen=True)
class Target:
    """Where new cards for a deck go: a user deck file, maybe still to be created."""

    deck_id: str
    path: Path
    create: DeckMeta | None = None
    via: str | None = None  # the bundled deck the `-extra` deck belongs to


def extra_deck_id(deck_id: str) -> str:
    return deck_id if deck_id.endswith(EXTRA_SUFFIX) else deck_id + EXTRA_SUFFIX


def is_user_deck(deck: Deck, home: Path) -> bool:
    """A deck in a file of `<home>/decks`, where flashprep may append cards."""
    if deck.source != USER:
        return False
    try:
        # The folder, not the file: a deck file may be a symlink into a dotfiles repo.
        return Path(deck.path).parent.resolve() == user_decks_dir(home).resolve()
    except OSError:
        return False


def new_deck_target(col: Collection, home: Path, meta: DeckMeta) -> Target:
    """A target for a user deck that does not exist yet; refuses ids in use."""
    if not is_slug(meta.id):
        raise InputError(
            f"deck id {meta.id!r} is not a slug "
            "(lowercase letters, digits and single hyphens, e.g. 'my-sql')"
        )
    if any(d.id == meta.id for d in col.decks):
        raise InputError(f"deck {meta.id!r} already exists")
    if not meta.name.strip() or not meta.category.strip():
        raise InputError("a new deck needs a name and a category")
    path = user_decks_dir(home) / f"{meta.id}.toml"
    if path.exists():
        raise InputError(f"{path} already exists but does not hold deck {meta.id!r}")
    return Target(meta.id, path, create=meta)


def resolve_target(col: Collection, home: Path, deck_id: str) -> Target:
    """Where cards "added to `deck_id`" are written (the `-extra` rule for bundled decks)."""
    deck = col.deck(deck_id)
    if is_user_deck(deck, home):
        return Target(deck.id, Path(deck.path))
    extra = extra_deck_id(deck.id)
    for d in col.decks:
        if d.id == extra:
            if is_user_deck(d, home):
                return Target(d.id, Path(d.path), via=deck.id)
            raise InputError(
                f"deck {deck.id!r} is not a user deck and {extra!r} ({d.path}) is not in "
                f"{user_decks_dir(home)}; add the card to a deck there"
            )
    what = "bundled" if deck.source == BUNDLED else "read-only (from --decks)"
    meta = DeckMeta(
        id=extra,
        name=f"{deck.name} (my cards)",
        category=deck.category,
        description=f"My own cards next to the {what} deck {deck.id!r}.",
    )
    target = new_deck_target(col, home, meta)
    return replace(target, via=deck.id)


# ----------------------------------------------------------------- rendering


@dataclass(frozen=True)
class NewCard:
    """A card about to be written; `id` None means "make one from the front"."""

    front: str
    back: str
    tags: tuple[str, ...] = ()
    key_points: tuple[str, ...] = ()
    id: str | None = None
    topic: str | None = None
    hint: str | None = None
    override: bool = False
    guid: str | None = None
    time_limit: int | None = None
    # An exercise's keys (see flashprep.deckschema), kept when a bundled one is copied.
    kind: str = "card"
    dataset: str | None = None
    solution: str | None = None
    ordered: bool = False
    tests: str | None = None


def check_new_card(card: NewCard) -> None:
    """The mistakes worth a clear message before the deck parser sees the card."""
    if not card.front.strip():
        raise InputError("the front (the question) is empty")
    if not card.back.strip():
        raise InputError("the back (the answer) is empty")
    if len(card.key_points) > MAX_KEY_POINTS:
        raise InputError(f"at most {MAX_KEY_POINTS} key points, got {len(card.key_points)}")
    if any(not p.strip() for p in card.key_points):
        raise InputError("a key point is empty")
    for name, text in [("front", card.front), ("back", card.back)] + [
        ("key point", p) for p in card.key_points
    ]:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes from argv or stdin (surrogateescape)
            raise InputError(f"the {name} is not UTF-8 text") from None


def _clean(text: str) -> str:
    # The loader strips the newlines around a front/back; do the same so what is
    # written is what is read back.
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines()).strip("\n")


def card_table(card_id: str, card: NewCard) -> dict[str, Any]:
    table: dict[str, Any] = {"id": card_id}
    if card.topic:
        table["topic"] = card.topic
    table["front"] = _clean(card.front)
    back = _clean(card.back)
    # A multi-line back reads best as its own block: tomli-w opens """ on its own line.
    table["back"] = back + "\n" if "\n" in back else back
    if card.tags:
        table["tags"] = list(card.tags)
    if card.key_points:
        table["key_points"] = [p.strip() for p in card.key_points]
    if card.hint:
        table["hint"] = card.hint
    if card.override:
        table["override"] = True
    if card.guid:
        table["guid"] = card.guid
    if card.time_limit:
        table["time_limit"] = card.time_limit
    if card.kind != "card":
        table["kind"] = card.kind
        for key in ("dataset", "solution", "tests"):
            value = getattr(card, key)
            if value is not None:
                table[key] = value + "\n" if "\n" in value else value
        if card.ordered:
            table["ordered"] = True
    return table


def render_cards(tables: Sequence[dict[str, Any]], newline: str = "\n") -> str:
    """`[[cards]]` tables, blank-line separated. The header is written here because
    tomli-w renders a short array of tables inline (`cards = [{ ... }]`); the keys and
    values are tomli-w's."""
    import tomli_w

    text = "\n".join(
        "[[cards]]\n" + tomli_w.dumps(table, multiline_strings=True) for table in tables
    )
    return text.replace("\n", newline) if newline != "\n" else text


def render_deck_header(meta: DeckMeta) -> str:
    import tomli_w

    deck: dict[str, Any] = {"id": meta.id, "name": meta.name, "category": meta.category}
    if meta.description:
        deck["description"] = meta.description
    head = "# Created by flashprep. Edit freely: `flashprep add` only appends cards.\n"
    return head + tomli_w.dumps({"deck": deck}) + "\n"


# ----------------------------------------------------------------- writing


@dataclass(frozen=True)
class Added:
    id: str
    deck: str
    path: str
    line: int
    created_deck: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "deck": self.deck,
            "path": self.path,
            "line": self.line,
            "created_deck": self.created_deck,
        }


@contextmanager
def _decks_lock(home: Path) -> Iterator[None]:
    """Serialise writers of deck files (two `add`s at once must not lose a card).

    Not the history's lock: adding a card while a review runs in another terminal is fine.
    """
    lock_dir = home / "cache"
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_dir / "decks.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise FlashprepError(f"cannot write to {lock_dir}: {exc.strerror}") from None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - non-POSIX
            pass
        yield
    finally:
        os.close(fd)


def _newline_of(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def append_cards(
    target: Target,
    cards: Sequence[NewCard],
    taken: set[str],
    *,
    home: Path,
    dry_run: bool = False,
) -> list[Added]:
    """Append `cards` to the target's file in one atomic write; return where each went.

    Ids are made for cards without one and added to `taken`. The file's existing
    bytes are kept exactly; the result is parsed before anything is written, so a
    bad card (or an already broken file) writes nothing.
    """
    from flashprep.deckparse import parse_deck_text
    from flashprep.fsutil import UnreadableFile, atomic_write_bytes, read_utf8

    if not cards:
        return []
    # A dry run writes nothing at all, not even the lock file in <home>/cache.
    with nullcontext() if dry_run else _decks_lock(home):
        path = target.path
        real = path.resolve()  # write through a symlink, never replace it
        if target.create is not None:
            if real.exists():
                raise InputError(f"{path} already exists")
            old = ""
            prefix = render_deck_header(target.create)
        else:
            try:
                old = read_utf8(real)
            except UnreadableFile as exc:
                raise DeckError(exc.reason, path, exc.line) from None
            prefix = old
        newline = _newline_of(old)
        if old and not old.endswith(newline * 2):  # one blank line before the new cards
            prefix += newline if old.endswith("\n") else newline * 2
        tables = []
        for card in cards:
            check_new_card(card)
            card_id = card.id
            if card_id is None:
                card_id = new_card_id(card.front, taken)
            elif not card.override and card_id in taken:
                raise InputError(f"card id {card_id!r} is already in use")
            taken.add(card_id)
            tables.append(card_table(card_id, card))
        text = prefix + render_cards(tables, newline)
        # Everything must parse, old content included, before one byte is written.
        if old:
            parse_deck_text(old, path)  # a broken file is reported as it is, not as ours
        parsed = parse_deck_text(text, path)
        new_ids = {t["id"] for t in tables}
        lines = {c["id"]: c["line"] for c in parsed["cards"] if c["id"] in new_ids}
        if set(lines) != new_ids:  # pragma: no cover - a rendering bug, never user input
            raise DeckError("the new cards did not read back as written", path)
        if not dry_run:
            real.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(real, text.encode("utf-8"), error=DeckError)
    deck_id = target.deck_id
    return [
        Added(t["id"], deck_id, str(path), lines[t["id"]], target.create is not None)
        for t in tables
    ]


def taken_ids(col: Collection, states: Mapping[str, CardState]) -> set[str]:
    return set(col.cards) | set(states)


def front_key(front: str) -> str:
    """Fronts compare equal when they differ only in whitespace."""
    return " ".join(front.split())


def same_front(col: Collection, front: str) -> list[str]:
    key = front_key(front)
    return [c.id for c in col.cards.values() if front_key(c.front) == key]
