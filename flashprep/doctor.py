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
log, and rebuilds the index from the whole log. It never deletes or rewrites a complete line of the
log. A corrupt line in the MIDDLE of the log (or a complete last line that does
not parse) is not repaired: it may be an answer, and only a person can tell
whether to restore a backup or fix the line by hand, so doctor explains both
options, shows the line, and names the newest backup that reads back cleanly, to
put back with `flashprep doctor --restore DAY` (flashprep.restore).

Nothing here prints; the command in flashprep.commands.doctor renders the report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flashprep.backup import backups_dir, list_backups
from flashprep.events import SCHEMA as EVENT_SCHEMA
from flashprep.events import CorruptEvent, NewerSchema, decode_event
from flashprep.history import LEGACY_STATE, LOCK_NAME, LOG_NAME, lock_pid
from flashprep.schedule import CardState

OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass
class Finding:
    check: str
    level: str
    message: str
    fix: str | None = None  # what to do about it, options included


@dataclass
class LogScan:
    """A tolerant read of the whole log: every line is classified, nothing raises."""

    exists: bool = False
    size: int = 0
    lines: int = 0
    events: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)  # line, end, ev
    corrupt: list[tuple[int, str, bytes]] = field(default_factory=list)  # line, reason, raw
    newer: list[tuple[int, int]] = field(default_factory=list)  # line, schema
    torn: bytes = b""
    torn_line: int = 0
    needs_newline: bool = False
    unreadable: str | None = None

    @property
    def clean(self) -> bool:
        return not (self.corrupt or self.newer or self.unreadable)

    def states(self, upto: int | None = None) -> dict[str, CardState]:
        """Replay: the last event of each card wins (only events ending at or before `upto`)."""
        out: dict[str, CardState] = {}
        for _, end, ev in self.events:
            if upto is not None and end > upto:
                break
            out[ev["card_id"]] = CardState.from_dict(ev["state"])
        return out


def _check_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None, int | None]:
    """(event, None, None) if valid, else (None, reason, None) or (None, None, newer schema)."""
    try:
        return decode_event(raw), None, None
    except NewerSchema as exc:
        return None, None, exc.version
    except CorruptEvent as exc:
        return None, str(exc), None


def scan_log(path: Path) -> LogScan:
    scan = LogScan()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return scan
    except OSError as exc:
        scan.exists = True
        scan.unreadable = exc.strerror or str(exc)
        return scan
    scan.exists, scan.size = True, len(data)
    cut = data.rfind(b"\n") + 1
    body, rest = data[:cut], data[cut:]
    pos = lineno = 0
    for raw in body.split(b"\n")[:-1]:
        lineno += 1
        pos += len(raw) + 1
        if not raw.strip():
            continue
        event, reason, version = _check_line(raw)
        if event is not None:
            scan.events.append((lineno, pos, event))
        elif version is not None:
            scan.newer.append((lineno, version))
        else:
            scan.corrupt.append((lineno, reason or "", raw))
    if rest:
        lineno += 1
        event, reason, version = _check_line(rest) if rest.strip() else (None, "blank", None)
        if event is not None:
            scan.events.append((lineno, pos + len(rest), event))
            scan.needs_newline = True
        elif version is not None:
            scan.newer.append((lineno, version))
        else:
            scan.torn, scan.torn_line = rest, lineno
    scan.lines = lineno
    return scan


# ------------------------------------------------------------------ checks


def _preview(raw: bytes, width: int = 70) -> str:
    text = raw.decode("utf-8", "replace")
    return repr(text if len(text) <= width else text[:width] + "...")


def _backup_events(home: Path, folder: Path) -> int | None:
    """Events in a day's backup, or None if it does not read back cleanly (an incremental
    one: its checksums; an old-style copy: its log parses)."""
    from flashprep.backupfiles import Unusable, read_manifest
    from flashprep.restore import describe_day

    try:
        if read_manifest(folder) is not None:
            return describe_day(home, folder.name, verify=True).events
    except (Unusable, OSError):
        return None
    scan = scan_log(folder / LOG_NAME)
    if not scan.exists or not scan.clean:
        return None
    return len(scan.events)


def _restore_option(home: Path) -> str:
    """Point at the newest backup that reads back cleanly."""
    for folder in reversed(list_backups(home)):
        n = _backup_events(home, folder)
        if n is not None:
            return (
                f"restore the newest good backup: flashprep doctor --restore {folder.name} "
                f"({n} events) puts back {LOG_NAME} as it was then and keeps the current one "
                f"as {LOG_NAME}.before-restore-<time>; answers given after {folder.name} are "
                "not in it"
            )
    return f"no backup in {backups_dir(home)} reads back cleanly"


def check_log(home: Path, scan: LogScan) -> list[Finding]:
    path = home / LOG_NAME
    if scan.unreadable:
        return [Finding("log", PROBLEM, f"cannot read {path}: {scan.unreadable}")]
    if not scan.exists:
        return [Finding("log", OK, f"{path}: no history yet")]
    out: list[Finding] = []
    restore = _restore_option(home) if scan.corrupt else ""
    for lineno, version in scan.newer[:1]:
        out.append(Finding(
            "log", PROBLEM,
            f"{path}:{lineno}: written by a newer flashprep (schema {version}, this one "
            f"reads {EVENT_SCHEMA})",
            "upgrade flashprep; nothing was changed",
        ))
    for lineno, reason, raw in scan.corrupt:
        out.append(Finding(
            "log", PROBLEM,
            f"{path}:{lineno}: corrupt event ({reason}); the line is {_preview(raw)}",
            "the file was left as it is, and --repair does not touch a complete line (it may "
            f"be an answer). Options: (1) {restore}; (2) open {path} in an "
            f"editor and fix line {lineno}, or move it to another file to drop that one "
            "event (each event holds its card's whole state, so later events are unaffected)",
        ))
    if scan.torn:
        out.append(Finding(
            "log", PROBLEM,
            f"{path}:{scan.torn_line}: the last line is incomplete ({len(scan.torn)} bytes, "
            "an interrupted write); every complete event before it is intact",
            f"flashprep doctor --repair (or the next review) moves it into {LOG_NAME}.torn "
            "and cuts it off the log",
        ))
    if scan.needs_newline:
        out.append(Finding(
            "log", WARNING,
            f"{path}: the last event is complete but lacks its newline",
            "the next write (or --repair) adds it",
        ))
    if not out:
        out.append(Finding("log", OK, f"{path}: {len(scan.events)} events, parses cleanly"))
    return out


def _read_index(home: Path) -> tuple[str, Any]:
    """('missing'|'damaged'|'ok', detail) of the home's index, opened without writing."""
    from flashprep import index

    if not index.index_path(home).exists():
        return "missing", None
    try:
        idx = index.Index.open(home, create=False)
    except (index.IndexDamaged, OSError) as exc:
        return "damaged", str(exc).split("\n")[0][:80] or type(exc).__name__
    try:
        rows = idx.state_rows()
        cards = {k: CardState.from_row(v) for k, v in rows.items()}
        return "ok", {"offset": idx.offset, "lines": idx.lines, "last_id": idx.last_id,
                      "cards": cards}
    except Exception as exc:  # garbage inside a readable database
        return "damaged", str(exc).split("\n")[0][:80] or type(exc).__name__
    finally:
        idx.close()


def _legacy_offset(home: Path) -> tuple[int, int] | None:
    """(offset, lines) an older flashprep's state.json records, if there is one."""
    import json

    try:
        data = json.loads((home / LEGACY_STATE).read_bytes())
        offset, lines = data["offset"], data["lines"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    return (offset, lines) if type(offset) is int and type(lines) is int else None


def _lost(home: Path, scan: LogScan, source: Path, offset: int, lines: int) -> Finding:
    where = "is missing" if not scan.exists else f"has {scan.size} bytes"
    return Finding(
        "index", PROBLEM,
        f"{source} records {lines} events ({offset} bytes) but {home / LOG_NAME} "
        f"{where}: answers may be missing from the log",
        f"Options: (1) {_restore_option(home)}; (2) flashprep doctor --repair rebuilds "
        "the index from the log as it is",
    )


def check_index(home: Path, scan: LogScan) -> list[Finding]:
    from flashprep.index import index_path

    path = index_path(home)
    legacy = _legacy_offset(home)
    if legacy is not None and legacy[0] > scan.size:
        return [_lost(home, scan, home / LEGACY_STATE, *legacy)]
    status, detail = _read_index(home)
    rebuild = "every flashprep command rebuilds it from the log (or flashprep doctor --repair)"
    if status == "missing":
        if scan.events:
            return [Finding("index", WARNING, f"{path} is missing", rebuild)]
        return [Finding("index", OK, f"{path}: no index yet")]
    if status == "damaged":
        return [Finding("index", WARNING, f"{path} is damaged ({detail})", rebuild)]
    offset, last_id, cards = detail["offset"], detail["last_id"], detail["cards"]
    if not scan.clean:
        return [Finding("index", WARNING, f"{path}: not compared, the log does not parse")]
    if offset > scan.size:
        return [_lost(home, scan, path, offset, detail["lines"])]
    upto = [ev for _, end, ev in scan.events if end <= offset]
    boundary = offset == 0 or any(end == offset for _, end, _ in scan.events)
    if not boundary or (upto[-1]["id"] if upto else None) != last_id:
        return [Finding("index", WARNING, f"{path} does not match the log", rebuild)]
    replayed = scan.states(upto=offset)
    differ = sorted(k for k in set(cards) | set(replayed) if cards.get(k) != replayed.get(k))
    if differ:
        names = ", ".join(differ[:5]) + (" ..." if len(differ) > 5 else "")
        return [Finding(
            "index", WARNING,
            f"{path} disagrees with a replay of the log for {len(differ)} card(s) ({names})",
            "flashprep doctor --repair rebuilds it from the log",
        )]
    behind = len(scan.events) - len(upto)
    if behind:
        return [Finding(
            "index", WARNING,
            f"{path} is {behind} event(s) behind the log (a session stopped before "
            "indexing them); every load catches up from the log",
            "flashprep doctor --repair brings it up to date now",
        )]
    return [Finding("index", OK, f"{path} equals a replay of the log ({len(cards)} cards)")]


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
    return [Finding(
        "orphans", WARNING,
        f"{sum(orphans.values())} event(s) for {len(orphans)} card(s) in no loaded deck "
        f"({names}){note}",
        "they are kept; a card's progress comes back if a deck with its id is loaded again",
    )]


def check_backups(home: Path) -> list[Finding]:
    from flashprep.restore import describe

    days = describe(home, verify=True)
    if not days:
        return [Finding("backups", OK, f"{backups_dir(home)}: none yet (made before the first "
                                       "write of each study day)")]
    out = [Finding(
        "backups", WARNING, f"{backups_dir(home)}/{d.day} cannot be restored: {d.problem}",
        "the other days are not affected; it goes when it is pruned",
    ) for d in days if d.problem]
    stored = sum(d.stored for d in days)
    names = ", ".join(d.day for d in days)
    out.append(Finding("backups", OK, f"{backups_dir(home)}: {len(days)} day(s) ({names}), "
                                      f"{stored:,} bytes; flashprep doctor --restore DAY puts "
                                      "one back"))
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
    return [Finding(
        "session", WARNING,
        f"a flashprep session is running (pid {pid}); the log may change while doctor reads it",
        "finish that session, then run doctor again",
    )]


def check_config(home: Path) -> list[Finding]:
    from flashprep.config import load_config
    from flashprep.errors import ConfigError

    path = home / "config.toml"
    try:
        load_config(home)
    except ConfigError as exc:
        return [Finding("config", PROBLEM, str(exc),
                        f"fix {path} (or move it away for the defaults); every other command "
                        "refuses to run until then")]
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
