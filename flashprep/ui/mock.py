"""The mock interview's screens: a rich one with a live countdown, and the plain protocol.

Plain mode (pipes, scripts, `--plain`; the README documents it, scripts rely on it), for
each question:
* a header line starting with "== question" (or "== follow-up"), the question as written
  in the deck, then a prompt; one line is read: the typed answer, or empty when the answer
  was given aloud;
* "-- key points", the key points numbered "1. ...", then a prompt; one line is read: the
  numbers covered ("1 3"), "all", or empty for none. A bad line is asked again once, then
  the mock stops;
* one line "score: 2/5 = 40% | 0:45 of 3:00" (", over time" when it took longer).
End of input at any prompt stops the mock; every question scored so far is kept.

The terminal screen reads single keys (flashprep.ui.review.KeyReader) while a rich Live
display redraws the countdown four times a second: it turns red at zero and keeps
counting. Enter ends the answer, t types one (kept with the question), q stops the mock.
Then the key points are a checklist (number keys tick, a all, n none, Enter confirms),
then the score and the model answer. rich is imported inside the functions only.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO, Any

import typer

from flashprep.mock import Answer, MockReport, Question, parse_covered
from flashprep.ui.plain import is_tty


def clock_text(seconds: float) -> str:
    """0:45, 3:00, 12:05."""
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


def category_name(category: str) -> str:
    from flashprep.mock import CATEGORY_NAMES

    return CATEGORY_NAMES.get(category, category)


def score_line(answer: Answer) -> str:
    q = answer.question
    text = (
        f"score: {len(answer.covered)}/{len(q.card.key_points)} = {answer.score:.0%} | "
        f"{clock_text(answer.seconds)} of {clock_text(q.time_limit)}"
    )
    return text + (", over time" if answer.over_time else "")


def header_text(q: Question, planned: int) -> str:
    from flashprep.mock import CATEGORY_NAMES

    parts = [CATEGORY_NAMES.get(q.category, q.category), q.topic]
    where = " | ".join(parts + ([q.card.id] if q.card.id != q.topic else []))
    lead = (
        f"follow-up to question {q.main_number}"
        if q.follow_up
        else f"question {q.main_number} of {planned}"
    )
    return f"{lead} | {where} | {clock_text(q.time_limit)}"


def report_lines(rep: MockReport) -> list[str]:
    """The end-of-mock report as plain text lines (the rich screen draws a table instead)."""
    lines = [
        f"Mock {rep['mock_id']} over (study day {rep['day']}): {rep['asked']} question(s)"
        + (f", score {rep['score']:.0%}" if rep["score"] is not None else "")
    ]
    for n, q in enumerate(rep["questions"], start=1):
        tag = " (follow-up)" if q["follow_up"] else ""
        over = ", over time" if q["over_time"] else ""
        lines.append(
            f"  {n}. {q['card_id']}{tag}: {q['score']:.0%} in "
            f"{clock_text(q['seconds'])} of {clock_text(q['time_limit'])}{over}"
        )
    if rep["questions"]:
        lines.append(f"  over time: {rep['over_time']} of {rep['asked']}")
        lines.append(
            "  by category: "
            + ", ".join(f"{category_name(c)} {s:.0%}" for c, s in rep["by_category"].items())
        )
    if rep["weakest_topics"]:
        lines.append("  weakest topics:")
        lines.extend(
            f"    {w['topic']} ({w['score']:.0%}): {w['command']}" for w in rep["weakest_topics"]
        )
    for card_id, due in rep["rescheduled"].items():
        lines.append(f"  brought forward: {card_id} is due {due}")
    if rep.get("seed") is not None:
        lines.append(f"  (flashprep mock --seed {rep['seed']} draws these questions again)")
    return lines


class PlainMock:
    """Reads one line per step from stdin; prints to stdout (stderr with --json)."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        on_invalid: Callable[[str], None] | None = None,
        err: bool = False,
        stdin: IO[str] | None = None,
    ) -> None:
        self.clock = clock
        self.on_invalid = on_invalid
        self.err = err
        self.stdin = stdin

    def __enter__(self) -> PlainMock:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def _out(self, text: str = "", nl: bool = True) -> None:
        typer.echo(text, nl=nl, err=self.err)

    def _read(self, prompt: str) -> str:
        self._out(prompt, nl=False)
        (sys.stderr if self.err else sys.stdout).flush()
        stream = self.stdin or sys.stdin
        line = stream.readline()
        if line == "":
            self._out()
            raise EOFError
        if not is_tty(stream):
            self._out()
        return line.rstrip("\r\n")

    def ask(self, question: Question, planned: int) -> tuple[str | None, float]:
        start = self.clock()
        self._out(f"== {header_text(question, planned)}")
        self._out(question.card.front)
        typed = self._read("your answer (Enter if you answered aloud): ").strip()
        return typed or None, self.clock() - start

    def checklist(self, question: Question) -> tuple[int, ...]:
        points = question.card.key_points
        self._out("-- key points")
        for n, point in enumerate(points, start=1):
            self._out(f"{n}. {point}")
        for attempt in range(2):
            line = self._read("covered (numbers like 1 3, all, or Enter for none): ")
            try:
                return parse_covered(line, len(points))
            except ValueError as exc:
                if attempt == 0:
                    self._out(f"{exc}: type the numbers covered, all, or nothing")
        if self.on_invalid:
            self.on_invalid(
                "no valid answer given twice; the mock stops here "
                "(every question scored so far is saved)"
            )
        raise EOFError

    def scored(self, answer: Answer) -> None:
        self._out(score_line(answer))

    def report(self, rep: MockReport) -> None:
        for line in report_lines(rep):
            self._out(line)


# ------------------------------------------------------------------ the terminal screen


class _Countdown:
    """A rich renderable: the time left, or over, drawn afresh at every refresh."""

    def __init__(self, clock: Callable[[], float], limit: int) -> None:
        self.clock = clock
        self.start = clock()
        self.limit = limit
        self.typed: list[str] | None = None  # None: answering aloud

    def elapsed(self) -> float:
        return self.clock() - self.start

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        elapsed = self.elapsed()
        left = self.limit - elapsed
        t = Text()
        if left >= 0:
            style = "bold yellow" if left < 30 else "bold green"
            t.append(f"⏱  {clock_text(left + 0.999)} left", style=style)
        else:
            t.append(f"⏱  +{clock_text(-left)} over time", style="bold white on red")
        t.append(f"   {clock_text(elapsed)} of {clock_text(self.limit)}", style="dim")
        parts: list[Any] = [t]
        if self.typed is None:
            parts.append(
                Text("Answer aloud, then Enter · t type your answer · q stop the mock", style="dim")
            )
        else:
            parts.append(Text("> " + "".join(self.typed) + "▏", style="yellow"))
            parts.append(Text("type your answer · Enter done · Ctrl-C stop the mock", style="dim"))
        return Group(*parts)


class _Checklist:
    def __init__(self, points: tuple[str, ...]) -> None:
        self.points = points
        self.ticked: set[int] = set()

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.text import Text

        lines: list[Any] = [Text("Which key points did your answer cover?", style="bold")]
        for i, p in enumerate(self.points):
            mark = "☑" if i in self.ticked else "☐"
            lines.append(
                Text.assemble(
                    (f"  {i + 1} {mark} ", "bold green" if i in self.ticked else "cyan"), p
                )
            )
        lines.append(
            Text(
                f"1-{len(self.points)} tick · a all · n none · Enter confirm · q stop the mock",
                style="dim",
            )
        )
        return Group(*lines)


class RichMock:
    """One question at a time: countdown, checklist, score and model answer."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        err: bool = False,
        console: Any = None,
        fd: int | None = None,
    ) -> None:
        from rich.console import Console

        from flashprep.ui.review import KeyReader

        self.clock = clock
        self.console = console or Console(highlight=False, stderr=err)
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.keys = KeyReader(self.fd)

    def __enter__(self) -> RichMock:
        self.keys.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.keys.__exit__(*exc)

    def _char(self) -> str:
        """One typed character (UTF-8 decoded), "\\n" for Enter, "\\b" for backspace."""
        data = os.read(self.fd, 1)
        if data in (b"", b"\x04"):
            raise EOFError
        if data == b"\x03":
            raise KeyboardInterrupt
        if data in (b"\r", b"\n"):
            return "\n"
        if data in (b"\x7f", b"\x08"):
            return "\b"
        if data == b"\x1b":  # an escape sequence (arrow keys): ignored
            import select

            while select.select([self.fd], [], [], 0.02)[0]:
                if not os.read(self.fd, 16):
                    break
            return ""
        lead = data[0]
        more = 3 if lead >= 0xF0 else 2 if lead >= 0xE0 else 1 if lead >= 0xC0 else 0
        for _ in range(more):
            data += os.read(self.fd, 1)
        text = data.decode("utf-8", "replace")
        return text if text.isprintable() else ""

    def ask(self, question: Question, planned: int) -> tuple[str | None, float]:
        from rich.live import Live
        from rich.panel import Panel

        from flashprep.ui.card import markdown

        con = self.console
        con.clear()
        con.print(f"[bold]{header_text(question, planned)}[/]")
        con.print(
            Panel(
                markdown(question.card.front),
                border_style="cyan",
                padding=(1, 2),
                title="[cyan]follow-up[/]" if question.follow_up else None,
                title_align="left",
            )
        )
        timer = _Countdown(self.clock, question.time_limit)
        with Live(timer, console=con, refresh_per_second=4, transient=False) as live:
            while True:
                if timer.typed is None:
                    key = self.keys.key()
                    if key in ("enter", " "):
                        break
                    if key == "q":
                        raise EOFError
                    if key == "t":
                        timer.typed = []
                        live.refresh()
                    continue
                ch = self._char()
                if ch == "\n":
                    break
                if ch == "\b":
                    if timer.typed:
                        timer.typed.pop()
                elif ch:
                    timer.typed.append(ch)
                live.refresh()
            seconds = timer.elapsed()
        typed = "".join(timer.typed or []).strip()
        return typed or None, seconds

    def checklist(self, question: Question) -> tuple[int, ...]:
        from rich.live import Live

        box = _Checklist(question.card.key_points)
        count = len(box.points)
        with Live(box, console=self.console, auto_refresh=False, transient=False) as live:
            while True:
                key = self.keys.key()
                if key == "enter":
                    break
                if key == "q":
                    raise EOFError
                if key == "a":
                    box.ticked = set(range(count))
                elif key == "n":
                    box.ticked = set()
                elif key.isdigit() and 1 <= int(key) <= count:
                    box.ticked ^= {int(key) - 1}
                live.refresh()
        return tuple(sorted(box.ticked))

    def scored(self, answer: Answer) -> None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.text import Text

        from flashprep.ui.card import markdown

        con = self.console
        style = "green" if answer.score >= 0.75 else "yellow" if answer.score >= 0.5 else "red"
        con.print(f"[bold {style}]{score_line(answer)}[/]")
        points = Text()
        for i, point in enumerate(answer.question.card.key_points):
            covered = i in answer.covered
            points.append("  ☑ " if covered else "  ☐ ", style="green" if covered else "red")
            points.append(point + "\n", style="" if covered else "bold")
        parts: list[Any] = [markdown(answer.question.card.back), points]
        if answer.typed:
            parts.insert(
                0,
                Panel(answer.typed, title="your answer", title_align="left", border_style="yellow"),
            )
        con.print(
            Panel(
                Group(*parts),
                title="[green]model answer[/]",
                title_align="left",
                border_style="green",
                padding=(1, 2),
            )
        )
        con.print("[dim]Enter next question · q stop the mock[/]")
        while True:
            key = self.keys.key()
            if key in ("enter", " "):
                return
            if key == "q":
                raise EOFError

    def report(self, rep: MockReport) -> None:
        from rich.panel import Panel
        from rich.table import Table

        from flashprep.mock import CATEGORY_NAMES

        con = self.console
        t = Table(title=f"mock {rep['mock_id']} · {rep['day']}", title_justify="left")
        for col, justify in (
            ("#", "right"),
            ("question", "left"),
            ("category", "left"),
            ("score", "right"),
            ("time", "right"),
        ):
            t.add_column(col, justify=justify)  # type: ignore[arg-type]
        for n, q in enumerate(rep["questions"], start=1):
            over = q["over_time"]
            t.add_row(
                str(n),
                q["card_id"] + (" [dim](follow-up)[/]" if q["follow_up"] else ""),
                CATEGORY_NAMES.get(q["category"], q["category"]),
                f"{q['score']:.0%}",
                f"[{'red' if over else 'green'}]{clock_text(q['seconds'])}[/]"
                f" / {clock_text(q['time_limit'])}",
            )
        con.print(t)
        rows = [line.strip() for line in report_lines(rep)[1 + len(rep["questions"]) :]]
        if not rep["questions"]:
            rows.insert(0, "no question was answered")
        con.print(
            Panel(
                "\n".join(rows),
                title=f"[bold]mock over[/] · {rep['asked']} question(s)"
                + (f" · {rep['score']:.0%}" if rep["score"] is not None else ""),
                title_align="left",
                border_style="blue",
            )
        )


def render_history(rep: dict[str, Any]) -> None:
    """`flashprep mock --history`: a table of past mocks and the trend."""
    from rich.table import Table

    from flashprep.ui.tables import console

    con = console()
    if not rep["mocks"]:
        con.print("No mock interview yet: run `flashprep mock`.")
        return
    t = Table(title="mock interviews", title_justify="left")
    for col, justify in (
        ("mock", "left"),
        ("questions", "right"),
        ("score", "right"),
        ("change", "right"),
        ("over time", "right"),
        ("weakest category", "left"),
    ):
        t.add_column(col, justify=justify, no_wrap=col != "weakest category")  # type: ignore[arg-type]
    for m in rep["mocks"]:
        change = "" if m["change"] is None else f"{100 * m['change']:+.0f} pts"
        weakest = min(m["by_category"].items(), key=lambda kv: kv[1], default=None)
        t.add_row(
            m["mock_id"],
            str(m["questions"]),
            f"{m['score']:.0%}",
            change,
            str(m["over_time"]),
            f"{category_name(weakest[0])} {weakest[1]:.0%}" if weakest else "-",
        )
    con.print(t)
    tr = rep["trend"]
    if tr["direction"] is not None:
        con.print(
            f"trend: {tr['direction']} ({100 * tr['change']:+.0f} pts against the "
            "mean of the mocks before the last)"
        )
