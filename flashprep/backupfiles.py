"""The files of a daily backup (flashprep.backup writes them, flashprep.restore reads
them back): `manifest.json` and the `part-*.jsonl` files of log bytes in a day's folder
`<home>/backups/<YYYY-MM-DD>/`, and the chains of days that build on each other.

A manifest is JSON: the format, the day, the day it builds on (`after`; null for a base,
which holds a whole log), `seed` (the mark where this day's own bytes begin, one of the
marks of `after`), the log's size (`end`) and CRC-32 (`crc`) at the backup, the parts
(`file`, `start` offset in the log, `size`, `use`: how many of its bytes are this day's,
`crc` of the whole file), and `chunks`: line-end marks, each [offset, lines, events,
CRC-32 of the log up to it]. `start`, `lines` and `events` are repeated at the top for a
person reading it. A folder without a manifest but with a reviews.jsonl is an old-style
backup: a whole copy, made by earlier versions.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flashprep.eventlog import LOG_NAME

STATE_NAME = "state.json"  # an older flashprep's checkpoint: its backups hold one

BACKUP_DIR = "backups"
MANIFEST = "manifest.json"
FORMAT = 1
OLD_FILES = (LOG_NAME, STATE_NAME)  # an old-style day: whole copies
DERIVED = (STATE_NAME, "cache")  # rebuilt from the log; invalid after a restore
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PART_RE = re.compile(r"^part-\d{12}-[0-9a-f]{8}\.jsonl$")
TMP_RE = re.compile(r"^\.manifest\.json\..+\.tmp$")  # atomic_write_bytes's
INCOMPLETE = ".incomplete-"


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
            day=d["day"],
            after=after,
            seed=_mark(d["seed"]),
            chunks=[_mark(c) for c in d["chunks"]],
            end=_whole(d["end"]),
            crc=_whole(d["crc"]),
            pieces=[
                Piece(p["file"], *(_whole(p[k]) for k in ("start", "size", "crc", "use")))
                for p in d["pieces"]
            ],
        )
        if m.day != folder.name or (after is None) != (m.seed == ZERO):
            raise ValueError("day or seed does not match")
        ends = [m.seed.end, *(c.end for c in m.chunks)]
        if any(b <= a for a, b in zip(ends, ends[1:], strict=False)) or ends[-1] > m.end:
            raise ValueError("chunks out of order")
        at = m.seed.end
        for p in m.pieces:
            if not (
                isinstance(p.name, str)
                and PART_RE.match(p.name)
                and p.start == at
                and 0 < p.use <= p.size
            ):
                raise ValueError("bad parts")
            at += p.use
        if at != m.end:
            raise ValueError("parts do not reach the end")
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise Unusable(f"damaged {MANIFEST} ({str(exc)[:80]})") from None
    return m


def encode(m: Manifest) -> bytes:
    data = {
        "format": FORMAT,
        "day": m.day,
        "log": LOG_NAME,
        "after": m.after,
        "start": m.seed.end,
        "end": m.end,
        "lines": m.clean.lines,
        "events": m.clean.events,
        "crc": m.crc,
        "seed": list(astuple(m.seed)),
        "pieces": [
            {"file": p.name, "start": p.start, "size": p.size, "use": p.use, "crc": p.crc}
            for p in m.pieces
        ],
        "chunks": [list(astuple(c)) for c in m.chunks],
    }
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


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
