"""Durable file writes: atomic replace and fsync, shared by every writer.

A file is never rewritten in place. New content goes to a temporary file in the
same directory, which is flushed and fsynced, then renamed over the old one with
os.replace (atomic on POSIX), and the directory is fsynced so the rename itself
survives a power cut. If anything fails the temporary file is removed and the
old file is untouched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from flashprep.errors import FlashprepError


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in `path` durable (no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def describe_os_error(action: str, path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"cannot {action} {path}: {reason}"


def file_mode(path: Path) -> int:
    """The permissions `path` has, or what the umask gives a new file."""
    import stat

    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_produce(
    path: Path,
    produce: Callable[[Path], object],
    *,
    error: type[FlashprepError] = FlashprepError,
) -> int:
    """Let `produce` fill a temporary file next to `path`, then rename it over `path`.

    For writers that need a path rather than bytes (genanki writes its package to a
    file). The temporary file is fsynced, given the mode of the file it replaces (or
    the umask's default for a new file; mkstemp alone would make it 0600), renamed,
    and the folder fsynced. Returns the size written. Any failure removes the
    temporary file, leaves `path` as it was, and raises `error`.
    """
    path = Path(path)
    tmp_name: str | None = None
    try:
        import tempfile  # only writers pay for it (~1 ms), not read-only commands

        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        produce(Path(tmp_name))
        with open(tmp_name, "rb") as fh:
            os.fchmod(fh.fileno(), file_mode(path))
            os.fsync(fh.fileno())
            size = os.fstat(fh.fileno()).st_size
        os.replace(tmp_name, path)
        tmp_name = None
        fsync_dir(path.parent)
        return size
    except OSError as exc:
        raise error(describe_os_error("write", path, exc)) from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def atomic_write_bytes(
    path: Path,
    data: bytes,
    *,
    error: type[FlashprepError] = FlashprepError,
) -> None:
    """Replace `path` with `data` atomically and durably; raise `error` on failure."""

    def produce(tmp: Path) -> None:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    atomic_produce(path, produce, error=error)


def atomic_write_text(
    path: Path, text: str, *, error: type[FlashprepError] = FlashprepError
) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), error=error)


class UnreadableFile(Exception):
    """A user's text file that cannot be read, or is not UTF-8.

    Internal: each reader re-raises it as its own FlashprepError (a DeckError for a
    deck, an InputError for an import file...), so the wording is the same everywhere.
    """

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.path, self.reason, self.line = path, reason, line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.reason}"


def read_utf8(path: Path) -> str:
    """The text of a file a user handed over; UnreadableFile says why it can't be had."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a folder, not a file") from None
    except OSError as exc:
        raise UnreadableFile(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(path, "not UTF-8 text (save the file as UTF-8)", line) from None
