"""`flashprep review`: the daily session, wiring the Session engine to a screen and the log.

The engine (flashprep.session) decides what comes next; a UI (flashprep.ui.review
for a terminal, flashprep.ui.plain for pipes and `--plain`) shows cards and
reports what the user chose; this module turns each choice into an event and
appends it to the history before the next card is shown. Whatever ends the
session (q, Ctrl-C, end of input) every recorded answer stays, the summary is
printed and the exit code is 0.

An exercise (flashprep.exercises) that its deck may run (flashprep.trust) goes
through run_exercise instead of front and back: code, a run, an `attempt` event
appended before the result is shown, then a retry or the grade.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from flashprep import completion
from flashprep.cli import app, open_history, warn, workspace

if TYPE_CHECKING:
    from flashprep.exercises import Outcome
    from flashprep.exercises.check import Checker
    from flashprep.history import History
    from flashprep.session import CardView, Session, Step, Summary
    from flashprep.trust import Trust


class ReviewUI(Protocol):
    """The screen side of a session; see flashprep.ui.review and flashprep.ui.plain."""

    def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
        """Show the front; return (REVEAL, typed answer or None), (UNDO, None) or (QUIT, None)."""
        ...

    def back(self, view: CardView, typed: str | None, can_undo: bool) -> int | str:
        """Show the back; return a grade 0-5, BURY, SUSPEND, UNDO or QUIT."""
        ...

    def exercise(self, view: CardView, can_undo: bool, attempt: int, tables: list[str],
                 previous: str | None) -> tuple[str, str | None]:
        """Ask for an exercise's code; return (RUN, code), (UNDO, None) or (QUIT, None)."""
        ...

    def exercise_result(self, view: CardView, outcome: Outcome, suggested: int,
                        can_undo: bool) -> int | str:
        """Show what the run found; return a grade 0-5, RETRY, BURY, SUSPEND, UNDO or QUIT."""
        ...

    def notice(self, text: str) -> None: ...

    def summary(self, summary: Summary, held_back: dict[str, int]) -> None: ...

    def __enter__(self) -> ReviewUI: ...

    def __exit__(self, *exc: object) -> None: ...


@contextmanager
def deferred_interrupt() -> Iterator[None]:
    """Hold a Ctrl-C until the block is over, so an event is applied and logged, or neither."""
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    except ValueError:  # not the main thread: signals cannot arrive here anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def feedback(step: Step, today: date) -> str:
    """One line on what just happened to a card."""
    from flashprep.session import BURY, SUSPEND

    after = step.after
    if step.kind == BURY:
        return f"{step.card_id}: buried until {after.buried_until}"
    if step.kind == SUSPEND:
        return f"{step.card_id}: suspended"
    text = f"{step.card_id}: graded {step.grade}"
    if after.suspended and not step.before.suspended:
        return text + f"; a leech ({after.lapses} lapses), suspended"
    if after.needs_redrill(today):
        return text + "; it comes back later today"
    if after.due is not None and after.last_day == today and step.before.last_day != today:
        wait = (after.due - today).days
        if wait < after.interval:  # capped to the interview's eve (flashprep.interview)
            return text + (f"; next due {after.due} (in {_days(wait)}, before the interview; "
                           f"SM-2's interval is {_days(after.interval)})")
        return text + f"; next due {after.due} (in {_days(after.interval)})"
    return text + "; done for today"


class Exercises:
    """What a session needs to run exercises: the checker, and which decks may run code."""

    def __init__(self, checker: Checker, trust: Trust) -> None:
        self.checker = checker
        self.trust = trust
        self._tables: dict[str, list[str]] = {}
        self._noticed: set[str] = set()

    def tables(self, view: CardView) -> list[str]:
        card = view.card
        if card.kind != "sql":
            return []
        from flashprep.exercises.datasets import table_summaries

        script = self.checker.dataset(card)
        if script not in self._tables:
            self._tables[script] = table_summaries(script)
        return self._tables[script]

    def runs(self, view: CardView, ui: ReviewUI) -> bool:
        """Whether this exercise is run (else graded by hand, with a notice once a file):
        its deck may run code, and a sql card's dataset is there."""
        from flashprep.errors import DeckError

        card = view.card
        if not self.trust.runs(card):
            if card.path not in self._noticed:
                self._noticed.add(card.path)
                ui.notice(self.trust.notice(card))
            return False
        try:
            self.tables(view)
        except DeckError as exc:
            ui.notice(f"{exc}; this exercise is graded by hand")
            return False
        return True


def run_exercise(
    session: Session, history: History, ui: ReviewUI, now: Callable[[], datetime],
    exercises: Exercises, view: CardView,
) -> tuple[int | str, dict[str, Any]]:
    """Ask for code, run it, record each attempt, until a grade or another choice.

    Returns (choice, extra fields of the answer event). Every run is appended to the
    history (an `attempt` event) before its result is shown.
    """
    from flashprep.exercises.check import suggest_grade
    from flashprep.session import UNDO
    from flashprep.ui.plain import RETRY

    shown = now()
    tables = exercises.tables(view)
    attempt = 0
    previous: str | None = None
    while True:
        action, code = ui.exercise(view, session.can_undo(), attempt + 1, tables, previous)
        if action != "run" or code is None:
            return action, {}
        attempt += 1
        previous = code
        outcome = exercises.checker.check(view.card, code)
        with deferred_interrupt():
            history.append([session.attempt(
                now(), code=code, outcome=outcome.status, detail=outcome.detail[:300],
                engine=outcome.engine, attempt=attempt, seconds=round(outcome.seconds, 3),
            )])
        suggested = suggest_grade(outcome.passed, attempt, (now() - shown).total_seconds())
        choice = ui.exercise_result(view, outcome, suggested, session.can_undo())
        while choice == UNDO and not session.can_undo():
            ui.notice("nothing to undo yet")
            choice = ui.exercise_result(view, outcome, suggested, session.can_undo())
        if choice == RETRY:
            continue
        return choice, {"suggested": suggested, "attempts": attempt}


def run_session(
    session: Session, history: History, ui: ReviewUI, now: Callable[[], datetime],
    exercises: Exercises | None = None,
) -> None:
    """Work through the queue until it is empty or the user stops."""
    # The engine is imported here, not at the top, so other commands never load it.
    from flashprep.session import BURY, QUIT, SUSPEND, UNDO

    def record(event: dict[str, Any]) -> None:
        history.append([event])

    def undo() -> None:
        with deferred_interrupt():
            step = session.last
            record(session.undo(now()))
        assert step is not None
        what = f"answer {step.grade}" if step.grade is not None else step.kind
        ui.notice(f"{step.card_id}: undid the {what}")

    try:
        while not session.done:
            view = session.view()
            assert view is not None
            session.show(now())
            extra: dict[str, Any] = {}
            if (exercises is not None and view.card.is_exercise
                    and exercises.runs(view, ui)):
                choice, extra = run_exercise(session, history, ui, now, exercises, view)
            else:
                action, typed = ui.front(view, session.can_undo())
                if action == QUIT:
                    return
                if action == UNDO:
                    if session.can_undo():
                        undo()
                    else:
                        ui.notice("nothing to undo yet")
                    continue
                choice = ui.back(view, typed, session.can_undo())
                while choice == UNDO and not session.can_undo():
                    ui.notice("nothing to undo yet")
                    choice = ui.back(view, typed, session.can_undo())
            if choice == QUIT:
                return
            if choice == UNDO:
                undo()
                continue
            with deferred_interrupt():
                moment = now()
                if choice == BURY:
                    event = session.bury(moment)
                elif choice == SUSPEND:
                    event = session.suspend(moment)
                else:
                    assert isinstance(choice, int)
                    event = session.answer(choice, moment, extra)
                record(event)
            step = session.last
            assert step is not None
            ui.notice(feedback(step, session.today_at(moment)))
    except (KeyboardInterrupt, EOFError):
        return


def empty_message(session: Session, filtered: bool, drafts: int = 0) -> str:
    """The one line shown when there is nothing to review."""
    if not session.cards:
        if filtered:
            return ("No cards to review: no card matches --deck/--tag/--topic/--kind "
                    "(see `flashprep decks`).")
        if drafts:
            return (f"No cards to review: the loaded decks hold only {drafts} draft card(s) "
                    "without an answer (`flashprep validate` lists them).")
        return "No cards to review: no deck is loaded (see `flashprep decks`)."
    summary = session.summary()
    text = f"Nothing to review today ({summary.today})."
    held = session.held_back()
    if held["new"] or held["review"]:
        parts = []
        if held["review"]:
            parts.append(f"{held['review']} review(s) over the daily review limit "
                         f"({session.reviews_per_day}; `--limit N` raises it)")
        if held["new"]:
            parts.append(f"{held['new']} new card(s) over the daily new-card limit "
                         f"({session.new_per_day}; `--new N` raises it)")
        text += " Waiting: " + ", ".join(parts) + "."
    if summary.next_due:
        text += f" Next review due {summary.next_due}."
    elif not held["new"]:
        text += " No review is scheduled."
    return text


@app.command()
def review(
    ctx: typer.Context,
    deck: Annotated[
        list[str] | None,
        typer.Option("--deck", help="Only cards of this deck id (repeatable).", metavar="ID",
                     autocompletion=completion.deck_ids),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="Only cards with this tag (repeatable; any of them).",
                     metavar="TAG", autocompletion=completion.tags),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", help="Only cards of this syllabus topic (repeatable; any of "
                     "them), e.g. auth-oauth2-flows.", metavar="TOPIC",
                     autocompletion=completion.topics),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option("--new", min=0, metavar="N",
                     help="New cards allowed today for this run (config: new_per_day)."),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=0, metavar="N",
                     help="Reviews allowed today for this run (config: reviews_per_day)."),
    ] = None,
    type_answer: Annotated[
        bool, typer.Option("--type", help="Type an answer before revealing the back."),
    ] = False,
    plain: Annotated[
        bool,
        typer.Option("--plain", help="Line-by-line mode without colours (automatic when stdin "
                     "is not a terminal)."),
    ] = False,
    kind: Annotated[
        str | None,
        typer.Option("--kind", metavar="KIND",
                     help="Only cards of this kind: sql or python (exercises), or card."),
    ] = None,
) -> None:
    """Review what is due today: re-drills, due reviews, then new cards.

    Keys: Enter shows the answer; 0-5 grade it (or 1-4 = Again/Hard/Good/Easy with
    grade_buttons = 4); s buries the card until tomorrow, ! suspends it, u undoes the
    last answer, q quits. Every answer is saved as soon as it is given.

    An exercise (kind sql or python) asks for code instead: Enter writes it in the
    terminal (Esc then Enter runs it), e opens $EDITOR; flashprep runs it, shows the
    result and suggests a grade (Enter takes it, 0-5 overrides it, r tries again).

    Example: flashprep review --deck python-deep-dive --new 5
    """
    ws = workspace(ctx)
    cards = ws.collection.select(deck or (), tag or (), topics=topic or ())
    if kind is not None:
        from flashprep.cardmodel import CARD_KINDS
        from flashprep.errors import InputError

        if kind not in CARD_KINDS:
            raise InputError(f"--kind {kind!r}: use sql, python or card")
        cards = [c for c in cards if c.kind == kind]
    cfg = ws.config.with_overrides(new_per_day=new, reviews_per_day=limit)
    from flashprep.ui.plain import is_tty

    plain_mode = plain or not (is_tty(sys.stdin) and is_tty(sys.stdout))
    with open_history(ws, write=True) as history:
        from flashprep.session import Session

        when = cfg.interview_date if cfg.interview_date and cfg.interview_date > ws.today() \
            else None
        if when is not None:
            # The interview plan paces new cards and keeps reviews within the minutes a
            # day (flashprep.plan); --new and --limit still win for this run.
            from flashprep.plan import estimate_costs, recent_answers, todays_pace

            pace = todays_pace(ws.collection, history.states, ws.today(), when,
                               cfg.minutes_per_day,
                               estimate_costs(recent_answers(history.indexed())))
            cfg = cfg.with_overrides(
                new_per_day=pace.new_per_day if new is None else None,
                reviews_per_day=min(cfg.reviews_per_day, pace.reviews_per_day)
                if limit is None else None,
            )
        session = Session(
            cards, history.states, ws.now(),
            new_per_day=cfg.new_per_day, reviews_per_day=cfg.reviews_per_day,
            day_starts_at=cfg.day_starts_at, leech_threshold=cfg.leech_threshold,
            deck_names={d.id: d.name for d in ws.collection.decks}, interview=when,
        )
        if session.done:
            filtered = bool(deck or tag or topic or kind)
            typer.echo(empty_message(session, filtered, len(ws.collection.drafts)))
            return
        ui: ReviewUI
        if plain_mode:
            from flashprep.ui.plain import PlainReview

            ui = PlainReview(type_answer=type_answer, on_invalid=warn)
        else:
            from flashprep.ui.review import RichReview

            ui = RichReview(type_answer=type_answer, grade_buttons=cfg.grade_buttons)
        exercises = None
        if any(c.is_exercise for c in cards):
            from flashprep.exercises.check import Checker
            from flashprep.trust import Trust

            exercises = Exercises(Checker(ws.home, cfg.sql_engine, cfg.postgres_dsn),
                                  Trust(ws.home, ws.collection))
        with ui:
            run_session(session, history, ui, ws.now, exercises)
        summary = session.summary(ws.now())
        held = session.held_back()
    ui.summary(summary, held)
