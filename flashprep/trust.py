"""Which decks may run code: an exercise's tests and solution are code.

Exercises from the bundled decks and from `<home>/decks` run. A deck file from
anywhere else (`--decks DIR`) runs only once `flashprep trust FILE` has recorded
the sha256 of its exact bytes in `<home>/trusted.json`; any change to the file
revokes that (the hash no longer matches), and until it is trusted again its
exercises are graded by hand like any card. The datasets a trusted deck names
are data, read by the sandboxed engines, and are not hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from flashprep.cardmodel import Card, Collection
from flashprep.decksources import BUNDLED, USER
from flashprep.errors import HistoryError, InputError

TRUST_NAME = "trusted.json"


def file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _key(path: Path | str) -> str:
    return os.path.realpath(path)


def load_trusted(home: Path) -> dict[str, str]:
    """Resolved path -> sha256 of every trusted file (empty if none or unreadable)."""
    try:
        data = json.loads((home / TRUST_NAME).read_text(encoding="utf-8"))
        files = data["files"]
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def trust_file(home: Path, path: Path) -> dict[str, Any]:
    """Record `path`'s current sha256 as trusted; returns {"path", "sha256"}."""
    from flashprep.fsutil import atomic_write_bytes

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: not a file (give a deck file, e.g. my-decks/sql.toml)")
    digest = file_hash(path)
    files = load_trusted(home)
    files[_key(path)] = digest
    home.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"files": dict(sorted(files.items()))}, indent=2) + "\n"
    atomic_write_bytes(home / TRUST_NAME, data.encode("utf-8"), error=HistoryError)
    return {"path": str(path), "sha256": digest}


class Trust:
    """Whether each card of a collection may run its exercise."""

    def __init__(self, home: Path, collection: Collection) -> None:
        from flashprep.decksources import bundled_dir, user_decks_dir

        self.home = home
        self._source = {d.path: d.source for d in collection.decks}
        # A file in these folders runs however it was named (`validate <home>/decks/x.toml`).
        self._own = [os.path.realpath(d) for d in (bundled_dir(), user_decks_dir(home))]
        self._trusted = load_trusted(home)
        self._checked: dict[str, bool] = {}

    def runs(self, card: Card) -> bool:
        source = self._source.get(card.path)
        if source in (BUNDLED, USER) or os.path.dirname(_key(card.path)) in self._own:
            return True
        if card.path not in self._checked:
            want = self._trusted.get(_key(card.path))
            ok = False
            if want is not None:
                try:
                    ok = file_hash(Path(card.path)) == want
                except InputError:
                    ok = False
            self._checked[card.path] = ok
        return self._checked[card.path]

    def notice(self, card: Card) -> str:
        return (
            f"{card.path} is not trusted to run code: this exercise is graded by hand "
            f"(`flashprep trust {card.path}` runs its checks)"
        )
