"""Parsing one deck file: TOML, then the pydantic models of flashprep.deckschema.

Errors name the file, the line and the card; the result is the file's plain, cacheable
form (flashprep.decks caches it and builds Card objects from it). Both tomllib and
pydantic are imported only here, inside the functions, so a warm start never pays for
them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flashprep.errors import DeckError

_TABLE_RE = re.compile(r"^\s*\[\[\s*(cards|checklist)\s*\]\]\s*(#.*)?$")
_DECK_RE = re.compile(r"^\s*\[\s*deck\s*\]\s*(#.*)?$")


def _table_lines(text: str) -> dict[str, list[int]]:
    """1-based line numbers of each [[cards]] / [[checklist]] header and [deck]."""
    found: dict[str, list[int]] = {"cards": [], "checklist": [], "deck": []}
    for n, line in enumerate(text.splitlines(), start=1):
        m = _TABLE_RE.match(line)
        if m:
            found[m.group(1)].append(n)
        elif _DECK_RE.match(line):
            found["deck"].append(n)
    return found


def _key_line(text: str, start: int, key: str) -> int:
    """The line of `key = ...` at or after line `start` (falls back to `start`)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = text.splitlines()
    for n in range(start, len(lines) + 1):
        if n > start and lines[n - 1].lstrip().startswith("["):
            break
        if pattern.match(lines[n - 1]):
            return n
    return start


def _describe(err: Mapping[str, Any]) -> str:
    loc = list(err["loc"])
    if len(loc) >= 2 and loc[0] in ("cards", "checklist") and isinstance(loc[1], int):
        loc = loc[2:]  # the table and index are already named by the caller
    elif loc and loc[0] == "deck":
        loc = loc[1:]
    named = [p for p in loc if not isinstance(p, int)]
    name = str(named[-1]) if named else ""
    kind = err["type"]
    if kind == "missing":
        return f"missing field {name!r}"
    if kind == "extra_forbidden":
        return f"unknown key {name!r}"
    if kind == "value_error":
        msg = str(err["msg"]).removeprefix("Value error, ")
        return f"{name}: {msg}" if name else msg
    if kind.endswith("_type"):
        expected = kind.removesuffix("_type")
        expected = {"dict": "table", "str": "string", "int": "whole number"}.get(expected, expected)
        return f"{name} must be a {expected}, got {type(err.get('input')).__name__}"
    return f"{name}: {err['msg']}" if name else str(err["msg"])


def parse_deck_text(text: str, path: Path) -> dict[str, Any]:
    """Parse and validate one deck file; return its plain, cacheable form."""
    import tomllib

    from pydantic import ValidationError

    from flashprep.deckschema import DeckFileModel

    # Some Windows editors start UTF-8 files with a byte-order mark, which TOML rejects.
    text = text.removeprefix("\ufeff")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        detail = msg[: m.start()].strip() if m else msg
        if m:
            raise DeckError(
                f"invalid TOML: {detail}", path, int(m.group(1)), int(m.group(2))
            ) from None
        raise DeckError(f"invalid TOML: {detail}", path) from None
    except RecursionError:
        # tomllib recurses into nested arrays and inline tables.
        raise DeckError("invalid TOML: arrays or tables nested too deeply", path) from None
    except ValueError:
        # tomllib raises a plain ValueError for an integer of more than 4300 digits.
        raise DeckError("invalid TOML: a number is too long", path) from None
    lines = _table_lines(text)
    try:
        model = DeckFileModel.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = err["loc"]
        line: int | None = None
        where = ""
        if len(loc) >= 2 and loc[0] in ("cards", "checklist") and isinstance(loc[1], int):
            table, index = str(loc[0]), loc[1]
            headers = lines[table]
            if index < len(headers):
                line = headers[index]
                if len(loc) >= 3:
                    line = _key_line(text, line, str(loc[2]))
            item = raw.get(table, [])
            ident = (
                item[index].get("id")
                if isinstance(item, list) and index < len(item) and isinstance(item[index], dict)
                else None
            )
            where = (
                f"{'card' if table == 'cards' else 'checklist item'} {ident!r}: "
                if isinstance(ident, str)
                else f"{table}[{index + 1}]: "
            )
        elif loc and loc[0] == "deck":
            line = lines["deck"][0] if lines["deck"] else None
            if line is not None and len(loc) >= 2:
                line = _key_line(text, line, str(loc[1]))
            where = "[deck] "
            if len(loc) == 1:
                kind = "missing" if err["type"] == "missing" else "a bad"
                raise DeckError(f"{kind} [deck] table", path) from None
        raise DeckError(where + _describe(err), path, line) from None
    headers = lines["cards"]
    cards: list[dict[str, Any]] = []
    for i, c in enumerate(model.cards):
        cards.append(
            {
                "id": c.id,
                "front": c.front.strip("\n"),
                "back": c.back.strip("\n"),
                "tags": list(c.tags),
                "topic": c.topic,
                "key_points": list(c.key_points),
                "hint": c.hint,
                "draft": c.draft,
                "override": c.override,
                "guid": c.guid,
                "time_limit": c.time_limit,
                "line": headers[i] if i < len(headers) else 0,
                "kind": c.kind,
                "dataset": c.dataset,
                "solution": c.solution.strip("\n") if c.solution is not None else None,
                "ordered": bool(c.ordered),
                "tests": c.tests.strip("\n") if c.tests is not None else None,
            }
        )
    seen: dict[str, int] = {}
    for row in cards:
        if row["id"] in seen:
            raise DeckError(
                f"duplicate card id {row['id']!r} (also at line {seen[row['id']]})",
                path,
                row["line"],
            )
        seen[row["id"]] = row["line"]
    return {
        "deck": model.deck.model_dump(),
        "cards": cards,
        "checklist": [item.model_dump() for item in model.checklist],
    }


def read_deck_file(path: Path) -> dict[str, Any]:
    from flashprep.fsutil import UnreadableFile, read_utf8

    try:
        text = read_utf8(path)
    except UnreadableFile as exc:
        raise DeckError(exc.reason, path, exc.line) from None
    return parse_deck_text(text, path)
