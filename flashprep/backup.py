"""Daily backups of the review history, in `<home>/backups/<YYYY-MM-DD>/`.

When a command opens the history for writing (flashprep.history.History.open with
`backup_day`, which flashprep.workspace always passes), and the study day has no
backup yet, `reviews.jsonl` and `state.json` are copied there first: after the
writer lock is taken and the log was read and checked, before anything in the
home is changed (a torn line set aside, a checkpoint rebuilt, an answer appended).
So each day's folder holds the history exactly as it was before that day's first
write.

A backup appears whole or not at all: the files are copied and fsynced into a
hidden `.incomplete-*` folder which is then renamed to the day's name. The seven
most recent days are kept. Pruning removes only what this module wrote (the two
files in an old day's folder, or in a leftover `.incomplete-*` folder), and a
folder only once it is empty: anything else a user put in `backups/` stays.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

from flashprep.errors import HistoryError
from flashprep.eventlog import LOG_NAME
from flashprep.fsutil import describe_os_error, fsync_dir

BACKUP_DIR = "backups"
KEEP_DAYS = 7
FILES = (LOG_NAME,)  # the index is derived from the log: rebuilt, never backed up
OLD_FILES = (LOG_NAME, "state.json")  # what an older flashprep's backups hold
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INCOMPLETE = ".incomplete-"


def backups_dir(home: Path) -> Path:
    return Path(home) / BACKUP_DIR


def list_backups(home: Path) -> list[Path]:
    """The day folders in `<home>/backups`, oldest first."""
    root = backups_dir(home)
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if _DAY_RE.match(p.name) and p.is_dir())


def daily_backup(home: Path, day: date, *, keep: int = KEEP_DAYS) -> Path | None:
    """Back up the history for `day` unless that day has a backup already.

    Returns the new folder, or None when there was nothing to do (the day is backed
    up, or the home has no history yet). Raises HistoryError if the copy fails; then
    no partial folder is left behind.
    """
    home = Path(home)
    root = backups_dir(home)
    target = root / day.isoformat()
    if target.exists():
        return None
    sources = [home / name for name in FILES if (home / name).is_file()]
    if not sources:
        return None
    tmp: Path | None = None
    try:
        root.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=_INCOMPLETE, dir=root))
        for src in sources:
            _copy(src, tmp / src.name)
        fsync_dir(tmp)
        os.rename(tmp, target)
        tmp = None
        fsync_dir(root)
    except OSError as exc:
        raise HistoryError(describe_os_error("back up the history to", target, exc)) from None
    finally:
        if tmp is not None:
            _remove_ours(tmp)
    prune(home, keep=keep, protect=target)
    return target


def _copy(src: Path, dst: Path) -> None:
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())


def _remove_ours(folder: Path) -> None:
    """Remove the files this module writes from `folder`, then the folder if empty."""
    for name in OLD_FILES:
        try:
            (folder / name).unlink()
        except OSError:
            pass
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty: something that is not ours is in it, so it stays


def prune(home: Path, *, keep: int = KEEP_DAYS, protect: Path | None = None) -> list[Path]:
    """Drop the backups older than the `keep` most recent days; best effort."""
    root = backups_dir(home)
    days = list_backups(home)
    old = [d for d in days[: max(0, len(days) - keep)] if d != protect]
    try:
        leftovers = [p for p in root.iterdir() if p.name.startswith(_INCOMPLETE) and p.is_dir()]
    except OSError:
        leftovers = []
    for folder in old + leftovers:
        _remove_ours(folder)
    return old
