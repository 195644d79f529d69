"""Reading the daily backups back: `flashprep doctor --restore DAY` and the list of days.

A day's log is rebuilt from its chain (flashprep.backupfiles): the base's parts, then each
later day's parts from where that day builds on, each part checked whole against its
CRC-32 and the result against the day's; an old-style day is its reviews.jsonl copy.
`restore` writes it beside the log and renames it over the log under the writer lock,
after keeping the log it replaces (never deleting it), removes the files derived
from the log, and rebuilds the index.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from flashprep.backupfiles import (
    DAY_RE,
    DERIVED,
    MANIFEST,
    OLD_FILES,
    PART_RE,
    Manifest,
    Unusable,
    backups_dir,
    chain,
    copy_file,
    copy_piece,
    list_backups,
    read_manifest,
)
from flashprep.errors import HistoryError, InputError
from flashprep.fsutil import describe_os_error, file_mode, fsync_dir
from flashprep.history import LOG_NAME


@dataclass
class BackupInfo:
    day: str
    kind: str  # "base", "incremental on <day>", "full copy" (old-style), "not usable"
    size: int | None  # the restored log's bytes
    events: int | None
    stored: int  # bytes of the files in the folder
    problem: str | None = None


def write_restored(home: Path, day: str, out: BinaryIO) -> BackupInfo:
    """Write the log as it was at the backup of `day` to `out`, checking every CRC-32.

    Raises Unusable (a missing or damaged part, a broken chain), maybe after writing
    some of it: write to a temporary file.
    """
    import shutil

    root = backups_dir(home)
    folder = root / day
    m = read_manifest(folder)
    if m is None:
        path = folder / LOG_NAME
        try:
            with open(path, "rb") as fin:
                shutil.copyfileobj(fin, out, 1 << 20)
                size = os.fstat(fin.fileno()).st_size
        except OSError as exc:
            raise Unusable(f"cannot read {path}: {exc.strerror or exc}") from None
        return BackupInfo(day, "full copy", size, None, _stored(folder))
    links = chain(root, day)
    crc = 0
    for i, link in enumerate(links):
        limit = links[i + 1].seed.end if i + 1 < len(links) else m.end
        for p in link.pieces:
            if p.start >= limit:
                break
            crc = copy_piece(root / link.day, p, min(p.use, limit - p.start), out, crc)
    if crc != m.crc:
        raise Unusable(f"the restored log of {day} does not match its checksum")
    return BackupInfo(day, _kind(m), m.end, m.clean.events, _stored(folder))


def _kind(m: Manifest) -> str:
    return "base" if m.after is None else f"incremental on {m.after}"


def restored_bytes(home: Path, day: str) -> bytes:
    """The log as it was at the backup of `day` (for small logs: tests)."""
    import io

    buf = io.BytesIO()
    write_restored(home, day, buf)
    return buf.getvalue()


def _stored(folder: Path) -> int:
    total = 0
    for p in folder.iterdir():
        if p.name == MANIFEST or PART_RE.match(p.name) or p.name in OLD_FILES:
            total += p.stat().st_size
    return total


def describe(home: Path, *, verify: bool = False) -> list[BackupInfo]:
    """Every day in backups/, oldest first; with `verify`, each is read back and checked
    (each day's whole chain: at most a few reads of the log)."""
    out = []
    for folder in list_backups(home):
        try:
            info = describe_day(home, folder.name, verify=verify)
        except (Unusable, OSError) as exc:
            reason = str(exc) if isinstance(exc, Unusable) else (exc.strerror or str(exc))
            info = BackupInfo(folder.name, "not usable", None, None, 0, reason)
        out.append(info)
    return out


def describe_day(home: Path, day: str, *, verify: bool = False) -> BackupInfo:
    """One day's backup; raises Unusable (or OSError) if it cannot be restored."""
    folder = backups_dir(home) / day
    m = read_manifest(folder)
    if verify:
        return write_restored(home, day, _Discard())  # type: ignore[arg-type]
    if m is None:
        size = (folder / LOG_NAME).stat().st_size
        return BackupInfo(day, "full copy", size, None, _stored(folder))
    chain(backups_dir(home), day)
    return BackupInfo(day, _kind(m), m.end, m.clean.events, _stored(folder))


class _Discard:
    def write(self, data: Any) -> int:
        return len(data)


# ------------------------------------------------------------------ restore


def parse_day(text: str) -> str:
    try:
        if DAY_RE.match(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise InputError(f"--restore: {text!r} is not a day (YYYY-MM-DD)")


def restore(home: Path, text: str, now: datetime) -> dict[str, Any]:
    """Put back the log of the backup of day `text`, under the writer lock.

    The current log is kept as reviews.jsonl.before-restore-<time> (a hard link, or a
    copy), the restored one is written and fsynced beside it and renamed over it, and
    the derived files (cache/, and an older flashprep's state.json) are removed; then the
    index is rebuilt from the restored log. Bad input or a backup that
    does not read back cleanly changes nothing.
    """
    import shutil
    import tempfile

    from flashprep.history import History

    home = Path(home)
    day = parse_day(text)
    days = [p.name for p in list_backups(home)]
    if day not in days:
        held = f"the backups hold {', '.join(days)}" if days else "there are no backups yet"
        raise InputError(f"--restore: no backup of {day} in {backups_dir(home)}; {held}")
    log = home / LOG_NAME
    h = History(home)
    h._lock()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{LOG_NAME}.restore-", suffix=".tmp", dir=home)
        os.fchmod(fd, file_mode(log))
        with os.fdopen(fd, "wb") as out:
            try:
                info = write_restored(home, day, out)
            except Unusable as exc:
                raise HistoryError(
                    f"cannot restore the backup of {day}: {exc}; nothing was changed"
                ) from None
            out.flush()
            os.fsync(out.fileno())
        kept = None
        if log.exists():
            kept = _keep_aside(log, now)
        removed = []
        for name in DERIVED:
            path = home / name
            if path.is_dir():
                shutil.rmtree(path)
                removed.append(name + "/")
            elif path.exists():
                path.unlink()
                removed.append(name)
        os.replace(tmp, log)
        tmp = None
        fsync_dir(home)
        report: dict[str, Any] = {
            "home": str(home),
            "restored": day,
            "bytes": info.size,
            "events": info.events,
            "kept": str(kept) if kept else None,
            "removed": removed,
            "rebuilt": None,
            "rebuild_error": None,
        }
        # The index now, rather than at the next command. The log is only read (no append
        # is prepared), so it stays exactly the backup's bytes: a torn last line in it is
        # set aside by the next writer.
        try:
            h._load(rebuild=True)
            h._persist_tail()
            report["rebuilt"] = len(h.states)
        except HistoryError as exc:
            report["rebuild_error"] = str(exc)
    except OSError as exc:
        raise HistoryError(describe_os_error("restore", log, exc)) from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        h.close()
    return report


def _keep_aside(log: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%S")
    n = 0
    while True:
        keep = log.with_name(f"{LOG_NAME}.before-restore-{stamp}" + (f".{n}" if n else ""))
        if not keep.exists():
            break
        n += 1
    try:
        os.link(log, keep)
    except OSError:
        copy_file(log, keep)
    fsync_dir(log.parent)
    return keep
