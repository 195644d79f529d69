"""`flashprep mock`: a timed mock interview, and `mock --history`.

flashprep.mock decides what to ask and scores it; a UI (flashprep.ui.mock: the rich
screen with a live countdown in a terminal, the plain line protocol otherwise) asks and
reports what was covered; this module times each answer and writes each question's
`mock` event (and its `reschedule` event, if any) durably before the next question, so
quitting at any point keeps every question answered so far.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

from flashprep.cli import JsonOpt, app, emit_json, open_history, warn, workspace

if TYPE_CHECKING:
    from flashprep.history import History
    from flashprep.mock import Answer, MockReport, PastMock, Question, Topic

# The clock answers are timed with; a test replaces it.
monotonic: Callable[[], float] = time.monotonic


class MockUI(Protocol):
    """The screen side of a mock; see flashprep.ui.mock."""

    def ask(self, question: Question, planned: int) -> tuple[str | None, float]:
        """Show the question and time the answer: (typed answer or None, seconds).
        Raises EOFError or KeyboardInterrupt when the user stops."""
        ...

    def checklist(self, question: Question) -> tuple[int, ...]:
        """The 0-based indices of the key points the answer covered (may raise as ask)."""
        ...

    def scored(self, answer: Answer) -> None:
        """Show the score (and, on a terminal, the model answer; may raise as ask)."""
        ...

    def report(self, report: MockReport) -> None: ...

    def __enter__(self) -> MockUI: ...

    def __exit__(self, *exc: object) -> None: ...


def new_mock_id(moment: datetime) -> str:
    """Readable and unique: the local start time, then 16 random bits."""
    return f"{moment:%Y%m%d-%H%M%S}-{os.urandom(2).hex()}"


def check_options(questions: int, minutes: float) -> None:
    from flashprep.errors import InputError

    if questions < 1:
        raise InputError(f"--questions must be 1 or more, got {questions}")
    if not minutes > 0 or minutes > 600:
        raise InputError(f"--minutes must be more than 0 and at most 600, got {minutes:g}")


def record_answer(
    history: History,
    answer: Answer,
    mock_id: str,
    moment: datetime,
    day: date,
    *,
    reschedule: bool,
) -> str | None:
    """Append the question's `mock` event, and its `reschedule` event when the rule says
    so, in one durable write. Returns the new due date if the card was brought forward."""
    from flashprep.events import make_event
    from flashprep.mock import MOCK, RESCHEDULE, RESCHEDULE_BELOW, bring_forward, mock_fields

    card_id = answer.question.card.id
    state = history.state(card_id)
    events = [make_event(card_id, MOCK, state, moment, day, **mock_fields(answer, mock_id))]
    due = None
    if reschedule and answer.score < RESCHEDULE_BELOW:
        after = bring_forward(state, day)
        if after is not None:
            assert state.due is not None and after.due is not None
            events.append(
                make_event(
                    card_id,
                    RESCHEDULE,
                    after,
                    moment,
                    day,
                    mock_id=mock_id,
                    previous_due=state.due.isoformat(),
                )
            )
            due = after.due.isoformat()
    history.append(events)
    return due


def run_mock(
    history: History,
    ui: MockUI,
    topics: list[Topic],
    past: list[PastMock],
    *,
    mock_id: str,
    minutes: float,
    now: Callable[[], datetime],
    today: Callable[[datetime], date],
    reschedule: bool,
) -> tuple[list[Answer], dict[str, str]]:
    """Ask every drawn topic (and its follow-up after a weak answer) until done or stopped."""
    from flashprep.mock import Answer, follow_up, needs_follow_up, question_for
    from flashprep.reviewing import deferred_interrupt

    answers: list[Answer] = []
    moved: dict[str, str] = {}
    asked: set[str] = set()

    def one(question: Question) -> Answer:
        typed, seconds = ui.ask(question, len(topics))
        covered = ui.checklist(question)
        answer = Answer(question, covered, seconds, typed)
        with deferred_interrupt():
            moment = now()
            due = record_answer(
                history, answer, mock_id, moment, today(moment), reschedule=reschedule
            )
        answers.append(answer)
        asked.add(question.card.id)
        if due is not None:
            moved[question.card.id] = due
        ui.scored(answer)
        return answer

    try:
        for number, topic in enumerate(topics, start=1):
            answer = one(question_for(topic.main, topic, minutes, number))
            if needs_follow_up(answer):
                card = follow_up(topic, asked, past)
                if card is not None:
                    one(question_for(card, topic, minutes, number, follow=True))
    except (KeyboardInterrupt, EOFError):
        pass
    return answers, moved


@app.command()
def mock(
    ctx: typer.Context,
    questions: Annotated[
        int, typer.Option("--questions", metavar="N", help="Main questions to ask.")
    ] = 8,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            metavar="C",
            help="Only this category (repeatable): python, fastapi, database, auth, "
            "system-design, api-design, devops (the default: all seven), behavioral.",
        ),
    ] = None,
    minutes: Annotated[
        float,
        typer.Option(
            "--minutes", metavar="M", help="Time per question, unless the card sets time_limit."
        ),
    ] = 3.0,
    seed: Annotated[
        int | None, typer.Option("--seed", metavar="S", help="Draw the same questions again.")
    ] = None,
    plain: Annotated[
        bool,
        typer.Option("--plain", help="Line-by-line mode (automatic when stdin is not a terminal)."),
    ] = False,
    as_json: JsonOpt = False,
    no_reschedule: Annotated[
        bool, typer.Option("--no-reschedule", help="Do not bring cards scored below 50% forward.")
    ] = False,
    show_history: Annotated[
        bool, typer.Option("--history", help="List past mocks with their scores and trend.")
    ] = False,
) -> None:
    """A timed mock interview: questions across the must-know categories, weighted to your
    weak topics, with a follow-up after a weak answer, scored by the key points covered.

    Each question shows a countdown (it turns red at zero and keeps counting); answer aloud
    or type it, then tick the key points you covered; the model answer follows. Cards that
    scored below 50% come up in tomorrow's review. Every question is saved as it is scored.

    Example: flashprep mock --questions 5 --category auth --minutes 2
    """
    from flashprep.mock import (
        build_pool,
        draw,
        read_mocks,
        report,
        resolve_categories,
        topic_weights,
    )

    ws = workspace(ctx)
    if show_history:
        _history(ws, as_json)
        return
    check_options(questions, minutes)
    categories = resolve_categories(category or ())
    from flashprep.ui.plain import is_tty

    plain_mode = plain or not (is_tty(sys.stdin) and is_tty(sys.stderr if as_json else sys.stdout))
    with open_history(ws) as reader:
        pool = build_pool(ws.collection, reader.states, categories)
    if not pool:
        from flashprep.errors import InputError

        raise InputError(
            "no card to ask: no card of "
            + ", ".join(categories)
            + " has key points (drafts and suspended cards are left out)"
        )
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big")
    with open_history(ws, write=True) as history:
        past = read_mocks(history)
        weights = topic_weights(pool, history.states, past)
        topics = draw(pool, weights, categories, questions, seed)
        start = ws.now()
        mock_id = new_mock_id(start)
        ui: MockUI
        if plain_mode:
            from flashprep.ui.mock import PlainMock

            ui = PlainMock(clock=monotonic, on_invalid=warn, err=as_json)
        else:
            from flashprep.ui.mock import RichMock

            ui = RichMock(clock=monotonic, err=as_json)
        with ui:
            answers, moved = run_mock(
                history,
                ui,
                topics,
                past,
                mock_id=mock_id,
                minutes=minutes,
                now=ws.now,
                today=ws.today,
                reschedule=not no_reschedule,
            )
    result = report(mock_id, ws.today(start), answers, moved, planned=len(topics))
    result["seed"] = seed
    if as_json:
        emit_json(result)
    else:
        ui.report(result)


def _history(ws: Any, as_json: bool) -> None:
    from flashprep.mock import history_report, read_mocks

    with open_history(ws) as history:
        rep = history_report(read_mocks(history))
    if as_json:
        emit_json(rep)
        return
    from flashprep.ui.mock import render_history

    render_history(rep)
