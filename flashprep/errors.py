"""The one error family of flashprep.

Everything below the CLI raises a FlashprepError (or a subclass) with a message
that is already fit for a user: one line, naming the file and line where there
is one. `flashprep.cli` is the only place that turns them into output and an
exit code (2); nothing else calls sys.exit.
"""

from __future__ import annotations

from pathlib import Path


class FlashprepError(Exception):
    """A problem the user can fix; the message is shown as it is."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DeckError(FlashprepError):
    """A deck file is unreadable, not TOML, or breaks the deck format."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.detail = message
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        super().__init__(where + message)


class ConfigError(FlashprepError):
    """config.toml or an environment variable holds a bad value."""


class HistoryError(FlashprepError):
    """The review log or state checkpoint cannot be read or written safely."""


class LockedError(HistoryError):
    """Another flashprep process holds the write lock on this home."""


class UnknownCardError(FlashprepError):
    """A card or deck id names nothing that is loaded."""


class InputError(FlashprepError):
    """A file or argument given on the command line is not usable."""
