"""Text helpers for syllabus Markdown: mojibake repair, inline Markdown to plain text,
slugs, labels, question splitting and topic words (flashprep.syllabus uses them).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

# ----------------------------------------------------------------- text helpers

# A code span opens and closes with backtick runs of the same length (whole runs).
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Emphasis markers are runs of * or _ (or ~~) at a word's edge; one between two letters or
# digits ("snake_case", "2*3") is text, so cleaning a label again keeps its slug.
_EMPHASIS_RE = re.compile(r"(?<![\w*])[*_]+|[*_]+(?![\w*])|(?<![\w~])~~|~~(?![\w~])")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252 somewhere ("â€“" -> "–").

    Each run of characters that Windows-1252 (or Latin-1) maps to a byte >= 0x80
    is re-encoded and decoded as UTF-8; a run that is not valid UTF-8 (a real
    "é", say) is left alone, so clean text passes through unchanged.
    """

    def byte_of(ch: str) -> int | None:
        try:
            b = ch.encode("cp1252")
        except UnicodeEncodeError:
            b = bytes([ord(ch)]) if 0x80 <= ord(ch) < 0x100 else b""
        return b[0] if len(b) == 1 and b[0] >= 0x80 else None

    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        chunk = "".join(run)
        if len(run) > 1:
            try:
                chunk = bytes(byte_of(c) or 0 for c in run).decode("utf-8")
            except UnicodeDecodeError:
                pass
        out.append(chunk)
        run.clear()

    for ch in text:
        if ord(ch) >= 0x80 and byte_of(ch) is not None:
            run.append(ch)
        else:
            flush()
            out.append(ch)
    flush()
    return "".join(out)


def _outside_code(text: str, fn: Any) -> str:
    """Apply `fn` to the parts of `text` that are not `code` spans."""
    out, pos = [], 0
    for m in _CODE_SPAN_RE.finditer(text):
        out.append(fn(text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(fn(text[pos:]))
    return "".join(out)


def inline_text(text: str) -> str:
    """Markdown inline text for a card front: links become their text, emphasis
    markers go, `code` spans stay as they are, whitespace is collapsed."""

    def plain(part: str) -> str:
        return _EMPHASIS_RE.sub("", _LINK_RE.sub(r"\1", part.replace("\\|", "|")))

    return " ".join(_outside_code(text, plain).split())


def plain_text(text: str) -> str:
    """Inline text with every backtick dropped too (code spans keep their content)."""
    return _CODE_SPAN_RE.sub(lambda m: m.group(2).strip(), inline_text(text)).replace("`", "")


def slug(text: str) -> str:
    """The id form of a syllabus item: "`*args/**kwargs`" -> "args-kwargs".

    Backticks and emphasis are dropped, accents transliterated (NFKD), every run
    of characters other than a-z and 0-9 becomes one hyphen.
    """
    text = unicodedata.normalize("NFKD", plain_text(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_TRAILING_JUNK = {"So", "Sk", "Cf", "Mn", "Zs", "Cn", "Co"}


def _strip_symbols(text: str) -> str:
    """Strip emoji, variation selectors and spaces from both ends (not '+' or '#')."""

    def junk(ch: str) -> bool:
        if ch.isspace():
            return True
        # "㍘" is a symbol whose compatibility form holds a digit: keep it, the slug does.
        return unicodedata.category(ch) in _TRAILING_JUNK and not any(
            c.isalnum() for c in unicodedata.normalize("NFKD", ch)
        )

    start, end = 0, len(text)
    while start < end and junk(text[start]):
        start += 1
    while end > start and junk(text[end - 1]):
        end -= 1
    return text[start:end]


def label(text: str) -> str:
    """A table cell as a name: plain text without emoji at either end."""
    return _strip_symbols(plain_text(text))


def heading_title(text: str) -> str:
    """ "FastAPI Core (Week 3–5) ⭐" -> "FastAPI Core": no emoji, no trailing parenthetical."""
    title = label(text)
    while True:
        shorter = _strip_symbols(re.sub(r"\s*\([^()]*\)$", "", title))
        if shorter == title or not shorter:
            return title
        title = shorter


def atoms(text: str) -> Iterator[str]:
    """The characters of `text`, with each `code` span and each escaped pipe `\\|` as one
    piece, so a splitter never splits inside them."""
    i = 0
    while i < len(text):
        if text.startswith("\\|", i):
            yield "\\|"
            i += 2
            continue
        m = _CODE_SPAN_RE.match(text, i) if text[i] == "`" else None
        end = m.end() if m else i + 1
        yield text[i:end]
        i = end


def split_questions(cell: str) -> list[str]:
    """Split a must-know cell on commas that are not inside `code` or (parentheses)."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for atom in atoms(cell):
        if atom == "(":
            depth += 1
        elif atom == ")" and depth:
            depth -= 1
        if atom == "," and not depth:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(atom)
    parts.append("".join(buf))
    return [p.strip() for p in parts if slug(p)]


_STOPWORDS = frozenset(
    "a an and are as at basics be by do does for from how in interview is it level of on or "
    "the to vs what when where which why with works".split()
)


def topic_words(text: str, skip: Sequence[str] = (), limit: int = 3) -> list[str]:
    """Up to `limit` words of an item to use as tags (`--tag jwt`)."""
    out: list[str] = []
    for word in slug(text).split("-"):
        if len(word) < 2 or word.isdigit() or word in _STOPWORDS or word in out or word in skip:
            continue
        out.append(word)
        if len(out) == limit:
            break
    return out


# Which must-know category a "What to Cover" section belongs to, judged by the
# words of its title (first match wins). Sections that match none are tagged
# with the slug of their phase title.
_CATEGORY_WORDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("auth", frozenset({"auth", "authentication", "authorization", "security", "jwt", "oauth"})),
    (
        "database",
        frozenset(
            {
                "sql",
                "postgresql",
                "postgres",
                "database",
                "databases",
                "db",
                "dbs",
                "sqlalchemy",
                "orm",
                "mysql",
                "sqlite",
            }
        ),
    ),
    ("devops", frozenset({"docker", "git", "ci", "cd", "deployment", "devops", "kubernetes"})),
    ("system-design", frozenset({"caching", "cache", "rate", "limiting", "redis", "system"})),
    ("api-design", frozenset({"api", "rest", "rest-api"})),
    ("fastapi", frozenset({"fastapi"})),
    ("python", frozenset({"python"})),
    ("cs-fundamentals", frozenset({"cs", "dsa", "networking", "algorithms"})),
)


def category_tag(title: str, fallback: str) -> str:
    words = set(slug(title).split("-"))
    for tag, keys in _CATEGORY_WORDS:
        if words & keys:
            return tag
    return slug(fallback) or slug(title)
