"""The mock interviews recorded in the history, for `mock --history`, readiness and stats.

Only the `mock` events are wanted, and a log grows to millions of lines, so lines are
picked by a byte search for the kind as flashprep's writer spells it (compact JSON, the
same trust flashprep.history.card_events puts in it) and only those are decoded. A line
that does not decode is skipped here: opening the history reports it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flashprep.errors import HistoryError
from flashprep.mock import MOCK, PastMock, past_mocks

_NEEDLE = b'"kind":"' + MOCK.encode() + b'"'


def mock_events(path: Path) -> list[dict[str, Any]]:
    """Every `mock` event of the log at `path`, in log order (none if there is no log)."""
    from flashprep.fsutil import describe_os_error

    out: list[dict[str, Any]] = []
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return out
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    with fh:
        for raw in fh:
            if _NEEDLE in raw and raw.endswith(b"\n"):
                try:
                    event = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(event, dict) and event.get("kind") == MOCK:
                    out.append(event)
    return out


def read_mocks(path: Path) -> list[PastMock]:
    """The past mocks of the log at `path`, oldest first."""
    return past_mocks(mock_events(path))
