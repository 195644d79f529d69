"""`flashprep review`: the daily session's options; flashprep.reviewing runs it.

This module parses the options, picks the UI (flashprep.ui.review on a terminal,
flashprep.ui.plain otherwise) and prints the summary; flashprep.reviewing builds the
session and drives it, appending each answer to the history before the next card.
Whatever ends the session (q, Ctrl-C, end of input) every recorded answer stays, the
summary is printed and the exit code is 0.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from flashprep import completion
from flashprep.cli import app, open_history, warn, workspace
from flashprep.reviewing import run_session, select_cards, session_exercises, start_session

if TYPE_CHECKING:
    from flashprep.reviewing import ReviewUI


@app.command()
def review(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck",
            help="Only cards of this deck id (repeatable).",
            metavar="ID",
            autocompletion=completion.deck_ids,
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            help="Only cards with this tag (repeatable; any of them).",
            metavar="TAG",
            autocompletion=completion.tags,
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            help="Only cards of this syllabus topic (repeatable; any of "
            "them), e.g. auth-oauth2-flows.",
            metavar="TOPIC",
            autocompletion=completion.topics,
        ),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--new",
            min=0,
            metavar="N",
            help="New cards allowed today for this run (config: new_per_day).",
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            min=0,
            metavar="N",
            help="Reviews allowed today for this run (config: reviews_per_day).",
        ),
    ] = None,
    type_answer: Annotated[
        bool,
        typer.Option("--type", help="Type an answer before revealing the back."),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option(
            "--plain",
            help="Line-by-line mode without colours (automatic when stdin is not a terminal).",
        ),
    ] = False,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            metavar="KIND",
            help="Only cards of this kind: sql or python (exercises), or card.",
        ),
    ] = None,
) -> None:
    """Review what is due today: re-drills, due reviews, then new cards.

    Keys: Enter shows the answer; 0-5 grade it (or 1-4 = Again/Hard/Good/Easy with
    grade_buttons = 4); s buries the card until tomorrow, ! suspends it, u undoes the
    last answer, q quits. Every answer is saved as soon as it is given.

    An exercise (kind sql or python) asks for code instead: Enter writes it in the
    terminal (Esc then Enter runs it), e opens $EDITOR; flashprep runs it, shows the
    result and suggests a grade (Enter takes it, 0-5 overrides it, r tries again).

    Example: flashprep review --deck python-deep-dive --new 5
    """
    ws = workspace(ctx)
    cards = select_cards(ws, deck or (), tag or (), topic or (), kind)
    from flashprep.ui.plain import is_tty

    plain_mode = plain or not (is_tty(sys.stdin) and is_tty(sys.stdout))
    with open_history(ws, write=True) as history:
        session, cfg = start_session(ws, history, cards, new=new, limit=limit)
        if session.done:
            from flashprep.ui.text import empty_message

            filtered = bool(deck or tag or topic or kind)
            typer.echo(empty_message(session, filtered, len(ws.collection.drafts)))
            return
        ui: ReviewUI
        if plain_mode:
            from flashprep.ui.plain import PlainReview

            ui = PlainReview(type_answer=type_answer, on_invalid=warn)
        else:
            from flashprep.ui.review import RichReview

            ui = RichReview(type_answer=type_answer, grade_buttons=cfg.grade_buttons)
        with ui:
            run_session(session, history, ui, ws.now, session_exercises(ws, cfg, cards))
        summary = session.summary(ws.now())
        held = session.held_back()
    ui.summary(summary, held)
