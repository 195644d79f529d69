"""Plain-text rendering for the commands that must start fast (status).

rich costs ~30 ms to import; `flashprep status` is run often enough (shell
prompts, scripts) that it prints an aligned plain table instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """An aligned text table; `align` has one of '<' or '>' per column (default: '<' then '>')."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "<" + ">" * (len(headers) - 1)
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(f"{c:{a}{w}}" for c, a, w in zip(r, align, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_status(report: dict[str, Any]) -> str:
    rows = [
        (d["id"], d["due"], d["new"], d["redrill"])
        for d in report["decks"]
        if d["due"] or d["new"] or d["redrill"]
    ]
    out = [f"Study day {report['today']}"]
    iv = report.get("interview")
    if iv:
        left = iv["days_left"]
        minutes = (report["new"] * iv["new_card_seconds"] + report["due"] * iv["review_seconds"]
                   + report["redrill"] * iv["review_seconds"]) / 60
        out.append(f"Interview on {iv['date']}: {left} day{'s' if left != 1 else ''} left. "
                   f"Today's plan: {report['new']} new, {report['due']} review(s), about "
                   f"{minutes:.0f} of your {iv['minutes_per_day']} minutes.")
    if rows:
        rows.append(("total", report["due"], report["new"], report["redrill"]))
        out.append(table(("deck", "due", "new", "re-drill"), rows))
        out.append("Run `flashprep review` to start.")
    else:
        nxt = report["next_due"]
        out.append("Nothing due today." + (f" Next review due {nxt}." if nxt else ""))
    done = report["done_today"]
    if done["new"] or done["reviews"]:
        out.append(f"Done today: {done['reviews']} review(s), {done['new']} new card(s).")
    if rows and report["next_due"]:
        out.append(f"Next due after today: {report['next_due']}")
    return "\n".join(out)
