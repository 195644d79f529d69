"""Rendering one card with rich: Markdown with highlighted code, key points, schedule."""

from __future__ import annotations

from typing import Any

from flashprep.ui.tables import console

CODE_THEME = "monokai"


def markdown(text: str) -> Any:
    from rich.markdown import Markdown

    return Markdown(text, code_theme=CODE_THEME)


def key_points(points: list[str]) -> Any:
    from rich.text import Text

    t = Text()
    for p in points:
        t.append("  ☐ ", style="cyan")
        t.append(p + "\n")
    return t


def render_card_report(report: dict[str, Any]) -> None:
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    con = console()
    where = report["deck"] + (f" · {report['topic']}" if report["topic"] else "")
    # The panel's title holds the card id, and the deck and topic where they fit on the
    # border with it; otherwise they go to the schedule below (ids are never cut).
    fits = len(report["id"]) + 2 + len(where) + 6 <= con.width
    title = f"[bold]{escape(report['id'])}[/]" + (f"  [dim]{escape(where)}[/]" if fits else "")
    con.print(
        Panel(markdown(report["front"]), title=title, title_align="left", border_style="cyan")
    )
    parts: list[Any] = [markdown(report["back"])]
    if report["key_points"]:
        parts.append(key_points(report["key_points"]))
    if report.get("solution"):  # an exercise: its reference solution (and tests)
        lang = "sql" if report["kind"] == "sql" else "python"
        extra = f"\n\n**Tests**\n\n```python\n{report['tests']}\n```" if report.get("tests") else ""
        parts.append(markdown(f"**Solution**\n\n```{lang}\n{report['solution']}\n```{extra}"))
    con.print(Panel(Group(*parts), title="answer", title_align="left", border_style="green"))
    sched = Table.grid(padding=(0, 2))
    sched.add_column(style="dim")
    sched.add_column()
    status = "new" if report["new"] else f"due {report['due']}"
    if report["suspended"]:
        status += " (suspended" + (", leech)" if report["leech"] else ")")
    if report["buried_until"]:
        status += f" (buried until {report['buried_until']})"
    rows: list[tuple[str, Any]] = []
    if not fits:
        rows.append(("deck", report["deck"]))
        if report["topic"]:
            rows.append(("topic", report["topic"]))
    for k, v in [
        *rows,
        ("status", status),
        ("EF", f"{report['ef']:.2f}"),
        ("interval", f"{report['interval']} day(s)"),
        ("repetitions", report["repetitions"]),
        ("lapses", report["lapses"]),
        *([("mock time", f"{report['time_limit']}s")] if report.get("time_limit") else []),
        ("tags", ", ".join(report["tags"]) or "-"),
    ]:
        sched.add_row(k, str(v))
    con.print(sched)
    if report["history"]:
        h = Table(title="history", title_justify="left")
        for col in ("day", "kind", "grade", "time"):
            h.add_column(col)
        for e in report["history"]:
            ms = e.get("duration_ms")
            if e["kind"] == "attempt":  # an exercise's run: its outcome where a grade goes
                h.add_row(
                    e["day"],
                    f"attempt {e.get('attempt', '')}",
                    e.get("outcome", ""),
                    f"{e['seconds']:.2f}s run" if "seconds" in e else "",
                )
                continue
            if e.get("seconds") is not None:
                ms = e["seconds"] * 1000
            result = str(e.get("grade", ""))
            if e.get("score") is not None:  # a mock interview question
                result = f"{e['score']:.0%}" + (" follow-up" if e.get("follow_up") else "")
            h.add_row(
                e["day"],
                e["kind"],
                result,
                f"{ms / 1000:.1f}s" if ms is not None else "",
            )
        con.print(h)
