"""Terminal charts for `stats` and `readiness`: a GitHub-style heatmap, a forecast bar chart,
readiness bars and the tables around them. Input is the plain report dicts of
flashprep.stats and flashprep.readiness; nothing here computes a figure."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flashprep.clock import format_duration as duration
from flashprep.stats import heat_level as level
from flashprep.stats import retention_text
from flashprep.ui.layout import COMPACT, ID, TEXT, Column
from flashprep.ui.tables import console, fitted_table

# Heatmap levels 0-4, as GitHub shows them: none, then quarters of the busiest day.
LEVEL_STYLES = ("grey30", "green4", "green3", "green1", "bright_green")
# One glyph per level too, so the map still reads without colour (pipes, NO_COLOR).
LEVEL_CELLS = ("·", "░", "▒", "▓", "█")
EIGHTHS = " ▁▂▃▄▅▆▇█"
BAR_HEIGHT = 8
MAX_COLUMNS = 60


def short_percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def heatmap(h: dict[str, Any]) -> Any:
    """Weeks as columns (Monday on top), month names above, a legend below."""
    from rich.text import Text

    start = date.fromisoformat(h["start"])
    counts: list[int] = h["counts"]
    peak = h["max"]
    weeks = -(-len(counts) // 7)
    out = Text()
    months = [" "] * (weeks * 2)
    for w in range(weeks):
        first = start + timedelta(days=7 * w)
        # A month's name over its first whole week, where it fits.
        label = first.strftime("%b")
        if (
            first.day <= 7
            and w * 2 + len(label) <= len(months)
            and all(c == " " for c in months[max(0, w * 2 - 1) : w * 2 + len(label)])
        ):
            months[w * 2 : w * 2 + len(label)] = list(label)
    out.append("     " + "".join(months).rstrip() + "\n", style="dim")
    names = ("Mon", "", "Wed", "", "Fri", "", "Sun")
    for row in range(7):
        out.append(f"{names[row]:<4} ", style="dim")
        for w in range(weeks):
            i = 7 * w + row
            if i >= len(counts):
                out.append("  ")
                continue
            lv = level(counts[i], peak)
            out.append(LEVEL_CELLS[lv], style=LEVEL_STYLES[lv])
            out.append(" ")
        out.append("\n")
    out.append("     Less ", style="dim")
    for cell, style in zip(LEVEL_CELLS, LEVEL_STYLES, strict=True):
        out.append(cell + " ", style=style)
    out.append("More", style="dim")
    out.append(f"    {h['total']} answer(s) in {h['weeks']} weeks, busiest day {peak}")
    return out


def bar_chart(values: list[int], labels: list[str], height: int = BAR_HEIGHT) -> Any:
    """Vertical bars (eighth blocks), one column per value, y scale on the left."""
    from rich.text import Text

    peak = max(values, default=0)
    width = len(str(peak))
    out = Text()
    for row in range(height, 0, -1):
        tick = str(peak) if row == height and peak else ("0" if row == 1 else "")
        out.append(f"{tick:>{width}} │", style="dim")
        for v in values:
            eighths = round(8 * height * v / peak) if peak else 0
            fill = max(0, min(8, eighths - 8 * (row - 1)))
            if v and row == 1 and fill == 0:
                fill = 1  # a non-zero day never looks empty
            out.append(EIGHTHS[fill] * 2, style="cyan")
        out.append("\n")
    out.append(" " * width + " └" + "──" * len(values) + "\n", style="dim")
    axis = [" "] * (2 * len(values))
    for i, label in enumerate(labels):
        if (
            label
            and 2 * i + len(label) <= len(axis)
            and all(c == " " for c in axis[max(0, 2 * i - 1) : 2 * i + len(label)])
        ):
            axis[2 * i : 2 * i + len(label)] = list(label)
    out.append(" " * (width + 2) + "".join(axis).rstrip(), style="dim")
    return out


def forecast_chart(fc: dict[str, Any], width: int = 80) -> Any:
    """The due forecast, one bar (two characters) per day, or per few days when the
    terminal has no room for one a day."""
    days = fc["days"]
    peak = max((d["due"] for d in days), default=0)
    # Per day or per few days, as many as fit (a bar is 2 wide; then the scale and " │").
    room = max(1, min(MAX_COLUMNS, (width - len(str(peak * 1000)) - 3) // 2))
    step = max(1, -(-len(days) // room))
    values, labels = [], []
    for i in range(0, len(days), step):
        chunk = days[i : i + step]
        values.append(sum(d["due"] for d in chunk))
        labels.append("today" if i == 0 else (chunk[0]["day"][5:] if (i // step) % 7 == 0 else ""))
    return bar_chart(values, labels)


def _table_style(title: str, *, compact: bool = False) -> dict[str, Any]:
    from rich import box

    return {
        "title": title,
        "title_justify": "left",
        "title_style": "bold",
        "box": box.SIMPLE_HEAD if compact else box.HEAVY_HEAD,
        "padding": (0, 1) if not compact else (0, 0, 0, 1),
    }


# Per deck: the id and the totals stay; narrower, the rarer states go first.
PER_DECK_COLUMNS = (
    Column("deck", ID, justify="left"),
    Column("cards"),
    Column("new", drop=6),
    Column("lrn", drop=4),
    Column("yng", drop=5),
    Column("mat"),
    Column("susp", drop=2),
    Column("lch", drop=1),
    Column("EF", drop=3),
    Column("ret"),
    Column("t/card", drop=7),
)
PER_DECK_KEY = (
    ("lrn", "learning / re-drill"),
    ("yng", "young"),
    ("mat", "mature"),
    ("susp", "suspended"),
    ("lch", "leeches"),
)


def _table(title: str, columns: list[tuple[str, str]], *, compact: bool = False) -> Any:
    from rich.table import Table

    t = Table(**_table_style(title, compact=compact))
    for i, (name, justify) in enumerate(columns):
        # Figures never wrap; the first column (a deck id or an item's text) gives way.
        t.add_column(
            name,
            justify=justify,  # type: ignore[arg-type]
            no_wrap=i > 0,
            ratio=1 if i == 0 else None,
        )
    return t


def render_stats(report: dict[str, Any]) -> None:
    from rich.rule import Rule

    con = console()
    scope = ", ".join(report["decks"]) if report["decks"] else "all decks"
    con.print(f"[bold]flashprep stats[/]  [dim]{scope} · study day {report['today']}[/]")
    if report["empty"]:
        con.print("No answers yet: run `flashprep review` to start.")
    con.print(Rule("Reviews per day", align="left", style="dim"))
    con.print(heatmap(report["heatmap"]))
    s = report["streak"]
    con.print(
        f"Streak: [bold]{s['current']}[/] day(s) now, longest {s['longest']}, "
        f"{s['study_days']} study day(s) in all"
        + ("" if s["studied_today"] or not s["current"] else " (study today to keep it)")
    )
    fc = report["forecast"]
    con.print(Rule(f"Due in the next {len(fc['days'])} days", align="left", style="dim"))
    con.print(forecast_chart(fc, con.width))
    con.print(
        f"{fc['total']} review(s) due, {fc['days'][0]['due']} today"
        + (f" ({fc['overdue']} overdue)" if fc["overdue"] else "")
    )
    con.print()
    ret = report["retention"]
    t = _table(
        f"True retention, last {ret['days']} days", [("cards", "left"), ("retention", "right")]
    )
    t.caption = "review answers graded >= 3"
    for key, name in (("young", "young (< 21 d)"), ("mature", "mature (>= 21 d)"), ("all", "all")):
        t.add_row(name, retention_text(ret[key]))
    con.print(t)
    c, ef, tm = report["cards"], report["ef"], report["time"]
    t = _table("Cards", [("state", "left"), ("cards", "right")])
    for key, name in (
        ("new", "new"),
        ("learning", "learning / re-drill"),
        ("young", "young"),
        ("mature", "mature"),
        ("suspended", "suspended"),
    ):
        t.add_row(name, str(c[key]))
    t.add_section()
    t.add_row("total", str(c["total"]))
    t.add_row("leeches", str(c["leeches"]))
    con.print(t)
    if ef["cards"]:
        con.print(
            f"Ease factor: mean {ef['mean']:.2f}, spread (std dev) {ef['stdev']:.2f} "
            f"over {ef['cards']} card(s) seen"
        )
    else:
        con.print("Ease factor: no card seen yet")
    con.print(
        f"Time, last {tm['days']} days: {duration(tm['total_ms'])} on {tm['answers']} answer(s), "
        f"{duration(tm['per_card_ms'])} per card ({tm['cards']} card(s)), "
        f"{duration(tm['per_answer_ms'])} per answer; all time {duration(tm['all_time_ms'])}"
    )
    if report["per_deck"]:
        con.print()
        body = [
            [
                d["id"],
                str(d["cards"]["total"]),
                str(d["cards"]["new"]),
                str(d["cards"]["learning"]),
                str(d["cards"]["young"]),
                str(d["cards"]["mature"]),
                str(d["cards"]["suspended"]),
                str(d["cards"]["leeches"]),
                "-" if d["ef"]["mean"] is None else f"{d['ef']['mean']:.2f}",
                short_percent(d["retention"]["all"]["rate"]),
                duration(d["time"]["per_card_ms"]) if d["time"]["cards"] else "-",
            ]
            for d in report["per_deck"]
        ]
        t = fitted_table(
            PER_DECK_COLUMNS, body, con.width, COMPACT, **_table_style("Per deck", compact=True)
        )
        shown = {c.header for c in t.columns}
        t.caption = (
            ", ".join(f"{short} {long}" for short, long in PER_DECK_KEY if short in shown)
            + f"; ret(ention) and t(ime)/card over the last {report['days']} days"
        )
        t.caption_justify = "left"
        con.print(t)


def readiness_bar(value: float, width: int = 12) -> Any:
    from rich.text import Text

    filled = round(value * width)
    style = "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style="grey30")
    bar.append(f" {100 * value:5.1f}%")
    return bar


# After the category or checklist item (cut to fit): narrower, "mature" and "seen" go
# (and "last mock" before them, on the categories' table).
READINESS_COLUMNS = (
    Column("cards"),
    Column("seen", drop=3),
    Column("mature", drop=2),
    Column("retention"),
    Column("readiness", justify="left"),
)


def _readiness_table(
    title: str,
    first: str,
    rows: list[tuple[str, dict[str, Any]]],
    width: int,
    *,
    mocks: bool = False,
) -> Any:
    from rich.text import Text

    columns = (
        Column(first, TEXT, min_width=16, justify="left"),
        *READINESS_COLUMNS,
        *([Column("last mock", drop=1)] if mocks else []),
    )
    body: list[list[Any]] = []
    for name, r in rows:
        extra = [_last_mock_text(r.get("last_mock"))] if mocks else []
        if not r["cards"]:
            body.append([name, "0", "-", "-", "-", Text("no cards", style="dim"), *extra])
            continue
        body.append(
            [
                name,
                str(r["cards"]),
                short_percent(r["seen_share"]),
                short_percent(r["mature_share"]),
                short_percent(r["retention"]["rate"]),
                readiness_bar(r["readiness"]),
                *extra,
            ]
        )
    return fitted_table(columns, body, width, COMPACT, **_table_style(title, compact=True))


def _last_mock_text(last: dict[str, Any] | None) -> str:
    """A category's score in the last mock interview that asked it (the day is in --json)."""
    if not last:
        return "-"
    return f"{100 * last['score']:.0f}%"


def render_readiness(report: dict[str, Any]) -> None:
    from rich.text import Text

    con = console()
    con.print(f"[bold]flashprep readiness[/]  [dim]study day {report['today']}[/]")
    con.print(
        _readiness_table(
            "Must-know categories",
            "category",
            [(r["name"], r) for r in report["categories"]],
            con.width,
            mocks=True,
        )
    )
    if report["checklist"]:
        con.print(
            _readiness_table(
                "Interview Readiness Checklist",
                "item",
                [(r["item"], r) for r in report["checklist"]],
                con.width,
            )
        )
    line = Text("Overall: ", style="bold")
    line.append_text(readiness_bar(report["overall"]["readiness"]))
    line.append(f"  over {report['overall']['cards']} card(s)", style="dim")
    con.print(line)
    con.print(f"[dim]{report['formula']}[/]")
    if report["weakest"]:
        names = ", ".join(f"{w['topic']} ({100 * w['readiness']:.0f}%)" for w in report["weakest"])
        con.print(f"Weakest topics: {names}")
    if report["review_command"]:
        con.print("Review them with:  [bold cyan]" + report["review_command"] + "[/]")
    tg = report["target"]
    if tg:
        con.print(
            f"Interview on {tg['date']} ({tg['days_left']} study day(s) left): {tg['unseen']} "
            f"card(s) not seen yet, so [bold]{tg['new_per_day_needed']}[/] new card(s) a day "
            f"(your limit: {tg['new_per_day']})."
        )
