"""`flashprep generate`: deck skeletons from a syllabus's Markdown tables.

The logic (parsing, merging, writing) lives in flashprep.generate; this module
picks the output folder and prints what changed per deck.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flashprep.cli import JsonOpt, app, emit_json, workspace


@app.command()
def generate(
    ctx: typer.Context,
    syllabus: Annotated[
        Path, typer.Argument(help="Syllabus Markdown file with a must-know or What to Cover table.")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder of deck files to create or merge into "
            "(default: <home>/decks, where your own decks live).",
            file_okay=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create deck skeletons from SYLLABUS, or add its missing items to existing decks.

    Existing cards, answers and comments are never changed; new items are added
    as draft cards with an empty back, which `flashprep validate` lists until
    they are answered. Running it again with nothing new changes no file.

    Example: flashprep generate syllabus.md --out my-decks
    """
    from flashprep.decksources import BUNDLED, bundled_dir, deck_sources, user_decks_dir
    from flashprep.generate import generate as run

    ws = workspace(ctx)
    out_dir = out if out is not None else user_decks_dir(ws.home)
    # The user's decks folder is always loaded together with the bundled decks,
    # so what those already cover counts as present there (no duplicate ids).
    alongside: list[Path] = []
    if _same(out_dir, user_decks_dir(ws.home)) and not _same(out_dir, bundled_dir()):
        alongside = [p for p, source in deck_sources(ws.home) if source == BUNDLED]
    changes = run(syllabus, out_dir, alongside=alongside)
    if as_json:
        emit_json({"out": str(out_dir), "decks": [c.to_dict() for c in changes]})
        return
    for c in changes:
        name = c.path.name
        if c.action == "created":
            typer.echo(f"created {name}: deck {c.deck_id!r}, {_cards(len(c.added))} to answer")
        elif c.action == "updated":
            typer.echo(f"updated {name}: added {_cards(len(c.added))} ({', '.join(c.added)})")
        elif c.alongside:
            typer.echo(f"unchanged {c.deck_id}: all {c.present} item(s) are in the bundled decks")
        else:
            typer.echo(f"unchanged {name}: all {c.present} item(s) present")
    added = sum(len(c.added) for c in changes)
    created = sum(c.action == "created" for c in changes)
    updated = sum(c.action == "updated" for c in changes)
    unchanged = len(changes) - created - updated
    summary = f"{created} deck(s) created, {updated} updated, {unchanged} unchanged"
    if added:
        summary += f"; {_cards(added)} to answer in {out_dir} (flashprep validate lists them)"
    else:
        summary += "; nothing to add"
    typer.echo(summary)


def _cards(n: int) -> str:
    return f"{n} card" if n == 1 else f"{n} cards"


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
