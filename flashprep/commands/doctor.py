"""`flashprep doctor [--repair] [--json]`: check the history and decks; repair what is safe.

Option parsing and rendering only; flashprep.doctor does the checks and the repair.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flashprep.cli import JsonOpt, app, emit_json, workspace

LABELS = {"ok": "ok", "warning": "warning", "problem": "PROBLEM"}


def render(report: dict[str, Any], repairing: bool) -> str:
    out = [f"flashprep doctor: {report['home']}"]
    for action in report["repaired"]:
        out.append(f"  repaired  {action}")
    for f in report["findings"]:
        out.append(f"  {LABELS[f['level']]:<8}  {f['check']}: {f['message']}")
        if f["fix"] and f["level"] != "ok":
            out.append(f"            fix: {f['fix']}")
    n = report["problems"]
    if not n:
        out.append("No problems found." if not report["warnings"] else
                   f"No problems found ({report['warnings']} warning(s)).")
    elif repairing:
        out.append(f"{n} problem(s) left that --repair does not fix; see the options above.")
    else:
        out.append(f"{n} problem(s). Run `flashprep doctor --repair` for those it can fix; "
                   "the others list their options.")
    return "\n".join(out)


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Set aside a torn last line into reviews.jsonl.torn and rebuild state.json "
            "from the log (after a backup; never deletes data).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the review log, state.json, the decks and orphaned events.

    Exit 2 if a problem remains. Without --repair nothing is written.
    A corrupt line in the middle of the log is never dropped: doctor
    shows it and explains the options (restore a backup from
    <home>/backups/, or fix the line by hand).

    Example: flashprep doctor --repair
    """
    from flashprep import doctor as core

    ws = workspace(ctx)
    if repair:
        report = core.repair(ws.home, ws.deck_dirs, ws.today())
    else:
        report = core.diagnose(ws.home, ws.deck_dirs)
    if as_json:
        emit_json(report)
    else:
        typer.echo(render(report, repair))
    if report["problems"]:
        raise typer.Exit(2)
