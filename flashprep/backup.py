"""Daily backups of the review log, in `<home>/backups/<YYYY-MM-DD>/`: checked by
checksum, stored incrementally, restorable byte for byte.

When a command opens the history for writing (History.open with `backup_day`, which
flashprep.workspace always passes) and the study day has no backup yet, `daily_backup`
runs: after the writer lock is taken and the log was read, before anything in the home
is changed (a torn line set aside, a checkpoint rebuilt, an answer appended). So each
day's backup is the log exactly as it was before that day's first write. Only the log
is kept: everything else in the home is derived from it.

A day's folder holds `manifest.json` and the log bytes that day added, in `part-*.jsonl`
files. The manifest names the day it builds on (`after`), where its own bytes begin
(`seed`), the log's size and CRC-32 at the backup, each part's range and CRC-32, and
`chunks`: marks about every 4 MiB at line ends, each the byte offset, line and event
counts and CRC-32 of the log up to it. The oldest day of a chain builds on nothing
(seed 0) and so holds the whole log of its day: the base.

The daily check. The log is read once and its bytes compared, chunk by chunk, with the
marks of the newest backup's chain: no JSON is decoded for what was backed up before.
Only the bytes past the newest backup are decoded (one day's answers). On a mismatch
the log is decoded from the start of the first chunk that differs, so a line damaged
in place is refused with the same error as any corrupt line, while the backups from
before the damage are still kept. If every line still decodes (the log was edited by
hand, or is a restored one), flashprep warns, and today's backup builds on the last
mark that matched: nothing is blocked and nothing is deleted. A log with no usable
backup (the first backup, or backups from before these manifests) is decoded whole,
once, and backed up whole.

A backup appears whole or not at all: it is written and fsynced into a hidden
`.incomplete-*` folder which is then renamed to the day's name. The seven most recent
days are kept. When the oldest day goes, the days that build on it first take over
its parts (hard links, so nothing is copied; a copy where links are not supported)
and become the base, so seven days take about one log's size. Pruning removes only
what this module wrote (manifest.json and part files; in an old-style folder the
reviews.jsonl and state.json copies that earlier versions made), and a folder only
once it is empty: anything else a user put in `backups/` stays.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from flashprep.errors import HistoryError
from flashprep.fsutil import atomic_write_bytes, describe_os_error, fsync_dir
from flashprep.history import LOG_NAME, STATE_NAME, NewerSchemaError, _decode

BACKUP_DIR = "backups"
KEEP_DAYS = 7
MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 4 << 20  # bytes between marks
MERGE_LIMIT = 64 << 20  # parts are merged up to this size, so a folder keeps few files
OLD_FILES = (LOG_NAME, STATE_NAME)  # an old-style day: whole copies
DERIVED = (STATE_NAME, "cache")  # rebuilt from the log; invalid after a restore
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PART_RE = re.compile(r"^part-\d{12}-[0-9a-f]{8}\.jsonl$")
_TMP_RE = re.compile(r"^\.manifest\.json\..+\.tmp$")  # atomic_write_bytes's
_INCOMPLETE = ".incomplete-"


@dataclass(frozen=True)
class Mark:
    """A line end in the log: the bytes, lines and events before it, and their CRC-32."""

    end: int
    lines: int
    events: int
    crc: int


ZERO = Mark(0, 0, 0, 0)


@dataclass(frozen=True)
class Piece:
    """A part file: log bytes from `start`; the first `use` of its `size` are this day's."""

    name: str
    start: int
    size: int
    crc: int
    use: int


@dataclass
class Manifest:
    day: str
    after: str | None  # the day this one builds on; None for a base
    seed: Mark  # where this day's own bytes begin: a mark of `after` (ZERO for a base)
    chunks: list[Mark]  # marks past `seed`, the last at the log's last complete line
    end: int  # the log's size at the backup
    crc: int  # CRC-32 of the whole log at the backup
    pieces: list[Piece]  # the bytes from seed.end to end, in order

    @property
    def clean(self) -> Mark:
        return self.chunks[-1] if self.chunks else self.seed


class Unusable(Exception):
    """A backup that cannot be read back: the reason, kept short."""


def backups_dir(home: Path) -> Path:
    return Path(home) / BACKUP_DIR


def list_backups(home: Path) -> list[Path]:
    """The day folders in `<home>/backups`, oldest first."""
    root = backups_dir(home)
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries if DAY_RE.match(p.name) and p.is_dir())


# ------------------------------------------------------------------ manifests


def _whole(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a whole number")
    return value


def _mark(row: Any) -> Mark:
    if not isinstance(row, list) or len(row) != 4:
        raise ValueError("a mark is not [end, lines, events, crc]")
    return Mark(*(_whole(v) for v in row))


def read_manifest(folder: Path) -> Manifest | None:
    """A day's manifest; None if the folder has none (an old-style copy). Raises Unusable."""
    try:
        raw = (folder / MANIFEST).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise Unusable(f"cannot read {MANIFEST}: {exc.strerror or exc}") from None
    try:
        d = json.loads(raw)
        if d["format"] != FORMAT:
            raise ValueError(f"format {d['format']!r}, this flashprep reads {FORMAT}")
        after = d["after"]
        if after is not None and not (isinstance(after, str) and DAY_RE.match(after)):
            raise ValueError("after is not a day")
        m = Manifest(
            day=d["day"], after=after, seed=_mark(d["seed"]),
            chunks=[_mark(c) for c in d["chunks"]], end=_whole(d["end"]), crc=_whole(d["crc"]),
            pieces=[Piece(p["file"], *(_whole(p[k]) for k in ("start", "size", "crc", "use")))
                    for p in d["pieces"]],
        )
        if m.day != folder.name or (after is None) != (m.seed == ZERO):
            raise ValueError("day or seed does not match")
        at = m.seed.end
        for mark in m.chunks:
            if mark.end <= at or mark.end > m.end:
                raise ValueError("chunks out of order")
            at = mark.end
        at = m.seed.end
        for p in m.pieces:
            if not isinstance(p.name, str) or not PART_RE.match(p.name):
                raise ValueError("bad part name")
            if p.start != at or not 0 < p.use <= p.size:
                raise ValueError("parts out of order")
            at += p.use
        if at != m.end:
            raise ValueError("parts do not reach the end")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise Unusable(f"damaged {MANIFEST} ({str(exc)[:80]})") from None
    return m


def _encode(m: Manifest) -> bytes:
    data = {
        "format": FORMAT, "day": m.day, "log": LOG_NAME, "after": m.after,
        "start": m.seed.end, "end": m.end, "lines": m.clean.lines, "events": m.clean.events,
        "crc": m.crc, "seed": list(_row(m.seed)),
        "pieces": [{"file": p.name, "start": p.start, "size": p.size, "use": p.use, "crc": p.crc}
                   for p in m.pieces],
        "chunks": [list(_row(c)) for c in m.chunks],
    }
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def _row(mark: Mark) -> tuple[int, int, int, int]:
    return mark.end, mark.lines, mark.events, mark.crc


def chain(root: Path, day: str) -> list[Manifest]:
    """The manifests from the base to `day`, oldest first. Raises Unusable."""
    out: list[Manifest] = []
    name: str | None = day
    while name is not None:
        if any(m.day == name for m in out):
            raise Unusable("the backups build on each other in a circle")
        m = read_manifest(root / name)
        if m is None:
            raise Unusable(f"{name} is not an incremental backup")
        if out:
            child = out[-1]
            marks = [m.seed, *(c for c in m.chunks if c.end <= child.seed.end)]
            if marks[-1] != child.seed:
                raise Unusable(f"{child.day} does not fit on {name}")
        out.append(m)
        name = m.after
    return out[::-1]


def _newest_chain(root: Path) -> tuple[list[Manifest] | None, str | None]:
    """The chain of the newest incremental backup, or (None, why it cannot be used)."""
    for folder in reversed(list_backups(root.parent)):
        try:
            if read_manifest(folder) is None:
                continue
            return chain(root, folder.name), None
        except Unusable as exc:
            return None, (f"{folder} cannot be used to check the log ({exc}); today's backup "
                          "is a full copy, after a check of every line")
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

            tmp = Path(tempfile.mkdtemp(prefix=_INCOMPLETE, dir=root))
            manifest = _copy_from(fh, log, tmp, seed)
        manifest.day = target.name
        manifest.after = parent.day if parent is not None and seed != ZERO else None
        with open(tmp / MANIFEST, "xb") as out:
            out.write(_encode(manifest))
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


def _verify(fh: BinaryIO, log: Path, links: list[Manifest]) -> tuple[Manifest, Mark, str | None]:
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
            return older, at, (
                f"{log} continues the backup of {older.day}, not the newer one of "
                f"{newest.day} (as after 'flashprep doctor --restore {older.day}'); today's "
                f"backup builds on {older.day}'s, and {keep}"
            )
    if size < newest.clean.end:
        what = f"is shorter than at the backup of {newest.day} ({size} of {newest.clean.end} bytes)"
    else:
        what = (f"changed in lines {at.lines + 1}-{mark.lines} since the backup of "
                f"{newest.day}")
    return m, at, (
        f"{log} {what}, but every line from there on is a valid event; today's backup "
        f"keeps the log as it is now, and {keep}"
    )


def _copy_from(fh: BinaryIO, log: Path, folder: Path, seed: Mark) -> Manifest:
    """Decode the log from `seed` to its end, copying those bytes into a part in `folder`.

    Raises HistoryError (the error of any corrupt line) for a damaged line; a torn last
    line is copied but left out of the marks, as the history leaves it out of the log.
    """
    fh.seek(seed.end)
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
                at = _checked(log, data[:cut], at)
                chunks.append(at)
                data = data[cut:]
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


def _checked(log: Path, body: bytes, at: Mark) -> Mark:
    """Decode each complete line of `body` (which follows `at`); the mark after it."""
    lineno, events = at.lines, at.events
    for raw in body.split(b"\n")[:-1]:
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
    new_style = MANIFEST in names or folder.name.startswith(_INCOMPLETE)
    old_style = MANIFEST not in names or folder.name.startswith(_INCOMPLETE)
    for name in names:
        ours = (new_style and (name == MANIFEST or PART_RE.match(name) or _TMP_RE.match(name))
                or old_style and name in OLD_FILES)
        if ours:
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
        leftovers = [p for p in root.iterdir() if p.name.startswith(_INCOMPLETE) and p.is_dir()]
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
    folded = Manifest(child.day, parent.after, parent.seed, marks[1:] + child.chunks,
                      child.end, child.crc, pieces)
    atomic_write_bytes(dst / MANIFEST, _encode(folded), error=HistoryError)
    keep = {p.name for p in pieces}
    for p in dst.iterdir():
        if PART_RE.match(p.name) and p.name not in keep:
            p.unlink()


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


def copy_file(src: Path, dst: Path) -> None:
    """Copy `src` to a new file `dst`, fsynced (where a hard link cannot be made)."""
    import shutil

    with open(src, "rb") as fin, open(dst, "xb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())


def copy_piece(folder: Path, p: Piece, n: int, out: BinaryIO, crc: int) -> int:
    """Check part `p` whole and write its first `n` bytes to `out`; the CRC-32 of what
    `out` held, `crc`, extended by them."""
    whole = size = 0
    try:
        with open(folder / p.name, "rb") as fin:
            while block := fin.read(1 << 20):
                whole = zlib.crc32(block, whole)
                if size < n:
                    part = memoryview(block)[: n - size]
                    out.write(part)
                    crc = zlib.crc32(part, crc)
                size += len(block)
    except OSError as exc:
        raise Unusable(f"cannot read {folder.name}/{p.name}: {exc.strerror or exc}") from None
    if size != p.size or whole != p.crc:
        raise Unusable(f"{folder.name}/{p.name} is damaged (its CRC-32 does not match)")
    return crc
