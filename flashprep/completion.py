"""Shell completion: the scripts `flashprep completion SHELL` prints, and the values
completed for --deck, --tag, --topic and card ids.

The shell runs `flashprep` with _FLASHPREP_COMPLETE set (typer's protocol); only
then does anything here read the collection. The functions below are given to
typer as `autocompletion=` callbacks, which typer calls only while completing, so
an ordinary run pays for nothing but this module's import (standard library only).
Completion never fails loudly: on any error it offers nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

PROG = "flashprep"
COMPLETE_VAR = "_FLASHPREP_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def completing() -> bool:
    return bool(os.environ.get(COMPLETE_VAR))


def prepare() -> None:
    """Register typer's completion classes (its scripts and their answers) for this run."""
    from typer.completion import completion_init

    completion_init()


def script(shell: str) -> str:
    """The completion script for `shell`, to be sourced by it."""
    from typer.completion import get_completion_script

    prepare()
    return get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)


def _collection(ctx: Any) -> Any:
    """The collection of the home and --decks given on the command line being completed."""
    from flashprep.workspace import Workspace

    params = ctx.find_root().params if ctx is not None else {}
    home = params.get("home")
    decks = params.get("decks") or ()
    return Workspace(Path(home) if home else None, [Path(d) for d in decks]).collection


def _matching(values: Iterable[str], incomplete: str) -> list[str]:
    return sorted({v for v in values if v.startswith(incomplete)})


def _completer(values: Callable[[Any], Iterable[str]]) -> Callable[..., list[str]]:
    def complete(ctx: Any, incomplete: str) -> list[str]:
        try:
            return _matching(values(_collection(ctx)), incomplete or "")
        except Exception:  # a broken deck or home: offer nothing rather than a traceback
            return []

    return complete


def _tags(col: Any) -> Iterable[str]:
    for card in col.cards.values():
        yield from card.tags


def _topics(col: Any) -> Iterable[str]:
    for card in col.cards.values():
        if card.topic:
            yield card.topic
    for item in col.checklist:
        yield from item.topics


deck_ids = _completer(lambda col: (d.id for d in col.decks))
card_ids = _completer(lambda col: col.card_decks)
tags = _completer(_tags)
topics = _completer(_topics)


def shells(incomplete: str) -> list[str]:
    return [s for s in SHELLS if s.startswith(incomplete)]
