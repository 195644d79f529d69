"""Tables that fit the terminal: which columns to show, and how wide, for a given width.

The rule every listing follows (the README's "Narrow terminals"):

* an id (card, deck, topic) and a figure are never shortened or broken;
* a text column (a name, a category, a card's front, a checklist item) is cut at
  the end with "…" to fit, but not below its minimum (12 characters unless set);
* when even that does not fit, optional columns are dropped, in the order each
  table gives, and the text columns take back the room they leave;
* only an id longer than the whole terminal can still wrap.

No rich here: the same choice serves the plain `status` table and the rich ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ID, FIGURE, TEXT = "id", "figure", "text"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = FIGURE  # ID and FIGURE are shown whole; TEXT is cut to fit
    drop: int | None = None  # dropped when too narrow: 1 first, then 2, ...; None = kept
    min_width: int = 12  # TEXT only: the narrowest it is cut to
    justify: str = "right"


@dataclass(frozen=True)
class Chrome:
    """What a table's borders and padding add: `per_column` for each shown column,
    plus `edges` once (negative when the outer columns lose their padding)."""

    per_column: int
    edges: int

    def extra(self, columns: int) -> int:
        return self.per_column * columns + self.edges if columns else 0


# rich's default box (HEAVY_HEAD) with padding (0, 1): "│ x │ y │".
BOXED = Chrome(per_column=3, edges=1)
# No box, padding (0, 1), no padding at the edges: columns two spaces apart.
SPACED = Chrome(per_column=2, edges=-2)
# box.SIMPLE_HEAD with padding (0, 0, 0, 1): a space each side, one between, one pad.
COMPACT = Chrome(per_column=2, edges=1)


def natural_widths(columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([len(c.header), *(len(str(r[i])) for r in rows)]) for i, c in enumerate(columns)]


def fit(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int, chrome: Chrome
) -> list[tuple[int, int]]:
    """(column index, content width) of the columns to show, in table order."""
    natural = natural_widths(columns, rows)
    least = [
        min(n, c.min_width) if c.kind == TEXT else n for c, n in zip(columns, natural, strict=True)
    ]
    shown = list(range(len(columns)))

    def need(widths: Sequence[int]) -> int:
        return sum(widths[i] for i in shown) + chrome.extra(len(shown))

    for _, i in sorted((c.drop, i) for i, c in enumerate(columns) if c.drop is not None):
        if need(least) <= width:
            break
        shown.remove(i)
    widths = {i: least[i] for i in shown}
    spare = width - need(least)
    for i in shown:  # the text columns grow back, left first, up to their natural width
        if spare <= 0:
            break
        grow = min(spare, natural[i] - widths[i])
        widths[i] += grow
        spare -= grow
    return [(i, widths[i]) for i in shown]


def cut(text: str, width: int) -> str:
    """`text` on one line of at most `width` characters, ending in "…" if it was cut."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)].rstrip() + "…"
