"""`flashprep plan`: the interview plan of one home, as plain data.

The rules are in flashprep.interview (pure); this module gathers what they need:

* the syllabus order of the cards. decks/syllabus.md's "Weekly Schedule Summary" lists
  the weeks; each `## Phase N: ... (Week a-b)` heading gives the weeks of a phase, and a
  week belongs to the latest phase that has begun by then (week 2 is SQL, not Python).
  A deck belongs to the phase of its `phase-N` tag; a deck without one, to the phase of
  the last phased deck before it by `order`. Decks come in phase order, then by `order`;
  a user's deck without an `order` of its own comes after the bundled ones.
* the user's answers (`card_answers`: the log's answers, less undone ones, from the last
  `forget` of each card on; the forecast reads them), and from the recent ones
  (`recent_answers`, the log's last megabyte) the time a new card and a review take
  (`estimate_costs`: the mean over study days of the time a card's answers took that
  day, each answer counted at most 5 minutes, once the log holds interview.MIN_TIMED
  answers with a duration; the defaults before). A mean, not a median: the budget is a
  sum of answer times, and the slow days are part of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flashprep import interview
from flashprep.cardmodel import Collection, Deck
from flashprep.decksources import BUNDLED, bundled_dir
from flashprep.schedule import ANSWER_KINDS, NEW, NEW_CARD, REVIEW, CardState

if TYPE_CHECKING:
    from flashprep.index import Index
    from flashprep.workspace import Workspace

DEFAULT_ORDER = 1000  # what deckschema gives a deck without an `order`
MAX_ANSWER_MS = 5 * 60 * 1000  # longer than this, the user walked away: counted as this
_PHASE_RE = re.compile(r"^##\s*Phase\s+(\d+)\s*:\s*(.*?)\s*\(Weeks?\s*(\d+)\s*[-–]\s*(\d+)\)")
_WEEK_RE = re.compile(r"^\s*Week\s+(\d+)\s*(?:→|->|-|:)\s*(.+?)\s*$")


@dataclass(frozen=True)
class Phase:
    number: int
    title: str
    first_week: int
    last_week: int


@dataclass(frozen=True)
class Week:
    week: int
    text: str
    phase: int | None


def parse_syllabus(text: str) -> tuple[list[Phase], list[Week]]:
    """The phases (with their weeks) and the weekly summary of a syllabus."""
    phases: list[Phase] = []
    summary: list[tuple[int, str]] = []
    in_summary = in_block = False
    for line in text.splitlines():
        if line.startswith("## "):
            in_summary = "weekly schedule summary" in line.lower()
            m = _PHASE_RE.match(line)
            if m:
                title = m.group(2).replace("⭐", "").strip()
                phases.append(Phase(int(m.group(1)), title, int(m.group(3)), int(m.group(4))))
            continue
        if in_summary:
            if line.strip().startswith("```"):
                in_block = not in_block
                continue
            m = _WEEK_RE.match(line)
            if m and in_block:
                summary.append((int(m.group(1)), m.group(2)))
    weeks = []
    for number, what in summary:
        started = [p for p in phases if p.first_week <= number <= p.last_week]
        weeks.append(
            Week(number, what, max(started, key=lambda p: p.first_week).number if started else None)
        )
    return phases, weeks


def bundled_syllabus() -> tuple[list[Phase], list[Week]]:
    path = bundled_dir() / "syllabus.md"
    try:
        return parse_syllabus(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return [], []


def deck_phases(decks: Sequence[Deck]) -> dict[str, int | None]:
    """Each deck's phase: its `phase-N` tag, or that of the last phased deck before it."""
    tagged: dict[str, int | None] = {}
    for d in decks:
        nums = [int(t[6:]) for t in d.tags if re.fullmatch(r"phase-\d+", t)]
        tagged[d.id] = min(nums) if nums else None
    by_order = sorted(
        (d for d in decks if d.order is not None and d.order != DEFAULT_ORDER),
        key=lambda d: d.order or 0,
    )
    out: dict[str, int | None] = {}
    last: int | None = None
    for d in by_order:
        last = tagged[d.id] if tagged[d.id] is not None else last
        out[d.id] = tagged[d.id] if tagged[d.id] is not None else last
    for d in decks:
        out.setdefault(d.id, tagged[d.id])
    return out


def syllabus_decks(collection: Collection) -> list[Deck]:
    """The decks with cards, in the order the plan introduces them (see the module)."""
    decks = [d for d in collection.decks if d.card_ids]
    phases = deck_phases(decks)
    position = {d.id: n for n, d in enumerate(decks)}

    def key(d: Deck) -> tuple[int, int, int, int]:
        explicit = d.order is not None and d.order != DEFAULT_ORDER
        placed = d.source == BUNDLED or explicit
        phase = phases[d.id]
        return (
            0 if placed else 1,
            phase if phase is not None else 99,
            d.order if explicit and d.order is not None else DEFAULT_ORDER,
            position[d.id],
        )

    return sorted(decks, key=key)


def syllabus_order(collection: Collection) -> list[str]:
    """Every live card id (no drafts), deck by deck in syllabus order."""
    return [
        cid
        for d in syllabus_decks(collection)
        for cid in d.card_ids
        if cid not in collection.drafts
    ]


def syllabus_weeks(collection: Collection) -> list[dict[str, Any]]:
    """The syllabus's weeks with their phase and decks; a phase's decks are shared out
    over its weeks in order, by card count."""
    _, weeks = bundled_syllabus()
    decks = syllabus_decks(collection)
    phases = deck_phases(decks)
    out = []
    for w in weeks:
        share = [d for d in decks if phases[d.id] is not None and phases[d.id] == w.phase]
        own = [x.week for x in weeks if x.phase == w.phase]
        i, n = own.index(w.week), len(own)
        total = sum(len(d.card_ids) for d in share) or 1
        picked, acc = [], 0
        for d in share:
            middle = (acc + len(d.card_ids) / 2) / total  # where the deck's middle falls
            acc += len(d.card_ids)
            if i / n <= middle < (i + 1) / n:
                picked.append(d.id)
        out.append({"week": w.week, "what": w.text, "phase": w.phase, "decks": picked})
    return out


# ---------------------------------------------------------------- the user's answers


@dataclass(frozen=True)
class Answer:
    day: date
    kind: str  # new, review or redrill
    grade: int
    duration_ms: int | None = None


_ANSWER_COLUMNS = "card_id, kind, day, grade, duration_ms"


def _answer(kind: str, day: str, grade: int, ms: int | None) -> Answer:
    return Answer(date.fromisoformat(day), kind, grade, ms)


def card_answers(idx: Index) -> dict[str, list[Answer]]:
    """Every card's answers in log order, from the history's index: undone answers left
    out, and only those after the card's last `forget` that no undo took back."""
    marks = ",".join(f"'{k}'" for k in sorted(ANSWER_KINDS))
    per: dict[str, list[Answer]] = {}
    for cid, kind, day, grade, ms in idx.query(
        f"SELECT {_ANSWER_COLUMNS} FROM events WHERE undone = 0 "
        f"AND kind IN ({marks}, 'forget') ORDER BY line"
    ):
        if kind == "forget":
            per.pop(cid, None)
        else:
            per.setdefault(cid, []).append(_answer(kind, day, grade, ms))
    return per


RECENT_ANSWERS = 3000  # the answers `recent_answers` reads: the user's present pace


def recent_answers(idx: Index, limit: int = RECENT_ANSWERS) -> dict[str, list[Answer]]:
    """The last `limit` answers (undone ones left out), for the answer times that `status`
    and `review` pace by: the user's present pace is the one to plan with."""
    marks = ",".join(f"'{k}'" for k in sorted(ANSWER_KINDS))
    out: dict[str, list[Answer]] = {}
    rows = idx.query(
        f"SELECT {_ANSWER_COLUMNS} FROM events WHERE undone = 0 AND kind IN ({marks}) "
        "ORDER BY line DESC LIMIT ?",
        (limit,),
    )
    for cid, kind, day, grade, ms in reversed(rows):
        out.setdefault(cid, []).append(_answer(kind, day, grade, ms))
    return out


def estimate_costs(answers: Mapping[str, Sequence[Answer]]) -> interview.Costs:
    """Seconds for a new card and for a review from the user's timed answers."""
    timed = sum(1 for a in (x for xs in answers.values() for x in xs) if a.duration_ms is not None)
    if timed < interview.MIN_TIMED:
        return interview.Costs(timed_answers=timed)
    spent: dict[str, list[float]] = {NEW: [], REVIEW: []}
    for xs in answers.values():
        days: dict[date, tuple[str, float]] = {}
        for a in xs:
            ms = min(a.duration_ms, MAX_ANSWER_MS) if a.duration_ms is not None else None
            if a.kind in (NEW, REVIEW):
                days[a.day] = (a.kind, (ms or 0) / 1000 if ms is not None else -1.0)
            elif a.day in days and ms is not None and days[a.day][1] >= 0:
                kind, sec = days[a.day]
                days[a.day] = (kind, sec + ms / 1000)
        for kind, sec in days.values():
            if sec >= 0:
                spent[kind].append(sec)

    def mean(xs: list[float], default: float) -> float:
        return round(sum(xs) / len(xs), 1) if len(xs) >= 5 else default

    return interview.Costs(
        new_seconds=mean(spent[NEW], interview.DEFAULT_NEW_SECONDS),
        review_seconds=mean(spent[REVIEW], interview.DEFAULT_REVIEW_SECONDS),
        timed_answers=timed,
        estimated=True,
    )


# ---------------------------------------------------------------- today's pace


def introduced_on(states: Mapping[str, CardState], ids: Sequence[str], day: date) -> int:
    return sum(
        1
        for cid in ids
        if (s := states.get(cid)) is not None and s.introduced == day and not s.is_new
    )


def unseen(states: Mapping[str, CardState], ids: Sequence[str]) -> list[str]:
    return [cid for cid in ids if (s := states.get(cid, NEW_CARD)).is_new and not s.suspended]


@dataclass(frozen=True)
class Pace:
    """What `review` uses while a date is set."""

    new_per_day: int
    reviews_per_day: int


def todays_pace(
    collection: Collection,
    states: Mapping[str, CardState],
    today: date,
    when: date,
    minutes: int,
    costs: interview.Costs,
) -> Pace:
    ids = syllabus_order(collection)
    done = introduced_on(states, ids, today)
    rate = interview.new_today(len(unseen(states, ids)), done, today, when)
    return Pace(rate, interview.review_room(minutes, costs, rate))


# ---------------------------------------------------------------- the report


def plan_report(
    collection: Collection,
    states: Mapping[str, CardState],
    idx: Index,
    today: date,
    when: date,
    minutes: int,
    *,
    forecast: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything `flashprep plan` shows, JSON-ready (see README, "Interview day")."""
    costs = estimate_costs(recent_answers(idx))  # the pace status and review use
    order = syllabus_order(collection)
    live = [c for c in order if not states.get(c, NEW_CARD).suspended]
    done = introduced_on(states, order, today)
    days = (
        interview.project(order, states, today, when, minutes, costs, introduced_today=done)
        if today < when
        else []
    )
    result = interview.check(days, live, when, minutes)
    feasible = result.feasible and today < when
    cutoff = interview.cutoff_day(today, when)
    report: dict[str, Any] = {
        "interview_date": when.isoformat(),
        "today": today.isoformat(),
        "days_left": (when - today).days,
        "minutes_per_day": minutes,
        "new_per_day": interview.new_today(len(unseen(states, order)), done, today, when),
        "reviews_per_day": interview.review_room(minutes, costs, days[0].new if days else 0),
        "cutoff": cutoff.isoformat(),
        "cutoff_days": interview.CUTOFF_DAYS,
        "cards": len(live),
        "unseen": len(unseen(states, order)),
        "feasible": feasible,
        "problems": {
            "over_budget_days": result.over_budget,
            "most_reviews_waiting": result.backlog,
            "not_reviewed_in_final_window": result.missed,
        },
        "costs": {
            "new_card_seconds": costs.new_seconds,
            "review_seconds": costs.review_seconds,
            "timed_answers": costs.timed_answers,
            "from_history": costs.estimated,
        },
        "weeks": interview.weeks(days, collection.card_decks),
        "daily": [d.to_dict() for d in days],
        "syllabus": syllabus_weeks(collection),
        "fits": None,
        "forecast": forecast,
    }
    if not feasible and today < when:
        report["fits"] = interview.suggestions(
            order, collection.card_decks, states, today, when, minutes, costs, introduced_today=done
        ).to_dict()
    return report


def interview_ahead(ws: Workspace) -> date | None:
    """The configured interview date if it is still ahead (today counts as past)."""
    when = ws.config.interview_date
    return when if when is not None and when > ws.today() else None
