"""Importing cards from CSV and TSV files, Anki's "Notes in Plain Text" export included.

Reading a file (pure, no writes) gives good rows and bad rows, each with the line
where its record starts. Anki's header lines are understood: `#separator:`,
`#html:`, `#tags:`, `#deck:`, `#columns:`, `#notetype:` and the `#guid column:`,
`#deck column:`, `#tags column:`, `#notetype column:` (1-based) positions. Without
them, the separator is guessed from the first record (a tab, then `;`, then `,`;
a `.csv` file prefers `,`), and a first row of column names (front, back, tags,
deck, guid) is used as such. The columns that are not guid/notetype/deck/tags
are the note's fields: the first is the front, the second the back, and a third
one, when no tags column was named, holds the tags (as Anki maps it). The extra
columns of `flashprep export tsv` (CardId, KeyPoints, Topic, named in its
`#columns:` line) are read back, so a card keeps its id, key points and topic.

HTML fields (`#html:true`, or HTML seen in a file without that header, as Anki
guesses) become Markdown where that is simple - `<br>` and `<div>` lines (hard
line breaks), `<p>`, `<b>`/`<strong>`, `<i>`/`<em>`, `<code>`, `<pre>`, lists -
and entities are decoded; any other tag is kept as it is, as text.

Planning decides where each row goes and which rows are already present: a row
whose GUID equals a card's `guid` (or a card's id), or whose front is the same
text as a loaded card's front, is a duplicate, so importing a file twice adds
nothing the second time. Writing goes through flashprep.manage.append_cards,
one atomic write per deck file.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flashprep.cardmodel import Collection
from flashprep.errors import InputError
from flashprep.manage import (
    MAX_KEY_POINTS,
    Added,
    DeckMeta,
    NewCard,
    Target,
    append_cards,
    front_key,
    is_slug,
    new_deck_target,
    resolve_target,
    slugify,
    taken_ids,
)
from flashprep.schedule import CardState

SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
LABELS = {
    "front": "front",
    "question": "front",
    "back": "back",
    "answer": "back",
    "tags": "tags",
    "deck": "deck",
    "guid": "guid",
    "notetype": "notetype",
    "note type": "notetype",
    # Columns of `flashprep export tsv` (FlashPrep note type), read back when present.
    "keypoints": "key_points",
    "key points": "key_points",
    "key_points": "key_points",
    "cardid": "id",
    "card id": "id",
    "id": "id",
    "topic": "topic",
}
IMPORTED_CATEGORY = "Imported"
_HTML_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(nbsp|lt|gt|amp|quot|#\d+);")

# ----------------------------------------------------------------- HTML -> Markdown

_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}  # the same both ends


class _ToMarkdown(HTMLParser):
    """The simple tags become Markdown; any other tag stays as text, as it was written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0
        self.fence_at: int | None = None  # index of the open fence, to add a language
        self.fence_fresh = False  # nothing written inside the code block yet
        self.lists: list[list[int]] = []  # open <ul>/<ol>: [0] or [next number]
        self.item_start = False  # just wrote a list marker

    def _tail(self) -> str:
        return "".join(self.out[-4:])

    def _newline(self) -> None:
        tail = self._tail()
        if tail and not tail.endswith("\n"):
            self.out.append("\n")

    def _blank(self) -> None:
        """End the current block with an empty line (Markdown's paragraph break)."""
        self._newline()
        tail = self._tail()
        if tail and not tail.endswith("\n\n"):
            self.out.append("\n")

    def _break(self) -> None:
        """A line break: a newline in a code block, elsewhere a Markdown hard break
        (decided in html_to_markdown)."""
        self.out.append("\n" if self.pre else _BREAK)

    def _div_edge(self) -> None:
        # Anki's editor writes each line as a <div>: a line break, not a paragraph.
        tail = self._tail()
        if tail and not tail.endswith("\n"):
            self._break()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()
        elif self.pre:
            if tag == "code" and self.fence_at is not None:
                for name, value in attrs:
                    if name == "class" and value:
                        m = re.search(r"(?:language|lang)-([\w+#-]+)", value)
                        if m:
                            self.out[self.fence_at] = f"```{m.group(1)}\n"
            # Other markup inside a code block (highlighting spans) is dropped.
        elif tag == "pre":
            self._blank()
            self.fence_at = len(self.out)
            self.fence_fresh = True
            self.out.append("```\n")
            self.pre += 1
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "p":
            self._blank()
        elif tag == "div":
            self._div_edge()
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._blank()
            self.lists.append([1] if tag == "ol" else [0])
        elif tag == "li" and self.lists:
            self._newline()
            counter = self.lists[-1]
            indent = "  " * (len(self.lists) - 1)
            if counter[0]:
                self.out.append(f"{indent}{counter[0]}. ")
                counter[0] += 1
            else:
                self.out.append(f"{indent}- ")
            self.item_start = True
        else:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()
        elif not self.pre:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self.pre:
            self.pre -= 1
            self.fence_at = None
            self._newline()
            self.out.append("```\n\n")
        elif self.pre:
            pass
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "p":
            self._blank()
        elif tag == "div":
            self._div_edge()
        elif tag == "li":
            self._newline()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._blank()
        elif tag != "br":
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        data = data.replace("\xa0", " ")
        if self.pre:
            if self.fence_fresh:
                data = data.lstrip("\n")  # <pre>\ncode: that newline belongs to the tag
                self.fence_fresh = not data
            self.out.append(data)
            return
        tail = self._tail()
        if not tail or tail.endswith("\n") or self.item_start:
            # Whitespace between block tags is layout in HTML, and leading spaces
            # would turn a Markdown line into a code block.
            data = data.lstrip()
        if data:
            self.item_start = False
            self.out.append(data)


_BREAK = "\x00\n"  # a <br> or the end of a <div> line, until html_to_markdown decides
_BREAKS_RE = re.compile("(?:\x00\n)+")


def _line_breaks(text: str) -> str:
    """One break before more text is a Markdown hard break (a backslash at the end of
    the line, which rich and Anki both show as a new line); two or more (<br><br>)
    start a new paragraph; a break before a block or at either end is just a newline."""

    def one(m: re.Match[str]) -> str:
        runs = m.group().count("\x00")
        if runs >= 2:
            return "\n\n"
        at_edge = m.start() == 0 or m.end() == len(text) or text[m.end()] == "\n"
        return "\n" if at_edge else "\\\n"

    return _BREAKS_RE.sub(one, text)


def html_to_markdown(text: str) -> str:
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    out = _line_breaks("".join(parser.out))
    out = "\n".join(line.rstrip() for line in out.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text))


# ----------------------------------------------------------------- reading


@dataclass(frozen=True)
class Row:
    line: int
    front: str
    back: str
    tags: tuple[str, ...] = ()
    deck: str | None = None
    guid: str | None = None
    key_points: tuple[str, ...] = ()
    id: str | None = None  # a card id from a CardId column, kept when it is free
    topic: str | None = None


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str


@dataclass
class ParsedFile:
    path: Path
    separator: str
    html: bool
    rows: list[Row] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    deck: str | None = None  # from #deck:
    columns: int = 0


class _Lines:
    """Feeds csv.reader line by line, remembering where each record starts and
    skipping `#` comment lines between records (never inside a quoted field)."""

    def __init__(self, lines: list[str], first_lineno: int) -> None:
        self.lines = lines
        self.i = 0
        self.lineno = first_lineno - 1
        self.at_start = True
        self.record_start = first_lineno

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while self.i < len(self.lines):
            line = self.lines[self.i]
            self.i += 1
            self.lineno += 1
            if self.at_start:
                if line.startswith("#"):
                    continue
                self.record_start = self.lineno
                self.at_start = False
            return line
        raise StopIteration


def _split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _column(meta: Mapping[str, str], key: str, path: Path, lineno: Mapping[str, int]) -> int | None:
    value = meta.get(key)
    if value is None:
        return None
    try:
        n = int(value.strip())
    except ValueError:
        n = 0
    if n < 1:
        raise InputError(
            f"{path}:{lineno[key]}: #{key}: must be a column number from 1, got {value!r}"
        )
    return n - 1


def _guess_separator(first: str, path: Path) -> str:
    if path.suffix.lower() == ".csv" and "," in first:
        return ","
    for sep in ("\t", ";", ",", "|"):
        if sep in first:
            return sep
    return "\t" if path.suffix.lower() in (".tsv", ".txt") else ","


def read_text(text: str, path: Path) -> ParsedFile:
    """Parse the file's text into good and bad rows (pure)."""
    text = text.removeprefix("\ufeff")
    lines = _split_lines(text)
    meta: dict[str, str] = {}
    where: dict[str, int] = {}
    global_tags: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n].rstrip("\r\n")
        if n == 0 and line.startswith("tags:"):
            global_tags += line[5:].split()
        elif line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep:
                key = key.strip().lower()
                meta[key] = value
                where[key] = n + 1
        else:
            break
        n += 1
    body = lines[n:]
    first_data = next((ln for ln in body if ln.strip() and not ln.startswith("#")), "")

    if "separator" in meta:
        value = meta["separator"]
        sep = SEPARATORS.get(value.strip().lower()) or (value if len(value) == 1 else None)
        if sep is None:
            names = ", ".join(SEPARATORS)
            raise InputError(
                f"{path}:{where['separator']}: #separator: unknown separator {value!r} "
                f"(use one of {names}, or a single character)"
            )
    else:
        sep = _guess_separator(first_data, path)
    if "html" in meta:
        flag = meta["html"].strip().lower()
        if flag not in ("true", "false"):
            raise InputError(
                f"{path}:{where['html']}: #html: must be true or false, got {meta['html']!r}"
            )
        html: bool | None = flag == "true"
    else:
        html = None
    if "tags" in meta:
        global_tags += meta["tags"].split()

    guid_col = _column(meta, "guid column", path, where)
    deck_col = _column(meta, "deck column", path, where)
    tags_col = _column(meta, "tags column", path, where)
    notetype_col = _column(meta, "notetype column", path, where)

    reader_lines = _Lines(body, n + 1)
    reader = csv.reader(reader_lines, delimiter=sep, quotechar='"', doublequote=True)
    records: list[tuple[int, list[str]]] = []
    bad: list[BadRow] = []
    while True:
        reader_lines.at_start = True
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append(BadRow(reader_lines.record_start, f"unreadable record ({exc})"))
            continue
        if not any(c.strip() for c in cells):
            continue
        records.append((reader_lines.record_start, cells))

    labels: list[str] = []
    if "columns" in meta:
        labels = [c.strip().lower() for c in next(csv.reader([meta["columns"]], delimiter=sep))]
    elif records and guid_col is None and deck_col is None and tags_col is None:
        head = [c.strip().lower() for c in records[0][1]]
        if all(h in LABELS for h in head) and any(LABELS[h] == "front" for h in head):
            labels = head
            records = records[1:]
    named = {LABELS[label]: i for i, label in enumerate(labels) if label in LABELS}
    guid_col = guid_col if guid_col is not None else named.get("guid")
    deck_col = deck_col if deck_col is not None else named.get("deck")
    tags_col = tags_col if tags_col is not None else named.get("tags")
    notetype_col = notetype_col if notetype_col is not None else named.get("notetype")

    if labels:
        expected = len(labels)
    elif records:
        counts = Counter(len(cells) for _, cells in records)
        top = max(counts.values())
        # The most common width; on a tie, the width of the earliest record.
        expected = next(len(cells) for _, cells in records if counts[len(cells)] == top)
    else:
        expected = 0
    for key, col in (
        ("guid column", guid_col),
        ("deck column", deck_col),
        ("tags column", tags_col),
        ("notetype column", notetype_col),
    ):
        # A header naming a column the records do not have (found by fuzzing: IndexError).
        if key in meta and col is not None and expected and col >= expected:
            raise InputError(
                f"{path}:{where[key]}: #{key}: column {col + 1} is past the last column "
                f"({expected})"
            )
    points_col, id_col, topic_col = named.get("key_points"), named.get("id"), named.get("topic")
    meta_cols = {
        c
        for c in (guid_col, deck_col, tags_col, notetype_col, points_col, id_col, topic_col)
        if c is not None
    }
    fields = [i for i in range(expected) if i not in meta_cols]
    front_col = named.get("front", fields[0] if fields else None)
    back_col = named.get("back")
    if back_col is None:
        rest = [i for i in fields if i != front_col]
        back_col = rest[0] if rest else None
    if tags_col is None and not labels:
        spare = [i for i in fields if i not in (front_col, back_col)]
        tags_col = spare[0] if spare else None
    if html is None:
        html = any(looks_like_html(c) for _, cells in records for c in cells)

    deck_name = meta.get("deck", "").strip() or None
    parsed = ParsedFile(path, sep, html, deck=deck_name, columns=expected)
    parsed.bad.extend(bad)
    for line, cells in records:
        if len(cells) != expected:
            reason = f"wrong column count: {len(cells)}, expected {expected}"
            parsed.bad.append(BadRow(line, reason))
            continue
        if front_col is None or back_col is None:
            parsed.bad.append(BadRow(line, "needs at least a front and a back column"))
            continue

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return cells[i] if i is not None else ""

        front, back = cell(front_col), cell(back_col)
        if html:
            front, back = html_to_markdown(front), html_to_markdown(back)
        else:
            front, back = front.strip(), back.strip()
        if not front:
            parsed.bad.append(BadRow(line, "missing field: the front is empty"))
            continue
        if not back:
            parsed.bad.append(BadRow(line, "missing field: the back is empty"))
            continue
        points = _key_points(cell(points_col), html)
        if len(points) > MAX_KEY_POINTS:
            reason = f"{len(points)} key points, at most {MAX_KEY_POINTS}"
            parsed.bad.append(BadRow(line, reason))
            continue
        tags = _tags([*global_tags, *re.split(r"[,\s]+", cell(tags_col))])
        card_id = cell(id_col).strip()
        topic = cell(topic_col).strip()
        parsed.rows.append(
            Row(
                line=line,
                front=front,
                back=back,
                tags=tags,
                deck=cell(deck_col).strip() or None,
                guid=cell(guid_col).strip() or None,
                key_points=points,
                id=card_id if is_slug(card_id) and re.search("[a-z]", card_id) else None,
                topic=topic if is_slug(topic) else None,
            )
        )
    parsed.bad.sort(key=lambda b: b.line)
    return parsed


def _key_points(value: str, html: bool) -> tuple[str, ...]:
    """Key points from an HTML list (`flashprep export tsv`) or one per line."""
    if not value.strip():
        return ()
    if html:
        items = re.findall(r"<li\b[^>]*>(.*?)</li>", value, re.S | re.I)
        if items:
            points = [html_to_markdown(i) for i in items]
        else:
            points = html_to_markdown(value).split("\n")
    else:
        points = value.split("\n")
    return tuple(p.strip() for p in points if p.strip())


def _tags(values: list[str]) -> tuple[str, ...]:
    """Anki tags as flashprep tags: `a::b` -> `a-b`; ones with no letters or digits dropped."""
    out: list[str] = []
    for v in values:
        tag = slugify(v.replace("::", "-"), max_len=60)
        if tag and tag not in out:
            out.append(tag)
    return tuple(out)


def read_file(path: Path) -> ParsedFile:
    from flashprep.fsutil import UnreadableFile, read_utf8

    try:
        text = read_utf8(path)
    except UnreadableFile as exc:
        raise InputError(str(exc)) from None
    return read_text(text, Path(path))


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
    from flashprep.anki import DECK_PREFIX

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
        from flashprep.anki import note_guid

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
