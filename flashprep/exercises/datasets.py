"""Datasets of SQL exercises: `datasets/<id>.sql`, CREATE TABLE and INSERT statements.

A dataset is looked for next to the deck file that names it (`<deck folder>/datasets/`),
then in the user's `<home>/decks/datasets/`, then among the bundled ones
(`decks/datasets/`). Its statements are written to run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

from flashprep.errors import DeckError

_CREATE_RE = re.compile(r"CREATE\s+TABLE\b.*?\);", re.IGNORECASE | re.DOTALL)


def dataset_dirs(home: Path | None, deck_path: str | Path | None) -> list[Path]:
    from flashprep.decksources import bundled_dir, user_decks_dir

    dirs = []
    if deck_path:
        dirs.append(Path(deck_path).parent / "datasets")
    mine = [user_decks_dir(home) / "datasets"] if home is not None else []
    for d in (*mine, bundled_dir() / "datasets"):
        if d not in dirs:
            dirs.append(d)
    return dirs


def find_dataset(
    dataset_id: str, home: Path | None, deck_path: str | Path | None = None, line: int | None = None
) -> Path:
    """The file of dataset `dataset_id`; a DeckError naming the card's deck if there is none."""
    dirs = dataset_dirs(home, deck_path)
    for d in dirs:
        p = d / f"{dataset_id}.sql"
        if p.is_file():
            return p
    raise DeckError(
        f"no dataset {dataset_id!r} (looked for {dataset_id}.sql in "
        + ", ".join(str(d) for d in dirs)
        + ")",
        deck_path,
        line,
    )


def read_dataset(path: Path) -> str:
    from flashprep.fsutil import UnreadableFile, read_utf8

    try:
        return read_utf8(path).removeprefix("\ufeff")
    except UnreadableFile as exc:
        raise DeckError(exc.reason, path, exc.line) from None


def schema_of(script: str) -> str:
    """The CREATE TABLE statements of a dataset script (its schema, without the data)."""
    return "\n\n".join(m.group(0).strip() for m in _CREATE_RE.finditer(_strip_comments(script)))


def _strip_comments(script: str) -> str:
    return "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("--"))


def table_summaries(script: str) -> list[str]:
    """One line per table of a dataset: `name(column, ...)`, read from SQLite itself."""
    from flashprep.exercises.sql import QueryError, sqlite_database

    try:
        conn, _ = sqlite_database(script)
    except QueryError:
        return []
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
            )
        ]
        return [
            f"{n}({', '.join(r[1] for r in conn.execute(f'PRAGMA table_info({n!r})'))})"
            for n in names
        ]
    finally:
        conn.close()
