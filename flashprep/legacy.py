"""What an older flashprep (0.1) left in a home: its state.json checkpoint and caches.

The index (flashprep.index) does their job now. state.json still matters once: it records
how much of the log it covered, so a log shorter than that is refused rather than rebuilt
from (the checkpoint may then be the only record of some answers). Once the index covers
the log, state.json is kept as state.json.old and the caches are removed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

LEGACY_STATE = "state.json"
LEGACY_CACHES = ("cache/state.marshal", "cache/decks.marshal", "cache/stats.json")


def recorded_offset(home: Path) -> tuple[int, int] | None:
    """(offset, lines) an older flashprep's state.json records, if there is one."""
    try:
        data = json.loads((home / LEGACY_STATE).read_bytes())
        offset, lines = data["offset"], data["lines"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return (offset, lines) if type(offset) is int and type(lines) is int else None


def retire(home: Path) -> None:
    """state.json becomes state.json.old (never deleted); the old caches go (best effort)."""
    old = home / LEGACY_STATE
    try:
        if old.exists():
            os.replace(old, home / (LEGACY_STATE + ".old"))
        for name in LEGACY_CACHES:
            (home / name).unlink(missing_ok=True)
    except OSError:
        pass
