"""Mock interviews: which questions to ask, the follow-ups, scoring, the report, rescheduling.

Pure: no prompts, no files, no clock (every moment and seed is passed in). The command
in flashprep.commands.mock asks the questions, times the answers and writes the events;
this module decides everything else.

A mock asks `questions` main questions drawn across the chosen categories (the seven
must-know categories of the syllabus, as `flashprep readiness` counts them by tag, plus
`behavioral` on request). Each topic has one main question, its first card in deck
order; the topic's other cards (ids ending -2, -3, -4) are its follow-ups.

Drawing. Categories take turns (in an order shuffled by the seed); each turn draws one
topic of that category not drawn yet, with probability in proportion to its weight:

    weight  = (1 + 2 * (1 - s) + 0.5 * min(lapses, 4) + unseen) * recency
    s       = the topic's score in the last mock that asked it (0.5 if none did)
    lapses  = the SM-2 lapses of the topic's cards
    unseen  = 1 if no card of the topic was ever reviewed or asked in a mock, else 0
    recency = 0.25 if the last mock asked the topic, 0.5 if one of the three before, else 1

so a topic scored 0 weighs three times one scored 1.0, and the last mock's topics come
back rarely. Only cards that can be scored are asked: not drafts, not suspended, with at
least one key point.

Follow-ups. After a main question scored below FOLLOW_UP_BELOW (75%), one follow-up of
the same topic that this mock has not asked yet: the one past mocks asked least, ties in
deck order, so repeated mocks walk through the follow-ups.

Scoring. score = key points covered / key points. A question is over time when its
answer took longer than its time limit (the card's `time_limit`, else the mock's
minutes); there is no cut-off.

Rescheduling. Mocks never change SM-2's numbers. A card scored below RESCHEDULE_BELOW
(50%) is brought forward: its due date, only, becomes the next study day, as its own
event. New cards (no due date yet: the daily new-card limit introduces them) and
suspended cards are left alone, and so is a card already due by then.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, NotRequired, TypedDict

from flashprep.cardmodel import Card, Collection, did_you_mean
from flashprep.errors import InputError
from flashprep.events import Kind
from flashprep.readiness import CATEGORIES
from flashprep.schedule import NEW_CARD, CardState

MOCK, RESCHEDULE = Kind.MOCK, Kind.RESCHEDULE  # the history's event kinds (flashprep.events)
EXTRA_CATEGORIES: tuple[tuple[str, str], ...] = (("behavioral", "Behavioral"),)
CATEGORY_NAMES = dict(CATEGORIES + EXTRA_CATEGORIES)
DEFAULT_QUESTIONS = 8
DEFAULT_MINUTES = 3
FOLLOW_UP_BELOW = 0.75
RESCHEDULE_BELOW = 0.5
WEAKEST = 3
RECENT_MOCKS = 3


# ------------------------------------------------------------------ categories


def resolve_categories(values: Sequence[str]) -> list[str]:
    """Category ids for `--category` values (an id or a name, any case); the default is the
    seven must-know categories. An unknown one is an InputError."""
    if not values:
        return [c for c, _ in CATEGORIES]
    by_name = {k: k for k in CATEGORY_NAMES}
    by_name.update({v.lower(): k for k, v in CATEGORY_NAMES.items()})
    out: list[str] = []
    for value in values:
        key = by_name.get(value.strip().lower())
        if key is None:
            raise InputError(
                f"no category {value!r}"
                + did_you_mean(value, list(CATEGORY_NAMES))
                + f"; choose from {', '.join(CATEGORY_NAMES)}"
            )
        if key not in out:
            out.append(key)
    return out


def card_category(card: Card, deck_category: str, categories: Sequence[str]) -> str | None:
    """The one of `categories` a card is asked under: the category its deck is named for
    when the card carries that tag, else the first of `categories` whose tag it carries."""
    tagged = [c for c in categories if c in card.tags]
    for c in tagged:
        if CATEGORY_NAMES[c].lower() == deck_category.lower():
            return c
    return tagged[0] if tagged else None


def topic_of(card: Card) -> str:
    return card.topic or card.id


# ------------------------------------------------------------------ the pool


@dataclass(frozen=True)
class Topic:
    id: str
    category: str
    cards: tuple[Card, ...]  # deck order; the first is the main question

    @property
    def main(self) -> Card:
        return self.cards[0]


def build_pool(
    collection: Collection, states: Mapping[str, CardState], categories: Sequence[str]
) -> dict[str, Topic]:
    """The topics that can be asked, by id, in collection order."""
    deck_category = {d.id: d.category for d in collection.decks}
    wanted = set(categories)
    found: dict[str, list[Card]] = {}
    category: dict[str, str] = {}
    for card in collection.cards.values():
        if card.draft or not card.key_points or states.get(card.id, NEW_CARD).suspended:
            continue
        if wanted.isdisjoint(card.tags):
            continue
        topic = topic_of(card)
        if topic not in found:
            cat = card_category(card, deck_category.get(card.deck, ""), categories)
            if cat is None:
                continue
            category[topic] = cat
            found[topic] = []
        found[topic].append(card)
    return {t: Topic(t, category[t], tuple(cards)) for t, cards in found.items()}


# ------------------------------------------------------------------ past mocks


@dataclass(frozen=True)
class PastMock:
    """One mock as the history has it: its `mock` events, in the order asked."""

    mock_id: str
    day: str
    ts: str
    events: tuple[dict[str, Any], ...]

    @property
    def score(self) -> float:
        return round(sum(e["score"] for e in self.events) / len(self.events), 4)

    def topic_scores(self) -> dict[str, float]:
        return _mean_by(self.events, "topic")

    def category_scores(self) -> dict[str, float]:
        return _mean_by(self.events, "category")


def _mean_by(events: Iterable[Mapping[str, Any]], key: str) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for e in events:
        value = e.get(key)
        if isinstance(value, str):
            sums.setdefault(value, []).append(float(e["score"]))
    return {k: round(sum(v) / len(v), 4) for k, v in sums.items()}


def read_mocks(history: Any) -> list[PastMock]:
    """The past mocks of an open History (its `mock` events, found through the index)."""
    return past_mocks(history.events_of(MOCK))


def past_mocks(events: Iterable[Mapping[str, Any]], undone: Iterable[str] = ()) -> list[PastMock]:
    """The mocks of the history's `mock` events (other kinds are skipped), in log order."""
    skip = set(undone)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        if e.get("kind") != MOCK or e.get("id") in skip or not isinstance(e.get("mock_id"), str):
            continue
        score = e.get("score")
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 1:
            continue  # not a question flashprep wrote; the history's checks report it
        grouped.setdefault(e["mock_id"], []).append(dict(e))
    # Log order is the order the mocks were held in (one writer at a time).
    return [PastMock(k, v[0]["day"], v[0]["ts"], tuple(v)) for k, v in grouped.items()]


# ------------------------------------------------------------------ drawing


def topic_weights(
    pool: Mapping[str, Topic], states: Mapping[str, CardState], past: Sequence[PastMock]
) -> dict[str, float]:
    """Each topic's weight (see the module docstring)."""
    last_score: dict[str, float] = {}
    for m in past:  # oldest first: later mocks overwrite
        last_score.update(m.topic_scores())
    recent = [set(m.topic_scores()) for m in reversed(past[-RECENT_MOCKS - 1 :])]
    weights = {}
    for tid, topic in pool.items():
        cards = [states.get(c.id, NEW_CARD) for c in topic.cards]
        s = last_score.get(tid, 0.5)
        lapses = sum(st.lapses for st in cards)
        unseen = 1.0 if tid not in last_score and all(st.is_new for st in cards) else 0.0
        weight = 1 + 2 * (1 - s) + 0.5 * min(lapses, 4) + unseen
        if recent and tid in recent[0]:
            weight *= 0.25
        elif any(tid in r for r in recent[1:]):
            weight *= 0.5
        weights[tid] = round(weight, 6)
    return weights


def draw(
    pool: Mapping[str, Topic],
    weights: Mapping[str, float],
    categories: Sequence[str],
    n: int,
    seed: int,
) -> list[Topic]:
    """`n` topics (fewer if the pool is smaller), categories taking turns; reproducible
    for a seed and the same pool and weights."""
    rng = random.Random(seed)
    left: dict[str, list[str]] = {c: [] for c in categories}
    for tid, topic in pool.items():
        left.setdefault(topic.category, []).append(tid)
    order = [c for c in categories if left[c]]
    rng.shuffle(order)
    out: list[Topic] = []
    pos = 0  # whose turn it is, in `order`
    while len(out) < n and order:
        cat = order[pos]
        choices = left[cat]
        total = sum(weights[t] for t in choices)
        pick = rng.random() * total
        chosen = choices[-1]
        for t in choices:
            pick -= weights[t]
            if pick < 0:
                chosen = t
                break
        choices.remove(chosen)
        out.append(pool[chosen])
        if choices:
            pos += 1
        else:
            del order[pos]  # the next category moves into this place
        if order:
            pos %= len(order)
    return out


def follow_up(topic: Topic, asked: Iterable[str], past: Sequence[PastMock]) -> Card | None:
    """The follow-up to ask after a weak answer to `topic`'s main question, or None."""
    done = set(asked)
    times = Counter(e["card_id"] for m in past for e in m.events)
    candidates = [c for c in topic.cards[1:] if c.id not in done]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (times[c.id], topic.cards.index(c)))


# ------------------------------------------------------------------ one question


@dataclass(frozen=True)
class Question:
    card: Card
    topic: str
    category: str
    time_limit: int  # seconds
    follow_up: bool = False
    main_number: int = 0  # the main question this is (or follows up), 1-based


@dataclass(frozen=True)
class Answer:
    question: Question
    covered: tuple[int, ...]  # 0-based indices of the key points covered
    seconds: float
    typed: str | None = None

    @property
    def score(self) -> float:
        return round(len(self.covered) / len(self.question.card.key_points), 4)

    @property
    def over_time(self) -> bool:
        return self.seconds > self.question.time_limit


def question_for(
    card: Card, topic: Topic, minutes: float, main_number: int, *, follow: bool = False
) -> Question:
    limit = card.time_limit or max(1, round(minutes * 60))
    return Question(card, topic.id, topic.category, limit, follow, main_number)


def needs_follow_up(answer: Answer) -> bool:
    return not answer.question.follow_up and answer.score < FOLLOW_UP_BELOW


def parse_covered(text: str, count: int) -> tuple[int, ...]:
    """The plain-mode covered line: numbers (1-based, spaces or commas), `all`, or empty
    for none; returns sorted 0-based indices. ValueError with a short reason if bad."""
    words = text.replace(",", " ").split()
    if len(words) == 1 and words[0].lower() == "all":
        return tuple(range(count))
    out: set[int] = set()
    for w in words:
        if not w.isdigit() or not 1 <= int(w) <= count:
            raise ValueError(f"{w!r} is not a key point number 1-{count}")
        out.add(int(w) - 1)
    return tuple(sorted(out))


def mock_fields(answer: Answer, mock_id: str) -> dict[str, Any]:
    """The fields of a question's `mock` event, besides those every event has."""
    q = answer.question
    return {
        "mock_id": mock_id,
        "score": answer.score,
        "covered": list(answer.covered),
        "key_points": len(q.card.key_points),
        "seconds": round(answer.seconds, 1),
        "time_limit": q.time_limit,
        "answer": answer.typed,
        "follow_up": q.follow_up,
        "category": q.category,
        "topic": q.topic,
    }


# ------------------------------------------------------------------ rescheduling


def next_study_day(day: date) -> date:
    return day + timedelta(days=1)


def bring_forward(state: CardState, day: date) -> CardState | None:
    """The state with its due date moved to the study day after `day`, or None when the
    rule leaves the card alone (new, suspended, or due by then already)."""
    target = next_study_day(day)
    if state.due is None or state.suspended or state.due <= target:
        return None
    return replace(state, due=target)


def reapply_reschedule(state: CardState, event: Mapping[str, Any]) -> CardState:
    """A `reschedule` event applied again to `state` (after an undo of an earlier answer):
    the due date is brought forward to the event's, never pushed back."""
    due = event.get("state", {}).get("due")
    if not isinstance(due, str) or state.due is None or state.suspended:
        return state
    target = date.fromisoformat(due)
    return replace(state, due=target) if target < state.due else state


def to_reschedule(answers: Sequence[Answer]) -> list[str]:
    """Card ids scored below RESCHEDULE_BELOW, each once, in the order asked."""
    return list(dict.fromkeys(a.question.card.id for a in answers if a.score < RESCHEDULE_BELOW))


# ------------------------------------------------------------------ the report


class QuestionResult(TypedDict):
    """One asked question in the end-of-mock report."""

    card_id: str
    category: str
    topic: str
    score: float  # key points covered / all
    covered: int
    key_points: int
    seconds: float
    time_limit: int  # seconds
    over_time: bool
    follow_up: bool


class WeakTopic(TypedDict):
    topic: str
    score: float
    command: str  # the review command that drills it


class MockReport(TypedDict):
    """The end-of-mock report: what `mock --json` prints and flashprep.ui.mock shows."""

    mock_id: str
    day: str  # ISO date
    planned: int
    asked: int
    score: float | None  # None when no question was answered
    over_time: int
    questions: list[QuestionResult]
    by_category: dict[str, float]
    weakest_topics: list[WeakTopic]
    rescheduled: dict[str, str]  # card id -> its new due date
    seed: NotRequired[int]  # set by the command: the seed that draws these questions again


def report(
    mock_id: str,
    day: date,
    answers: Sequence[Answer],
    rescheduled: Mapping[str, str] | None = None,
    *,
    planned: int = 0,
) -> MockReport:
    """The end-of-mock report, JSON-ready (the shape `flashprep mock --json` prints)."""
    questions: list[QuestionResult] = [
        {
            "card_id": a.question.card.id,
            "category": a.question.category,
            "topic": a.question.topic,
            "score": a.score,
            "covered": len(a.covered),
            "key_points": len(a.question.card.key_points),
            "seconds": round(a.seconds, 1),
            "time_limit": a.question.time_limit,
            "over_time": a.over_time,
            "follow_up": a.question.follow_up,
        }
        for a in answers
    ]
    by_category = _mean_by(questions, "category")
    by_topic = _mean_by(questions, "topic")
    ranked = sorted(by_topic.items(), key=lambda kv: kv[1])  # stable: ties in order asked
    weakest = [
        WeakTopic(topic=t, score=s, command=f"flashprep review --topic {t}")
        for t, s in ranked
        if s < 1.0
    ][:WEAKEST]
    return {
        "mock_id": mock_id,
        "day": day.isoformat(),
        "planned": planned,
        "asked": len(questions),
        "score": round(sum(q["score"] for q in questions) / len(questions), 4)
        if questions
        else None,
        "over_time": sum(q["over_time"] for q in questions),
        "questions": questions,
        "by_category": by_category,  # by category id, as each question names it
        "weakest_topics": weakest,
        "rescheduled": dict(rescheduled or {}),
    }


def history_report(past: Sequence[PastMock]) -> dict[str, Any]:
    """`flashprep mock --history`: every past mock with its score, and the trend."""
    rows: list[dict[str, Any]] = []
    prev: float | None = None
    for m in past:
        score = m.score
        rows.append(
            {
                "mock_id": m.mock_id,
                "day": m.day,
                "questions": len(m.events),
                "score": score,
                "over_time": sum(
                    1 for e in m.events if e.get("seconds", 0) > e.get("time_limit", 0)
                ),
                "by_category": m.category_scores(),
                "change": None if prev is None else round(score - prev, 4),
            }
        )
        prev = score
    return {"mocks": rows, "trend": trend([r["score"] for r in rows])}


def trend(scores: Sequence[float]) -> dict[str, Any]:
    """The last mock against the mean of the (up to three) before it."""
    if len(scores) < 2:
        return {"direction": None, "change": None}
    before = scores[-4:-1]
    change = round(scores[-1] - sum(before) / len(before), 4)
    direction = "up" if change > 0.02 else "down" if change < -0.02 else "flat"
    return {"direction": direction, "change": change}


def last_by_category(past: Sequence[PastMock]) -> dict[str, dict[str, Any]]:
    """Per category id: its score in the last mock that asked it, with that mock's day."""
    out: dict[str, dict[str, Any]] = {}
    for m in past:
        for cat, score in m.category_scores().items():
            out[cat] = {"score": score, "day": m.day, "mock_id": m.mock_id}
    return out
