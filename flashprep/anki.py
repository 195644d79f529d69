"""Export to Anki: flashprep cards as Anki notes, as an .apkg package or Anki's text format.

This module owns how a flashprep card looks inside Anki and how Anki recognises
it again on the next import:

* one note type "FlashPrep" (fields Front, Back, KeyPoints, CardId, Topic) with
  its template and CSS; code is highlighted with CSS classes whose colours switch
  with Anki's night mode (`.nightMode` on desktop and AnkiMobile, `.night_mode`
  on AnkiDroid);
* one Anki deck per flashprep deck, named `FlashPrep::<deck name>`;
* identity: a note's GUID is a hash of the flashprep card id, and the note
  type's and the decks' ids are hashes of their names (sha256, never Python's
  salted hash()), so every export of the same card, on any machine, is the same
  Anki note. Anki updates a note in place when the GUID and note type id match
  and the incoming copy is newer, which is why notes are stamped with the export
  time.

Markdown becomes HTML with markdown-it-py and fenced code is coloured with
pygments. genanki builds the collection; the .apkg zip and the text file are
written to a temporary file in the target folder and renamed into place, so a
failed export never leaves a half-written file. genanki, markdown_it and
pygments are imported inside the functions that use them.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
import sqlite3
import string
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from flashprep.cardmodel import Card, Collection
from flashprep.errors import InputError
from flashprep.fsutil import atomic_produce

NOTETYPE_NAME = "FlashPrep"
FIELD_NAMES = ("Front", "Back", "KeyPoints", "CardId", "Topic")
TEMPLATE_NAME = "Card 1"
DECK_PREFIX = "FlashPrep::"
# Extra columns of the text export, after the note's fields (1-based numbers in the header).
TSV_COLUMNS = (*FIELD_NAMES, "Deck", "Tags", "GUID")
LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"


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
        return (self.front, self.back, self.key_points, html.escape(self.card_id),
                html.escape(self.topic))


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


# ----------------------------------------------------------------- selection


def select_cards(col: Collection, deck_ids: Sequence[str], tags: Sequence[str]) -> list[Card]:
    """The answered cards to export; every filter must match something.

    Draft cards are left out: they have no answer yet.
    """
    cards = col.select(deck_ids, tags)  # unknown deck ids and unknown tags are errors there
    for tag in dict.fromkeys(tags):
        if not any(tag in c.tags for c in cards):
            where = " in the chosen decks" if deck_ids else ""
            raise InputError(
                f"--tag {tag!r} matches no card to export{where} (drafts are not exported)"
            )
    if not tags:
        for deck_id in dict.fromkeys(deck_ids):
            if not any(c.deck == deck_id for c in cards):
                raise InputError(
                    f"deck {deck_id!r} has no card to export (drafts are not exported)"
                )
    if not cards:
        raise InputError("nothing to export: no answered cards are loaded")
    return cards


def build_decks(col: Collection, cards: Sequence[Card], home: Path | None = None
                ) -> tuple[AnkiDeck, ...]:
    """Group cards into Anki decks: decks in load order, cards in deck-file order.

    That is the order flashprep introduces new cards in, so Anki gets the same
    order through each note's new-card position; it also makes the output
    deterministic.
    """
    chosen = {c.id for c in cards}
    render = Renderer(home)
    out = []
    position = 0
    for deck in col.decks:
        notes = []
        for card_id in deck.card_ids:
            if card_id not in chosen:
                continue
            notes.append(render.note(col.cards[card_id], position))
            position += 1
        if notes:
            name = anki_deck_name(deck.name)
            out.append(AnkiDeck(stable_id("deck", name), name, deck.id, deck.description,
                                tuple(notes)))
    return tuple(out)


# ----------------------------------------------------------------- HTML


class Renderer:
    """Markdown to HTML for card fields; builds its markdown-it parser on first use.

    An exercise card (kind sql or python) becomes a card to answer in your head: its
    prompt with the dataset's schema (sql) on the front, and on the back the
    explanation, the reference solution and its result (the result table of the
    query, run on SQLite; for Python, the tests it passes). `home` is where the
    user's datasets are looked for.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.home = home

    @cached_property
    def _md(self) -> Any:
        from markdown_it import MarkdownIt

        # Raw HTML in a deck is shown as text, like in the terminal; tables and
        # ~~strike~~ are common in interview notes.
        md = MarkdownIt("commonmark", {"html": False, "highlight": highlight_code})
        return md.enable(["table", "strikethrough"])

    def block(self, text: str) -> str:
        return str(self._md.render(text)).strip()

    def inline(self, text: str) -> str:
        return str(self._md.renderInline(text)).strip()

    def key_points(self, points: Sequence[str]) -> str:
        if not points:
            return ""
        items = "".join(f"<li>{self.inline(p)}</li>" for p in points)
        return f'<ul class="fp-points-list">{items}</ul>'

    def note(self, card: Card, position: int) -> AnkiNote:
        tags = sorted({anki_tag(t) for t in (*card.tags, card.deck)} - {""})
        # A card that came from Anki (flashprep import) keeps its note's GUID, so
        # exporting it back finds that note instead of adding a copy.
        front, back = card.front, card.back
        if card.is_exercise:
            front, back = self.exercise_markdown(card)
        return AnkiNote(
            guid=card.guid or note_guid(card.id),
            card_id=card.id,
            front=self.block(front),
            back=self.block(back),
            key_points=self.key_points(card.key_points),
            topic=card.topic or "",
            tags=tuple(tags),
            position=position,
        )


    def exercise_markdown(self, card: Card) -> tuple[str, str]:
        """(front, back) Markdown of an exercise: see the class docstring."""
        from flashprep.exercises.check import Checker
        from flashprep.exercises.datasets import schema_of
        from flashprep.exercises.sql import QueryError, run_reference_sqlite

        solution = card.solution or ""
        if card.kind != "sql":
            back = (f"{card.back}\n\n**Solution**\n\n```python\n{solution}\n```\n\n"
                    f"**It passes**\n\n```python\n{card.tests or ''}\n```")
            return card.front, back
        script = Checker(self.home).dataset(card)
        front = (f"{card.front}\n\n**Tables** (dataset `{card.dataset}`)\n\n"
                 f"```sql\n{schema_of(script)}\n```")
        try:
            result = result_markdown(run_reference_sqlite(solution, script))
        except QueryError as exc:
            raise InputError(f"{card.path}:{card.line}: card {card.id!r}: the reference "
                             f"solution does not run: {exc.message}") from None
        back = (f"{card.back}\n\n**Solution**\n\n```sql\n{solution}\n```\n\n"
                f"**Result**\n\n{result}")
        return front, back


EXPORT_ROWS = 20  # rows of an exercise's result shown in Anki


def result_markdown(table: Any) -> str:
    """A query result as a Markdown table (its first EXPORT_ROWS rows)."""
    from flashprep.ui.exercise import cell

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    cols = list(table.columns) or ["(no columns)"]
    lines = ["| " + " | ".join(esc(c) for c in cols) + " |",
             "|" + "|".join("---" for _ in cols) + "|"]
    for row in table.rows[:EXPORT_ROWS]:
        lines.append("| " + " | ".join(esc(cell(v)) for v in row) + " |")
    total = table.total or len(table.rows)
    more = f"\n\n… and {total - EXPORT_ROWS} more row(s)" if total > EXPORT_ROWS else ""
    return "\n".join(lines) + more


def highlight_code(code: str, lang: str, attrs: str = "") -> str:
    """A fenced block as <pre class="fp-code">, coloured with pygments' CSS classes.

    Unknown or missing languages are shown plain; guessing a lexer is slow and
    often wrong on short snippets.
    """
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    body = None
    if lang:
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = highlight(code, lexer, HtmlFormatter(nowrap=True))
    if body is None:
        body = html.escape(code, quote=False)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f'<pre class="fp-code"><code{cls}>{body.rstrip(chr(10))}</code></pre>'


# ----------------------------------------------------------------- note type

FRONT_TEMPLATE = """\
<div class="fp-card">
  <div class="fp-front">{{Front}}</div>
</div>"""

BACK_TEMPLATE = """\
{{FrontSide}}
<hr id="answer">
<div class="fp-card">
  <div class="fp-back">{{Back}}</div>
  {{#KeyPoints}}
  <div class="fp-points"><div class="fp-label">Key points</div>{{KeyPoints}}</div>
  {{/KeyPoints}}
  <div class="fp-meta">{{#Topic}}<span class="fp-topic">{{Topic}}</span>{{/Topic}}\
<span class="fp-id">{{CardId}}</span></div>
</div>"""

BASE_CSS = """\
.card {
  --fp-fg: #1f2328;
  --fp-bg: #ffffff;
  --fp-muted: #59636e;
  --fp-border: #d1d9e0;
  --fp-code-bg: #f6f8fa;
  --fp-accent: #0969da;
  --fp-points-bg: #f0f6ff;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, sans-serif;
  font-size: 19px;
  line-height: 1.55;
  text-align: left;
  color: var(--fp-fg);
  background-color: var(--fp-bg);
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --fp-fg: #e6edf3;
  --fp-bg: #1e1f22;
  --fp-muted: #9198a1;
  --fp-border: #3d444d;
  --fp-code-bg: #161b22;
  --fp-accent: #4493f8;
  --fp-points-bg: #1b2636;
}
.fp-card { max-width: 46em; margin: 0 auto; padding: 0 .5em; }
.fp-front { font-size: 1.1em; font-weight: 600; }
.fp-card p { margin: .5em 0; }
.fp-card a { color: var(--fp-accent); }
.fp-card table { border-collapse: collapse; margin: .6em 0; }
.fp-card th, .fp-card td { border: 1px solid var(--fp-border); padding: .25em .6em; }
hr#answer { border: 0; border-top: 1px solid var(--fp-border); margin: 1em 0; }
.fp-card code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em;
}
.fp-card :not(pre) > code {
  background: var(--fp-code-bg);
  border-radius: 4px;
  padding: .1em .35em;
}
.fp-code {
  background: var(--fp-code-bg);
  color: var(--fp-fg);
  border: 1px solid var(--fp-border);
  border-radius: 6px;
  padding: .7em 1em;
  overflow-x: auto;
  line-height: 1.45;
  font-weight: normal;
  white-space: pre;
  text-align: left;
}
.fp-points {
  margin-top: 1em;
  padding: .5em .9em;
  border-left: 3px solid var(--fp-accent);
  background: var(--fp-points-bg);
  border-radius: 0 6px 6px 0;
}
.fp-label {
  font-size: .75em;
  font-weight: 600;
  letter-spacing: .05em;
  text-transform: uppercase;
  color: var(--fp-muted);
}
.fp-points-list { margin: .3em 0; padding-left: 1.3em; }
.fp-meta { margin-top: 1.2em; font-size: .75em; color: var(--fp-muted); }
.fp-topic { margin-right: 1em; }
.fp-topic::before { content: "# "; }
"""


def _token_declarations(style: Any, props: set[str]) -> str:
    """CSS for one token's style, limited to `props` (the ones either theme sets)."""
    parts = []
    if "color" in props:
        parts.append(f"color: #{style['color']}" if style["color"] else "color: inherit")
    if "bold" in props:
        parts.append("font-weight: bold" if style["bold"] else "font-weight: normal")
    if "italic" in props:
        parts.append("font-style: italic" if style["italic"] else "font-style: normal")
    if "underline" in props:
        parts.append(
            "text-decoration: underline" if style["underline"] else "text-decoration: none"
        )
    if "bgcolor" in props:
        parts.append(
            f"background-color: #{style['bgcolor']}" if style["bgcolor"]
            else "background-color: transparent"
        )
    return "; ".join(parts)


def code_css() -> str:
    """Token colours for light mode and, under the night-mode classes, for dark mode.

    For every token class both rules set the same properties, so the night rule
    (more specific) always fully replaces the light one: no light colour leaks
    onto a dark background.
    """
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES

    light, dark = get_style_by_name(LIGHT_CODE_STYLE), get_style_by_name(DARK_CODE_STYLE)
    light_rules, dark_rules = [], []
    for ttype, cls in sorted(STANDARD_TYPES.items(), key=lambda kv: kv[1]):
        if not cls:
            continue
        ls, ds = light.style_for_token(ttype), dark.style_for_token(ttype)
        props = {p for p in ("color", "bold", "italic", "underline", "bgcolor") if ls[p] or ds[p]}
        if not props:
            continue
        light_rules.append(f".fp-code .{cls} {{ {_token_declarations(ls, props)} }}")
        dark_rules.append(
            f".nightMode .fp-code .{cls}, .night_mode .fp-code .{cls} "
            f"{{ {_token_declarations(ds, props)} }}"
        )
    return "\n".join(light_rules + dark_rules) + "\n"


def note_type_css() -> str:
    return BASE_CSS + code_css()


# ----------------------------------------------------------------- output files


def check_output(path: Path, force: bool) -> None:
    """Refuse a path that cannot or must not be written, before any work is done."""
    if path.is_dir():
        raise InputError(f"cannot write {path}: it is a directory")
    parent = path.parent
    if not parent.is_dir():
        reason = "not a directory" if parent.exists() else "no such directory"
        raise InputError(f"cannot write {path}: {parent}: {reason}")
    if path.exists() and not force:
        raise InputError(f"{path} already exists (use --force to replace it)")


# ----------------------------------------------------------------- .apkg


def _genanki_model() -> Any:
    import genanki

    return genanki.Model(
        NOTETYPE_ID,
        NOTETYPE_NAME,
        fields=[{"name": name} for name in FIELD_NAMES],
        templates=[{"name": TEMPLATE_NAME, "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
        css=note_type_css(),
        sort_field_index=0,
    )


def write_collection(decks: Sequence[AnkiDeck], db_path: Path, moment: datetime) -> None:
    """Fill an Anki collection (SQLite) at `db_path` with genanki."""
    import genanki

    model = _genanki_model()
    package = genanki.Package([])
    for deck in decks:
        gdeck = genanki.Deck(deck.id, deck.name, html.escape(deck.description))
        for note in deck.notes:
            gdeck.add_note(genanki.Note(
                model=model, fields=list(note.fields), tags=list(note.tags), guid=note.guid,
                due=note.position,
            ))
        package.decks.append(gdeck)
    # The timestamp is every note's modification time: Anki replaces an existing
    # note only with a newer one, so it must be the export time.
    timestamp = moment.timestamp()
    conn = sqlite3.connect(db_path)
    try:
        package.write_to_db(conn.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        conn.commit()
    finally:
        conn.close()


def write_apkg(decks: Sequence[AnkiDeck], path: Path, moment: datetime) -> int:
    """Write the .apkg (a zip of collection.anki2 and an empty media map); return its size.

    genanki's own write_to_file leaves its SQLite scratch file behind in the
    system temp folder, so the collection is built in a folder we remove and
    zipped here, with the entries dated at the export moment.
    """
    stamp = moment.astimezone(UTC).timetuple()[:6]

    def produce(tmp: Path) -> None:
        with tempfile.TemporaryDirectory(prefix="flashprep-anki-") as scratch:
            db_path = Path(scratch) / "collection.anki2"
            write_collection(decks, db_path, moment)
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name, data in (("collection.anki2", db_path.read_bytes()), ("media", b"{}")):
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    zf.writestr(info, data)

    return atomic_produce(path, produce, error=InputError)


def export_apkg(
    col: Collection, path: Path, deck_ids: Sequence[str] = (), tags: Sequence[str] = (),
    *, moment: datetime, force: bool = False, home: Path | None = None,
) -> ExportResult:
    cards = select_cards(col, deck_ids, tags)
    check_output(path, force)  # before the cards are rendered, which takes seconds at 50,000
    decks = build_decks(col, cards, home)
    size = write_apkg(decks, path, moment)
    return ExportResult(path, "apkg", decks, size)


# ----------------------------------------------------------------- text format

_PRE_RE = re.compile(r"(<pre\b.*?</pre>)", re.S)


def one_line_html(value: str) -> str:
    """The same HTML on one line with no tabs, for one note per line of the text format.

    Line breaks inside <pre> become <br> (they are content there); elsewhere
    they are just whitespace between tags and words.
    """
    parts = _PRE_RE.split(value.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for i, part in enumerate(parts):
        part = part.replace("\n", "<br>") if i % 2 else part.replace("\n", " ")
        out.append(part.replace("\t", "&#9;"))
    return "".join(out).strip()


def tsv_field(value: str) -> str:
    """Quote a field the way Anki's CSV reader expects, when it needs it.

    A field with a double quote (HTML attributes) is wrapped in quotes with
    inner quotes doubled; so is one starting with "#", which at the start of a
    line would make Anki skip the row as a comment.
    """
    if '"' in value or value.startswith("#"):
        return '"' + value.replace('"', '""') + '"'
    return value


def render_tsv(decks: Sequence[AnkiDeck]) -> str:
    col = {name: n for n, name in enumerate(TSV_COLUMNS, start=1)}
    lines = [
        "#separator:tab",
        "#html:true",
        f"#notetype:{NOTETYPE_NAME}",
        "#columns:" + "\t".join(TSV_COLUMNS),
        f"#deck column:{col['Deck']}",
        f"#tags column:{col['Tags']}",
        f"#guid column:{col['GUID']}",
    ]
    for deck in decks:
        for note in deck.notes:
            row = [one_line_html(f) for f in note.fields]
            row += [deck.name, " ".join(note.tags), note.guid]
            lines.append("\t".join(tsv_field(v) for v in row))
    return "\n".join(lines) + "\n"


def export_tsv(
    col: Collection, path: Path, deck_ids: Sequence[str] = (), tags: Sequence[str] = (),
    *, force: bool = False, home: Path | None = None,
) -> ExportResult:
    cards = select_cards(col, deck_ids, tags)
    check_output(path, force)
    decks = build_decks(col, cards, home)
    data = render_tsv(decks).encode("utf-8")
    size = atomic_produce(path, lambda tmp: tmp.write_bytes(data), error=InputError)
    return ExportResult(path, "tsv", decks, size)
