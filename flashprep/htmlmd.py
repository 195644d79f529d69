"""HTML fields to Markdown, for imported Anki notes.

`<br>` and `<div>` lines (hard line breaks), `<p>`, `<b>`/`<strong>`, `<i>`/`<em>`,
`<code>`, `<pre>` and lists become Markdown and entities are decoded; any other tag
is kept as it is, as text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_HTML_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|&(nbsp|lt|gt|amp|quot|#\d+);")

# ----------------------------------------------------------------- HTML -> Markdown

_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}  # the same both ends


class _ToMarkdown(HTMLParser):
    """The simple tags become Markdown; any other tag stays as text, as it was written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.pre = 0
        self.fence_at: int | None = None  # index of the open fence, to add a language
        self.fence_fresh = False  # nothing written inside the code block yet
        self.lists: list[list[int]] = []  # open <ul>/<ol>: [0] or [next number]
        self.item_start = False  # just wrote a list marker

    def _tail(self) -> str:
        return "".join(self.out[-4:])

    def _newline(self) -> None:
        tail = self._tail()
        if tail and not tail.endswith("\n"):
            self.out.append("\n")

    def _blank(self) -> None:
        """End the current block with an empty line (Markdown's paragraph break)."""
        self._newline()
        tail = self._tail()
        if tail and not tail.endswith("\n\n"):
            self.out.append("\n")

    def _break(self) -> None:
        """A line break: a newline in a code block, elsewhere a Markdown hard break
        (decided in html_to_markdown)."""
        self.out.append("\n" if self.pre else _BREAK)

    def _div_edge(self) -> None:
        # Anki's editor writes each line as a <div>: a line break, not a paragraph.
        tail = self._tail()
        if tail and not tail.endswith("\n"):
            self._break()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()
        elif self.pre:
            if tag == "code" and self.fence_at is not None:
                for name, value in attrs:
                    if name == "class" and value:
                        m = re.search(r"(?:language|lang)-([\w+#-]+)", value)
                        if m:
                            self.out[self.fence_at] = f"```{m.group(1)}\n"
            # Other markup inside a code block (highlighting spans) is dropped.
        elif tag == "pre":
            self._blank()
            self.fence_at = len(self.out)
            self.fence_fresh = True
            self.out.append("```\n")
            self.pre += 1
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "p":
            self._blank()
        elif tag == "div":
            self._div_edge()
        elif tag in ("ul", "ol"):
            if not self.lists:
                self._blank()
            self.lists.append([1] if tag == "ol" else [0])
        elif tag == "li" and self.lists:
            self._newline()
            counter = self.lists[-1]
            indent = "  " * (len(self.lists) - 1)
            if counter[0]:
                self.out.append(f"{indent}{counter[0]}. ")
                counter[0] += 1
            else:
                self.out.append(f"{indent}- ")
            self.item_start = True
        else:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break()
        elif not self.pre:
            self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self.pre:
            self.pre -= 1
            self.fence_at = None
            self._newline()
            self.out.append("```\n\n")
        elif self.pre:
            pass
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "p":
            self._blank()
        elif tag == "div":
            self._div_edge()
        elif tag == "li":
            self._newline()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._blank()
        elif tag != "br":
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        data = data.replace("\xa0", " ")
        if self.pre:
            if self.fence_fresh:
                data = data.lstrip("\n")  # <pre>\ncode: that newline belongs to the tag
                self.fence_fresh = not data
            self.out.append(data)
            return
        tail = self._tail()
        if not tail or tail.endswith("\n") or self.item_start:
            # Whitespace between block tags is layout in HTML, and leading spaces
            # would turn a Markdown line into a code block.
            data = data.lstrip()
        if data:
            self.item_start = False
            self.out.append(data)


_BREAK = "\x00\n"  # a <br> or the end of a <div> line, until html_to_markdown decides
_BREAKS_RE = re.compile("(?:\x00\n)+")


def _line_breaks(text: str) -> str:
    """One break before more text is a Markdown hard break (a backslash at the end of
    the line, which rich and Anki both show as a new line); two or more (<br><br>)
    start a new paragraph; a break before a block or at either end is just a newline."""

    def one(m: re.Match[str]) -> str:
        runs = m.group().count("\x00")
        if runs >= 2:
            return "\n\n"
        at_edge = m.start() == 0 or m.end() == len(text) or text[m.end()] == "\n"
        return "\n" if at_edge else "\\\n"

    return _BREAKS_RE.sub(one, text)


def html_to_markdown(text: str) -> str:
    parser = _ToMarkdown()
    parser.feed(text)
    parser.close()
    out = _line_breaks("".join(parser.out))
    out = "\n".join(line.rstrip() for line in out.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def looks_like_html(text: str) -> bool:
    return bool(_HTML_RE.search(text))
