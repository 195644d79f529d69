"""rich tables for the listing commands, fitted to the terminal (flashprep.ui.layout)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flashprep.ui.layout import BOXED, ID, TEXT, Chrome, Column, cut, fit


def console() -> Any:
    """The console every listing and report prints to (no automatic highlighting of
    numbers and names: the tables style what they mean)."""
    from rich.console import Console

    return Console(highlight=False)


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    width: int,
    chrome: Chrome = BOXED,
    *,
    footer: Sequence[Sequence[Any]] = (),
    row_styles: Sequence[str | None] = (),
    **table_options: Any,
) -> Any:
    """A rich Table of the columns that fit `width` (see flashprep.ui.layout).

    `rows` and `footer` (rows after a separator line, e.g. a total) hold a cell per
    column in `columns`; a cell may be a rich renderable (then it is kept as it is, and
    its column should be a FIGURE of fixed width). Text cells are cut with "…"."""
    from rich.table import Table
    from rich.text import Text

    natural_rows = [
        [c if isinstance(c, str) else " " * getattr(c, "cell_len", 0) for c in r]
        for r in (*rows, *footer)
    ]
    shown = fit(columns, natural_rows, width, chrome)
    t = Table(**table_options)
    for i, w in shown:
        col = columns[i]
        t.add_column(
            col.header,
            justify=col.justify,  # type: ignore[arg-type]
            width=w,
            no_wrap=True,
            overflow="fold" if col.kind == ID else "ellipsis",
        )

    def cells(r: Sequence[Any]) -> list[Any]:
        out = []
        for i, w in shown:
            c = r[i]
            if isinstance(c, str):  # plain text: a "[...]" in a name is not markup
                c = Text(cut(c, w) if columns[i].kind == TEXT else c)
            out.append(c)
        return out

    for n, r in enumerate(rows):
        t.add_row(*cells(r), style=row_styles[n] if n < len(row_styles) else None)
    if footer:
        t.add_section()
        for r in footer:
            t.add_row(*cells(r))
    return t


DECK_COLUMNS = (
    Column("id", ID, justify="left"),
    Column("name", TEXT, drop=3, justify="left"),
    Column("category", TEXT, drop=1, justify="left"),
    Column("cards"),
    Column("new"),
    Column("due"),
    Column("mature", drop=2),
)


def render_decks(rows: list[dict[str, Any]]) -> None:
    con = console()
    body = [
        [r["id"], r["name"], r["category"], *(str(r[k]) for k in ("cards", "new", "due", "mature"))]
        for r in rows
    ]
    total = [
        "total",
        "",
        "",
        *(str(sum(r[k] for r in rows)) for k in ("cards", "new", "due", "mature")),
    ]
    con.print(
        fitted_table(
            DECK_COLUMNS,
            body,
            con.width,
            BOXED,
            footer=[total],
            title="Decks",
            title_justify="left",
        )
    )
