"""`flashprep doctor [--repair | --restore DAY | --list-backups] [--json]`: check the
history and decks; repair what is safe; put back or list the daily backups.

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
        out.append(
            "No problems found."
            if not report["warnings"]
            else f"No problems found ({report['warnings']} warning(s))."
        )
    elif repairing:
        out.append(f"{n} problem(s) left that --repair does not fix; see the options above.")
    else:
        out.append(
            f"{n} problem(s). Run `flashprep doctor --repair` for those it can fix; "
            "the others list their options."
        )
    return "\n".join(out)


def render_backups(days: list[Any], root: str) -> str:
    if not days:
        return f"{root}: no backups yet (made before the first write of each study day)"
    out = [f"{root}:"]
    for d in days:
        if d.problem:
            out.append(f"  {d.day}  cannot be restored: {d.problem}")
            continue
        events = "" if d.events is None else f", {d.events:,} events"
        out.append(
            f"  {d.day}  {d.kind}: log of {d.size:,} bytes{events}; {d.stored:,} bytes stored"
        )
    out.append("Put one back with `flashprep doctor --restore DAY`.")
    return "\n".join(out)


def render_restore(report: dict[str, Any]) -> str:
    events = "" if report["events"] is None else f"{report['events']:,} events, "
    out = [
        f"restored {report['home']}/reviews.jsonl as it was at the backup of "
        f"{report['restored']} ({events}{report['bytes']:,} bytes)"
    ]
    if report["kept"]:
        out.append(f"kept the log it replaced as {report['kept']}")
    if report["removed"]:
        out.append(f"removed {' and '.join(report['removed'])} (derived from the log)")
    if report["rebuilt"] is not None:
        out.append(f"rebuilt the index from the restored log ({report['rebuilt']:,} cards)")
    if report["rebuild_error"]:
        out.append(f"the index was not rebuilt: {report['rebuild_error']}")
    return "\n".join(out)


@app.command()
def doctor(
    ctx: typer.Context,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Set aside a torn last line into reviews.jsonl.torn and rebuild the index "
            "from the log (after a backup; never deletes data).",
        ),
    ] = False,
    restore: Annotated[
        str | None,
        typer.Option(
            "--restore",
            metavar="DAY",
            help="Put back reviews.jsonl as it was at the backup of DAY (YYYY-MM-DD); the "
            "current log is kept as reviews.jsonl.before-restore-<time>.",
        ),
    ] = None,
    list_backups: Annotated[
        bool,
        typer.Option("--list-backups", help="List the days in <home>/backups/ and check them."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the review log, its index, the decks, the backups and orphaned events.

    Exit 2 if a problem remains. Without --repair or --restore nothing is
    written.
    A corrupt line in the middle of the log is never dropped: doctor
    shows it and explains the options (restore a backup from
    <home>/backups/ with --restore DAY, or fix the line by hand).

    Example: flashprep doctor --repair
    """
    from flashprep import doctor as core
    from flashprep.errors import InputError

    ws = workspace(ctx)
    if sum((repair, restore is not None, list_backups)) > 1:
        raise InputError("--repair, --restore and --list-backups go one at a time")
    if restore is not None:
        from flashprep.restore import restore as put_back

        done = put_back(ws.home, restore, ws.now())
        if as_json:
            emit_json(done)
        else:
            typer.echo(render_restore(done))
        return
    if list_backups:
        from dataclasses import asdict

        from flashprep.backup import backups_dir
        from flashprep.restore import describe

        days = describe(ws.home, verify=True)
        if as_json:
            emit_json([asdict(d) for d in days])
        else:
            typer.echo(render_backups(days, str(backups_dir(ws.home))))
        if any(d.problem for d in days):
            raise typer.Exit(2)
        return
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
