"""The `flashprep` command line's app, its shared helpers, and the core commands.

`app`, `workspace`, `open_history`, `emit_json`, `warn` and `JsonOpt` are what every
command module in flashprep/commands/ imports from here; this module imports none of
them (flashprep.main puts the app together and is the console entry point).

This is the one place where a FlashprepError becomes a message on stderr
("flashprep: error: ...", one line) and exit code 2. Commands stay thin: they
open a Workspace, call the library, and hand results to flashprep.ui (imported
inside the command, so `flashprep status` never pays for rich or questionary).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from flashprep import __version__, completion
from flashprep.errors import FlashprepError
from flashprep.workspace import Workspace


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"flashprep: error: {' '.join(message.split())}", err=True)
    return typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"flashprep: warning: {' '.join(message.split())}", err=True)


class FlashprepGroup(TyperGroup):
    """Turns the core's errors into one line on stderr and exit code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keep pydantic off the start-up path (see flashprep/fastparams.py).
        from flashprep.fastparams import install

        install(self)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # Only when the shell asks for completions (flashprep/completion.py) are typer's
        # completion classes registered to answer it.
        if completion.completing():
            completion.prepare()
        return super().main(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FlashprepError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            raise fail(f"cannot access{where}: {exc.strerror or exc}") from None


app = typer.Typer(
    cls=FlashprepGroup,
    name="flashprep",
    help="Spaced-repetition flashcards for backend interview prep (SM-2).",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: typer's rich help labels every flag "<bool>", as if it took a value.
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"flashprep {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            metavar="DIR",
            help="Data folder (default: $FLASHPREP_HOME or the user data dir).",
            file_okay=False,
        ),
    ] = None,
    decks: Annotated[
        list[Path] | None,
        typer.Option(
            "--decks",
            metavar="DIR",
            help="Extra folder of deck files (repeatable).",
            file_okay=True,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """flashprep: review what is due each day with `flashprep review`."""
    ctx.obj = Workspace(home, decks or ())


def workspace(ctx: typer.Context) -> Workspace:
    ws = ctx.find_root().obj
    assert isinstance(ws, Workspace)
    return ws


def _is_tty(stream: Any) -> bool:
    # Not flashprep.ui.plain.is_tty: that module pulls in the review session, and every
    # command opens the history through here.
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def open_history(ws: Workspace, *, write: bool = False) -> Any:
    """Open the history, print its warnings, and on a terminal show a bar while a long log
    is indexed (a first run on an old home, or a deleted index)."""
    bar = None
    if _is_tty(sys.stderr):
        from flashprep.ui.progress import IndexBar

        bar = IndexBar()
    try:
        history = ws.history(write=write, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    for message in history.warnings:
        warn(message)
    return history


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


# ---------------------------------------------------------------- status


@app.command()
def status(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """What is due today, per deck: reviews, new cards and re-drills.

    Example: flashprep status --json
    """
    from flashprep.report import status_report

    ws = workspace(ctx)
    with open_history(ws) as history:
        report = status_report(ws, history.states, history)
    if as_json:
        emit_json(report)
        return
    from flashprep.ui.text import render_status

    typer.echo(render_status(report))


@app.command("decks")
def decks_cmd(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the loaded decks with their card counts.

    Example: flashprep decks
    """
    from flashprep.report import decks_report

    ws = workspace(ctx)
    with open_history(ws) as history:
        rows = decks_report(ws, history.states)
    if as_json:
        emit_json(rows)
        return
    from flashprep.ui.tables import render_decks

    render_decks(rows)


@app.command()
def show(
    ctx: typer.Context,
    card_id: Annotated[
        str,
        typer.Argument(help="The card's id, e.g. python-gil.", autocompletion=completion.card_ids),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Show one card, its schedule and its review history.

    Example: flashprep show python-gil
    """
    from flashprep.report import card_report

    ws = workspace(ctx)
    card = ws.collection.card(card_id)
    with open_history(ws) as history:
        report = card_report(ws, card, history)
    if as_json:
        emit_json(report)
        return
    from flashprep.ui.card import render_card_report

    render_card_report(report)


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Deck files or folders to check (default: every loaded deck)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check decks (and the history) for every problem at once; exit 2 on any error.

    Every exercise's reference solution is run against its own check (SQL on SQLite,
    and on PostgreSQL too when postgres_dsn is set; Python against its tests).

    Example: flashprep validate ~/my-decks/sql.toml
    """
    from flashprep.report import validate_report

    ws = workspace(ctx)
    report = validate_report(ws, paths or [])
    if as_json:
        emit_json(report)
    else:
        for e in report["errors"]:
            typer.echo(f"error: {e}", err=True)
        for w in report["warnings"]:
            typer.echo(f"warning: {w}", err=True)
        state = "ok" if not report["errors"] else f"{len(report['errors'])} error(s)"
        ex = report["exercises"]
        if ex["checked"] or ex["untrusted"]:
            typer.echo(
                f"exercises: {ex['checked']} reference solution(s) run, "
                f"{ex['failed']} failed, {ex['untrusted']} not run (untrusted)"
            )
        typer.echo(
            f"{report['files']} deck file(s), {report['cards']} card(s), "
            f"{report['events']} history event(s): {state}"
        )
    if report["errors"]:
        raise typer.Exit(2)
