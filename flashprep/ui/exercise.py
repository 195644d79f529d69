"""Showing what running an exercise found: as plain lines, and with rich.

The plain functions import nothing beyond the standard library (flashprep.ui.plain
uses them); the rich ones import rich when called. On a SQL mismatch both results
are shown side by side: rows of the solution your answer lacks are marked `-`,
rows of yours that should not be there `+`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from flashprep.exercises import Outcome, Table

SHOWN_ROWS = 15  # rows of each result shown on a mismatch
_MISSING, _EXTRA = "-", "+"


def cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:.6g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, bytes):
        return "x'" + value.hex() + "'"
    return " ".join(str(value).split()) or "''"


def _marked(
    rows: Sequence[tuple[Any, ...]], flagged: Sequence[tuple[Any, ...]], mark: str
) -> list[tuple[str, tuple[Any, ...]]]:
    """Each row with `mark` if it is one of `flagged` (counting duplicates), else " "."""
    left = Counter(map(tuple, flagged))  # the very rows of `rows` that were flagged
    out = []
    for r in rows:
        k = tuple(r)
        if left[k] > 0:
            left[k] -= 1
            out.append((mark, r))
        else:
            out.append((" ", r))
    return out


def table_lines(
    table: Table, flagged: Sequence[tuple[Any, ...]] = (), mark: str = " ", limit: int = SHOWN_ROWS
) -> list[str]:
    """A result as aligned text lines: a header, a rule, then rows (at most `limit`)."""
    rows = _marked(table.rows, flagged, mark)
    # Flagged rows first if the table is cut, so the difference stays in view.
    if len(rows) > limit:
        rows = [r for r in rows if r[0] != " "] + [r for r in rows if r[0] == " "]
    shown = rows[:limit]
    cols = list(table.columns) or ["(no columns)"]
    texts = [[cell(v) for v in r] for _, r in shown]
    widths = [
        min(30, max([len(c)] + [len(t[i]) for t in texts if i < len(t)]))
        for i, c in enumerate(cols)
    ]

    def fit(s: str, w: int) -> str:
        return (s if len(s) <= w else s[: w - 1] + "…").ljust(w)

    lines = ["  " + " | ".join(fit(c, w) for c, w in zip(cols, widths, strict=True))]
    lines.append("  " + "-+-".join("-" * w for w in widths))
    for (m, _), t in zip(shown, texts, strict=True):
        lines.append(m + " " + " | ".join(fit(v, w) for v, w in zip(t, widths, strict=False)))
    hidden = (
        len(table.rows) - len(shown) + ((table.total or 0) - len(table.rows) if table.total else 0)
    )
    if hidden > 0:
        lines.append(f"  ... and {hidden} more row(s)")
    if not table.rows:
        lines.append("  (no rows)")
    return lines


def side_by_side(
    left: list[str], right: list[str], titles: tuple[str, str], gap: str = "   "
) -> list[str]:
    width = max([len(titles[0])] + [len(x) for x in left])
    out = [titles[0].ljust(width) + gap + titles[1]]
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else ""
        b = right[i] if i < len(right) else ""
        out.append((a.ljust(width) + gap + b).rstrip())
    return out


def outcome_lines(outcome: Outcome, width: int = 100) -> list[str]:
    """PASS or FAIL and the details, as plain lines (the plain-mode contract)."""
    head = ("PASS" if outcome.passed else "FAIL") + f": {outcome.detail}"
    if outcome.status in ("error", "timeout"):
        head = f"FAIL ({outcome.status}): {outcome.detail}"
    lines = [head + f"  [{outcome.engine}, {outcome.seconds:.2f} s]"]
    if outcome.status == "fail" and outcome.expected is not None and outcome.got is not None:
        left = table_lines(outcome.expected, outcome.missing, _MISSING)
        right = table_lines(outcome.got, outcome.extra, _EXTRA)
        titles = ("expected (the solution):", "yours:")
        if max(len(x) for x in left) + max(len(x) for x in right) + 3 <= width:
            lines.extend(side_by_side(left, right, titles))
        else:
            lines.extend([titles[0], *left, titles[1], *right])
        if outcome.missing or outcome.extra:
            lines.append(
                f"  {_MISSING} = a row of the solution missing from yours, "
                f"{_EXTRA} = a row of yours that should not be there"
            )
    for f in outcome.failures:
        lines.append(f"  ✗ {f}")
    if outcome.output.strip():
        lines.append("  your code printed:")
        lines.extend("    " + x for x in outcome.output.rstrip().splitlines()[-10:])
    return lines


# ------------------------------------------------------------------ rich


def rich_table(
    table: Table, flagged: Sequence[tuple[Any, ...]], mark: str, title: str, style: str
) -> Any:
    from rich.table import Table as RichTable

    t = RichTable(title=title, title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("", width=1)
    for c in table.columns or ("(no columns)",):
        t.add_column(c, overflow="fold", max_width=30)
    rows = _marked(table.rows, flagged, mark)
    if len(rows) > SHOWN_ROWS:
        rows = [r for r in rows if r[0] != " "] + [r for r in rows if r[0] == " "]
    for m, r in rows[:SHOWN_ROWS]:
        t.add_row(m, *(cell(v) for v in r), style=style if m != " " else None)
    if len(table.rows) > SHOWN_ROWS:
        t.caption = f"... and {len(table.rows) - SHOWN_ROWS} more row(s)"
    return t


def rich_outcome(outcome: Outcome) -> Any:
    """A panel: PASS/FAIL, the detail, and the two results side by side or the failures."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table as Grid
    from rich.text import Text

    ok = outcome.passed
    head = Text()
    head.append(" PASS " if ok else " FAIL ", style="bold reverse " + ("green" if ok else "red"))
    head.append(f" {outcome.detail}")
    head.append(f"  {outcome.engine}, {outcome.seconds:.2f} s", style="dim")
    parts: list[Any] = [head]
    if outcome.status == "fail" and outcome.expected is not None and outcome.got is not None:
        grid = Grid.grid(padding=(0, 4))
        grid.add_column()
        grid.add_column()
        grid.add_row(
            rich_table(
                outcome.expected, outcome.missing, _MISSING, "expected (the solution)", "red"
            ),
            rich_table(outcome.got, outcome.extra, _EXTRA, "yours", "yellow"),
        )
        parts.append(grid)
        if outcome.missing or outcome.extra:
            parts.append(
                Text(
                    f"{_MISSING} a row of the solution missing from yours · "
                    f"{_EXTRA} a row of yours that should not be there",
                    style="dim",
                )
            )
    for f in outcome.failures:
        parts.append(Text("✗ " + f, style="red"))
    if outcome.output.strip():
        parts.append(
            Text(
                "your code printed:\n" + "\n".join(outcome.output.rstrip().splitlines()[-10:]),
                style="dim",
            )
        )
    return Panel(
        Group(*parts), border_style="green" if ok else "red", title="result", title_align="left"
    )
