"""Shared by the reliability tests: building a history, fingerprints of a folder, and
a tally of injected faults.

The tally counts every case a fault test runs and every answer it finds lost.
With FLASHPREP_TALLY=<file> set, it is written there as JSON when pytest exits;
that is where the README's "Reliability" numbers come from.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from flashprep.eventlog import scan
from flashprep.history import History
from flashprep.schedule import CardState, answer, answer_kind

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D0 = date(2026, 3, 10)

TALLY: dict[str, dict[str, int]] = {}


def tally(fault: str, cases: int = 1, lost: int = 0, answers: int = 0) -> None:
    """Count `cases` injections of `fault`, the answers at stake and those lost."""
    row = TALLY.setdefault(fault, {"cases": 0, "answers": 0, "lost": 0})
    row["cases"] += cases
    row["answers"] += answers
    row["lost"] += lost


def _dump() -> None:
    target = os.environ.get("FLASHPREP_TALLY")
    if target and TALLY:
        try:
            old = json.loads(Path(target).read_text())
        except (OSError, ValueError):
            old = {}
        for fault, row in TALLY.items():
            merged = old.setdefault(fault, {"cases": 0, "answers": 0, "lost": 0})
            for k, v in row.items():
                merged[k] += v
        Path(target).write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")


atexit.register(_dump)


def record_answers(
    home: Path, card_ids: list[str], *, day: date = D0, grades: list[int] | None = None
) -> list[dict[str, Any]]:
    """Answer each card once (in one writer session); return the events written."""
    events = []
    moment = T0 + timedelta(days=(day - D0).days)
    with History.open(home, write=True) as h:
        for n, cid in enumerate(card_ids):
            grade = grades[n % len(grades)] if grades else 4
            before = h.state(cid)
            events.append(
                h.record(
                    cid,
                    answer_kind(before, day),
                    answer(before, grade, day),
                    moment,
                    day,
                    grade=grade,
                    duration_ms=1000 + n,
                )
            )
    return events


def build_history(home: Path, days: int = 3, cards: int = 6) -> list[dict[str, Any]]:
    """A varied log: several study days, several cards, passing and failing grades."""
    ids = [f"card-{i}" for i in range(cards)]
    events: list[dict[str, Any]] = []
    for d in range(days):
        day = D0 + timedelta(days=d)
        events += record_answers(home, ids, day=day, grades=[5, 4, 3, 2, 1, 0][d % 3 :] + [4])
    return events


def log_ids(home: Path) -> list[str]:
    """Ids of every complete event in the log (a torn last line is skipped)."""
    return [e["id"] for _, e in scan(home / "reviews.jsonl").events]


def states_of(home: Path) -> dict[str, CardState]:
    return dict(History.open(home).states)


def fingerprint(root: Path, skip: tuple[str, ...] = ("lock", "cache")) -> dict[str, str]:
    """sha256 of every file under `root` by relative path (and '<dir>' for folders).

    Not the lock, nor cache/: the index there is derived from the log, and any reader may
    bring it up to date (tests check it against the log with doctor's index check)."""
    out: dict[str, str] = {}
    if not root.exists():
        return out
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if rel in skip or rel.split("/", 1)[0] in skip:
            continue
        out[rel] = "<dir>" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def index_bytes(home: Path) -> bytes | None:
    """The home's index file as it stands (its write-ahead log folded in), or None."""
    import sqlite3
    from contextlib import closing

    path = home / "cache" / "index.sqlite"
    if not path.exists():
        return None
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path.read_bytes()


def put_index(home: Path, data: bytes | None) -> None:
    """Replace the home's index (and its journals) with `data`; None removes it."""
    path = home / "cache" / "index.sqlite"
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    if data is None:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def answers_missing(acknowledged: list[str], present: list[str]) -> int:
    """How many acknowledged answers are not in the log."""
    have = set(present)
    return sum(1 for i in acknowledged if i not in have)
