"""The home's writer lock: an flock on `<home>/lock`, released by the kernel when the
holder dies, so a stale lock never blocks anyone. The holder writes its pid into the file
for the refusal message and `flashprep doctor`."""

from __future__ import annotations

import os
from pathlib import Path

from flashprep.errors import HistoryError, LockedError
from flashprep.fsutil import describe_os_error

LOCK_NAME = "lock"


def lock_pid(fd: int) -> str:
    """The pid the lock holder wrote; it writes it just after taking the lock, so wait a
    moment if the file is still empty rather than report "pid ?"."""
    import time

    for _ in range(25):
        try:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        except OSError:
            return "?"
        if pid:
            return pid
        time.sleep(0.02)
    return "?"


def take_lock(home: Path) -> int:
    """Take the writer lock of `home` (made if need be); return its descriptor, which the
    caller closes to release it. LockedError names the holder's pid."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise HistoryError(describe_os_error("write to", home, exc)) from None
    # Every path out of here either returns `fd` as the lock or closes it: a leaked
    # descriptor would hold the flock for the rest of this process's life.
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - non-POSIX: no locking available
        pass
    except OSError:
        pid = lock_pid(fd)
        os.close(fd)
        raise LockedError(
            f"another flashprep session is running (pid {pid}); finish it first"
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
    except OSError as exc:
        os.close(fd)
        raise HistoryError(describe_os_error("write to", home, exc)) from None
    return fd


def lock_is_free(home: Path) -> bool:
    """Whether no writer holds the lock right now (then a reader may fix the index)."""
    try:
        fd = os.open(home / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return home.is_dir()  # no writer ever ran here: none is running
    except OSError:
        return False
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
