"""The review loop: a Session (flashprep.session) driven by a UI, every choice logged.

The engine decides what comes next; a UI (the ReviewUI protocol: flashprep.ui.review
for a terminal, flashprep.ui.plain for pipes and `--plain`) shows cards and reports
what the user chose; this module turns each choice into an event and appends it to
the History before the next card is shown. Whatever ends the session (q, Ctrl-C,
end of input) every recorded answer stays. `flashprep review` (flashprep.commands.review)
only parses options, picks the UI and prints the summary.

An exercise (flashprep.exercises) that its deck may run (flashprep.trust) goes
through run_exercise instead of front and back: code, a run, an `attempt` event
appended before the result is shown, then a retry or the grade.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flashprep.cardmodel import Card
    from flashprep.config import Config
    from flashprep.exercises import Outcome
    from flashprep.exercises.check import Checker
    from flashprep.history import History
    from flashprep.session import CardView, Session, Summary
    from flashprep.trust import Trust
    from flashprep.workspace import Workspace


class ReviewUI(Protocol):
    """The screen side of a session; see flashprep.ui.review and flashprep.ui.plain."""

    def front(self, view: CardView, can_undo: bool) -> tuple[str, str | None]:
        """Show the front; return (REVEAL, typed answer or None), (UNDO, None) or (QUIT, None)."""
        ...

    def back(self, view: CardView, typed: str | None, can_undo: bool) -> int | str:
        """Show the back; return a grade 0-5, BURY, SUSPEND, UNDO or QUIT."""
        ...

    def exercise(
        self, view: CardView, can_undo: bool, attempt: int, tables: list[str], previous: str | None
    ) -> tuple[str, str | None]:
        """Ask for an exercise's code; return (RUN, code), (UNDO, None) or (QUIT, None)."""
        ...

    def exercise_result(
        self, view: CardView, outcome: Outcome, suggested: int, can_undo: bool
    ) -> int | str:
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
    session: Session,
    history: History,
    ui: ReviewUI,
    now: Callable[[], datetime],
    exercises: Exercises,
    view: CardView,
) -> tuple[int | str, dict[str, Any]]:
    """Ask for code, run it, record each attempt, until a grade or another choice.

    Returns (choice, extra fields of the answer event). Every run is appended to the
    history (an `attempt` event) before its result is shown.
    """
    from flashprep.exercises.check import suggest_grade
    from flashprep.session import RETRY, RUN, UNDO

    shown = now()
    tables = exercises.tables(view)
    attempt = 0
    previous: str | None = None
    while True:
        action, code = ui.exercise(view, session.can_undo(), attempt + 1, tables, previous)
        if action != RUN or code is None:
            return action, {}
        attempt += 1
        previous = code
        outcome = exercises.checker.check(view.card, code)
        with deferred_interrupt():
            history.append(
                [
                    session.attempt(
                        now(),
                        code=code,
                        outcome=outcome.status,
                        detail=outcome.detail[:300],
                        engine=outcome.engine,
                        attempt=attempt,
                        seconds=round(outcome.seconds, 3),
                    )
                ]
            )
        suggested = suggest_grade(outcome.passed, attempt, (now() - shown).total_seconds())
        choice = ui.exercise_result(view, outcome, suggested, session.can_undo())
        while choice == UNDO and not session.can_undo():
            ui.notice("nothing to undo yet")
            choice = ui.exercise_result(view, outcome, suggested, session.can_undo())
        if choice == RETRY:
            continue
        return choice, {"suggested": suggested, "attempts": attempt}


def run_session(
    session: Session,
    history: History,
    ui: ReviewUI,
    now: Callable[[], datetime],
    exercises: Exercises | None = None,
) -> None:
    """Work through the queue until it is empty or the user stops."""
    # The engine is imported here, not at the top, so other commands never load it.
    from flashprep.session import BURY, QUIT, SUSPEND, UNDO
    from flashprep.ui.text import feedback

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
            if exercises is not None and view.card.is_exercise and exercises.runs(view, ui):
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


def select_cards(
    ws: Workspace,
    decks: Sequence[str],
    tags: Sequence[str],
    topics: Sequence[str],
    kind: str | None,
) -> list[Card]:
    """The cards a review may show: by deck, tag and topic, then by kind (card, sql, python)."""
    cards = ws.collection.select(decks, tags, topics=topics)
    if kind is not None:
        from flashprep.cardmodel import CARD_KINDS
        from flashprep.errors import InputError

        if kind not in CARD_KINDS:
            raise InputError(f"--kind {kind!r}: use sql, python or card")
        cards = [c for c in cards if c.kind == kind]
    return cards


def start_session(
    ws: Workspace,
    history: History,
    cards: Sequence[Card],
    *,
    new: int | None = None,
    limit: int | None = None,
) -> tuple[Session, Config]:
    """Today's session over `cards`, and the config it runs with.

    `new` and `limit` override new_per_day and reviews_per_day for this run. While an
    interview date is ahead, the plan paces new cards and keeps reviews within the
    minutes a day (flashprep.plan); `new` and `limit` still win.
    """
    from flashprep.session import Session

    cfg = ws.config.with_overrides(new_per_day=new, reviews_per_day=limit)
    when = cfg.interview_date if cfg.interview_date and cfg.interview_date > ws.today() else None
    if when is not None:
        from flashprep.plan import estimate_costs, recent_answers, todays_pace

        pace = todays_pace(
            ws.collection,
            history.states,
            ws.today(),
            when,
            cfg.minutes_per_day,
            estimate_costs(recent_answers(history.indexed())),
        )
        cfg = cfg.with_overrides(
            new_per_day=pace.new_per_day if new is None else None,
            reviews_per_day=min(cfg.reviews_per_day, pace.reviews_per_day)
            if limit is None
            else None,
        )
    session = Session(
        list(cards),
        history.states,
        ws.now(),
        new_per_day=cfg.new_per_day,
        reviews_per_day=cfg.reviews_per_day,
        day_starts_at=cfg.day_starts_at,
        leech_threshold=cfg.leech_threshold,
        deck_names={d.id: d.name for d in ws.collection.decks},
        interview=when,
    )
    return session, cfg


def session_exercises(ws: Workspace, cfg: Config, cards: Sequence[Card]) -> Exercises | None:
    """What runs the exercises among `cards` (None when there are none)."""
    if not any(c.is_exercise for c in cards):
        return None
    from flashprep.exercises.check import Checker
    from flashprep.trust import Trust

    return Exercises(
        Checker(ws.home, cfg.sql_engine, cfg.postgres_dsn), Trust(ws.home, ws.collection)
    )
