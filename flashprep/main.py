"""The console entry point: the full `flashprep` app, every command registered.

flashprep.cli holds the app, its shared helpers and the core commands; the modules of
flashprep/commands/ register theirs on it when imported here. Nothing else imports
the command modules, so the import graph has no cycle.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from flashprep import commands  # noqa: F401  (registers the commands on `app`)
from flashprep.cli import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    from flashprep.fastparams import keep_only_invoked

    keep_only_invoked(app, sys.argv[1:], frozenset({"--home", "--decks"}))
    try:
        app()  # typer's standalone mode ends in SystemExit
    except SystemExit as exc:
        leave(exc.code)


def leave(code: object) -> NoReturn:
    """End the process as SystemExit(code) would, without tearing the interpreter down.

    Freeing every module and object one by one takes ~10 ms at exit (a seventh of a
    `status`), for a process that is about to end anyway. What matters of a normal exit
    still happens first: atexit handlers (temporary folders, worker pools), then the
    standard streams flushed. Every file and database a command writes is closed by the
    command itself, and the writer lock is released by the kernel. If a thread that is
    not a daemon is still running, the exit is the ordinary one, which waits for it."""
    import atexit

    threading = sys.modules.get("threading")
    if threading is not None and any(
        t.is_alive() and not t.daemon and t is not threading.main_thread()
        for t in threading.enumerate()
    ):
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`), a closed stream
            status = status or 1
    os._exit(status)
