"""`flashprep trust FILE`: let a deck from outside the home run its exercises' checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flashprep.cli import JsonOpt, app, emit_json, workspace


@app.command()
def trust(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(help="Deck files whose exercises may run code.", metavar="FILE"),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Trust deck files from outside your home to run their exercises' tests and queries.

    The bundled decks and the ones in <home>/decks always run; a deck given with
    --decks runs its checks only once trusted. The file's sha256 is recorded in
    <home>/trusted.json: any change to the file revokes it.

    Example: flashprep trust ~/shared-decks/sql.toml
    """
    from flashprep.deckparse import read_deck_file
    from flashprep.trust import trust_file

    ws = workspace(ctx)
    done = []
    for f in files:
        if f.is_file():
            read_deck_file(f)  # only a valid deck file is worth trusting
        done.append(trust_file(ws.home, f))
    if as_json:
        emit_json(done)
        return
    for d in done:
        typer.echo(f"trusted {d['path']} (sha256 {d['sha256'][:12]}); any change revokes it")
