"""rich rendering of `flashprep plan` and of the interview forecast `readiness` shows.

Input is the plain report of flashprep.plan (and flashprep.forecast); nothing here
computes a figure."""

from __future__ import annotations

from typing import Any

from flashprep.ui.tables import console

EIGHTHS = " ▁▂▃▄▅▆▇█"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def spark(values: list[float], top: float) -> str:
    if top <= 0:
        return " " * len(values)
    return "".join(EIGHTHS[min(8, round(8 * v / top))] for v in values)


def fits_text(fits: dict[str, Any] | None) -> list[str]:
    """What would make an infeasible plan fit, one option a line."""
    if not fits:
        return []
    out = []
    if fits.get("minutes_per_day"):
        out.append(
            f"{fits['minutes_per_day']} minutes a day  "
            f"(flashprep plan --minutes {fits['minutes_per_day']})"
        )
    if fits.get("interview_date"):
        out.append(f"an interview on {fits['interview_date']} or later")
    if fits.get("drop_decks"):
        out.append(
            "fewer decks: leave out "
            + ", ".join(fits["drop_decks"])
            + "  (suspended cards are planned without)"
        )
    return out or ["nothing within a year or a full day of study: plan fewer cards"]


def forecast_table(forecast: dict[str, Any], names: dict[str, str]) -> Any:
    from rich.table import Table

    t = Table(title=f"Recall forecast for {forecast['date']}", title_justify="left")
    t.add_column("category")
    t.add_column("recall", justify="right")
    for tag, p in forecast["by_category"].items():
        t.add_row(names.get(tag, tag), percent(p))
    t.add_section()
    t.add_row("all cards", percent(forecast["mean"]))
    return t


def render_forecast(forecast: dict[str, Any], checklist: dict[str, str] | None = None) -> None:
    """The forecast block of `readiness`: per category, per checklist item, at risk."""
    from rich.markup import escape
    from rich.table import Table

    from flashprep.readiness import CATEGORIES

    con = console()
    con.print(forecast_table(forecast, dict(CATEGORIES)))
    if checklist and forecast["by_checklist"]:
        t = Table(title="Checklist items on the day", title_justify="left")
        t.add_column("item")
        t.add_column("recall", justify="right")
        for item_id, p in forecast["by_checklist"].items():
            t.add_row(escape(checklist.get(item_id, item_id)), percent(p))
        con.print(t)
    if forecast["at_risk"]:
        cards = ", ".join(f"{r['card']} ({percent(r['p'])})" for r in forecast["at_risk"])
        con.print(f"Most at risk on the day: {cards}")
    con.print(f"[dim]FSRS-6, {forecast['note']}.[/]")


def render_plan(report: dict[str, Any]) -> None:
    from rich.table import Table

    from flashprep.readiness import CATEGORIES

    con = console()
    con.print(
        f"[bold]Interview on {report['interview_date']}[/]  "
        f"[dim]{report['days_left']} day(s) left, {report['minutes_per_day']} minutes "
        f"a day[/]"
    )
    from datetime import date

    gap = (date.fromisoformat(report["interview_date"]) - date.fromisoformat(report["cutoff"])).days
    when = (
        f"{gap} days before the interview"
        if gap >= report["cutoff_days"]
        else f"only {gap} day(s) before the interview: it is too close for the usual "
        f"{report['cutoff_days']}"
    )
    con.print(
        f"Today: [bold]{report['new_per_day']}[/] new card(s) and up to "
        f"{report['reviews_per_day']} review(s). {report['unseen']} of "
        f"{report['cards']} card(s) not seen yet; all are introduced by "
        f"{report['cutoff']}, {when}."
    )
    costs = report["costs"]
    source = (
        "from your own answers"
        if costs["from_history"]
        else f"defaults until 50 timed answers; you have {costs['timed_answers']}"
    )
    con.print(
        f"[dim]A new card takes ~{costs['new_card_seconds']:.0f} s, a review "
        f"~{costs['review_seconds']:.0f} s ({source}).[/]"
    )
    if report["feasible"]:
        con.print("[green]The plan fits.[/]")
    else:
        p = report["problems"]
        why = []
        if p["over_budget_days"]:
            why.append(f"{p['over_budget_days']} day(s) over the budget")
        if p["most_reviews_waiting"]:
            why.append(
                f"up to {p['most_reviews_waiting']} review(s) a day waiting past their due day"
            )
        if p["not_reviewed_in_final_window"]:
            why.append(
                f"{p['not_reviewed_in_final_window']} card(s) not reviewed in the last two weeks"
            )
        con.print("[bold red]The plan does not fit:[/] " + "; ".join(why) + ". It would fit with:")
        for line in fits_text(report["fits"]):
            con.print(f"  - {line}")
    t = Table(title="Weeks", title_justify="left")
    for name, justify in [
        ("week", "right"),
        ("starts", "left"),
        ("new", "right"),
        ("minutes a day", "left"),
        ("decks introduced", "left"),
    ]:
        t.add_column(name, justify=justify)  # type: ignore[arg-type]
    daily = report["daily"]
    top = max((d["minutes"] for d in daily), default=0.0)
    for w in report["weeks"]:
        days = daily[(w["week"] - 1) * 7 : w["week"] * 7]
        t.add_row(
            str(w["week"]),
            w["start"],
            str(w["new_cards"]),
            spark([d["minutes"] for d in days], top)
            + f" {max(d['minutes'] for d in days):.0f} max",
            ", ".join(w["decks"]) or "-",
        )
    con.print(t)
    if report["forecast"]:
        con.print(forecast_table(report["forecast"], dict(CATEGORIES)))
        con.print(
            "[dim]Recall if you stopped today (cards not seen yet count 0); "
            "`flashprep readiness` lists the cards most at risk.[/]"
        )
