"""`flashprep export anki` and `flashprep export tsv`: cards out to Anki.

Option parsing and the summary only; flashprep.anki does the work (and is
imported inside the commands, so genanki, markdown-it and pygments stay off the
start-up path).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flashprep import completion
from flashprep.cli import JsonOpt, app, emit_json, warn, workspace

if TYPE_CHECKING:
    from flashprep.ankinote import ExportResult

export_app = typer.Typer(
    help="Export cards to Anki: an .apkg package or Anki's text import format.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

DeckOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--deck",
        help="Only this deck id (repeatable; default: every deck).",
        autocompletion=completion.deck_ids,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="Only cards with this tag (repeatable; any of them).",
        autocompletion=completion.tags,
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")]


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def print_summary(result: ExportResult, as_json: bool) -> None:
    if as_json:
        emit_json(result.to_dict())
        return
    width = max(len(d.name) for d in result.decks)
    for d in result.decks:
        typer.echo(f"  {d.name:<{width}}  {len(d.notes):>4} note(s)")
    decks = len(result.decks)
    typer.echo(
        f"Wrote {result.notes} note(s) in {decks} deck{'s' if decks != 1 else ''} "
        f"to {result.path} ({human_size(result.size)})."
    )


@export_app.command("anki")
def export_anki(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .apkg file to write.")] = Path(
        "flashprep.apkg"
    ),
    deck: DeckOpt = None,
    tag: TagOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write an Anki package: one note per answered card, one Anki deck per flashprep deck.

    Decks are named FlashPrep::<deck name>. Import the file again after editing
    cards and Anki updates those notes in place instead of adding copies.

    Example: flashprep export anki -o ~/interview.apkg --deck python --force
    """
    from flashprep.anki import export_apkg

    ws = workspace(ctx)
    result = export_apkg(
        ws.collection,
        output,
        deck or [],
        tag or [],
        moment=ws.now(),
        force=force,
        home=ws.home,
    )
    # After the export: when it fails, its error is the one line printed.
    if output.suffix.lower() != ".apkg":
        warn(f"{output} does not end in .apkg; Anki only opens packages with that extension")
    print_summary(result, as_json)


@export_app.command("tsv")
def export_tsv(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The text file to write.")] = Path(
        "flashprep.txt"
    ),
    deck: DeckOpt = None,
    tag: TagOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write Anki's plain-text import format: tab-separated, HTML fields, one note per line.

    The header tells Anki the note type (FlashPrep), and which columns hold the
    deck, the tags and the note's GUID, so importing it updates notes made by
    `flashprep export anki`.

    Example: flashprep export tsv -o cards.txt --tag sql
    """
    from flashprep.anki import export_tsv as write_tsv

    ws = workspace(ctx)
    result = write_tsv(ws.collection, output, deck or [], tag or [], force=force, home=ws.home)
    print_summary(result, as_json)
