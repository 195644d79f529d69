"""The console entry point: the full `flashprep` app, every command registered.

flashprep.cli holds the app, its shared helpers and the core commands; the modules of
flashprep/commands/ register theirs on it when imported here. Nothing else imports
the command modules, so the import graph has no cycle.
"""

from __future__ import annotations

import sys

from flashprep import commands  # noqa: F401  (registers the commands on `app`)
from flashprep.cli import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    from flashprep.fastparams import keep_only_invoked

    keep_only_invoked(app, sys.argv[1:], frozenset({"--home", "--decks"}))
    app()
