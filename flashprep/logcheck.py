"""The two checks of the history that `flashprep doctor` runs first: the log, and the index.

* `scan_log` reads the whole log tolerantly: every line is classified (an event, a corrupt
  line, a newer schema's line, a torn tail), nothing raises;
* `check_log` turns that into findings, with the options for a corrupt line (restore the
  newest good backup, or fix the line by hand);
* `check_index` compares the derived index (flashprep.index) with a replay of the log.

Nothing here writes; flashprep.doctor gathers these with its other checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flashprep import legacy
from flashprep.backup import backups_dir, list_backups
from flashprep.events import SCHEMA as EVENT_SCHEMA
from flashprep.events import CorruptEvent, NewerSchema, decode_event
from flashprep.history import LOG_NAME
from flashprep.legacy import LEGACY_STATE
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
        out.append(
            Finding(
                "log",
                PROBLEM,
                f"{path}:{lineno}: written by a newer flashprep (schema {version}, this one "
                f"reads {EVENT_SCHEMA})",
                "upgrade flashprep; nothing was changed",
            )
        )
    for lineno, reason, raw in scan.corrupt:
        out.append(
            Finding(
                "log",
                PROBLEM,
                f"{path}:{lineno}: corrupt event ({reason}); the line is {_preview(raw)}",
                "the file was left as it is, and --repair does not touch a complete line (it may "
                f"be an answer). Options: (1) {restore}; (2) open {path} in an "
                f"editor and fix line {lineno}, or move it to another file to drop that one "
                "event (each event holds its card's whole state, so later events are unaffected)",
            )
        )
    if scan.torn:
        out.append(
            Finding(
                "log",
                PROBLEM,
                f"{path}:{scan.torn_line}: the last line is incomplete ({len(scan.torn)} bytes, "
                "an interrupted write); every complete event before it is intact",
                f"flashprep doctor --repair (or the next review) moves it into {LOG_NAME}.torn "
                "and cuts it off the log",
            )
        )
    if scan.needs_newline:
        out.append(
            Finding(
                "log",
                WARNING,
                f"{path}: the last event is complete but lacks its newline",
                "the next write (or --repair) adds it",
            )
        )
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
        return "ok", {
            "offset": idx.offset,
            "lines": idx.lines,
            "last_id": idx.last_id,
            "cards": cards,
        }
    except Exception as exc:  # garbage inside a readable database
        return "damaged", str(exc).split("\n")[0][:80] or type(exc).__name__
    finally:
        idx.close()


def _lost(home: Path, scan: LogScan, source: Path, offset: int, lines: int) -> Finding:
    where = "is missing" if not scan.exists else f"has {scan.size} bytes"
    return Finding(
        "index",
        PROBLEM,
        f"{source} records {lines} events ({offset} bytes) but {home / LOG_NAME} "
        f"{where}: answers may be missing from the log",
        f"Options: (1) {_restore_option(home)}; (2) flashprep doctor --repair rebuilds "
        "the index from the log as it is",
    )


def check_index(home: Path, scan: LogScan) -> list[Finding]:
    from flashprep.index import index_path

    path = index_path(home)
    recorded = legacy.recorded_offset(home)
    if recorded is not None and recorded[0] > scan.size:
        return [_lost(home, scan, home / LEGACY_STATE, *recorded)]
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
        return [
            Finding(
                "index",
                WARNING,
                f"{path} disagrees with a replay of the log for {len(differ)} card(s) ({names})",
                "flashprep doctor --repair rebuilds it from the log",
            )
        ]
    behind = len(scan.events) - len(upto)
    if behind:
        return [
            Finding(
                "index",
                WARNING,
                f"{path} is {behind} event(s) behind the log (a session stopped before "
                "indexing them); every load catches up from the log",
                "flashprep doctor --repair brings it up to date now",
            )
        ]
    return [Finding("index", OK, f"{path} equals a replay of the log ({len(cards)} cards)")]
