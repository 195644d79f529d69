"""Where deck files come from, in load order: bundled, `<home>/decks`, each `--decks`.

`FLASHPREP_BUNDLED=0` leaves the bundled decks out. flashprep.decks loads what these
functions list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from flashprep.errors import DeckError

BUNDLED, USER, EXTRA = "bundled", "user", "extra"


def bundled_dir() -> Path:
    """The bundled decks: inside the installed package, or decks/ in a source tree."""
    # The wheel puts them in the package folder (what importlib.resources.files
    # would return for this regular package, without importing it and zipfile).
    packaged = Path(__file__).resolve().parent / "decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "decks"


def user_decks_dir(home: Path) -> Path:
    return home / "decks"


def deck_sources(home: Path, extra_dirs: Sequence[Path] = ()) -> list[tuple[Path, str]]:
    """(file, source) for every deck file, in load order. Missing --decks dirs are errors."""
    out: list[tuple[Path, str]] = []
    dirs = [(user_decks_dir(home), USER)]
    if os.environ.get("FLASHPREP_BUNDLED", "1") not in ("0", "no", "false"):
        dirs.insert(0, (bundled_dir(), BUNDLED))
    for directory, source in dirs:
        if directory.is_dir():
            out.extend((p, source) for p in sorted(directory.glob("*.toml")))
        elif source == USER and directory.exists():
            # Skipping it would hide every user deck without a word.
            raise DeckError(
                f"{directory} is a file, but flashprep keeps your decks in a folder there: "
                "rename or move that file"
            )
    for directory in extra_dirs:
        directory = Path(directory)
        if directory.is_file() and directory.suffix == ".toml":
            out.append((directory, EXTRA))
            continue
        if directory.is_file():
            raise DeckError(f"--decks {directory}: not a folder or a .toml deck file")
        if not directory.is_dir():
            raise DeckError(f"--decks {directory}: no such directory")
        out.extend((p, EXTRA) for p in sorted(directory.glob("*.toml")))
    return unique_sources(out) if extra_dirs else out


def unique_sources(sources: Iterable[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """`sources` with each file once, where it first appears.

    A file reached twice (`--decks <home>/decks`, one folder given twice, a folder and a
    file in it) is loaded once, not reported as a duplicate of itself.
    """
    seen: set[str] = set()
    unique = []
    for p, source in sources:
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            unique.append((p, source))
    return unique
