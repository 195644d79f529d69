"""How a flashprep card looks inside Anki: Markdown to HTML, highlighted code, and the
note type's templates and CSS.

Markdown becomes HTML with markdown-it-py and fenced code is coloured with pygments,
with CSS classes whose colours switch with Anki's night mode (`.nightMode` on desktop
and AnkiMobile, `.night_mode` on AnkiDroid). Both libraries are imported inside the
functions that use them.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from flashprep.ankinote import AnkiNote, anki_tag, note_guid
from flashprep.cardmodel import Card
from flashprep.errors import InputError

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "github-dark"

# ----------------------------------------------------------------- HTML


class Renderer:
    """Markdown to HTML for card fields; builds its markdown-it parser on first use.

    An exercise card (kind sql or python) becomes a card to answer in your head: its
    prompt with the dataset's schema (sql) on the front, and on the back the
    explanation, the reference solution and its result (the result table of the
    query, run on SQLite; for Python, the tests it passes). `home` is where the
    user's datasets are looked for.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.home = home

    @cached_property
    def _md(self) -> Any:
        from markdown_it import MarkdownIt

        # Raw HTML in a deck is shown as text, like in the terminal; tables and
        # ~~strike~~ are common in interview notes.
        md = MarkdownIt("commonmark", {"html": False, "highlight": highlight_code})
        return md.enable(["table", "strikethrough"])

    def block(self, text: str) -> str:
        return str(self._md.render(text)).strip()

    def inline(self, text: str) -> str:
        return str(self._md.renderInline(text)).strip()

    def key_points(self, points: Sequence[str]) -> str:
        if not points:
            return ""
        items = "".join(f"<li>{self.inline(p)}</li>" for p in points)
        return f'<ul class="fp-points-list">{items}</ul>'

    def note(self, card: Card, position: int) -> AnkiNote:
        tags = sorted({anki_tag(t) for t in (*card.tags, card.deck)} - {""})
        # A card that came from Anki (flashprep import) keeps its note's GUID, so
        # exporting it back finds that note instead of adding a copy.
        front, back = card.front, card.back
        if card.is_exercise:
            front, back = self.exercise_markdown(card)
        return AnkiNote(
            guid=card.guid or note_guid(card.id),
            card_id=card.id,
            front=self.block(front),
            back=self.block(back),
            key_points=self.key_points(card.key_points),
            topic=card.topic or "",
            tags=tuple(tags),
            position=position,
        )

    def exercise_markdown(self, card: Card) -> tuple[str, str]:
        """(front, back) Markdown of an exercise: see the class docstring."""
        from flashprep.exercises.check import Checker
        from flashprep.exercises.datasets import schema_of
        from flashprep.exercises.sql import QueryError, run_reference_sqlite

        solution = card.solution or ""
        if card.kind != "sql":
            back = (
                f"{card.back}\n\n**Solution**\n\n```python\n{solution}\n```\n\n"
                f"**It passes**\n\n```python\n{card.tests or ''}\n```"
            )
            return card.front, back
        script = Checker(self.home).dataset(card)
        front = (
            f"{card.front}\n\n**Tables** (dataset `{card.dataset}`)\n\n"
            f"```sql\n{schema_of(script)}\n```"
        )
        try:
            result = result_markdown(run_reference_sqlite(solution, script))
        except QueryError as exc:
            raise InputError(
                f"{card.path}:{card.line}: card {card.id!r}: the reference "
                f"solution does not run: {exc.message}"
            ) from None
        back = f"{card.back}\n\n**Solution**\n\n```sql\n{solution}\n```\n\n**Result**\n\n{result}"
        return front, back


EXPORT_ROWS = 20  # rows of an exercise's result shown in Anki


def result_markdown(table: Any) -> str:
    """A query result as a Markdown table (its first EXPORT_ROWS rows)."""
    from flashprep.ui.exercise import cell

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    cols = list(table.columns) or ["(no columns)"]
    lines = [
        "| " + " | ".join(esc(c) for c in cols) + " |",
        "|" + "|".join("---" for _ in cols) + "|",
    ]
    for row in table.rows[:EXPORT_ROWS]:
        lines.append("| " + " | ".join(esc(cell(v)) for v in row) + " |")
    total = table.total or len(table.rows)
    more = f"\n\n… and {total - EXPORT_ROWS} more row(s)" if total > EXPORT_ROWS else ""
    return "\n".join(lines) + more


def highlight_code(code: str, lang: str, attrs: str = "") -> str:
    """A fenced block as <pre class="fp-code">, coloured with pygments' CSS classes.

    Unknown or missing languages are shown plain; guessing a lexer is slow and
    often wrong on short snippets.
    """
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    body = None
    if lang:
        try:
            lexer = get_lexer_by_name(lang)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = highlight(code, lexer, HtmlFormatter(nowrap=True))
    if body is None:
        body = html.escape(code, quote=False)
    cls = f' class="language-{html.escape(lang)}"' if lang else ""
    return f'<pre class="fp-code"><code{cls}>{body.rstrip(chr(10))}</code></pre>'


# ----------------------------------------------------------------- note type

FRONT_TEMPLATE = """\
<div class="fp-card">
  <div class="fp-front">{{Front}}</div>
</div>"""

BACK_TEMPLATE = """\
{{FrontSide}}
<hr id="answer">
<div class="fp-card">
  <div class="fp-back">{{Back}}</div>
  {{#KeyPoints}}
  <div class="fp-points"><div class="fp-label">Key points</div>{{KeyPoints}}</div>
  {{/KeyPoints}}
  <div class="fp-meta">{{#Topic}}<span class="fp-topic">{{Topic}}</span>{{/Topic}}\
<span class="fp-id">{{CardId}}</span></div>
</div>"""

BASE_CSS = """\
.card {
  --fp-fg: #1f2328;
  --fp-bg: #ffffff;
  --fp-muted: #59636e;
  --fp-border: #d1d9e0;
  --fp-code-bg: #f6f8fa;
  --fp-accent: #0969da;
  --fp-points-bg: #f0f6ff;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, sans-serif;
  font-size: 19px;
  line-height: 1.55;
  text-align: left;
  color: var(--fp-fg);
  background-color: var(--fp-bg);
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  --fp-fg: #e6edf3;
  --fp-bg: #1e1f22;
  --fp-muted: #9198a1;
  --fp-border: #3d444d;
  --fp-code-bg: #161b22;
  --fp-accent: #4493f8;
  --fp-points-bg: #1b2636;
}
.fp-card { max-width: 46em; margin: 0 auto; padding: 0 .5em; }
.fp-front { font-size: 1.1em; font-weight: 600; }
.fp-card p { margin: .5em 0; }
.fp-card a { color: var(--fp-accent); }
.fp-card table { border-collapse: collapse; margin: .6em 0; }
.fp-card th, .fp-card td { border: 1px solid var(--fp-border); padding: .25em .6em; }
hr#answer { border: 0; border-top: 1px solid var(--fp-border); margin: 1em 0; }
.fp-card code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em;
}
.fp-card :not(pre) > code {
  background: var(--fp-code-bg);
  border-radius: 4px;
  padding: .1em .35em;
}
.fp-code {
  background: var(--fp-code-bg);
  color: var(--fp-fg);
  border: 1px solid var(--fp-border);
  border-radius: 6px;
  padding: .7em 1em;
  overflow-x: auto;
  line-height: 1.45;
  font-weight: normal;
  white-space: pre;
  text-align: left;
}
.fp-points {
  margin-top: 1em;
  padding: .5em .9em;
  border-left: 3px solid var(--fp-accent);
  background: var(--fp-points-bg);
  border-radius: 0 6px 6px 0;
}
.fp-label {
  font-size: .75em;
  font-weight: 600;
  letter-spacing: .05em;
  text-transform: uppercase;
  color: var(--fp-muted);
}
.fp-points-list { margin: .3em 0; padding-left: 1.3em; }
.fp-meta { margin-top: 1.2em; font-size: .75em; color: var(--fp-muted); }
.fp-topic { margin-right: 1em; }
.fp-topic::before { content: "# "; }
"""


def _token_declarations(style: Any, props: set[str]) -> str:
    """CSS for one token's style, limited to `props` (the ones either theme sets)."""
    parts = []
    if "color" in props:
        parts.append(f"color: #{style['color']}" if style["color"] else "color: inherit")
    if "bold" in props:
        parts.append("font-weight: bold" if style["bold"] else "font-weight: normal")
    if "italic" in props:
        parts.append("font-style: italic" if style["italic"] else "font-style: normal")
    if "underline" in props:
        parts.append(
            "text-decoration: underline" if style["underline"] else "text-decoration: none"
        )
    if "bgcolor" in props:
        parts.append(
            f"background-color: #{style['bgcolor']}"
            if style["bgcolor"]
            else "background-color: transparent"
        )
    return "; ".join(parts)


def code_css() -> str:
    """Token colours for light mode and, under the night-mode classes, for dark mode.

    For every token class both rules set the same properties, so the night rule
    (more specific) always fully replaces the light one: no light colour leaks
    onto a dark background.
    """
    from pygments.styles import get_style_by_name
    from pygments.token import STANDARD_TYPES

    light, dark = get_style_by_name(LIGHT_CODE_STYLE), get_style_by_name(DARK_CODE_STYLE)
    light_rules, dark_rules = [], []
    for ttype, cls in sorted(STANDARD_TYPES.items(), key=lambda kv: kv[1]):
        if not cls:
            continue
        ls, ds = light.style_for_token(ttype), dark.style_for_token(ttype)
        props = {p for p in ("color", "bold", "italic", "underline", "bgcolor") if ls[p] or ds[p]}
        if not props:
            continue
        light_rules.append(f".fp-code .{cls} {{ {_token_declarations(ls, props)} }}")
        dark_rules.append(
            f".nightMode .fp-code .{cls}, .night_mode .fp-code .{cls} "
            f"{{ {_token_declarations(ds, props)} }}"
        )
    return "\n".join(light_rules + dark_rules) + "\n"


def note_type_css() -> str:
    return BASE_CSS + code_css()
