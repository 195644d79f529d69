"""Reading a syllabus: the Markdown tables and bullets it understands, as deck plans.

Understood: the must-know table (header "Category | Must-Know Questions"), the
"What to Cover" tables under `### N.N Title (~time)` sections, and the quoted prompts
of a "Behavioral" section; everything else is ignored. flashprep.generate renders
and merges the plans into deck files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashprep.errors import InputError
from flashprep.syllabustext import (
    atoms,
    category_tag,
    heading_title,
    inline_text,
    label,
    plain_text,
    repair_mojibake,
    slug,
    split_questions,
    topic_words,
)

BEHAVIORAL = "behavioral"

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
    cells: list[str] = []
    buf: list[str] = []
    s = line.strip()
    for atom in atoms(s):
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
        deck = plan(
            DeckPlan(
                id=deck_id,
                name=f"{category} must-knows",
                category=category,
                description=f"Must-know {category} interview questions: "
                + ", ".join(plain_text(q) for q in questions)
                + ".",
                tags=[deck_id, *phase_tags],
                line=line,
            )
        )
        for q in questions:
            deck.add(
                Skeleton(
                    topic=f"{deck_id}-{slug(q)}",
                    front=f"Explain: {inline_text(q)}",
                    tags=(deck_id, *phase_tags, *topic_words(q, skip=[deck_id])),
                )
            )


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
    deck = plan(
        DeckPlan(
            id=deck_id,
            name=title,
            category=category,
            description=f"Syllabus {where}{title}: " + ", ".join(t for t in topics if t) + ".",
            tags=[cat_tag, *phase_tags],
            line=block.line,
        )
    )
    for _, row in block.rows:
        topic_cell, cover = _cell(row, topic_col), _cell(row, cover_col)
        if not slug(topic_cell):
            continue
        name = inline_text(topic_cell)
        front = f"{name}: {inline_text(cover)}" if slug(cover) else f"Explain: {name}"
        deck.add(
            Skeleton(
                topic=f"{deck_id}-{slug(topic_cell)}",
                front=front,
                tags=(cat_tag, *phase_tags, *topic_words(topic_cell, skip=[cat_tag])),
            )
        )


def _behavioral_bullet(block: _Bullet, plan: Any) -> None:
    if block.section is None or "behavio" not in slug(block.section[1]):
        return
    prompts = [a or b for a, b in _QUOTED_RE.findall(block.text)]
    topic = slug(" ".join(prompts))
    if not topic:
        return
    phase_tags = _phase_tags(block.phase)
    title = block.section[1]
    deck = plan(
        DeckPlan(
            id=BEHAVIORAL,
            name=title,
            category="Behavioral",
            description=f"Practice prompts from the syllabus's {title} section; "
            "each back is an answer framework, not a script.",
            tags=[BEHAVIORAL, *phase_tags],
            line=block.line,
        )
    )
    deck.add(
        Skeleton(
            topic=f"{BEHAVIORAL}-{topic}",
            front=f"Practice answering: {inline_text(block.text)}",
            tags=(BEHAVIORAL, *phase_tags),
        )
    )


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
