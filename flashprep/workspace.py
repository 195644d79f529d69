"""The library object every command opens: one home, its config, decks and history.

Commands in flashprep.cli parse arguments, open a Workspace, call it, and render;
they never read or write files themselves. Everything here is loaded lazily and
once, so a command pays only for what it uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

from flashprep import clock
from flashprep.cardmodel import Collection
from flashprep.config import Config, default_home, load_config
from flashprep.decks import load_collection
from flashprep.history import History, Progress


class Workspace:
    def __init__(
        self,
        home: Path | None = None,
        deck_dirs: Sequence[Path] = (),
        *,
        now: datetime | None = None,
    ) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.deck_dirs = [Path(d) for d in deck_dirs]
        self._now = now

    @cached_property
    def config(self) -> Config:
        return load_config(self.home)

    @cached_property
    def collection(self) -> Collection:
        return load_collection(self.home, self.deck_dirs)

    def now(self) -> datetime:
        return self._now if self._now is not None else clock.now()

    def today(self, moment: datetime | None = None) -> date:
        return clock.study_day(moment or self.now(), self.config.day_starts_at)

    def history(self, *, write: bool = False, progress: Progress | None = None) -> History:
        """Open the history; the caller closes it (use it as a context manager).

        A writer backs the history up first on the first write of each study day
        (flashprep.backup). `progress` hears how far a long index rebuild has got."""
        return History.open(
            self.home, write=write, backup_day=self.today() if write else None, progress=progress
        )
