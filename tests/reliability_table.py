"""Run the reliability suite and print the README's "Reliability" table from its tally.

    python tests/reliability_table.py            # runs pytest, prints Markdown

Every number comes from the tests' own counters (tests/reliability_helpers.py):
cases run, answers in the log when the fault hit, answers missing afterwards.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = [
    "tests/test_reliability.py",
    "tests/test_reliability_pty.py",
    "tests/test_fuzz.py",
    "tests/test_backup.py",
    "tests/test_restore.py",
]

# (pattern, row title): rows whose fault matches are added up into one line.
GROUPS = [
    (
        r"^torn append .*index before",
        "Crash mid-append: log cut at every byte offset of "
        "its last line (the index from before the append)",
    ),
    (
        r"^torn append .*index missing",
        "Crash mid-append: log cut at every byte offset of its last line (no index)",
    ),
    (
        r"^crash between",
        "Crash between the log append and the index update "
        "(process exits; SIGKILL before the index has the answer)",
    ),
    (r"^kill -9 of a process", "kill -9 of a process appending in a loop, at random points"),
    (
        r"^kill -9 of flashprep review",
        "kill -9 of `flashprep review` in a pseudo-terminal after answers",
    ),
    (r"^second writer", "A second writer while a session holds the lock (refused, pid named)"),
    (
        r"^second flashprep review",
        "A second `flashprep review` in a pseudo-terminal while one runs (refused, pid named)",
    ),
    (r"^two writers starting", "Two writers starting at the same instant (exactly one wins)"),
    (r"^two processes appending", "Two processes appending in turns, with concurrent readers"),
    (r"^stale lock", "Stale lock of a kill -9'd holder (next writer goes ahead)"),
    (
        r"^index deleted",
        "Index deleted, empty, truncated, garbage, edited (schema, meta, "
        "states) or beside a stale or garbage journal (rebuilt, same states)",
    ),
    (
        r"^corrupt middle line",
        "Corrupt line in the middle of the log (7 kinds x every middle line; file unchanged)",
    ),
    (
        r"^line damaged inside",
        "Line damaged in place inside the indexed part, no backup "
        "yet (caught by the first backup's full read)",
    ),
    (
        r"^line damaged in place after its backup",
        "Line damaged in place after its backup, "
        "every line, 2 mark spacings (caught by the daily checksums; nothing changed)",
    ),
    (
        r"^disk full during the daily backup",
        "Disk full during the daily backup (warning; no partial backup, the answer saved)",
    ),
    (
        r"^log edited by hand",
        "Log edited by hand, or shorter than its backup, every line valid "
        "(warning; backed up, nothing blocked)",
    ),
    (
        r"^damaged backup",
        "Damaged backup part or manifest (restore refused / not trusted; nothing changed)",
    ),
    (
        r"^restore of each kept day",
        "`doctor --restore` of each of 7 kept days after 10 study "
        "days (byte-identical; the replaced log kept)",
    ),
    (
        r"^restore interrupted",
        "`doctor --restore` failing at the rename (ENOSPC; the log as it was)",
    ),
    (r"^failed append", "Append fails: ENOSPC, EACCES, EIO at write, partial write, fsync"),
    (
        r"^failed index update",
        "Index update fails (disk full, I/O error, locked): the answer "
        "is in the log, the next append or open catches up",
    ),
    (r"^flashprep review on a full disk", "`flashprep review` on a full disk"),
    (r"^permission denied on the lock", "Permission denied on the lock file"),
    (r"^read-only home", "Read-only home (chattr +i: a real EPERM, even for root)"),
    (r"^read-only reviews", "Read-only reviews.jsonl (chattr +i)"),
    (
        r"^history written by a newer",
        "History written by a newer schema (3 shapes; refused, nothing changed)",
    ),
    (r"^fuzz: deck", "Fuzz: deck loader (random text, mutated decks, mutated bytes)"),
    (
        r"^fuzz: log|^fuzz: index",
        "Fuzz: log and index loaders (random bytes, mutated logs and index files)",
    ),
    (r"^fuzz: config", "Fuzz: config loader (random text, TOML, bytes)"),
    (r"^fuzz: .*import", "Fuzz: import (reader, plan + dry run, the command)"),
    (
        r"^fuzz: backups",
        "Fuzz: daily backups over random days of appends, torn writes, hand "
        "edits, truncations and restores (every kept day restores byte-identical)",
    ),
]


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        tally = Path(tmp) / "tally.json"
        env = {**os.environ, "FLASHPREP_TALLY": str(tally)}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
            cwd=root,
            env=env,
        )
        if run.returncode != 0:
            print("the suite failed: no table", file=sys.stderr)
            return 1
        data = json.loads(tally.read_text())
    rows: dict[str, list[int]] = {title: [0, 0, 0] for _, title in GROUPS}
    for fault, counts in data.items():
        title = next((t for pattern, t in GROUPS if re.search(pattern, fault)), fault)
        row = rows.setdefault(title, [0, 0, 0])
        for i, key in enumerate(("cases", "answers", "lost")):
            row[i] += counts[key]
    print("| Fault injected | Times | Answers in the log | Answers lost |")
    print("|---|---:|---:|---:|")
    for title, (cases, answers, lost) in rows.items():
        if cases:
            print(f"| {title} | {cases} | {answers or '-'} | {lost} |")
    total = [sum(r[i] for r in rows.values()) for i in range(3)]
    print(f"| **Total** | **{total[0]}** | **{total[1]}** | **{total[2]}** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
