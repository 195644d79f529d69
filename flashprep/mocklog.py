"""The mock interviews recorded in the history, for `mock --history`, readiness and stats.

Only the `mock` events are wanted, and a log grows to millions of lines, so lines are
picked by a byte search for the kind as flashprep's writer spells it (compact JSON, the
same trust flashprep.history.card_events puts in it) and only those are decoded; a 1 MB
chunk without one is never split into lines (a million answers: ~0.1 s). A line
that does not decode is skipped here: opening the history reports it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flashprep.errors import HistoryError
from flashprep.mock import MOCK, PastMock, past_mocks

_NEEDLE = b'"kind":"' + MOCK.encode() + b'"'
_CHUNK = 1 << 20


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
        rest = b""
        while True:
            try:
                data = fh.read(_CHUNK)
            except OSError as exc:
                raise HistoryError(describe_os_error("read", path, exc)) from None
            if not data:
                break  # what is left in `rest` is an incomplete last line: not an event
            data = rest + data
            cut = data.rfind(b"\n") + 1
            body, rest = data[:cut], data[cut:]
            if _NEEDLE not in body:
                continue  # most of a log: answers only, never split into lines
            for raw in body.split(b"\n"):
                if _NEEDLE in raw:
                    _add(out, raw)
    return out


def _add(out: list[dict[str, Any]], raw: bytes) -> None:
    try:
        event = json.loads(raw)
    except ValueError:
        return
    if isinstance(event, dict) and event.get("kind") == MOCK:
        out.append(event)


def read_mocks(path: Path) -> list[PastMock]:
    """The past mocks of the log at `path`, oldest first."""
    return past_mocks(mock_events(path))
