"""`flashprep import FILE`: cards from CSV/TSV and Anki's plain-text notes export.

Option parsing and output only; flashprep.importer reads, plans and writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flashprep.cli import JsonOpt, app, emit_json, open_history, warn, workspace
from flashprep.errors import InputError


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="A .csv, .tsv or .txt file (Anki: Notes in Plain Text).", dir_okay=False
        ),
    ],
    deck: Annotated[
        str | None,
        typer.Option(
            "--deck",
            "-d",
            help="Put every card in this deck (a bundled deck's go to <deck>-extra; "
            "a new id makes a new user deck).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show what would happen; write nothing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import cards; rows already present (same GUID or same front) are skipped.

    Bad rows are reported with their line number and the good ones still imported
    (exit code 2 when any row was bad, as for any bad input).

    Example: flashprep import ~/Downloads/python.txt --deck python --dry-run
    """
    from flashprep.importer import plan_import, run_import
    from flashprep.importfile import read_file

    ws = workspace(ctx)
    parsed = read_file(file)
    if not parsed.rows and not parsed.bad:
        raise InputError(f"{file}: no cards found")
    col = ws.collection
    plan = plan_import(parsed, col, ws.home, deck=deck)
    with open_history(ws) as history:
        states = history.states  # only its ids are used: no copy, which decodes every state
    result = run_import(plan, col, states, ws.home, dry_run=dry_run)
    if as_json:
        emit_json(result.to_dict(file))
    else:
        for b in result.bad:
            warn(f"{file}:{b.line}: {b.reason}")
        verb = "would add" if dry_run else "added"
        created = sorted({(a.deck, a.path) for _, a in result.added if a.created_deck})
        for deck_id, path in created:
            what = "would create" if dry_run else "created"
            typer.echo(f"{what} user deck {deck_id!r} ({path})")
        per_deck: dict[str, int] = {}
        for _, a in result.added:
            per_deck[a.deck] = per_deck.get(a.deck, 0) + 1
        where = ", ".join(f"{n} to {d}" for d, n in sorted(per_deck.items()))
        typer.echo(f"{verb} {len(result.added)} card(s)" + (f" ({where})" if where else ""))
        if dry_run:
            for line, a in result.added:
                typer.echo(f"  line {line}: {a.id} -> {a.deck}")
        if result.duplicates:
            typer.echo(f"skipped {len(result.duplicates)} already present")
            if dry_run:
                for line, reason in result.duplicates:
                    typer.echo(f"  line {line}: {reason}")
        if result.bad:
            typer.echo(f"{len(result.bad)} bad row(s) left out (see above)")
    if result.bad:
        raise typer.Exit(2)
