"""rich tables for the listing commands."""

from __future__ import annotations

from typing import Any


def console() -> Any:
    """The console every listing and report prints to (no automatic highlighting of
    numbers and names: the tables style what they mean)."""
    from rich.console import Console

    return Console(highlight=False)


def render_decks(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    t = Table(title="Decks", title_justify="left")
    for name, justify in [
        ("id", "left"),
        ("name", "left"),
        ("category", "left"),
        ("cards", "right"),
        ("new", "right"),
        ("due", "right"),
        ("mature", "right"),
    ]:
        t.add_column(name, justify=justify, no_wrap=name != "name" and name != "category")  # type: ignore[arg-type]
    for r in rows:
        t.add_row(
            r["id"],
            r["name"],
            r["category"],
            str(r["cards"]),
            str(r["new"]),
            str(r["due"]),
            str(r["mature"]),
        )
    t.add_section()
    t.add_row(
        "total", "", "", *(str(sum(r[k] for r in rows)) for k in ("cards", "new", "due", "mature"))
    )
    console().print(t)
