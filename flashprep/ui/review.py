"""The review screen in a terminal: rich for drawing, one key press per decision.

Keys are read one at a time from the terminal in cbreak mode (no echo, no line
buffering, Ctrl-C still a signal), set up once for the whole session and put
back on exit; this works the same in a real terminal and in a pseudo-terminal
driven by pexpect. `--type` reads the typed answer with questionary, which
handles line editing. rich and questionary are imported inside functions only.
"""

from __future__ import annotations

import os
import select
import sys
from typing import Any

from flashprep.session import QUIT, RETRY, REVEAL, RUN, UNDO, CardView, Summary
from flashprep.ui.card import key_points, markdown
from flashprep.ui.plain import (
    GRADE_MEANINGS,
    KEYS,
    KIND_LABEL,
    exercise_context,
    summary_rows,
)

GRADE_STYLE = {0: "red", 1: "red", 2: "red", 3: "yellow", 4: "green", 5: "bright_green"}
# grade_buttons = 4: Anki's buttons on Anki's keys, mapped onto SM-2 grades.
FOUR_BUTTONS = (
    ("1", "a", "Again", 1),
    ("2", "h", "Hard", 3),
    ("3", "g", "Good", 4),
    ("4", "e", "Easy", 5),
)
ENTER = "enter"


class KeyReader:
    """Single key presses from a terminal file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None

    def __enter__(self) -> KeyReader:
        import termios

        try:
            self._saved = termios.tcgetattr(self.fd)
        except termios.error:
            self._saved = None
            return self
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ECHO | termios.ICANON)  # lflags: keep ISIG, so Ctrl-C interrupts
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        # TCSANOW, not TCSAFLUSH: keys typed ahead must not be thrown away.
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def key(self) -> str:
        """One key: a character, ENTER, or "" for a key that means nothing here."""
        data = os.read(self.fd, 1)
        if data in (b"", b"\x04"):  # end of input, or Ctrl-D
            raise EOFError
        if data == b"\x03":  # Ctrl-C arriving as a byte (ISIG turned off by someone)
            raise KeyboardInterrupt
        if data in (b"\r", b"\n"):
            return ENTER
        if data == b"\x1b" or data[0] >= 0x80:
            # An escape sequence (arrow keys) or a multi-byte character: swallow the rest.
            while select.select([self.fd], [], [], 0.02)[0]:
                if not os.read(self.fd, 16):
                    break
            return ""
        return data.decode("ascii", "replace")


class RichReview:
    """One card at a time: front, then the back with its key points, then a grade key."""

    def __init__(
        self,
        *,
        type_answer: bool = False,
        grade_buttons: int = 6,
        console: Any = None,
        fd: int | None = None,
    ) -> None:
        from rich.console import Console

        self.type_answer = type_answer
        self.grade_buttons = grade_buttons
        self.console = console or Console(highlight=False)
        self.keys = KeyReader(sys.stdin.fileno() if fd is None else fd)
        self._notices: list[str] = []

    def __enter__(self) -> RichReview:
        self.keys.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.keys.__exit__(*exc)

    # ------------------------------------------------------------ pieces

    def _header(self, view: CardView) -> Any:
        from rich.table import Table
        from rich.text import Text

        card = view.card
        left = Text()
        left.append(view.deck_name, style="bold")
        if card.topic and card.topic != card.id:
            left.append(f" · {card.topic}", style="cyan")
        right = Text()
        right.append(f"{view.number} of {view.total}", style="bold")
        right.append(
            f"   new {view.left['new']} · review {view.left['review']} "
            f"· re-drill {view.left['redrill']}",
            style="dim",
        )
        grid = Table.grid(expand=True)
        grid.add_column()
        grid.add_column(justify="right")
        grid.add_row(left, right)
        return grid

    def _front(self, view: CardView) -> Any:
        from rich.panel import Panel

        kind = KIND_LABEL[view.kind]
        style = {"new": "blue", "review": "cyan", "redrill": "magenta"}[view.kind]
        return Panel(
            markdown(view.card.front),
            title=f"[{style}]{kind}[/]",
            title_align="left",
            subtitle=f"[dim]{view.card.id}[/]",
            subtitle_align="right",
            border_style=style,
            padding=(1, 2),
        )

    def _grade_bar(self, can_undo: bool, six: bool = False) -> Any:
        from rich.columns import Columns
        from rich.console import Group
        from rich.text import Text

        if self.grade_buttons == 4 and not six:
            items = [
                Text.assemble((f" {key} ", f"bold reverse {GRADE_STYLE[grade]}"), f" {label}")
                for key, _, label, grade in FOUR_BUTTONS
            ]
        else:
            items = [
                Text.assemble((f" {g} ", f"bold reverse {GRADE_STYLE[g]}"), f" {GRADE_MEANINGS[g]}")
                for g in range(6)
            ]
        actions = "s bury until tomorrow · ! suspend" + (" · u undo last" if can_undo else "")
        return Group(Columns(items, padding=(0, 3)), Text(actions + " · q quit", style="dim"))

    def _wait(self, allowed: dict[str, int | str], can_undo: bool) -> int | str:
        while True:
            key = self.keys.key()
            if key == "u" and not can_undo:
                self.console.print("[dim]nothing to undo yet[/]")
                continue
            if key.lower() in allowed:
                return allowed[key.lower()]

    # ------------------------------------------------------------ ReviewUI

    def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
        con = self.console
        con.clear()
        for text in self._notices:
            con.print(f"[dim]{text}[/]")
        self._notices.clear()
        con.print(self._header(view))
        con.print(self._front(view))
        if self.type_answer:
            import questionary

            typed = questionary.text("Your answer (Enter to reveal):", qmark="✎").unsafe_ask()
            return REVEAL, typed.strip() or None
        hint = " · h hint" if view.card.hint else ""
        undo = " · u undo last" if can_undo else ""
        con.print(f"[dim]Enter show the answer{hint}{undo} · q quit[/]")
        allowed: dict[str, int | str] = {ENTER: REVEAL, " ": REVEAL, "q": QUIT, "u": UNDO}
        if view.card.hint:
            allowed["h"] = "hint"
        while True:
            action = str(self._wait(allowed, can_undo))
            if action != "hint":
                return action, None
            con.print(f"[yellow]hint:[/] {view.card.hint}")
            del allowed["h"]

    def _answer_panel(self, view: CardView) -> Any:
        from rich.console import Group
        from rich.panel import Panel

        parts: list[Any] = [markdown(view.card.back)]
        if view.card.key_points:
            parts.append(key_points(list(view.card.key_points)))
        if view.card.solution:
            lang = "sql" if view.card.kind == "sql" else "python"
            parts.append(markdown(f"**Solution**\n\n```{lang}\n{view.card.solution}\n```"))
        return Panel(
            Group(*parts),
            title="[green]answer[/]",
            title_align="left",
            border_style="green",
            padding=(1, 2),
        )

    def back(self, view: CardView, typed: str | None, can_undo: bool) -> int | str:
        from rich.panel import Panel
        from rich.table import Table

        con = self.console
        answer = self._answer_panel(view)
        if typed:
            side = Table.grid(expand=True, padding=(0, 1))
            side.add_column(ratio=1)
            side.add_column(ratio=2)
            side.add_row(
                Panel(typed, title="your answer", title_align="left", border_style="yellow"), answer
            )
            con.print(side)
        else:
            con.print(answer)
        con.print(self._grade_bar(can_undo))
        allowed: dict[str, int | str] = dict(KEYS)
        if self.grade_buttons == 4:
            for key, letter, _, grade in FOUR_BUTTONS:
                allowed[key] = allowed[letter] = grade
        else:
            allowed.update({str(g): g for g in range(6)})
        return self._wait(allowed, can_undo)

    # ------------------------------------------------------------ exercises

    def exercise(
        self, view: CardView, can_undo: bool, attempt: int, tables: list[str], previous: str | None
    ) -> tuple[str, str | None]:
        """Ask for code: Enter opens the editor here, e opens $EDITOR; (RUN, code),
        (UNDO, None) or (QUIT, None)."""
        con = self.console
        con.clear()
        for text in self._notices:
            con.print(f"[dim]{text}[/]")
        self._notices.clear()
        con.print(self._header(view))
        con.print(self._front(view))
        for line in exercise_context(view.card, tables):
            con.print(f"[dim]{line}[/]", highlight=False)
        if attempt > 1:
            con.print(f"[yellow]attempt {attempt}[/]")
        undo = " · u undo last" if can_undo else ""
        allowed: dict[str, int | str] = {
            ENTER: "write",
            " ": "write",
            "e": "editor",
            "q": QUIT,
            "u": UNDO,
        }
        while True:
            con.print(f"[dim]Enter write your answer here · e open $EDITOR{undo} · q quit[/]")
            action = str(self._wait(allowed, can_undo))
            if action in (QUIT, UNDO):
                return action, None
            code = self._write(previous) if action == "write" else self._edit(view, previous)
            if code is None:
                continue
            if code.strip():
                return RUN, code
            con.print("[dim]the answer is empty[/]")

    def _write(self, previous: str | None) -> str | None:
        import questionary

        self.keys.__exit__()  # prompt_toolkit sets the terminal up itself
        try:
            return str(
                questionary.text(
                    "Your answer:",
                    multiline=True,
                    default=previous or "",
                    qmark="✎",
                    instruction="(Esc then Enter runs it)",
                ).unsafe_ask()
            )
        finally:
            self.keys.__enter__()

    def _edit(self, view: CardView, previous: str | None) -> str | None:
        import tempfile
        from pathlib import Path

        from flashprep.editor import run_editor
        from flashprep.errors import FlashprepError

        suffix = ".sql" if view.card.kind == "sql" else ".py"
        fd, name = tempfile.mkstemp(prefix="flashprep-answer-", suffix=suffix)
        path = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(previous or "")
            self.keys.__exit__()
            try:
                run_editor(path, outcome="nothing was run")
            finally:
                self.keys.__enter__()
            return path.read_text(encoding="utf-8", errors="replace")
        except FlashprepError as exc:
            self.console.print(f"[red]{exc}[/]")
            return None
        finally:
            path.unlink(missing_ok=True)

    def exercise_result(
        self, view: CardView, outcome: Any, suggested: int, can_undo: bool
    ) -> int | str:
        from flashprep.ui.exercise import rich_outcome

        con = self.console
        con.print(rich_outcome(outcome))
        shown = outcome.passed
        if shown:
            con.print(self._answer_panel(view))
        con.print(self._grade_bar(can_undo, six=True))  # an exercise is graded 0-5
        extra = "" if shown else " · a show the solution"
        con.print(f"[bold]Enter grade {suggested}[/] (suggested) · r try again{extra}")
        allowed: dict[str, int | str] = dict(KEYS)
        allowed.update({str(g): g for g in range(6)})
        allowed.update({ENTER: suggested, "r": RETRY, "a": "answer"})
        while True:
            choice = self._wait(allowed, can_undo)
            if choice == "answer":
                if not shown:
                    con.print(self._answer_panel(view))
                    shown = True
                continue
            return choice

    def notice(self, text: str) -> None:
        self._notices.append(text)

    def summary(self, summary: Summary, held_back: dict[str, int]) -> None:
        from rich.panel import Panel
        from rich.table import Table

        con = self.console
        for text in self._notices:
            con.print(f"[dim]{text}[/]")
        self._notices.clear()
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for label, value in summary_rows(summary, held_back):
            grid.add_row(label, value)
        title = "session over" if any(summary.left.values()) else "all done for today"
        con.print(
            Panel(
                grid,
                title=f"[bold]{title}[/] · {summary.today}",
                title_align="left",
                border_style="blue",
            )
        )
