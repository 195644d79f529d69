"""One review session: the queue being worked through, answers, bury, suspend, undo.

Pure: no prompts, no printing, no file access, and no clock of its own (every
call that needs the time takes it as an argument). The review command drives a
Session, records each event it returns with `History.append`, and shows what
`view()` describes.

How the queue moves:
* It starts as `flashprep.queue.build_queue` for the chosen cards: pending
  re-drills, due reviews (most overdue first), then new cards, within both
  daily limits.
* An answer is scheduled by `flashprep.schedule.answer`, which applies SM-2's
  same-day rule: only the first answer of a study day reschedules the card.
  If the card still needs a re-drill (graded < 4) it goes to the END of the
  queue, behind every card still waiting, and keeps coming back until it
  scores 4 or more.
* Bury and suspend take the card out of the queue.
* Undo reverts the last step (answer, bury or suspend): the card's exact
  previous state comes back and the queue is restored as it was, so the card
  is at the front again. Undo can be repeated back to the start of the session.

The study day of each event comes from that event's own moment, so a session
that runs past the rollover hour records the later answers on the new day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from flashprep import clock, schedule
from flashprep.cardmodel import Card
from flashprep.events import Kind, make_event
from flashprep.interview import CUTOFF_DAYS
from flashprep.queue import QueueItem, build_queue, due_on, next_due
from flashprep.schedule import NEW, NEW_CARD, REDRILL, REVIEW, CardState, CardStates

BURY, SUSPEND, UNDO = Kind.BURY, Kind.SUSPEND, Kind.UNDO
# What a review screen reports besides a grade 0-5 (and BURY, SUSPEND, UNDO).
REVEAL, QUIT = "reveal", "quit"
RUN, RETRY = "run", "retry"  # an exercise's code is ready; try it again
QUEUE_KINDS = (NEW, REVIEW, REDRILL)


@dataclass(frozen=True)
class Step:
    """Something done to one card in this session, kept so it can be undone."""

    card_id: str
    kind: str  # new, review, redrill (answers), bury or suspend
    event_id: str
    before: CardState
    after: CardState
    queue_before: tuple[QueueItem, ...]
    grade: int | None = None
    duration_ms: int | None = None

    @property
    def is_answer(self) -> bool:
        return self.grade is not None


@dataclass(frozen=True)
class CardView:
    """What the screen needs to show the current card."""

    card: Card
    kind: str  # new, review or redrill: why the card is in the queue
    number: int  # 1-based position in the session, counting every step so far
    total: int  # steps so far plus cards still waiting (grows with re-drills)
    left: dict[str, int]  # cards waiting by kind, this one included
    deck_name: str
    state: CardState


@dataclass(frozen=True)
class Summary:
    """End-of-session figures (plain data, for text and for tests)."""

    answers: int
    cards: int  # distinct cards answered at least once
    grades: dict[int, int]  # answers per grade 0-5
    correct: float | None  # share of answers graded >= 3; None without answers
    buried: int
    suspended: int  # by hand or as a leech
    seconds: float
    left: dict[str, int]  # still waiting today, by kind
    due_tomorrow: int
    next_due: date | None
    today: date
    started_with: int  # cards in the queue when the session began

    def to_dict(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "cards": self.cards,
            "grades": {str(g): n for g, n in self.grades.items()},
            "correct": self.correct,
            "buried": self.buried,
            "suspended": self.suspended,
            "seconds": round(self.seconds, 1),
            "left": dict(self.left),
            "due_tomorrow": self.due_tomorrow,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "today": self.today.isoformat(),
        }


@dataclass
class Session:
    """Today's review of `cards` (already filtered, in deck order)."""

    cards: Sequence[Card]
    states: MutableMapping[str, CardState]
    started: datetime
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4
    leech_threshold: int = 8
    deck_names: Mapping[str, str] = field(default_factory=dict)
    # With an interview date, each scheduling answer's due date is capped to its eve
    # (flashprep.interview.cap_due); the event records SM-2's own due date as sm2_due.
    interview: date | None = None
    window_days: int = CUTOFF_DAYS
    queue: list[QueueItem] = field(init=False)
    steps: list[Step] = field(init=False, default_factory=list)
    today: date = field(init=False)
    _shown_at: datetime | None = field(init=False, default=None)
    _last_moment: datetime = field(init=False)
    _initial: int = field(init=False, default=0)
    _by_id: dict[str, Card] = field(init=False, default_factory=dict)
    _ids: list[str] = field(init=False, default_factory=list)  # the queue's input: no drafts

    def __post_init__(self) -> None:
        if self.started.tzinfo is None:
            raise ValueError("Session needs an aware datetime")
        # Our own copy (the caller's mapping is left alone); a CardStates copies its rows
        # without decoding them.
        self.states = CardStates(self.states)
        self.today = clock.study_day(self.started, self.day_starts_at)
        self._ids = [c.id for c in self.cards if not c.draft]
        self.queue = build_queue(
            self._ids,
            self.states,
            self.today,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
        )
        self._initial = len(self.queue)
        self._by_id = {c.id: c for c in self.cards}
        self._last_moment = self.started

    # ------------------------------------------------------------ reading

    @property
    def done(self) -> bool:
        return not self.queue

    @property
    def current(self) -> QueueItem | None:
        return self.queue[0] if self.queue else None

    def state(self, card_id: str) -> CardState:
        return self.states.get(card_id, NEW_CARD)

    def left(self) -> dict[str, int]:
        counts = Counter(item.kind for item in self.queue)
        return {k: counts.get(k, 0) for k in QUEUE_KINDS}

    def view(self) -> CardView | None:
        item = self.current
        if item is None:
            return None
        card = self._by_id[item.card_id]
        return CardView(
            card=card,
            kind=item.kind,
            number=len(self.steps) + 1,
            total=len(self.steps) + len(self.queue),
            left=self.left(),
            deck_name=self.deck_names.get(card.deck, card.deck),
            state=self.state(card.id),
        )

    def held_back(self) -> dict[str, int]:
        """Cards that would be in today's queue but for the daily limits, by kind."""
        unlimited = build_queue(
            self._ids,
            self.states,
            self.today_at(self._last_moment),
            new_per_day=10**9,
            reviews_per_day=10**9,
        )
        waiting = Counter(item.card_id for item in self.queue)
        counts = Counter(
            i.kind for i in unlimited if i.card_id not in waiting and i.kind != REDRILL
        )
        return {NEW: counts.get(NEW, 0), REVIEW: counts.get(REVIEW, 0)}

    def can_undo(self) -> bool:
        return bool(self.steps)

    @property
    def last(self) -> Step | None:
        return self.steps[-1] if self.steps else None

    # ------------------------------------------------------------ acting

    def show(self, moment: datetime) -> None:
        """The current card went on screen at `moment` (its answer's duration starts here)."""
        self._shown_at = moment

    def today_at(self, moment: datetime) -> date:
        """The study day `moment` belongs to."""
        return clock.study_day(moment, self.day_starts_at)

    def _take(self) -> QueueItem:
        if not self.queue:
            raise IndexError("the session's queue is empty")
        return self.queue[0]

    def _commit(
        self,
        item: QueueItem,
        kind: str,
        after: CardState,
        moment: datetime,
        day: date,
        requeue: bool,
        grade: int | None = None,
        duration_ms: int | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        before = self.state(item.card_id)
        event = make_event(
            item.card_id,
            kind,
            after,
            moment,
            day,
            grade=grade,
            duration_ms=duration_ms,
            **(extra or {}),
        )
        queue_before = tuple(self.queue)
        rest = self.queue[1:]
        if requeue:
            rest.append(QueueItem(item.card_id, REDRILL))
        self.queue = rest
        self.states[item.card_id] = after
        self.steps.append(
            Step(item.card_id, kind, event["id"], before, after, queue_before, grade, duration_ms)
        )
        self._shown_at = None
        self._last_moment = max(self._last_moment, moment)
        return event

    def answer(
        self, grade: int, moment: datetime, extra: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Grade the current card 0-5; return the event to record. `extra` fields go into
        the event (an exercise's `suggested` grade and `attempts`)."""
        if grade not in range(6):
            raise ValueError(f"grade must be 0-5, got {grade!r}")
        item = self._take()
        day = self.today_at(moment)
        before = self.state(item.card_id)
        kind = schedule.answer_kind(before, day)
        after = schedule.answer(before, grade, day, self.leech_threshold)
        fields: dict[str, Any] = dict(extra or {})
        if self.interview is not None and kind != REDRILL and after.due is not None:
            sm2_due = after.due.isoformat()
            after = self._capped(item.card_id, after, day)
            fields["sm2_due"] = sm2_due
        duration = None
        if self._shown_at is not None:
            duration = max(0, int((moment - self._shown_at).total_seconds() * 1000))
        requeue = after.needs_redrill(day) and not after.suspended
        return self._commit(item, kind, after, moment, day, requeue, grade, duration, fields)

    def attempt(self, moment: datetime, **fields: Any) -> dict[str, Any]:
        """The event of one run of an answer to the current exercise (code, outcome,
        detail, engine, attempt, seconds). It changes nothing: its state is the card's
        state as it is, and it is not a step (undo takes back answers, not runs)."""
        item = self._take()
        return make_event(
            item.card_id,
            Kind.ATTEMPT,
            self.state(item.card_id),
            moment,
            self.today_at(moment),
            **fields,
        )

    def _capped(self, card_id: str, after: CardState, day: date) -> CardState:
        """`after` with its due date capped to the interview's eve (see flashprep.interview)."""
        from flashprep.interview import cap_due, due_load, eve

        assert after.due is not None and self.interview is not None
        if day >= self.interview or after.due < eve(self.interview):
            return after  # before the eve: nothing to cap, skip counting the load
        load = due_load(s for cid, s in self.states.items() if cid != card_id)
        due = cap_due(day, after.due, self.interview, load=load, window_days=self.window_days)
        return replace(after, due=due)

    def bury(self, moment: datetime) -> dict[str, Any]:
        """Hide the current card until the next study day."""
        item = self._take()
        day = self.today_at(moment)
        after = schedule.bury(self.state(item.card_id), day)
        event = self._commit(item, BURY, after, moment, day, requeue=False)
        self._top_up(day)
        return event

    def suspend(self, moment: datetime) -> dict[str, Any]:
        """Take the current card out of every queue until it is unsuspended."""
        item = self._take()
        day = self.today_at(moment)
        after = schedule.suspend(self.state(item.card_id))
        event = self._commit(item, SUSPEND, after, moment, day, requeue=False)
        self._top_up(day)
        return event

    def _top_up(self, day: date) -> None:
        """Fill the place a buried or suspended card leaves within today's limits.

        Such a card does not count against the limits, so the next card in line
        moves up, exactly as `flashprep status` would count it.
        """
        waiting = {item.card_id for item in self.queue}
        fresh = build_queue(
            self._ids,
            self.states,
            day,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
        )
        self.queue.extend(i for i in fresh if i.card_id not in waiting and i.kind != REDRILL)

    def undo(self, moment: datetime) -> dict[str, Any]:
        """Revert the last step; return the "undo" event (it carries the restored state)."""
        if not self.steps:
            raise IndexError("nothing to undo")
        step = self.steps.pop()
        self.states[step.card_id] = step.before
        self.queue = list(step.queue_before)
        self._shown_at = None
        self._last_moment = max(self._last_moment, moment)
        return make_event(
            step.card_id, UNDO, step.before, moment, self.today_at(moment), undoes=step.event_id
        )

    # ------------------------------------------------------------ the end

    def summary(self, moment: datetime | None = None) -> Summary:
        end = moment or self._last_moment
        answers = [s for s in self.steps if s.is_answer]
        grades = Counter(s.grade for s in answers)
        today = self.today_at(end)
        return Summary(
            answers=len(answers),
            cards=len({s.card_id for s in answers}),
            grades={g: grades.get(g, 0) for g in range(6)},
            correct=(sum(1 for s in answers if (s.grade or 0) >= 3) / len(answers))
            if answers
            else None,
            buried=sum(1 for s in self.steps if s.kind == BURY),
            suspended=sum(1 for s in self.steps if s.after.suspended and not s.before.suspended),
            seconds=max(0.0, (end - self.started).total_seconds()),
            left=self.left(),
            due_tomorrow=due_on(self._ids, self.states, today + timedelta(days=1)),
            next_due=next_due(self._ids, self.states, today),
            today=today,
            started_with=self._initial,
        )
