"""`flashprep stats --html FILE`: the stats report as one self-contained HTML page.

Inline CSS and inline SVG charts only: no script, no font, no image, no link to anything
outside the file, so it opens offline and can be mailed or archived as it is. Input is the
plain dict of flashprep.stats; every string that comes from decks or the log is escaped.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

from flashprep.clock import format_duration as _duration
from flashprep.stats import heat_level as _level
from flashprep.stats import percent as _pct
from flashprep.stats import retention_text as _ret

LEVEL_COLOURS = ("#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39")
STATE_COLOURS = {
    "new": "#90caf9",
    "learning": "#ffb74d",
    "young": "#81c784",
    "mature": "#2e7d32",
    "suspended": "#bdbdbd",
}
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1f2328;background:#fff}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin-top:2rem;
border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.sub{color:#656d76;margin-top:0}.tiles{display:flex;gap:1rem;flex-wrap:wrap}
.tile{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.tile b{display:block;font-size:1.4rem}.tile span{color:#656d76;font-size:.85rem}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border-bottom:1px solid #d0d7de;padding:.3rem .7rem;text-align:right}
th:first-child,td:first-child{text-align:left;white-space:normal}th{background:#f6f8fa}
td{white-space:nowrap}
svg text{font-size:10px;fill:#656d76}.note{color:#656d76;font-size:.85rem}
"""


def heatmap_svg(h: dict[str, Any]) -> str:
    cell, gap, left, top = 11, 3, 30, 16
    start = date.fromisoformat(h["start"])
    counts: list[int] = h["counts"]
    weeks = -(-len(counts) // 7)
    width = left + weeks * (cell + gap) + 10
    height = top + 7 * (cell + gap) + 28
    parts = [
        f'<svg id="heatmap" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Answers per study day, last {h["weeks"]} weeks">'
    ]
    last_label = -3
    for w in range(weeks):
        first = start + timedelta(days=7 * w)
        # A month's name over its first whole week, if the previous name is out of the way.
        if first.day <= 7 and w - last_label >= 3:
            parts.append(f'<text x="{left + w * (cell + gap)}" y="10">{first:%b}</text>')
            last_label = w
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        parts.append(f'<text x="0" y="{top + row * (cell + gap) + 9}">{name}</text>')
    for i, n in enumerate(counts):
        w, row = divmod(i, 7)
        day = start + timedelta(days=i)
        parts.append(
            f'<rect class="day" x="{left + w * (cell + gap)}" y="{top + row * (cell + gap)}" '
            f'width="{cell}" height="{cell}" rx="2" fill="{LEVEL_COLOURS[_level(n, h["max"])]}" '
            f'data-date="{day.isoformat()}" data-count="{n}">'
            f"<title>{day.isoformat()}: {n} answer(s)</title></rect>"
        )
    y = top + 7 * (cell + gap) + 10
    x = left
    parts.append(f'<text x="{x}" y="{y + 9}">Less</text>')
    x += 28
    for colour in LEVEL_COLOURS:
        parts.append(
            f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2" fill="{colour}"/>'
        )
        x += cell + gap
    parts.append(f'<text x="{x + 2}" y="{y + 9}">More</text>')
    parts.append("</svg>")
    return "".join(parts)


def forecast_svg(fc: dict[str, Any]) -> str:
    days = fc["days"]
    bar, gap, left, top, plot = 14, 4, 30, 10, 120
    peak = max((d["due"] for d in days), default=0)
    width = left + len(days) * (bar + gap) + 10
    height = top + plot + 30
    base = top + plot
    parts = [
        f'<svg id="forecast" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="Reviews due per day, next {len(days)} days">',
        f'<line x1="{left - 4}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#d0d7de"/>',
        f'<text x="0" y="{top + 8}">{peak}</text><text x="0" y="{base}">0</text>',
    ]
    for i, d in enumerate(days):
        h = round(plot * d["due"] / peak) if peak else 0
        if d["due"] and h == 0:
            h = 1
        x = left + i * (bar + gap)
        parts.append(
            f'<rect class="bar" x="{x}" y="{base - h}" width="{bar}" height="{h}" fill="#0969da" '
            f'data-date="{d["day"]}" data-due="{d["due"]}"><title>{d["day"]}: {d["due"]} due'
            f"</title></rect>"
        )
        if i % 7 == 0:
            label = "today" if i == 0 else d["day"][5:]
            parts.append(f'<text x="{x}" y="{base + 14}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def states_svg(cards: dict[str, int]) -> str:
    """One stacked bar of the card states."""
    width, height = 600, 40
    total = sum(cards[k] for k in STATE_COLOURS)
    parts = [
        f'<svg id="card-states" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Card states">'
    ]
    x = 0.0
    for key, colour in STATE_COLOURS.items():
        n = cards[key]
        if not n or not total:
            continue
        w = width * n / total
        parts.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="20" fill="{colour}">'
            f"<title>{key}: {n}</title></rect>"
        )
        x += w
    lx = 0
    for key, colour in STATE_COLOURS.items():
        parts.append(
            f'<rect x="{lx}" y="26" width="10" height="10" fill="{colour}"/>'
            f'<text x="{lx + 14}" y="35">{key} {cards[key]}</text>'
        )
        lx += 115
    parts.append("</svg>")
    return "".join(parts)


def mocks_svg(mocks: list[dict[str, Any]]) -> str:
    """Mock interview scores over time: one point per mock (in the order held), joined."""
    step, left, top, plot = 36, 34, 10, 120
    width = left + max(1, len(mocks)) * step + 10
    height = top + plot + 30
    base = top + plot
    parts = [
        f'<svg id="mock-scores" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Mock interview scores">',
        f'<line x1="{left - 4}" y1="{base}" x2="{width - 6}" y2="{base}" stroke="#d0d7de"/>',
        f'<line x1="{left - 4}" y1="{top}" x2="{width - 6}" y2="{top}" stroke="#eef1f4"/>',
        f'<text x="0" y="{top + 4}">100%</text><text x="0" y="{base}">0%</text>',
    ]
    points = []
    for i, m in enumerate(mocks):
        x = left + i * step + step // 2
        y = base - round(plot * m["score"])
        points.append(f"{x},{y}")
        parts.append(
            f'<circle class="mock" cx="{x}" cy="{y}" r="4" fill="#8250df" '
            f'data-day="{escape(m["day"])}" data-score="{m["score"]}"><title>'
            f"{escape(m['day'])}: {_pct(m['score'])} over {m['questions']} question(s)"
            "</title></circle>"
        )
        if i % 3 == 0:
            parts.append(f'<text x="{x - 12}" y="{base + 14}">{escape(m["day"][5:])}</text>')
    if len(points) > 1:
        parts.insert(
            4,
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#8250df" '
            'stroke-width="2"/>',
        )
    parts.append("</svg>")
    return "".join(parts)


def recall_svg(rows: list[tuple[str, float | None]]) -> str:
    """Horizontal bars: the recall forecast of each row, 0-100%."""
    left, bar, gap, plot = 120, 16, 6, 400
    height = len(rows) * (bar + gap) + 20
    width = left + plot + 50
    parts = [
        f'<svg id="recall-forecast" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Recall forecast">'
    ]
    for i, (name, p) in enumerate(rows):
        y = i * (bar + gap)
        w = round(plot * (p or 0.0))
        colour = "#2e7d32" if (p or 0) >= 0.9 else "#f9a825" if (p or 0) >= 0.7 else "#c62828"
        parts.append(
            f'<text x="0" y="{y + 12}">{escape(name)}</text>'
            f'<rect x="{left}" y="{y}" width="{plot}" height="{bar}" fill="#ebedf0"/>'
            f'<rect class="recall" x="{left}" y="{y}" width="{w}" height="{bar}" '
            f'fill="{colour}" data-p="{p}"><title>{escape(name)}: {_pct(p)}</title>'
            f'</rect><text x="{left + plot + 6}" y="{y + 12}">{_pct(p)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def interview_html(iv: dict[str, Any]) -> list[str]:
    """The interview section: the recall forecast per category and the cards at risk."""
    from flashprep.readiness import CATEGORIES

    names = dict(CATEGORIES)
    rows = [(names.get(k, k), p) for k, p in iv["by_category"].items()]
    rows.append(("all cards", iv["mean"]))
    out = [
        f"<h2>Recall forecast for the interview on {escape(iv['date'])} "
        f"({iv['days_left']} day(s) left)</h2>",
        recall_svg(rows),
        f'<p class="note">FSRS-6, {escape(iv["note"])}. The chance of recalling each card '
        "on the day if you stopped reviewing now; a card not seen yet counts 0.</p>",
    ]
    if iv["at_risk"]:
        out.append(
            _table(
                ["most at risk", "deck", "recall"],
                [[r["card"], r["deck"], _pct(r["p"])] for r in iv["at_risk"]],
            )
        )
    return out


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(
    report: dict[str, Any],
    interview: dict[str, Any] | None = None,
    mocks: list[dict[str, Any]] | None = None,
) -> str:
    """The whole page for a `flashprep.stats` report, with the interview forecast when a
    date is set (flashprep.forecast) and the mock interviews' scores when there are any
    (the rows of flashprep.mock.history_report)."""
    scope = ", ".join(report["decks"]) if report["decks"] else "all decks"
    s, fc, ret = report["streak"], report["forecast"], report["retention"]
    c, ef, tm = report["cards"], report["ef"], report["time"]
    tiles = [
        (f"{report['answers']:,}", "answers in all"),
        (str(s["current"]), "day streak now"),
        (str(s["longest"]), "longest streak"),
        (_pct(ret["all"]["rate"]), f"true retention, {ret['days']} days"),
        (str(fc["days"][0]["due"]), "due today"),
        (_duration(tm["all_time_ms"]), "time spent in all"),
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>flashprep stats {escape(report['today'])}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>flashprep stats</h1>",
        f'<p class="sub">{escape(scope)} · study day {escape(report["today"])}</p>',
    ]
    if report["empty"]:
        out.append("<p>No answers yet: run <code>flashprep review</code> to start.</p>")
    out.append(
        '<div class="tiles">'
        + "".join(
            f'<div class="tile"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for v, k in tiles
        )
        + "</div>"
    )
    out.append(f"<h2>Reviews per day, last {report['heatmap']['weeks']} weeks</h2>")
    out.append(heatmap_svg(report["heatmap"]))
    out.append(
        f'<p class="note">{report["heatmap"]["total"]} answer(s); busiest day '
        f"{report['heatmap']['max']}; {s['study_days']} study day(s) in all.</p>"
    )
    out.append(f"<h2>Due in the next {len(fc['days'])} days</h2>")
    out.append(forecast_svg(fc))
    out.append(
        f'<p class="note">{fc["total"]} review(s) due; today includes {fc["overdue"]} overdue.</p>'
    )
    out.append(f"<h2>True retention, last {ret['days']} days</h2>")
    out.append(
        '<p class="note">Review answers (not new cards, not same-day re-drills) '
        "graded 3 or more; young: interval before the answer under 21 days.</p>"
    )
    out.append(
        _table(
            ["cards", "retention"],
            [
                ["young", _ret(ret["young"])],
                ["mature", _ret(ret["mature"])],
                ["all", _ret(ret["all"])],
            ],
        )
    )
    out.append("<h2>Cards</h2>")
    out.append(states_svg(c))
    out.append(
        _table(
            ["state", "cards"],
            [
                ["new", str(c["new"])],
                ["learning / re-drill", str(c["learning"])],
                ["young", str(c["young"])],
                ["mature", str(c["mature"])],
                ["suspended", str(c["suspended"])],
                ["total", str(c["total"])],
                ["leeches", str(c["leeches"])],
            ],
        )
    )
    ef_line = (
        f"Ease factor: mean {ef['mean']:.2f}, spread (std dev) {ef['stdev']:.2f} over "
        f"{ef['cards']} card(s) seen."
        if ef["cards"]
        else "Ease factor: no card seen yet."
    )
    out.append(
        f'<p class="note">{escape(ef_line)} Time, last {tm["days"]} days: '
        f"{_duration(tm['total_ms'])} on {tm['answers']} answer(s), "
        f"{_duration(tm['per_card_ms'])} per card.</p>"
    )
    if interview:
        out.extend(interview_html(interview))
    if mocks:
        out.append("<h2>Mock interviews</h2>")
        out.append(mocks_svg(mocks))
        last = mocks[-1]
        out.append(
            f'<p class="note">{len(mocks)} mock(s); the last, on {escape(last["day"])}, '
            f"scored {_pct(last['score'])} (key points covered over all questions).</p>"
        )
    if report["per_deck"]:
        out.append("<h2>Per deck</h2>")
        rows = []
        for d in report["per_deck"]:
            dc, de = d["cards"], d["ef"]
            rows.append(
                [
                    d["id"],
                    str(dc["total"]),
                    str(dc["new"]),
                    str(dc["learning"]),
                    str(dc["young"]),
                    str(dc["mature"]),
                    str(dc["suspended"]),
                    str(dc["leeches"]),
                    "-" if de["mean"] is None else f"{de['mean']:.2f} ± {de['stdev']:.2f}",
                    _pct(d["retention"]["all"]["rate"]),
                    _duration(d["time"]["per_card_ms"]) if d["time"]["cards"] else "-",
                ]
            )
        out.append(
            _table(
                [
                    "deck",
                    "cards",
                    "new",
                    "learning",
                    "young",
                    "mature",
                    "suspended",
                    "leeches",
                    "EF",
                    "retention",
                    "time/card",
                ],
                rows,
            )
        )
    out.append("</body></html>\n")
    return "\n".join(out)


def write_report(path: Path, html: str) -> None:
    """Write the page atomically, but never over a file that is not an HTML page: a slip
    such as `--html reviews.jsonl` or `--html decks/sql.toml` must not replace data."""
    from flashprep.errors import InputError
    from flashprep.fsutil import atomic_write_text

    try:
        with open(path, "rb") as fh:
            head = fh.read(256).lstrip().lower()
    except OSError:
        head = b""  # missing (the usual case) or unreadable: the write reports what is wrong
    if head and not head.startswith((b"<!doctype html", b"<html")):
        raise InputError(
            f"--html {path}: that file exists and is not an HTML page; "
            "choose another file name (nothing was written)"
        )
    atomic_write_text(path, html, error=InputError)
