"""Export to Anki: flashprep cards as Anki notes, as an .apkg package or Anki's text format.

This module selects the cards, builds the Anki decks and writes the files. How a
card is named and recognised in Anki (GUIDs, note type and deck ids, the note and
deck types) is flashprep.ankinote; how it looks there (Markdown to HTML, highlighted
code, the note type's templates and CSS) is flashprep.ankirender.

Anki updates a note in place when the GUID and note type id match and the incoming
copy is newer, which is why notes are stamped with the export time. genanki builds
the collection; the .apkg zip and the text file are written to a temporary file in
the target folder and renamed into place, so a failed export never leaves a
half-written file. genanki is imported inside the functions that use it.
"""

from __future__ import annotations

import html
import itertools
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flashprep.ankinote import (
    FIELD_NAMES,
    NOTETYPE_ID,
    NOTETYPE_NAME,
    TEMPLATE_NAME,
    TSV_COLUMNS,
    AnkiDeck,
    ExportResult,
    anki_deck_name,
    stable_id,
)
from flashprep.ankinote import anki_tag as anki_tag  # re-exported: tests use anki.<name>
from flashprep.ankinote import note_guid as note_guid
from flashprep.ankirender import BACK_TEMPLATE, FRONT_TEMPLATE, Renderer, note_type_css
from flashprep.ankirender import code_css as code_css
from flashprep.cardmodel import Card, Collection
from flashprep.errors import InputError
from flashprep.fsutil import atomic_produce

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


def build_decks(
    col: Collection, cards: Sequence[Card], home: Path | None = None
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
            out.append(
                AnkiDeck(stable_id("deck", name), name, deck.id, deck.description, tuple(notes))
            )
    return tuple(out)


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
            gdeck.add_note(
                genanki.Note(
                    model=model,
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=note.guid,
                    due=note.position,
                )
            )
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
    col: Collection,
    path: Path,
    deck_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    *,
    moment: datetime,
    force: bool = False,
    home: Path | None = None,
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
    col: Collection,
    path: Path,
    deck_ids: Sequence[str] = (),
    tags: Sequence[str] = (),
    *,
    force: bool = False,
    home: Path | None = None,
) -> ExportResult:
    cards = select_cards(col, deck_ids, tags)
    check_output(path, force)
    decks = build_decks(col, cards, home)
    data = render_tsv(decks).encode("utf-8")
    size = atomic_produce(path, lambda tmp: tmp.write_bytes(data), error=InputError)
    return ExportResult(path, "tsv", decks, size)
