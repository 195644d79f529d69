"""Plain, line-by-line review for pipes, scripts and `--plain`. No rich, no questionary.

The protocol (documented in the README; scripts rely on it):
* for each card: a header line starting with "== card", the front as written
  in the deck, then a prompt; one line is read: empty (or any text, kept as
  the typed answer) reveals, `q` quits;
* then "-- answer", the back, the key points as "[ ] point" lines, and a
  prompt; one line is read: a grade 0-5, `s` bury, `!` suspend, `u` undo,
  `q` quit. Anything else is asked again once, then the session stops;
* end of input at any prompt stops the session; every answer given is kept.

An exercise (a sql or python card that may run code) asks for code instead:
after the header, the front and (sql) its tables, the code is read up to a line
that is exactly `.` (a first line `q` quits); flashprep runs it and prints
`PASS: ...` or `FAIL: ...` with the details, then reads the grade line: empty =
the suggested grade, 0-5, `r` = try again, `s`, `!`, `u`, `q` as above. The
explanation and the reference solution are printed once the exercise passed or
was graded.

This is also what the "time to first card" benchmark measures, so it imports
nothing beyond the standard library and typer (already loaded by the CLI).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

import typer

from flashprep.clock import format_duration
from flashprep.session import BURY, QUIT, RETRY, REVEAL, RUN, SUSPEND, UNDO, CardView, Summary

if TYPE_CHECKING:
    from flashprep.exercises import Outcome

GRADE_MEANINGS = {
    5: "perfect response",
    4: "correct after a hesitation",
    3: "correct with serious difficulty",
    2: "wrong, but the answer seemed easy once seen",
    1: "wrong, but remembered once seen",
    0: "complete blackout",
}
KIND_LABEL = {"new": "new", "review": "review", "redrill": "re-drill"}
KEYS = {"s": BURY, "!": SUSPEND, "u": UNDO, "q": QUIT}  # at the back of a card, on both screens
CODE_END = "."  # plain mode: the line that ends the code


def exercise_context(card: Any, tables: list[str]) -> list[str]:
    """The lines under an exercise's front: what to write, and the tables (sql)."""
    what = "a SQL query" if card.kind == "sql" else "Python code"
    lines = []
    if tables:
        lines.append("tables: " + "; ".join(tables))
    lines.append(f"-- write {what}" + (", rows in the order asked" if card.ordered else ""))
    return lines


def left_text(left: dict[str, int]) -> str:
    return f"{left['new']} new, {left['review']} review, {left['redrill']} re-drill"


def summary_rows(summary: Summary, held_back: dict[str, int]) -> list[tuple[str, str]]:
    """(label, value) rows of the end-of-session summary, shared with the rich screen."""
    rows = []
    answers = f"{summary.answers} on {summary.cards} card(s)"
    if summary.correct is not None:
        answers += f", {summary.correct:.0%} correct (grade 3 or more)"
    rows.append(("answers", answers))
    rows.append(("grades", "  ".join(f"{g}:{n}" for g, n in sorted(summary.grades.items()))))
    rows.append(("time", format_duration(summary.seconds * 1000)))
    if summary.buried or summary.suspended:
        rows.append(("set aside", f"{summary.buried} buried, {summary.suspended} suspended"))
    left = left_text(summary.left)
    if held_back.get("new") or held_back.get("review"):
        left += (
            f" (and {held_back.get('new', 0)} new, {held_back.get('review', 0)} review "
            "over today's limits)"
        )
    rows.append(("left today", left))
    rows.append(("due tomorrow", str(summary.due_tomorrow)))
    return rows


class PlainReview:
    """Reads one line per decision from stdin and prints plain text to stdout."""

    def __init__(
        self,
        *,
        type_answer: bool = False,
        on_invalid: Callable[[str], None] | None = None,
        stdin: IO[str] | None = None,
    ) -> None:
        self.type_answer = type_answer
        self.on_invalid = on_invalid
        self.stdin = stdin
        self._back_shown: tuple[str, int] | None = None

    def __enter__(self) -> PlainReview:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _out(self, text: str = "", nl: bool = True) -> None:
        typer.echo(text, nl=nl)

    def _read(self, prompt: str) -> str:
        self._out(prompt, nl=False)
        sys.stdout.flush()
        stream = self.stdin or sys.stdin
        line = stream.readline()
        if line == "":
            self._out()
            raise EOFError
        if not is_tty(stream):
            self._out()  # the input is not echoed: end the prompt's line ourselves
        return line.rstrip("\r\n")

    def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
        card = view.card
        topic = card.topic if card.topic != card.id else None
        where = " | ".join(x for x in (view.deck_name, topic, card.id) if x)
        self._out(
            f"== card {view.number} of {view.total} ({KIND_LABEL[view.kind]}) | {where} "
            f"| left: {left_text(view.left)}"
        )
        self._out(card.front)
        prompt = (
            "type your answer, then Enter (q = quit): "
            if self.type_answer
            else "Enter = show the answer, q = quit: "
        )
        line = self._read(prompt)
        if line.strip().lower() == "q":
            return QUIT, None
        return REVEAL, line.strip() or None

    def back(self, view: CardView, typed: str | None, can_undo: bool) -> int | str:
        card = view.card
        shown = (card.id, view.number)
        if self._back_shown != shown:
            self._back_shown = shown
            self._out("-- answer")
            self._out(card.back)
            for point in card.key_points:
                self._out(f"[ ] {point}")
            if card.solution:
                self._out("-- solution")
                self._out(card.solution)
            if typed:
                self._out(f"-- your answer: {typed}")
        prompt = "grade 0-5, s = bury, ! = suspend, u = undo, q = quit: "
        for attempt in range(2):
            line = self._read(prompt).strip().lower()
            if line in ("0", "1", "2", "3", "4", "5"):
                return int(line)
            if line in KEYS:
                return KEYS[line]
            if attempt == 0:
                self._out(f"{line!r} is not an answer: type a grade 0-5, or s, !, u or q")
        if self.on_invalid:
            self.on_invalid(
                "no valid answer given twice; the session stops here (every answer so far is saved)"
            )
        return QUIT

    # ------------------------------------------------------------ exercises

    def exercise(
        self, view: CardView, can_undo: bool, attempt: int, tables: list[str], previous: str | None
    ) -> tuple[str, str | None]:
        """Read an answer up to a line that is exactly "."; (RUN, code) or (QUIT, None)."""
        card = view.card
        if attempt == 1:
            topic = card.topic if card.topic != card.id else None
            where = " | ".join(x for x in (view.deck_name, topic, card.id) if x)
            self._out(
                f"== card {view.number} of {view.total} ({KIND_LABEL[view.kind]}, "
                f"{card.kind} exercise) | {where} | left: {left_text(view.left)}"
            )
            self._out(card.front)
            for line in exercise_context(card, tables):
                self._out(line)
        else:
            self._out(f"-- attempt {attempt}")
        self._out(f"your answer, ended by a line with only {CODE_END!r} (q alone = quit):")
        lines: list[str] = []
        while True:
            line = self._read_line()
            if line == CODE_END:
                break
            lines.append(line)
        code = "\n".join(lines)
        if code.strip().lower() == "q":
            return QUIT, None
        return RUN, code

    def _read_line(self) -> str:
        stream = self.stdin or sys.stdin
        line = stream.readline()
        if line == "":
            raise EOFError
        return line.rstrip("\r\n")

    def exercise_result(
        self, view: CardView, outcome: Outcome, suggested: int, can_undo: bool
    ) -> int | str:
        """PASS or FAIL with the details, then the grade line (empty = `suggested`)."""
        from flashprep.ui.exercise import outcome_lines

        for line in outcome_lines(outcome):
            self._out(line)
        if outcome.passed:
            self._answer(view)
        prompt = (
            f"grade 0-5 (Enter = {suggested}), r = try again, s = bury, ! = suspend, "
            "u = undo, q = quit: "
        )
        for attempt in range(2):
            line = self._read(prompt).strip().lower()
            choice: int | str | None = None
            if line == "":
                choice = suggested
            elif line in ("0", "1", "2", "3", "4", "5"):
                choice = int(line)
            elif line == "r":
                return RETRY
            elif line in KEYS:
                return KEYS[line]
            if choice is not None:
                if not outcome.passed:
                    self._answer(view)
                return choice
            if attempt == 0:
                self._out(f"{line!r} is not an answer: type a grade 0-5, Enter, or r, s, !, u, q")
        if self.on_invalid:
            self.on_invalid(
                "no valid answer given twice; the session stops here (every answer so far is saved)"
            )
        return QUIT

    def _answer(self, view: CardView) -> None:
        card = view.card
        self._out("-- answer")
        self._out(card.back)
        for point in card.key_points:
            self._out(f"[ ] {point}")
        if card.solution:
            self._out("-- solution")
            self._out(card.solution)

    def notice(self, text: str) -> None:
        self._out(f"-> {text}")

    def summary(self, summary: Summary, held_back: dict[str, int]) -> None:
        self._out(f"Session over (study day {summary.today}).")
        rows = summary_rows(summary, held_back)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self._out(f"  {label + ':':<{width + 1}} {value}")


def is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
