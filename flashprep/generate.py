"""Syllabus Markdown -> deck skeletons, merged into a folder of decks.

Owns `flashprep generate`'s logic: reading a syllabus file, finding the tables
it understands, turning their rows into deck and card skeletons with stable ids,
and merging those into existing deck files without touching what is there.

What is understood:

* the must-know table (header "Category | Must-Know Questions"): one deck per
  category (id = slug(category)), one card per comma-separated question
  (topic = slug(category) + "-" + slug(question));
* "What to Cover" tables (header "Topic | What to Cover | ..."): one deck per
  `### N.N Title (~time)` section (id = slug(Title)), one card per row
  (topic = deck id + "-" + slug(topic cell));
* the bullets of a "Behavioral" section whose text quotes a prompt: one
  "behavioral" deck, one card per prompt (topic = "behavioral-" + slug(prompt)).

Every other table, list and paragraph is ignored, so a real syllabus with
emoji, mojibake, extra columns and unrelated tables still works. A skeleton
card's id is its topic, so regenerating gives the same ids.

Merging is additive and byte-stable: a deck file that does not exist is written
whole; an existing one gets only the items whose topic no card in it has,
appended as text (existing cards, answers and comments stay byte for byte);
a file with nothing to add is not written at all.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from flashprep.errors import DeckError, InputError

TODO_COMMENT = "# TODO: answer this card"
BEHAVIORAL = "behavioral"

# ----------------------------------------------------------------- text helpers

# A code span opens and closes with backtick runs of the same length (whole runs).
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis markers are runs of * or _ (or ~~) at a word's edge; one between two letters or
# digits ("snake_case", "2*3") is text, so cleaning a label again keeps its slug.
_EMPHASIS_RE = re.compile(r"(?<![\w*])[*_]+|[*_]+(?![\w*])|(?<![\w~])~~|~~(?![\w~])")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 somewhere ("â€“" -> "–").

    Each run of characters that Windows-1252 (or Latin-1) maps to a byte >= 0x80
    is re-encoded and decoded as UTF-8; a run that is not valid UTF-8 (a real
    "é", say) is left alone, so clean text passes through unchanged.
    """

    def byte_of(ch: str) -> int | None:
        try:
            b = ch.encode("cp1252")
        except UnicodeEncodeError:
            b = bytes([ord(ch)]) if 0x80 <= ord(ch) < 0x100 else b""
        return b[0] if len(b) == 1 and b[0] >= 0x80 else None

    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        chunk = "".join(run)
        if len(run) > 1:
            try:
                chunk = bytes(byte_of(c) or 0 for c in run).decode("utf-8")
            except UnicodeDecodeError:
                pass
        out.append(chunk)
        run.clear()

    for ch in text:
        if ord(ch) >= 0x80 and byte_of(ch) is not None:
            run.append(ch)
        else:
            flush()
            out.append(ch)
    flush()
    return "".join(out)


def _outside_code(text: str, fn: Any) -> str:
    """Apply `fn` to the parts of `text` that are not `code` spans."""
    out, pos = [], 0
    for m in _CODE_SPAN_RE.finditer(text):
        out.append(fn(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(text[pos:]))
    return "".join(out)


def inline_text(text: str) -> str:
    """Markdown inline text for a card front: links become their text, emphasis
    markers go, `code` spans stay as they are, whitespace is collapsed."""

    def plain(part: str) -> str:
        return _EMPHASIS_RE.sub("", _LINK_RE.sub(r"\1", part.replace("\\|", "|")))

    return " ".join(_outside_code(text, plain).split())


def plain_text(text: str) -> str:
    """Inline text with every backtick dropped too (code spans keep their content)."""
    return _CODE_SPAN_RE.sub(lambda m: m.group(2).strip(), inline_text(text)).replace("`", "")


def slug(text: str) -> str:
    """The id form of a syllabus item: "`*args/**kwargs`" -> "args-kwargs".

    Backticks and emphasis are dropped, accents transliterated (NFKD), every run
    of characters other than a-z and 0-9 becomes one hyphen.
    """
    text = unicodedata.normalize("NFKD", plain_text(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_TRAILING_JUNK = {"So", "Sk", "Cf", "Mn", "Zs", "Cn", "Co"}


def _strip_symbols(text: str) -> str:
    """Strip emoji, variation selectors and spaces from both ends (not '+' or '#')."""
    def junk(ch: str) -> bool:
        if ch.isspace():
            return True
        # "㍘" is a symbol whose compatibility form holds a digit: keep it, the slug does.
        return unicodedata.category(ch) in _TRAILING_JUNK and not any(
            c.isalnum() for c in unicodedata.normalize("NFKD", ch)
        )

    start, end = 0, len(text)
    while start < end and junk(text[start]):
        start += 1
    while end > start and junk(text[end - 1]):
        end -= 1
    return text[start:end]


def label(text: str) -> str:
    """A table cell as a name: plain text without emoji at either end."""
    return _strip_symbols(plain_text(text))


def heading_title(text: str) -> str:
    """"FastAPI Core (Week 3–5) ⭐" -> "FastAPI Core": no emoji, no trailing parenthetical."""
    title = label(text)
    while True:
        shorter = _strip_symbols(re.sub(r"\s*\([^()]*\)$", "", title))
        if shorter == title or not shorter:
            return title
        title = shorter


def _atoms(text: str) -> Iterator[str]:
    """The characters of `text`, with each `code` span and each escaped pipe `\\|` as one
    piece, so a splitter never splits inside them."""
    i = 0
    while i < len(text):
        if text.startswith("\\|", i):
            yield "\\|"
            i += 2
            continue
        m = _CODE_SPAN_RE.match(text, i) if text[i] == "`" else None
        end = m.end() if m else i + 1
        yield text[i:end]
        i = end


def split_questions(cell: str) -> list[str]:
    """Split a must-know cell on commas that are not inside `code` or (parentheses)."""
    parts, buf = [], []
    depth = 0
    for atom in _atoms(cell):
        if atom == "(":
            depth += 1
        elif atom == ")" and depth:
            depth -= 1
        if atom == "," and not depth:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(atom)
    parts.append("".join(buf))
    return [p.strip() for p in parts if slug(p)]


_STOPWORDS = frozenset(
    "a an and are as at basics be by do does for from how in interview is it level of on or "
    "the to vs what when where which why with works".split()
)


def topic_words(text: str, skip: Sequence[str] = (), limit: int = 3) -> list[str]:
    """Up to `limit` words of an item to use as tags (`--tag jwt`)."""
    out: list[str] = []
    for word in slug(text).split("-"):
        if (
            len(word) < 2 or word.isdigit() or word in _STOPWORDS
            or word in out or word in skip
        ):
            continue
        out.append(word)
        if len(out) == limit:
            break
    return out


# Which must-know category a "What to Cover" section belongs to, judged by the
# words of its title (first match wins). Sections that match none are tagged
# with the slug of their phase title.
_CATEGORY_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("auth", frozenset({"auth", "authentication", "authorization", "security", "jwt", "oauth"})),
    ("database", frozenset({"sql", "postgresql", "postgres", "database", "databases", "db", "dbs",
                            "sqlalchemy", "orm", "mysql", "sqlite"})),
    ("devops", frozenset({"docker", "git", "ci", "cd", "deployment", "devops", "kubernetes"})),
    ("system-design", frozenset({"caching", "cache", "rate", "limiting", "redis", "system"})),
    ("api-design", frozenset({"api", "rest", "rest-api"})),
    ("fastapi", frozenset({"fastapi"})),
    ("python", frozenset({"python"})),
    ("cs-fundamentals", frozenset({"cs", "dsa", "networking", "algorithms"})),
)


def category_tag(title: str, fallback: str) -> str:
    words = set(slug(title).split("-"))
    for tag, keys in _CATEGORY_WORDS:
        if words & keys:
            return tag
    return slug(fallback) or slug(title)


# ----------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Skeleton:
    """One syllabus item: the card that must exist for it."""

    topic: str
    front: str
    tags: tuple[str, ...]


@dataclass
class DeckPlan:
    """One deck the syllabus asks for, with its items in syllabus order."""

    id: str
    name: str
    category: str
    description: str
    tags: list[str]
    items: list[Skeleton] = field(default_factory=list)
    line: int = 0
    order: int = 0  # the deck's place in the syllabus, x10 (the deck file's `order` key)

    def add(self, item: Skeleton) -> None:
        if item.topic and all(i.topic != item.topic for i in self.items):
            self.items.append(item)


# ----------------------------------------------------------------- Markdown scanning

_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DELIM_CELL_RE = re.compile(r"^:?-+:?$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+(.*)$")
_QUOTED_RE = re.compile(r"\"([^\"]+)\"|“([^”]+)”")
_PHASE_RE = re.compile(r"^phase\s*(\d+)\s*(?:[:.\-–—]\s*(.*))?$", re.IGNORECASE)
_NUMBERED_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+(.+)$")


def split_row(line: str) -> list[str]:
    """Cells of a table row; a `|` inside a code span or escaped as `\\|` is text."""
    cells, buf = [], []
    s = line.strip()
    for atom in _atoms(s):
        if atom == "|":
            cells.append("".join(buf))
            buf = []
        else:
            buf.append(atom)
    cells.append("".join(buf))
    if s.startswith("|"):
        cells = cells[1:]
    if s.endswith("|") and not s.endswith("\\|") and cells:
        cells = cells[:-1]
    return [c.strip() for c in cells]


def _is_delimiter(line: str) -> bool:
    if "-" not in line or "|" not in line:
        return False
    cells = split_row(line)
    return bool(cells) and all(_DELIM_CELL_RE.match(c.replace(" ", "")) for c in cells)


@dataclass
class _Table:
    line: int  # 1-based line of the header
    header: list[str]
    rows: list[tuple[int, list[str]]]
    phase: tuple[int, str] | None
    section: tuple[str, str] | None  # (number, title) of the nearest ### heading
    heading: str  # the nearest heading of any level, cleaned


@dataclass
class _Bullet:
    line: int
    text: str
    phase: tuple[int, str] | None
    section: tuple[str, str] | None


def _scan(lines: Sequence[str]) -> Iterator[_Table | _Bullet]:
    """Tables and list items of a Markdown document, each with its headings."""
    phase: tuple[int, str] | None = None
    section: tuple[str, str] | None = None
    heading = ""
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE_RE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            i += 1
            continue
        if m:
            fence = m.group(1)
            i += 1
            continue
        h = _HEADING_RE.match(line)
        if h:
            level, title = len(h.group(1)), heading_title(h.group(2))
            heading = title
            pm = _PHASE_RE.match(title)
            if pm:
                number = int(pm.group(1))
                phase = (number, heading_title(pm.group(2) or "") or f"Phase {number}")
                section = None
            elif level <= 2:
                # A new top-level part ("## Recommended Resources") ends the phase.
                phase = section = None
            else:
                nm = _NUMBERED_RE.match(title)
                section = (nm.group(1), heading_title(nm.group(2))) if nm else ("", title)
            i += 1
            continue
        if "|" in line and i + 1 < len(lines) and _is_delimiter(lines[i + 1]):
            header = split_row(line)
            rows = []
            j = i + 2
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                rows.append((j + 1, split_row(lines[j])))
                j += 1
            yield _Table(i + 1, header, rows, phase, section, heading)
            i = j
            continue
        b = _BULLET_RE.match(line)
        if b:
            yield _Bullet(i + 1, b.group(1), phase, section)
        i += 1


def _column(header: list[str], *wanted: str, contains: str | None = None) -> int | None:
    for n, cell in enumerate(header):
        s = slug(cell)
        if s in wanted or (contains is not None and contains in s):
            return n
    return None


def _phase_tags(phase: tuple[int, str] | None) -> list[str]:
    return [f"phase-{phase[0]}"] if phase else []


def _cell(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


# ----------------------------------------------------------------- parsing


def parse_syllabus(text: str, name: str = "syllabus") -> list[DeckPlan]:
    """The decks a syllabus asks for, in the order they appear; [] if none."""
    lines = [repair_mojibake(line) for line in text.splitlines()]
    plans: dict[str, DeckPlan] = {}

    def plan(deck: DeckPlan) -> DeckPlan:
        """The deck with this id: the first one seen wins, later items join it."""
        return plans.setdefault(deck.id, deck)

    for block in _scan(lines):
        if isinstance(block, _Bullet):
            _behavioral_bullet(block, plan)
            continue
        cat_col = _column(block.header, "category", "categories")
        q_col = _column(block.header, "questions", contains="must-know")
        topic_col = _column(block.header, "topic", "topics")
        cover_col = _column(block.header, "what-to-cover")
        if cat_col is not None and q_col is not None and cat_col != q_col:
            _must_know_table(block, cat_col, q_col, plan)
        elif topic_col is not None and cover_col is not None and topic_col != cover_col:
            _what_to_cover_table(block, topic_col, cover_col, plan, name)
    found = [p for p in plans.values() if p.items]
    for n, p in enumerate(found, start=1):
        p.order = 10 * n
    return found


def _must_know_table(block: _Table, cat_col: int, q_col: int, plan: Any) -> None:
    phase_tags = _phase_tags(block.phase)
    for line, row in block.rows:
        category = label(_cell(row, cat_col))
        deck_id = slug(category)
        if not deck_id:
            continue
        questions = split_questions(_cell(row, q_col))
        deck = plan(DeckPlan(
            id=deck_id,
            name=f"{category} must-knows",
            category=category,
            description=f"Must-know {category} interview questions: "
            + ", ".join(plain_text(q) for q in questions) + ".",
            tags=[deck_id, *phase_tags],
            line=line,
        ))
        for q in questions:
            deck.add(Skeleton(
                topic=f"{deck_id}-{slug(q)}",
                front=f"Explain: {inline_text(q)}",
                tags=(deck_id, *phase_tags, *topic_words(q, skip=[deck_id])),
            ))


def _what_to_cover_table(
    block: _Table, topic_col: int, cover_col: int, plan: Any, name: str
) -> None:
    number, title = block.section or ("", block.heading or Path(name).stem)
    deck_id = slug(title)
    if not deck_id:
        return
    category = block.phase[1] if block.phase else title
    cat_tag = category_tag(title, category)
    phase_tags = _phase_tags(block.phase)
    topics = [label(_cell(r, topic_col)) for _, r in block.rows]
    where = f"section {number} " if number else ""
    deck = plan(DeckPlan(
        id=deck_id,
        name=title,
        category=category,
        description=f"Syllabus {where}{title}: " + ", ".join(t for t in topics if t) + ".",
        tags=[cat_tag, *phase_tags],
        line=block.line,
    ))
    for _, row in block.rows:
        topic_cell, cover = _cell(row, topic_col), _cell(row, cover_col)
        if not slug(topic_cell):
            continue
        name = inline_text(topic_cell)
        front = f"{name}: {inline_text(cover)}" if slug(cover) else f"Explain: {name}"
        deck.add(Skeleton(
            topic=f"{deck_id}-{slug(topic_cell)}",
            front=front,
            tags=(cat_tag, *phase_tags, *topic_words(topic_cell, skip=[cat_tag])),
        ))


def _behavioral_bullet(block: _Bullet, plan: Any) -> None:
    if block.section is None or "behavio" not in slug(block.section[1]):
        return
    prompts = [a or b for a, b in _QUOTED_RE.findall(block.text)]
    topic = slug(" ".join(prompts))
    if not topic:
        return
    phase_tags = _phase_tags(block.phase)
    title = block.section[1]
    deck = plan(DeckPlan(
        id=BEHAVIORAL,
        name=title,
        category="Behavioral",
        description=f"Practice prompts from the syllabus's {title} section; "
        "each back is an answer framework, not a script.",
        tags=[BEHAVIORAL, *phase_tags],
        line=block.line,
    ))
    deck.add(Skeleton(
        topic=f"{BEHAVIORAL}-{topic}",
        front=f"Practice answering: {inline_text(block.text)}",
        tags=(BEHAVIORAL, *phase_tags),
    ))


def read_syllabus(path: Path) -> list[DeckPlan]:
    """Parse a syllabus file; InputError when it is unreadable or has no usable table."""
    from flashprep.fsutil import UnreadableFile, read_utf8

    path = Path(path)
    try:
        text = read_utf8(path).removeprefix("\ufeff")
    except UnreadableFile as exc:
        raise InputError(str(exc)) from None
    plans = parse_syllabus(text, path.name)
    if not plans:
        raise InputError(
            f"{path}: no usable table: expected a 'Category | Must-Know Questions' table "
            "or 'Topic | What to Cover' tables with at least one row"
        )
    return plans


# ----------------------------------------------------------------- rendering


def _toml_value(value: Any) -> str:
    import tomli_w

    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _lines(pairs: Sequence[tuple[str, Any]]) -> list[str]:
    return [f"{key} = {_toml_value(value)}" for key, value in pairs]


def render_card(card_id: str, item: Skeleton) -> str:
    """A skeleton [[cards]] table as TOML text (ends with a newline)."""
    body = _lines([
        ("id", card_id),
        ("topic", item.topic),
        ("front", item.front),
        ("back", ""),
        ("tags", list(item.tags)),
        ("draft", True),
    ])
    return "\n".join(["[[cards]]", TODO_COMMENT, *body]) + "\n"


def render_deck_header(plan: DeckPlan, source_name: str) -> str:
    head = [
        f"# Generated by `flashprep generate` from {source_name}.",
        "# Answer each card: write `back` and `key_points`, then delete `draft = true`.",
        "",
        "[deck]",
        *_lines([
            ("id", plan.id),
            ("name", plan.name),
            ("category", plan.category),
            ("description", plan.description),
            ("tags", plan.tags),
            ("order", plan.order),
        ]),
    ]
    return "\n".join(head) + "\n"


# ----------------------------------------------------------------- merging


@dataclass(frozen=True)
class DeckChange:
    """What generating did (or would do) to one deck file."""

    deck_id: str
    path: Path
    action: str  # "created", "updated" or "unchanged"
    added: tuple[str, ...]  # ids of the skeleton cards written
    present: int  # syllabus items the deck already had
    alongside: bool = False  # unchanged because the decks loaded alongside cover it

    def to_dict(self) -> dict[str, Any]:
        return {
            "deck": self.deck_id,
            "path": str(self.path),
            "action": self.action,
            "added": list(self.added),
            "present": self.present,
            "alongside": self.alongside,
        }


@dataclass
class _Existing:
    path: Path
    text: str
    topics: set[str]
    ids: set[str]


def _read_existing(paths: Sequence[Path]) -> dict[str, _Existing]:
    from flashprep.deckparse import read_deck_file

    found: dict[str, _Existing] = {}
    for p in paths:
        data = read_deck_file(p)
        deck_id = data["deck"]["id"]
        if deck_id in found:
            raise DeckError(f"duplicate deck id {deck_id!r} (also in {found[deck_id].path})", p)
        found[deck_id] = _Existing(
            p,
            # Bytes as they are: no newline translation, so old text is kept exactly.
            p.read_bytes().decode("utf-8"),
            {c["topic"] for c in data["cards"] if c["topic"]},
            {c["id"] for c in data["cards"]},
        )
    return found


def _free_id(topic: str, taken: set[str]) -> str:
    if topic not in taken:
        return topic
    n = 2
    while f"{topic}-{n}" in taken:
        n += 1
    return f"{topic}-{n}"


def _render_cards(items: Sequence[Skeleton], taken: set[str]) -> tuple[tuple[str, ...], str]:
    """Ids for `items` (each then taken) and their [[cards]] tables, each after a blank line."""
    ids, tables = [], []
    for item in items:
        card_id = _free_id(item.topic, taken)
        taken.add(card_id)
        ids.append(card_id)
        tables.append("\n" + render_card(card_id, item))
    return tuple(ids), "".join(tables)


def plan_merge(
    plans: Sequence[DeckPlan],
    out_dir: Path,
    *,
    source_name: str = "syllabus.md",
    alongside: Sequence[Path] = (),
) -> list[tuple[DeckChange, bytes | None]]:
    """Each deck's change and the new bytes of its file (None when unchanged).

    Reads `out_dir/*.toml` (every file must be a valid deck) and never writes.
    `alongside` are read-only deck files that are always loaded together with
    `out_dir` (the bundled decks, for the user's own decks folder): an item they
    already cover is present, and a deck id they own gets its missing items in a
    new "<id>-extra" deck instead, since two decks cannot share an id.
    """
    out_dir = Path(out_dir)
    own_files = sorted(out_dir.glob("*.toml")) if out_dir.is_dir() else []
    existing = _read_existing(own_files)
    others = _read_existing(list(alongside))
    taken = {i for e in [*existing.values(), *others.values()] for i in e.ids}
    covered = {t for e in others.values() for t in e.topics}
    changes: list[tuple[DeckChange, bytes | None]] = []
    for plan in plans:
        target_plan = plan
        if plan.id in others and plan.id not in existing:
            target_plan = replace(plan, id=f"{plan.id}-extra", name=f"{plan.name} (extra)")
        items = [i for i in target_plan.items if i.topic not in covered]
        current = existing.get(target_plan.id)
        if current is not None:
            missing = [i for i in items if i.topic not in current.topics]
            present = len(plan.items) - len(missing)
            if not missing:
                changes.append((DeckChange(plan.id, current.path, "unchanged", (), present), None))
                continue
            ids, text = _render_cards(missing, taken)
            newline = "\r\n" if "\r\n" in current.text else "\n"
            if newline != "\n":
                text = text.replace("\n", newline)
            if current.text and not current.text.endswith("\n"):
                text = newline + text
            new_text = current.text + text
            _check(new_text, current.path)
            change = DeckChange(target_plan.id, current.path, "updated", ids, present)
            changes.append((change, new_text.encode("utf-8")))
            continue
        path = out_dir / f"{target_plan.id}.toml"
        if not items:
            where = others[plan.id].path if plan.id in others else path
            change = DeckChange(plan.id, where, "unchanged", (), len(plan.items), alongside=True)
            changes.append((change, None))
            continue
        if path.exists():
            raise DeckError(
                f"cannot create deck {target_plan.id!r}: the file already holds another deck "
                "(rename the file or its deck id)",
                path,
            )
        ids, cards = _render_cards(items, taken)
        new_text = render_deck_header(target_plan, source_name) + cards
        _check(new_text, path)
        # The new deck now exists for any later plan with the same id.
        existing[target_plan.id] = _Existing(path, new_text, {i.topic for i in items}, set(ids))
        change = DeckChange(target_plan.id, path, "created", ids, len(plan.items) - len(items))
        changes.append((change, new_text.encode("utf-8")))
    return changes


def _check(text: str, path: Path) -> None:
    """The merged text must still be a valid deck (e.g. no inline `cards = [...]`)."""
    from flashprep.deckparse import parse_deck_text

    try:
        parse_deck_text(text, path)
    except DeckError as exc:
        raise DeckError(
            f"cannot append skeleton cards without breaking the file ({exc.detail})", path
        ) from None


def generate(
    syllabus: Path, out_dir: Path, *, alongside: Sequence[Path] = ()
) -> list[DeckChange]:
    """Merge the syllabus's skeletons into `out_dir`; write only files that change.

    Everything is read and checked before the first write, so bad input writes
    nothing. Each write is atomic.
    """
    from flashprep.fsutil import atomic_write_bytes

    syllabus = Path(syllabus)
    plans = read_syllabus(syllabus)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: not a folder")
    changes = plan_merge(plans, out_dir, source_name=syllabus.name, alongside=alongside)
    if any(data is not None for _, data in changes):
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {out_dir}: cannot create: {exc.strerror or exc}") from None
    for change, data in changes:
        if data is not None:
            atomic_write_bytes(change.path, data, error=DeckError)
    return [change for change, _ in changes]
