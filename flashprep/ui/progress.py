"""The bar shown on a terminal while the history's index is built from a long log."""

from __future__ import annotations

from typing import Any


class IndexBar:
    """A progress callback for History.open: (bytes done, bytes in all). Nothing is drawn
    unless it is called, which it is only for a long log (flashprep.history)."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

            self._progress = Progress(
                TextColumn("indexing the review log"),
                BarColumn(),
                DownloadColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("index", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
