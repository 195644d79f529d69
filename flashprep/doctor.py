"""`flashprep doctor`: check a home's history and decks, and repair what is safe to repair.

Checks, each a Finding (ok / warning / problem):
* log      - reviews.jsonl parses: every complete line is a valid event, no line is
             from a newer flashprep, and the last line is not torn;
* index    - the derived index (cache/index.sqlite) equals a replay of the log up to
             the offset it records, and that offset lies inside the log (an index that
             is missing, damaged or only behind is a warning: every load fixes it); an
             older flashprep's state.json that records more than the log holds is a
             problem, since it may be the only record of some answers;
* decks    - every deck file loads (the deck cache is not used, so nothing is written);
* orphans  - events for cards that are in no loaded deck: reported, always kept;
* backups  - which days `<home>/backups/` holds, each read back and checked against
             its checksums (flashprep.restore);
* session  - whether a flashprep session holds the writer lock right now;
* config   - config.toml is valid (every other command refuses to run if not).

`repair` does only what loses nothing: under the writer lock, after the day's
backup, it copies a torn last line into reviews.jsonl.torn and cuts it off the
log, and rebuilds the index from the whole log. It never deletes or rewrites a complete
line of the log. A corrupt line in the MIDDLE of the log (or a complete last line that does
not parse) is not repaired: it may be an answer, and only a person can tell
whether to restore a backup or fix the line by hand, so doctor explains both
options, shows the line, and names the newest backup that reads back cleanly, to
put back with `flashprep doctor --restore DAY` (flashprep.restore).

The log and index checks live in flashprep.logcheck. Nothing here prints; the command in
flashprep.commands.doctor renders the report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from flashprep.backup import backups_dir
from flashprep.history import LOG_NAME
from flashprep.homelock import LOCK_NAME, lock_pid
from flashprep.legacy import LEGACY_STATE
from flashprep.logcheck import (
    OK,
    PROBLEM,
    WARNING,
    Finding,
    LogScan,
    check_index,
    check_log,
    scan_log,
)


def load_decks(home: Path, deck_dirs: Sequence[Path]) -> tuple[set[str] | None, list[Finding]]:
    """Card ids of every deck that loads (None if none could be listed), and findings."""
    from flashprep.decks import build_collection, check_files, deck_sources
    from flashprep.errors import DeckError

    try:
        sources = deck_sources(home, deck_dirs)
    except DeckError as exc:
        return None, [Finding("decks", PROBLEM, str(exc))]
    good, bad = check_files(sources)
    dup: list[DeckError] = []
    col = build_collection(good, errors=dup)
    out = [
        Finding("decks", PROBLEM, str(e), "fix the deck file; `flashprep validate` lists all")
        for e in bad + dup
    ]
    ids = set(col.card_decks)  # the ids only: no need to build every Card
    if not out:
        out.append(Finding("decks", OK, f"{len(sources)} deck file(s), {len(ids)} cards"))
    return ids, out


def check_orphans(scan: LogScan, cards: set[str] | None, decks_ok: bool) -> list[Finding]:
    if cards is None:
        return [Finding("orphans", WARNING, "not checked: the decks could not be listed")]
    orphans: dict[str, int] = {}
    for _, _, ev in scan.events:
        if ev["card_id"] not in cards:
            orphans[ev["card_id"]] = orphans.get(ev["card_id"], 0) + 1
    if not orphans:
        return [Finding("orphans", OK, "every event belongs to a loaded card")]
    names = ", ".join(sorted(orphans)[:5]) + (" ..." if len(orphans) > 5 else "")
    note = "" if decks_ok else " (some deck files did not load, so their cards count here)"
    return [
        Finding(
            "orphans",
            WARNING,
            f"{sum(orphans.values())} event(s) for {len(orphans)} card(s) in no loaded deck "
            f"({names}){note}",
            "they are kept; a card's progress comes back if a deck with its id is loaded again",
        )
    ]


def check_backups(home: Path) -> list[Finding]:
    from flashprep.restore import describe

    days = describe(home, verify=True)
    if not days:
        return [
            Finding(
                "backups",
                OK,
                f"{backups_dir(home)}: none yet (made before the first write of each study day)",
            )
        ]
    out = [
        Finding(
            "backups",
            WARNING,
            f"{backups_dir(home)}/{d.day} cannot be restored: {d.problem}",
            "the other days are not affected; it goes when it is pruned",
        )
        for d in days
        if d.problem
    ]
    stored = sum(d.stored for d in days)
    names = ", ".join(d.day for d in days)
    out.append(
        Finding(
            "backups",
            OK,
            f"{backups_dir(home)}: {len(days)} day(s) ({names}), "
            f"{stored:,} bytes; flashprep doctor --restore DAY puts "
            "one back",
        )
    )
    return out


def lock_holder(home: Path) -> str | None:
    """The pid of a session holding the writer lock, or None; takes and writes nothing."""
    try:
        fd = os.open(Path(home) / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        import fcntl

        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return lock_pid(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    except ImportError:  # pragma: no cover - non-POSIX
        return None
    finally:
        os.close(fd)


def check_session(home: Path) -> list[Finding]:
    pid = lock_holder(home)
    if pid is None:
        return [Finding("session", OK, "no flashprep session is running")]
    return [
        Finding(
            "session",
            WARNING,
            f"a flashprep session is running (pid {pid}); the log may change while doctor reads it",
            "finish that session, then run doctor again",
        )
    ]


def check_config(home: Path) -> list[Finding]:
    from flashprep.config import load_config
    from flashprep.errors import ConfigError

    path = home / "config.toml"
    try:
        load_config(home)
    except ConfigError as exc:
        return [
            Finding(
                "config",
                PROBLEM,
                str(exc),
                f"fix {path} (or move it away for the defaults); every other command "
                "refuses to run until then",
            )
        ]
    if not path.exists():
        return [Finding("config", OK, f"{path}: none, the defaults apply")]
    return [Finding("config", OK, f"{path}: valid")]


# ------------------------------------------------------------------ report


def diagnose(home: Path, deck_dirs: Sequence[Path] = ()) -> dict[str, Any]:
    """Every check; reads only."""
    home = Path(home)
    scan = scan_log(home / LOG_NAME)
    findings = check_log(home, scan) + check_index(home, scan)
    cards, deck_findings = load_decks(home, deck_dirs)
    findings += deck_findings
    findings += check_orphans(scan, cards, all(f.level == OK for f in deck_findings))
    findings += check_backups(home) + check_session(home) + check_config(home)
    problems = [f for f in findings if f.level == PROBLEM]
    return {
        "home": str(home),
        "ok": not problems,
        "events": len(scan.events),
        "problems": len(problems),
        "warnings": sum(1 for f in findings if f.level == WARNING),
        "findings": [asdict(f) for f in findings],
        "repaired": [],
    }


def repair(home: Path, deck_dirs: Sequence[Path], day: date) -> dict[str, Any]:
    """Repair what loses nothing, then report again. Raises FlashprepError if the log
    cannot be opened for writing (a session is running, corrupt or newer lines)."""
    from flashprep.history import History

    home = Path(home)
    scan = scan_log(home / LOG_NAME)
    actions: list[str] = []
    # A log with corrupt or newer lines is left for a person.
    if scan.clean and (scan.exists or (home / LEGACY_STATE).exists()):
        with History.open(home, write=True, backup_day=day, rebuild=True) as h:
            if h.backup is not None:
                actions.append(f"backed up the history to {h.backup}")
            if scan.torn:
                actions.append(
                    f"moved the incomplete last line ({len(scan.torn)} bytes) of {LOG_NAME} "
                    f"into {h.torn_path.name}"
                )
            if scan.needs_newline:
                actions.append(f"ended the last line of {LOG_NAME} with its newline")
            actions.append(f"rebuilt the index from the log ({len(h.states)} cards)")
    report = diagnose(home, deck_dirs)
    report["repaired"] = actions
    return report
