"""The `flashprep cards` table."""

from __future__ import annotations

from typing import Any

HEADERS = ("id", "deck", "front", "due", "interval", "EF", "lapses")


def _due_cell(r: dict[str, Any]) -> str:
    status = r["status"]
    if status in ("due", "scheduled"):
        return r["due"] or ""
    if status == "buried":
        return f"buried to {r['buried_until']}"
    return status


def render_cards(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from flashprep.ui.tables import console

    con = console()
    if not rows:
        con.print("No cards match.")
        return
    cells = [
        [
            r["id"],
            r["deck"],
            r["front"],
            _due_cell(r),
            f"{r['interval']}d" if r["due"] else "",
            f"{r['ef']:.2f}",
            str(r["lapses"]),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADERS)]
    # Every column but the front keeps its full width; the front takes what is left
    # of the terminal (one line, cut with an ellipsis). rich counts a column's padding
    # (one space a side) in its width.
    widths = [w + 2 for w in widths]
    others = sum(w for i, w in enumerate(widths) if i != 2) - 2  # no padding at the edges
    front_width = max(14, min(widths[2], con.width - others))
    short = others + front_width - con.width
    if short > 0:
        # Too narrow even so: long ids fold onto a second line rather than be cut.
        widths[0] = max(14, widths[0] - short)
    widths[2] = front_width
    t = Table(
        title=f"{len(rows)} card(s)",
        title_justify="left",
        box=None,
        header_style="bold underline",
        pad_edge=False,
    )
    for i, h in enumerate(HEADERS):
        t.add_column(
            h,
            justify="right" if h in ("interval", "EF", "lapses") else "left",
            no_wrap=i != 0,
            overflow="fold" if i == 0 else "ellipsis",
            width=widths[i],
        )
    for r, row in zip(rows, cells, strict=True):
        dim = r["status"] in ("suspended", "leech", "draft", "buried")
        t.add_row(*row, style="dim" if dim else None)
    con.print(t)
