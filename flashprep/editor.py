"""The editor: $EDITOR run on a deck file or on a card's front and back.

`edit_front_back` hands the user a Markdown template with a front and a back marker
and reads both back; `prepare_edit` finds the file and line `flashprep edit` opens,
copying a bundled card into its `<deck>-extra` user deck first (as an override).
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from flashprep.cardfiles import Added, NewCard, append_cards, resolve_target
from flashprep.cardmodel import Collection
from flashprep.decksources import BUNDLED
from flashprep.errors import InputError

# ----------------------------------------------------------------- editor


def editor_command() -> list[str]:
    value = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not value or not value.strip():
        raise InputError("no editor: set $EDITOR (for example: export EDITOR=nano)")
    try:
        return shlex.split(value)
    except ValueError as exc:  # an unbalanced quote
        name = "EDITOR" if os.environ.get("EDITOR") else "VISUAL"
        raise InputError(f"${name} ({value!r}) cannot be split into a command: {exc}") from None


def run_editor(path: Path, line: int | None = None, *, outcome: str = "nothing was added") -> None:
    """Open `$EDITOR [+LINE] path` and wait for it; `outcome` ends a failure's message."""
    cmd = editor_command()
    args = [*cmd, *([f"+{line}"] if line else []), str(path)]
    try:
        code = subprocess.call(args)
    except OSError as exc:
        raise InputError(f"cannot run the editor {cmd[0]!r}: {exc.strerror or exc}") from None
    if code < 0:
        raise InputError(f"the editor {cmd[0]!r} was killed by signal {-code}; {outcome}")
    if code != 0:
        raise InputError(f"the editor {cmd[0]!r} exited with status {code}; {outcome}")


FRONT_MARK = "<!-- front: the question (Markdown) -->"
BACK_MARK = "<!-- back: the answer (Markdown) -->"


def edit_front_back(front: str = "", back: str = "") -> tuple[str, str]:
    """Let the user write the front and back in $EDITOR; returns both, stripped."""
    import tempfile

    template = f"{FRONT_MARK}\n{front}\n\n{BACK_MARK}\n{back}\n"
    fd, name = tempfile.mkstemp(prefix="flashprep-card-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(template)
        run_editor(path, 2)
        data = path.read_bytes()
    finally:
        path.unlink(missing_ok=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            "the edited text is not UTF-8 (set your editor to save UTF-8); nothing was added"
        ) from None
    return parse_front_back(text)


def parse_front_back(text: str) -> tuple[str, str]:
    lines = text.splitlines()
    try:
        f = lines.index(FRONT_MARK)
        b = lines.index(BACK_MARK)
    except ValueError:
        raise InputError(
            "the edited text lost its front/back marker lines; nothing was added"
        ) from None
    if b < f:
        raise InputError("the back marker comes before the front marker; nothing was added")
    return "\n".join(lines[f + 1 : b]).strip(), "\n".join(lines[b + 1 :]).strip()


def prepare_edit(col: Collection, home: Path, card_id: str) -> tuple[Path, int, Added | None]:
    """The file and line to open for `edit CARD_ID`.

    A card in a user deck file (or a --decks folder) is opened where it is. A card
    from a bundled deck is first copied into `<deck>-extra` with `override = true`,
    which replaces the bundled card everywhere and keeps its progress (the id is
    the identity).
    """
    card = col.card(card_id)
    by_path = {str(Path(d.path)): d for d in col.decks}
    deck = by_path.get(card.path)
    if deck is not None and (deck.source != BUNDLED):
        return Path(card.path), card.line, None
    target = resolve_target(col, home, card.deck)
    copy = NewCard(
        id=card.id,
        front=card.front,
        back=card.back,
        tags=card.tags,
        key_points=card.key_points,
        topic=card.topic,
        hint=card.hint,
        override=True,
        guid=card.guid,  # the Anki note the card came from, kept for `flashprep export`
        time_limit=card.time_limit,
        kind=card.kind,
        dataset=card.dataset,
        solution=card.solution,
        ordered=card.ordered,
        tests=card.tests,
    )
    # The copy keeps its id (an override), so no id is made and none is checked.
    added = append_cards(target, [copy], set(), home=home)[0]
    return Path(added.path), added.line, added
