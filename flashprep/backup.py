"""Daily backups of the review log in `<home>/backups/<YYYY-MM-DD>/`: checked by
checksum, incremental, restorable byte for byte (flashprep.restore reads them back).

History.open calls `daily_backup` for a writer whose study day has no backup yet, after
the lock is taken and the log was read, before anything is changed: each day's backup
is the log as it was before that day's first write. Only the log is kept (the rest of
the home is derived from it).

A day's folder holds `manifest.json` and the bytes the log gained since the day it
builds on (`after`), in `part-*.jsonl` files (flashprep.backupfiles has the format).
The first day of a chain (the base) holds a whole log. Its manifest's marks, about
every CHUNK bytes at a line end, hold the CRC-32 of the log up to them.

The check reads the log once and compares its bytes with the newest chain's marks,
decoding no JSON for what was backed up; only the bytes past the newest backup are
decoded. On a mismatch the log is decoded from the first mark that differs: a damaged
line is the usual corrupt-event error, and nothing is written. If every line decodes
(edited by hand, or restored) it is a warning, and today's backup builds on the last
mark that matched: nothing is blocked or deleted. Without a usable chain (the first
backup, old-style copies, a damaged manifest) the whole log is decoded once.

A backup appears whole or not at all (a hidden `.incomplete-*` folder, fsynced, then
renamed). Seven days are kept. A pruned day is first folded into the days that build
on it (they take over its parts by hard link), so seven days take about one log.
Pruning removes only what flashprep wrote (manifest.json and parts; in old-style
folders the reviews.jsonl and state.json copies), and a folder only once it is empty.
"""

from __future__ import annotations

import io
import os
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path

from flashprep.backupfiles import (
    INCOMPLETE,
    MANIFEST,
    OLD_FILES,
    PART_RE,
    TMP_RE,
    ZERO,
    Manifest,
    Mark,
    Piece,
    Unusable,
    backups_dir,
    chain,
    copy_file,
    copy_piece,
    encode,
    list_backups,
    read_manifest,
)
from flashprep.errors import HistoryError
from flashprep.eventlog import LOG_NAME, NewerSchemaError
from flashprep.eventlog import decode_line as _decode
from flashprep.fsutil import atomic_write_bytes, describe_os_error, fsync_dir

KEEP_DAYS = 7
CHUNK = 4 << 20  # bytes between marks
MERGE_LIMIT = 64 << 20  # parts are merged up to this size, so a folder keeps few files


def _newest_chain(root: Path) -> tuple[list[Manifest] | None, str | None]:
    """The chain of the newest incremental backup, or (None, why it cannot be used)."""
    for folder in reversed(list_backups(root.parent)):
        try:
            if read_manifest(folder) is None:
                continue
            return chain(root, folder.name), None
        except Unusable as exc:
            return None, (
                f"{folder} cannot be used to check the log ({exc}); today's backup "
                "is a full copy, after a check of every line"
            )
    return None, None


# ------------------------------------------------------------------ the daily check


def daily_backup(
    home: Path, day: date, warnings: list[str] | None = None, *, keep: int = KEEP_DAYS
) -> Path | None:
    """Check the log against the backups' checksums, then back it up for `day`.

    Returns the new folder, or None when there was nothing to do (the day is backed up,
    or the home has no history yet). Raises HistoryError for a line damaged in place,
    before anything is written. A backup that cannot be written leaves no partial
    folder; with `warnings` given it is a warning there ("...; continuing without
    today's backup"), else a HistoryError. Notes about a changed log go to `warnings`.
    """
    home = Path(home)
    root = backups_dir(home)
    target = root / day.isoformat()
    log = home / LOG_NAME
    if target.exists():
        return None
    tmp: Path | None = None
    note: str | None = None
    created = False
    try:
        try:
            if log.stat().st_size == 0:
                return None
        except FileNotFoundError:
            return None
        created = not root.exists()
        root.mkdir(exist_ok=True)
        with open(log, "rb") as fh:
            links, note = _newest_chain(root)
            parent, seed = None, ZERO
            if links is not None:
                parent, seed, note = _verify(fh, log, links)
            import tempfile

            tmp = Path(tempfile.mkdtemp(prefix=INCOMPLETE, dir=root))
            manifest = _copy_from(fh, log, tmp, seed)
        manifest.day = target.name
        manifest.after = parent.day if parent is not None and seed != ZERO else None
        with open(tmp / MANIFEST, "xb") as out:
            out.write(encode(manifest))
            out.flush()
            os.fsync(out.fileno())
        fsync_dir(tmp)
        os.rename(tmp, target)
        tmp = None
        created = False
        fsync_dir(root)
    except OSError as exc:
        message = describe_os_error("back up the history to", target, exc)
        if warnings is None:
            raise HistoryError(message) from None
        warnings.append(f"{message}; continuing without today's backup")
        return None
    finally:
        if tmp is not None:
            _remove_ours(tmp)
        if created:  # a refused or failed first backup leaves the home as it was
            try:
                root.rmdir()
            except OSError:
                pass
    if note and warnings is not None:
        warnings.append(note)
    prune(home, keep=keep, protect=target)
    return target


def _verify(
    fh: io.BufferedReader, log: Path, links: list[Manifest]
) -> tuple[Manifest, Mark, str | None]:
    """Compare the log's bytes with the chain's marks, reading from the start.

    Returns the day and mark today's backup builds on, and a note if the log no longer
    extends the newest backup. Decodes nothing: `_copy_from` decodes from that mark on.
    """
    buf = bytearray()
    at, size = ZERO, os.fstat(fh.fileno()).st_size
    for i, m in enumerate(links):
        limit = links[i + 1].seed.end if i + 1 < len(links) else m.end
        for mark in m.chunks:
            if mark.end > limit:
                break
            n = mark.end - at.end
            if n > len(buf):
                buf = bytearray(n)
            view = memoryview(buf)[:n]
            if mark.end > size or fh.readinto(view) != n or zlib.crc32(view, at.crc) != mark.crc:
                return _diverged(log, links, m, at, mark, size)
            at = mark
    return links[-1], at, None


def _diverged(
    log: Path, links: list[Manifest], m: Manifest, at: Mark, mark: Mark, size: int
) -> tuple[Manifest, Mark, str]:
    """Where to build on when the log stops matching the chain at `at` (in day `m`)."""
    newest = links[-1]
    keep = "the earlier days stay restorable until they are pruned"
    for older in links[:-1]:
        if older.clean == at:
            return (
                older,
                at,
                (
                    f"{log} continues the backup of {older.day}, not the newer one of "
                    f"{newest.day} (as after 'flashprep doctor --restore {older.day}'); today's "
                    f"backup builds on {older.day}'s, and {keep}"
                ),
            )
    if size < newest.clean.end:
        what = f"is shorter than at the backup of {newest.day} ({size} of {newest.clean.end} bytes)"
    else:
        what = f"changed in lines {at.lines + 1}-{mark.lines} since the backup of {newest.day}"
    return (
        m,
        at,
        (
            f"{log} {what}, but every line from there on is a valid event; today's backup "
            f"keeps the log as it is now, and {keep}"
        ),
    )


def _copy_from(fh: io.BufferedReader, log: Path, folder: Path, seed: Mark) -> Manifest:
    """Decode the log from `seed` to its end, copying those bytes into a part in `folder`.

    Raises HistoryError (the error of any corrupt line) for a damaged line; a torn last
    line is copied but left out of the marks, as the history leaves it out of the log.
    """
    # A seed just past a complete event that lacked its newline: the newline the next
    # writer added ends that line, it does not start one.
    fh.seek(max(0, seed.end - 1))
    open_line = seed.end > 0 and fh.read(1) != b"\n"
    name = f"part-{seed.end:012d}-{os.urandom(4).hex()}.jsonl"
    chunks: list[Mark] = []
    at, carry, size, crc = seed, b"", 0, 0
    with open(folder / name, "xb") as out:
        while block := fh.read(CHUNK):
            out.write(block)
            size += len(block)
            crc = zlib.crc32(block, crc)
            data = carry + block if carry else block
            cut = data.rfind(b"\n") + 1
            if cut:
                at = _checked(log, data[:cut], at, open_line)
                chunks.append(at)
                data, open_line = data[cut:], False
            carry = data
        out.flush()
        os.fsync(out.fileno())
    end_crc = at.crc
    if carry.strip():
        try:
            _decode(log, at.lines + 1, carry)
            at = Mark(at.end + len(carry), at.lines + 1, at.events + 1, zlib.crc32(carry, at.crc))
            chunks.append(at)  # a complete last event that lacks its newline
        except NewerSchemaError:
            raise
        except HistoryError:
            pass  # torn: in the part, but not a line
    end_crc = zlib.crc32(carry, end_crc)
    pieces = [Piece(name, seed.end, size, crc, size)] if size else []
    if not size:
        os.unlink(folder / name)
    return Manifest("", None, seed, chunks, seed.end + size, end_crc, pieces)


def _checked(log: Path, body: bytes, at: Mark, open_line: bool = False) -> Mark:
    """Decode each complete line of `body` (which follows `at`); the mark after it."""
    lineno, events = at.lines, at.events
    rows = body.split(b"\n")[:-1]
    if open_line and not rows[0].strip():
        rows = rows[1:]  # the newline of the line before `at`
    for raw in rows:
        lineno += 1
        if raw.strip():
            _decode(log, lineno, raw)
            events += 1
    return Mark(at.end + len(body), lineno, events, zlib.crc32(body, at.crc))


# ------------------------------------------------------------------ pruning


def _remove_ours(folder: Path) -> None:
    """Remove the files this module writes from `folder`, then the folder if empty."""
    try:
        names = [p.name for p in folder.iterdir()]
    except OSError:
        return
    both = folder.name.startswith(INCOMPLETE)
    new_style, old_style = both or MANIFEST in names, both or MANIFEST not in names
    for name in names:
        if (
            new_style
            and (name == MANIFEST or PART_RE.match(name) or TMP_RE.match(name))
            or old_style
            and name in OLD_FILES
        ):
            try:
                (folder / name).unlink()
            except OSError:
                pass
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty: something that is not ours is in it, so it stays


def prune(home: Path, *, keep: int = KEEP_DAYS, protect: Path | None = None) -> list[Path]:
    """Drop the backups older than the `keep` most recent days; best effort.

    A day that others build on is first folded into them (they take over its parts);
    if that fails it stays, to be tried again at the next backup.
    """
    root = backups_dir(home)
    days = list_backups(home)
    old = [d for d in days[: max(0, len(days) - keep)] if d != protect]
    pruned = []
    for folder in old:
        if _fold_into_children(root, folder, days):
            _remove_ours(folder)
            pruned.append(folder)
    try:
        leftovers = [p for p in root.iterdir() if p.name.startswith(INCOMPLETE) and p.is_dir()]
    except OSError:
        leftovers = []
    for folder in leftovers:
        _remove_ours(folder)
    return pruned


def _fold_into_children(root: Path, folder: Path, days: list[Path]) -> bool:
    try:
        parent = read_manifest(folder)
    except Unusable:
        return True  # nothing can be restored from it, or from what builds on it
    if parent is None:
        return True
    for other in days:
        try:
            child = read_manifest(other)
            if child is not None and child.after == parent.day:
                _fold(root, parent, child)
        except Unusable:
            continue  # a child that does not fit, or a damaged part: it was lost already
        except (OSError, HistoryError):
            return False  # a full disk, say: keep the day, try again at the next backup
    return True


def _fold(root: Path, parent: Manifest, child: Manifest) -> None:
    """Make `child` build on what `parent` built on, taking over parent's parts it uses."""
    src, dst = root / parent.day, root / child.day
    marks = [parent.seed, *(c for c in parent.chunks if c.end <= child.seed.end)]
    if marks[-1] != child.seed:
        raise Unusable(f"{child.day} does not fit on {parent.day}")
    taken = []
    for p in parent.pieces:
        use = min(p.use, child.seed.end - p.start)
        if use <= 0:
            break
        name = f"part-{p.start:012d}-{os.urandom(4).hex()}.jsonl"
        try:
            os.link(src / p.name, dst / name)
        except OSError:
            copy_file(src / p.name, dst / name)
        taken.append(replace(p, name=name, use=use))
    pieces = _merge(dst, taken + child.pieces)
    fsync_dir(dst)
    folded = Manifest(
        child.day, parent.after, parent.seed, marks[1:] + child.chunks, child.end, child.crc, pieces
    )
    atomic_write_bytes(dst / MANIFEST, encode(folded), error=HistoryError)
    keep = {p.name for p in pieces}
    for stale in dst.iterdir():
        if PART_RE.match(stale.name) and stale.name not in keep:
            stale.unlink()


def _merge(folder: Path, pieces: list[Piece]) -> list[Piece]:
    """Join the last two parts while the older is under twice the newer (and the two are
    under MERGE_LIMIT), so a base that took over years of days keeps few files."""
    pieces = list(pieces)
    while len(pieces) >= 2:
        a, b = pieces[-2], pieces[-1]
        if not (a.use < 2 * b.use and a.use + b.use <= MERGE_LIMIT):
            break
        name = f"part-{a.start:012d}-{os.urandom(4).hex()}.jsonl"
        crc = 0
        with open(folder / name, "xb") as out:
            for p in (a, b):
                crc = copy_piece(folder, p, p.use, out, crc)
            out.flush()
            os.fsync(out.fileno())
        pieces[-2:] = [Piece(name, a.start, a.use + b.use, crc, a.use + b.use)]
    return pieces
