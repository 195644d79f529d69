"""The `flashprep cards` table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flashprep.ui.layout import FIGURE, ID, TEXT, Column

if TYPE_CHECKING:
    from flashprep.cardlist import CardRow

# The id is whole; the front takes what is left (cut with "…"). Too narrow for that:
# the interval goes first, then the deck (a bundled card's id starts with its deck's),
# the lapses, the EF, the due day and, for an id that leaves no room at all, the front.
COLUMNS = (
    Column("id", ID, justify="left"),
    Column("deck", ID, drop=2, justify="left"),
    Column("front", TEXT, drop=6, min_width=20, justify="left"),
    Column("due", FIGURE, drop=5, justify="left"),
    Column("interval", drop=1),
    Column("EF", drop=4),
    Column("lapses", drop=3),
)


def _due_cell(r: CardRow) -> str:
    status = r["status"]
    if status in ("due", "scheduled"):
        return r["due"] or ""
    if status == "buried":
        return f"buried to {r['buried_until']}"
    return status


def render_cards(rows: list[CardRow]) -> None:
    from flashprep.ui.layout import SPACED
    from flashprep.ui.tables import console, fitted_table

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
    styles = [
        "dim" if r["status"] in ("suspended", "leech", "draft", "buried") else None for r in rows
    ]
    con.print(
        fitted_table(
            COLUMNS,
            cells,
            con.width,
            SPACED,
            row_styles=styles,
            title=f"{len(rows)} card(s)",
            title_justify="left",
            box=None,
            header_style="bold underline",
            pad_edge=False,
        )
    )
