"""`flashprep stats` (heatmap, streaks, forecast, retention, card states; --json, --html)
and `flashprep readiness` (per category and checklist item; --target-date)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from flashprep import completion
from flashprep.cli import JsonOpt, app, emit_json, open_history, warn, workspace


@app.command()
def stats(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option(
            "--deck",
            metavar="ID",
            help="Only this deck (repeatable; default: every deck).",
            autocompletion=completion.deck_ids,
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            max=3650,
            metavar="N",
            help="Window for retention, time and the due forecast, in days.",
        ),
    ] = 30,
    as_json: JsonOpt = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            dir_okay=False,
            metavar="FILE",
            help="Also write a self-contained HTML report to this file.",
        ),
    ] = None,
) -> None:
    """Review heatmap, streaks, due forecast, true retention and card states, per deck too.

    Example: flashprep stats --deck python --days 90 --html stats.html
    """
    from flashprep.stats import stats_report

    ws = workspace(ctx)
    decks = list(dict.fromkeys(deck or ()))
    with open_history(ws) as history:
        report = stats_report(ws.collection, history, ws.today(), decks=decks, days=days)
        forecast = None
        if html is not None:
            from flashprep.forecast import interview_forecast

            forecast = interview_forecast(ws, history)
    if html is not None:
        from flashprep.htmlreport import render_html, write_report
        from flashprep.mock import history_report, read_mocks

        mocks = history_report(read_mocks(history))["mocks"]
        write_report(html, render_html(report, forecast, mocks=mocks))
    if as_json:
        emit_json(report)
    else:
        from flashprep.ui.charts import render_stats

        render_stats(report)
    if html is not None:
        typer.echo(f"Wrote {html}", err=as_json)


@app.command()
def readiness(
    ctx: typer.Context,
    as_json: JsonOpt = False,
    target_date: Annotated[
        str | None,
        typer.Option(
            "--target-date",
            metavar="YYYY-MM-DD",
            help="Interview date: how many new cards a day to see everything by then.",
        ),
    ] = None,
) -> None:
    """How ready you are per must-know category and checklist item, and what to review next.

    Example: flashprep readiness --target-date 2026-04-15
    """
    from flashprep.readiness import WINDOW_DAYS, parse_target, readiness_report
    from flashprep.stats import activity, window

    ws = workspace(ctx)
    today = ws.today()
    target = parse_target(target_date, today) if target_date is not None else None
    with open_history(ws) as history:
        act = activity(history.indexed(), window(today, WINDOW_DAYS))
        from flashprep.forecast import interview_forecast

        report = readiness_report(
            ws.collection,
            act,
            history.states,
            today,
            new_per_day=ws.config.new_per_day,
            target=target,
            last_mock=_last_mock(history),
            interview=interview_forecast(ws, history),
        )
    plan = report["target"]
    if plan and not plan["enough"]:
        when = plan["all_seen_on"] or "never (new_per_day is 0)"
        warn(
            f"new_per_day is {plan['new_per_day']} but {plan['new_per_day_needed']} new cards "
            f"a day are needed to see all {plan['unseen']} unseen cards before {plan['date']}; "
            f"at this pace the last one comes up on {when}. Raise new_per_day in config.toml "
            f"or run `flashprep review --new {plan['new_per_day_needed']}`"
        )
    if as_json:
        emit_json(report)
        return
    from flashprep.ui.charts import render_readiness

    render_readiness(report)
    if report["interview"]:
        from flashprep.ui.plan import render_forecast

        render_forecast(report["interview"], {i.id: i.item for i in ws.collection.checklist})


def _last_mock(history: Any) -> dict[str, dict[str, object]]:
    """Each category's score in the last mock interview that asked it."""
    from flashprep.mock import last_by_category, read_mocks

    return last_by_category(read_mocks(history))
