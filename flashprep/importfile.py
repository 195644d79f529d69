"""Reading a CSV or TSV file to import (pure, no writes): good rows and bad rows.

Each row keeps the line where its record starts. Anki's header lines are understood:
`#separator:`, `#html:`, `#tags:`, `#deck:`, `#columns:`, `#notetype:` and the
`#guid column:`, `#deck column:`, `#tags column:`, `#notetype column:` (1-based)
positions. Without them, the separator is guessed from the first record (a tab, then
`;`, then `,`; a `.csv` file prefers `,`), and a first row of column names (front,
back, tags, deck, guid) is used as such. The columns that are not
guid/notetype/deck/tags are the note's fields: the first is the front, the second
the back, and a third one, when no tags column was named, holds the tags (as Anki
maps it). The extra columns of `flashprep export tsv` (CardId, KeyPoints, Topic,
named in its `#columns:` line) are read back, so a card keeps its id, key points and
topic. HTML fields (`#html:true`, or HTML seen in a file without that header, as
Anki guesses) become Markdown through flashprep.htmlmd. flashprep.importer plans and
writes what is read.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flashprep.cardfiles import is_slug, slugify
from flashprep.cardmodel import MAX_KEY_POINTS
from flashprep.errors import InputError
from flashprep.htmlmd import html_to_markdown, looks_like_html

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
            key, colon, value = line[1:].partition(":")
            if colon:
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
        found = SEPARATORS.get(value.strip().lower()) or (value if len(value) == 1 else None)
        if found is None:
            names = ", ".join(SEPARATORS)
            raise InputError(
                f"{path}:{where['separator']}: #separator: unknown separator {value!r} "
                f"(use one of {names}, or a single character)"
            )
        sep = found
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
    for lineno, cells in records:
        if len(cells) != expected:
            reason = f"wrong column count: {len(cells)}, expected {expected}"
            parsed.bad.append(BadRow(lineno, reason))
            continue
        if front_col is None or back_col is None:
            parsed.bad.append(BadRow(lineno, "needs at least a front and a back column"))
            continue

        def cell(i: int | None, cells: list[str] = cells) -> str:
            return cells[i] if i is not None else ""

        front, back = cell(front_col), cell(back_col)
        if html:
            front, back = html_to_markdown(front), html_to_markdown(back)
        else:
            front, back = front.strip(), back.strip()
        if not front:
            parsed.bad.append(BadRow(lineno, "missing field: the front is empty"))
            continue
        if not back:
            parsed.bad.append(BadRow(lineno, "missing field: the back is empty"))
            continue
        points = _key_points(cell(points_col), html)
        if len(points) > MAX_KEY_POINTS:
            reason = f"{len(points)} key points, at most {MAX_KEY_POINTS}"
            parsed.bad.append(BadRow(lineno, reason))
            continue
        tags = _tags([*global_tags, *re.split(r"[,\s]+", cell(tags_col))])
        card_id = cell(id_col).strip()
        topic = cell(topic_col).strip()
        parsed.rows.append(
            Row(
                line=lineno,
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
