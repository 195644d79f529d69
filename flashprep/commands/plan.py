"""`flashprep plan`: set, show or clear the interview date the plan works towards."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flashprep.cli import JsonOpt, app, emit_json, open_history, workspace
from flashprep.errors import InputError

if TYPE_CHECKING:
    from flashprep.workspace import Workspace

MAX_MINUTES = 1_440


def parse_interview(value: str, today: date) -> date:
    from flashprep.clock import future_day

    return future_day(value, today, "--interview", "give the date of an interview still ahead")


def parse_minutes(value: str) -> int:
    try:
        minutes = int(value)
    except ValueError:
        raise InputError(f"--minutes {value!r} is not a whole number of minutes") from None
    if not 1 <= minutes <= MAX_MINUTES:
        raise InputError(f"--minutes must be between 1 and {MAX_MINUTES}, got {minutes}")
    return minutes


def build_plan(ws: Workspace) -> dict[str, Any]:
    """The plan report with its forecast (the caller checked a date is set)."""
    from flashprep.forecast import forecast_report
    from flashprep.plan import card_answers, plan_report
    from flashprep.readiness import CATEGORIES

    when = ws.config.interview_date
    assert when is not None
    with open_history(ws) as history:
        answers = card_answers(history.indexed())
        forecast = forecast_report(
            ws.collection, answers, when, categories=CATEGORIES, checklist=ws.collection.checklist
        )
        return plan_report(
            ws.collection,
            history.states,
            history.indexed(),
            ws.today(),
            when,
            ws.config.minutes_per_day,
            forecast=forecast,
        )


@app.command()
def plan(
    ctx: typer.Context,
    interview: Annotated[
        str | None,
        typer.Option(
            "--interview",
            metavar="YYYY-MM-DD",
            help="Set the interview date (stored in config.toml as interview_date).",
        ),
    ] = None,
    minutes: Annotated[
        str | None,
        typer.Option(
            "--minutes",
            metavar="N",
            help="Minutes a day to study (config: minutes_per_day, default 30).",
        ),
    ] = None,
    clear: Annotated[
        bool,
        typer.Option("--clear", help="Remove the interview date: back to plain SM-2."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Plan for an interview date: new cards paced to be all seen 14 days before, due dates
    capped to the interview's eve, and the chance of recalling each card on the day.

    Example: flashprep plan --interview 2026-05-18 --minutes 45
    """
    from flashprep.config import write_config

    ws = workspace(ctx)
    cfg = ws.config  # a bad config.toml stops here, before anything is written
    today = ws.today()
    if clear:
        if interview is not None or minutes is not None:
            raise InputError("--clear removes the date; give it without --interview/--minutes")
        write_config(ws.home, {"interview_date": None})
        if as_json:
            emit_json({"interview_date": None, "cleared": True})
        else:
            typer.echo("Interview date removed: review paces new cards by new_per_day again.")
        return
    changes: dict[str, Any] = {}
    if interview is not None:
        changes["interview_date"] = parse_interview(interview, today)
    if minutes is not None:
        changes["minutes_per_day"] = parse_minutes(minutes)
    if changes:
        if "interview_date" not in changes and (
            cfg.interview_date is None or cfg.interview_date <= today
        ):
            raise InputError(
                "no interview date ahead to plan for: set one with "
                "`flashprep plan --interview YYYY-MM-DD`"
            )
        if "interview_date" in changes and "minutes_per_day" not in changes:
            changes["minutes_per_day"] = cfg.minutes_per_day
        write_config(ws.home, changes)
        ws.__dict__.pop("config", None)  # read the new values
    from flashprep.plan import interview_ahead  # not at start-up (this module always is)

    if interview_ahead(ws) is None:
        when = ws.config.interview_date
        if as_json:
            emit_json({"interview_date": when.isoformat() if when else None, "days_left": None})
            return
        if when is None:
            typer.echo(
                "No interview date set. Set one with "
                "`flashprep plan --interview YYYY-MM-DD [--minutes N]`."
            )
        else:
            typer.echo(
                f"The interview date {when} has passed: review is plain SM-2 again. "
                "Set a new one with `flashprep plan --interview YYYY-MM-DD` "
                "or remove it with `flashprep plan --clear`."
            )
        return
    report = build_plan(ws)
    if as_json:
        emit_json(report)
        return
    from flashprep.ui.plan import render_plan

    render_plan(report)
