"""The figures behind `flashprep stats`: heatmap, streaks, forecast, true retention, card states.

The figures are pure functions of (collection, log facts, states, today): nothing here reads
the clock or prints. `flashprep.readiness` reuses the per-card activity gathered here. The
only file written is an optional resume cache of the log pass (see "the resume cache").

Reading the history. Card states come from the history; per-day counts, retention and time
come from the index's `events` table (flashprep.index), which records for every event its
day, kind, grade, duration, the card's interval before it and whether an undo took it back:
each figure is one SQL aggregate, so no command reads the log itself.

Definitions (documented in the README too):

* An answer is an event of kind new, review or redrill. An answer undone by an `undo`
  event counts nowhere.
* Study day: the event's `day` (the local day after the rollover hour), never its `ts`.
* Heatmap: answers per study day over the 26 weeks ending today (whole weeks, Monday first).
* Streak: consecutive study days with at least one answer. The current streak ends today,
  or yesterday when nothing was answered yet today (the day is not over).
* Forecast: scheduled reviews per day for `days` days from today, from the cards' due
  dates as they stand (a buried card counts from the day it comes back); today includes
  what is overdue. Suspended, new and draft cards are left out, future answers are not
  simulated (as Anki's forecast).
* True retention (as Anki): the share of answers of kind "review" (not new cards, not
  same-day re-drills) graded >= 3 over the last `days` study days, split by the card's
  interval before the answer: young (< 21 days) and mature (>= 21).
* Card states partition the (non-draft) cards: suspended; else new (never answered);
  else learning/re-drill (waiting for a same-day re-drill, or its last scheduled answer
  failed so it starts over); else mature (interval >= 21) or young. Leeches are counted
  apart (a leech is usually suspended too).
* EF: mean and population standard deviation over the cards answered at least once.
* Time: the answers' durations over the window (total, per card answered in it, per
  answer), and the total over the whole history.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection as SizedSet
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from flashprep.cardmodel import Collection
from flashprep.events import ANSWER_KINDS
from flashprep.schedule import MATURE_DAYS, NEW_CARD, CardState

if TYPE_CHECKING:
    from flashprep.history import History
    from flashprep.index import Index

HEATMAP_WEEKS = 26
DEFAULT_DAYS = 30
_ANSWERS = "kind IN (" + ",".join(f"'{k}'" for k in sorted(ANSWER_KINDS)) + ") AND undone = 0"


@dataclass
class Activity:
    """What the history's answers add up to, for the cards in scope.

    `cards` holds, per card answered inside the window: [answers, duration_ms,
    young passed, young reviews, mature passed, mature reviews].
    """

    window: tuple[str, str]  # ISO study days, both ends included
    days: Counter[str] = field(default_factory=Counter)  # answers per study day (ISO)
    total_ms: int = 0  # time spent on every answer, all time
    cards: dict[str, list[int]] = field(default_factory=dict)


def activity(
    idx: Index, window: tuple[date, date], *, scope: SizedSet[str] | None = None
) -> Activity:
    """The answers in the index (undone ones count nowhere), for the cards in `scope`
    (all when None). Young and mature split by the card's interval before the answer."""
    act = Activity((window[0].isoformat(), window[1].isoformat()))
    where = _ANSWERS
    if scope is not None:
        idx.conn.execute("CREATE TEMP TABLE IF NOT EXISTS scope (card_id TEXT PRIMARY KEY)")
        idx.conn.execute("DELETE FROM temp.scope")
        idx.conn.executemany("INSERT OR IGNORE INTO temp.scope VALUES (?)", ((c,) for c in scope))
        where += " AND card_id IN (SELECT card_id FROM temp.scope)"
    for day, n, ms in idx.query(
        f"SELECT day, count(*), total(duration_ms) FROM events WHERE {where} GROUP BY day"
    ):
        act.days[day] = n
        act.total_ms += int(ms)
    young = f"kind = 'review' AND coalesce(prev_interval, 0) < {MATURE_DAYS}"
    mature = f"kind = 'review' AND prev_interval >= {MATURE_DAYS}"
    for cid, *figures in idx.query(
        f"SELECT card_id, count(*), total(duration_ms), total({young} AND grade >= 3), "
        f"total({young}), total({mature} AND grade >= 3), total({mature}) "
        f"FROM events WHERE {where} AND day BETWEEN ? AND ? GROUP BY card_id",
        act.window,
    ):
        act.cards[cid] = [int(v) for v in figures]
    return act


# ------------------------------------------------------------------ figures


def window(today: date, days: int) -> tuple[date, date]:
    """The last `days` study days, today included."""
    return today - timedelta(days=days - 1), today


def heatmap_start(today: date, weeks: int = HEATMAP_WEEKS) -> date:
    """The Monday that starts the first of `weeks` whole weeks ending with today's week."""
    return today - timedelta(days=today.weekday() + 7 * (weeks - 1))


def streaks(study_days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive study days."""
    days = sorted(set(study_days))
    longest = run = 0
    prev: date | None = None
    for d in days:
        run = run + 1 if prev is not None and d - prev == timedelta(days=1) else 1
        longest = max(longest, run)
        prev = d
    have = set(days)
    current = 0
    d = today if today in have else today - timedelta(days=1)
    while d in have:
        current += 1
        d -= timedelta(days=1)
    return current, longest


def rate(passed: int, total: int) -> dict[str, Any]:
    return {"passed": passed, "total": total, "rate": round(passed / total, 4) if total else None}


def card_bucket(s: CardState, today: date) -> str:
    """One of suspended, new, learning, young, mature (see the module docstring)."""
    if s.suspended:
        return "suspended"
    if s.is_new:
        return "new"
    if s.needs_redrill(today) or s.repetitions == 0:
        return "learning"
    return "mature" if s.is_mature else "young"


def activity_sums(act: Activity, card_ids: Iterable[str]) -> tuple[list[int], int]:
    """Window figures summed over `card_ids`: ([answers, duration_ms, young passed, young
    reviews, mature passed, mature reviews], cards answered)."""
    sums = [0, 0, 0, 0, 0, 0]
    studied = 0
    for cid in card_ids:
        r = act.cards.get(cid)
        if r is None or r[0] <= 0:
            continue
        studied += 1
        for i in range(6):
            sums[i] += r[i]
    return sums, studied


def retention_figures(ret: Sequence[int]) -> dict[str, Any]:
    return {
        "young": rate(ret[0], ret[1]),
        "mature": rate(ret[2], ret[3]),
        "all": rate(ret[0] + ret[2], ret[1] + ret[3]),
    }


def card_figures(
    cards: Sequence[str],
    states: Mapping[str, CardState],
    act: Activity,
    today: date,
    *,
    extra_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """Card states, EF, retention and time over the card ids `cards` (a deck or the whole
    selection).

    `extra_ids` are cards in no deck whose answers still count in retention and time.
    """
    counts = dict.fromkeys(("new", "learning", "young", "mature", "suspended"), 0)
    leeches = 0
    efs: list[int] = []
    for cid in cards:
        s = states.get(cid, NEW_CARD)
        counts[card_bucket(s, today)] += 1
        leeches += s.leech
        if not s.is_new:
            efs.append(s.ef)
    sums, studied = activity_sums(act, [*cards, *extra_ids])
    return {
        "cards": {"total": len(cards), **counts, "leeches": leeches},
        "ef": ef_figures(efs),
        "retention": retention_figures(sums[2:]),
        "time": time_figures(sums[1], sums[0], studied),
    }


def ef_figures(efs: Sequence[int]) -> dict[str, Any]:
    if not efs:
        return {"mean": None, "stdev": None, "cards": 0}
    return {
        "mean": round(statistics.fmean(efs) / 100, 2),
        "stdev": round(statistics.pstdev(efs) / 100, 2),
        "cards": len(efs),
    }


def time_figures(total_ms: int, answers: int, cards: int) -> dict[str, Any]:
    return {
        "total_ms": total_ms,
        "answers": answers,
        "cards": cards,
        "per_card_ms": round(total_ms / cards) if cards else 0,
        "per_answer_ms": round(total_ms / answers) if answers else 0,
    }


def forecast(
    cards: Sequence[str], states: Mapping[str, CardState], today: date, days: int
) -> dict[str, Any]:
    """Scheduled reviews falling due on each of `days` days from today (today with overdue)."""
    counts = [0] * days
    overdue = 0
    for cid in cards:
        s = states.get(cid)
        if s is None or s.due is None or s.suspended:
            continue
        due = s.due
        if s.buried_until is not None and due < s.buried_until:
            due = s.buried_until
        if due <= today and s.last_day == today:
            continue  # answered today (only possible when the log and state disagree)
        offset = (due - today).days
        if offset < 0:
            overdue += 1
            offset = 0
        if offset < days:
            counts[offset] += 1
    return {
        "start": today.isoformat(),
        "days": [
            {"day": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(counts)
        ],
        "overdue": overdue,
        "total": sum(counts),
    }


def compute(
    collection: Collection,
    act: Activity,
    states: Mapping[str, CardState],
    today: date,
    *,
    decks: Sequence[str] = (),
    days: int = DEFAULT_DAYS,
) -> dict[str, Any]:
    """Every figure of `flashprep stats`, JSON-ready. `act` was gathered with the same
    deck scope and window (see `stats_report` for the usual way in)."""
    # Card ids only (non-draft, in collection order): no Card object is needed to count.
    cards = collection.select_ids(decks)
    start = heatmap_start(today)
    span = (today - start).days + 1
    heat = [0] * span
    study: list[date] = []
    for iso, n in act.days.items():
        if n <= 0:
            continue
        try:
            d = date.fromisoformat(iso)
        except ValueError:
            continue  # not a date: the history's own checks report such a line
        study.append(d)
        if start <= d <= today:
            heat[(d - start).days] += n
    current, longest = streaks(study, today)
    # Answers of cards that are in no deck any more still happened: without --deck they
    # count in the activity figures (time, retention), never in the card states.
    orphans = [] if decks else [cid for cid in act.cards if cid not in collection.card_decks]
    overall = card_figures(cards, states, act, today, extra_ids=orphans)
    by_deck: dict[str, list[str]] = {}
    for cid in cards:
        by_deck.setdefault(collection.card_decks[cid], []).append(cid)
    per_deck = []
    for deck in collection.decks:
        if deck.id in by_deck:
            per_deck.append(
                {
                    "id": deck.id,
                    "name": deck.name,
                    **card_figures(by_deck[deck.id], states, act, today),
                }
            )
    answers = sum(n for n in act.days.values() if n > 0)
    return {
        "today": today.isoformat(),
        "decks": list(decks),
        "days": days,
        "answers": answers,
        "empty": answers == 0,
        "heatmap": {
            "start": start.isoformat(),
            "end": today.isoformat(),
            "weeks": HEATMAP_WEEKS,
            "counts": heat,
            "max": max(heat),
            "total": sum(heat),
        },
        "streak": {
            "current": current,
            "longest": longest,
            "study_days": len(study),
            "studied_today": today in set(study),
        },
        "forecast": forecast(cards, states, today, days),
        "retention": {
            "days": days,
            "since": window(today, days)[0].isoformat(),
            **overall["retention"],
        },
        "cards": overall["cards"],
        "ef": overall["ef"],
        "time": {"days": days, **overall["time"], "all_time_ms": act.total_ms},
        "per_deck": per_deck,
    }


def heat_level(count: int, peak: int) -> int:
    """A heatmap shade, as GitHub draws it: 0 for no answers, else 1-4 by quarter of the
    busiest day."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, -(-4 * count // peak))


def percent(value: float | None) -> str:
    """A rate as the text and HTML reports show it: 71.4%, or - when there is none."""
    return "-" if value is None else f"{100 * value:.1f}%"


def retention_text(r: Mapping[str, Any]) -> str:
    """A `rate` dict as the reports show it: 71.4% (5/7), or - without answers."""
    return f"{percent(r['rate'])} ({r['passed']}/{r['total']})" if r["total"] else "-"


def stats_report(
    collection: Collection,
    history: History,
    today: date,
    *,
    decks: Sequence[str] = (),
    days: int = DEFAULT_DAYS,
) -> dict[str, Any]:
    """Every figure, from the history's index (the CLI's way in)."""
    for d in decks:
        collection.deck(d)  # an unknown deck id is an error before any work
    scope = None
    if decks:
        wanted = set(decks)
        scope = {cid for cid, deck in collection.card_decks.items() if deck in wanted}
    act = activity(history.indexed(), window(today, days), scope=scope)
    return compute(collection, act, history.states, today, decks=decks, days=days)
