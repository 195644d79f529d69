"""Plain-data reports behind the read-only commands (status, decks, show, validate).

Each function returns JSON-ready dicts; `--json` prints them as they are and the
UI renders them. Keeping the figures here means text and JSON never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypedDict

from flashprep import sm2
from flashprep.cardmodel import Card, Collection
from flashprep.history import History
from flashprep.queue import build_queue, day_counts, next_due
from flashprep.schedule import NEW, NEW_CARD, REDRILL, REVIEW, CardState
from flashprep.workspace import Workspace


class DeckToday(TypedDict):
    """One deck's line of `flashprep status`: what the queue holds today."""

    id: str
    name: str
    due: int
    new: int
    redrill: int


class InterviewToday(TypedDict):
    """Today's share of the interview plan, when an interview is ahead."""

    date: str  # ISO date
    days_left: int
    cutoff: str  # ISO date: every card introduced by then
    minutes_per_day: int
    new_per_day: int
    reviews_per_day: int
    new_card_seconds: float
    review_seconds: float


class StatusReport(TypedDict):
    """`flashprep status` (and `status --json`); flashprep.ui.text renders it."""

    today: str  # ISO date
    due: int
    new: int
    redrill: int
    total: int
    done_today: dict[str, int]  # new, reviews
    limits: dict[str, int]  # new_per_day, reviews_per_day
    interview: InterviewToday | None
    next_due: str | None
    decks: list[DeckToday]


def status_report(
    ws: Workspace, states: Mapping[str, CardState], history: History | None = None
) -> StatusReport:
    # Ids, decks and rows only: no card text and no CardState is needed to count.
    col = ws.collection
    cfg = ws.config
    today = ws.today()
    card_ids = col.select_ids()
    new_per_day, reviews_per_day = cfg.new_per_day, cfg.reviews_per_day
    plan: InterviewToday | None = None
    when = cfg.interview_date
    if when is not None and when > today and history is not None:
        # With an interview ahead, today's limits are the plan's, as `review` uses them.
        from flashprep.interview import cutoff_day
        from flashprep.plan import estimate_costs, recent_answers, todays_pace

        costs = estimate_costs(recent_answers(history.indexed()))
        pace = todays_pace(col, states, today, when, cfg.minutes_per_day, costs)
        new_per_day = pace.new_per_day
        reviews_per_day = min(cfg.reviews_per_day, pace.reviews_per_day)
        plan = {
            "date": when.isoformat(),
            "days_left": (when - today).days,
            "cutoff": cutoff_day(today, when).isoformat(),
            "minutes_per_day": cfg.minutes_per_day,
            "new_per_day": new_per_day,
            "reviews_per_day": reviews_per_day,
            "new_card_seconds": costs.new_seconds,
            "review_seconds": costs.review_seconds,
        }
    queue = build_queue(
        card_ids, states, today, new_per_day=new_per_day, reviews_per_day=reviews_per_day
    )
    per_deck: dict[str, dict[str, int]] = {d.id: {NEW: 0, REVIEW: 0, REDRILL: 0} for d in col.decks}
    for item in queue:
        per_deck[col.card_decks[item.card_id]][item.kind] += 1
    counts = day_counts(states, today)
    nxt = next_due(card_ids, states, today)
    totals = {k: sum(d[k] for d in per_deck.values()) for k in (NEW, REVIEW, REDRILL)}
    return {
        "today": today.isoformat(),
        "due": totals[REVIEW],
        "new": totals[NEW],
        "redrill": totals[REDRILL],
        "total": len(queue),
        "done_today": {"new": counts.new_today, "reviews": counts.reviews_today},
        "limits": {"new_per_day": new_per_day, "reviews_per_day": reviews_per_day},
        "interview": plan,
        "next_due": nxt.isoformat() if nxt else None,
        "decks": [
            {
                "id": d.id,
                "name": d.name,
                "due": per_deck[d.id][REVIEW],
                "new": per_deck[d.id][NEW],
                "redrill": per_deck[d.id][REDRILL],
            }
            for d in col.decks
            if d.card_ids  # a deck of checklist items only (no cards) is not listed
        ],
    }


def decks_report(ws: Workspace, states: Mapping[str, CardState]) -> list[dict[str, Any]]:
    col = ws.collection
    today = ws.today()
    rows = []
    for d in col.decks:
        if not d.card_ids:
            continue  # a deck of checklist items only (decks/checklist.toml) has no row
        # Ids only: counting needs no card text, and building every Card of a large
        # collection (col.cards) took longer than the rest of the command.
        live = [cid for cid in d.card_ids if cid not in col.drafts]
        st = [states.get(cid, NEW_CARD) for cid in live]
        rows.append(
            {
                "id": d.id,
                "name": d.name,
                "category": d.category,
                "source": d.source,
                "cards": len(live),
                "drafts": len(d.card_ids) - len(live),
                "new": sum(1 for s in st if s.is_new and not s.suspended),
                "due": sum(
                    1 for s in st if not s.suspended and (s.is_due(today) or s.needs_redrill(today))
                ),
                "mature": sum(1 for s in st if s.is_mature),
                "suspended": sum(1 for s in st if s.suspended),
                "path": d.path,
            }
        )
    return rows


# What `show` keeps of each event; mock interviews' events add their score and time,
# exercises their attempts.
SHOWN_EVENT_FIELDS = (
    "id",
    "ts",
    "day",
    "kind",
    "grade",
    "duration_ms",
    "undoes",
    "mock_id",
    "score",
    "seconds",
    "time_limit",
    "follow_up",
    # an exercise's grade and its attempts (events.Kind.ATTEMPT)
    "suggested",
    "attempts",
    "attempt",
    "outcome",
    "detail",
    "engine",
    "code",
)


def card_report(ws: Workspace, card: Card, history: History) -> dict[str, Any]:
    s = history.state(card.id)
    events = [{k: e[k] for k in SHOWN_EVENT_FIELDS if k in e} for e in history.card_events(card.id)]
    return {
        "id": card.id,
        "deck": card.deck,
        "topic": card.topic,
        "tags": list(card.tags),
        "front": card.front,
        "back": card.back,
        "key_points": list(card.key_points),
        "hint": card.hint,
        "time_limit": card.time_limit,
        "kind": card.kind,
        **(
            {
                "dataset": card.dataset,
                "solution": card.solution,
                "ordered": card.ordered,
                "tests": card.tests,
            }
            if card.is_exercise
            else {}
        ),
        "path": card.path,
        "line": card.line,
        "new": s.is_new,
        "ef": sm2.ef_float(s.ef),
        "interval": s.interval,
        "repetitions": s.repetitions,
        "due": s.due.isoformat() if s.due else None,
        "lapses": s.lapses,
        "reviews": s.reviews,
        "suspended": s.suspended,
        "buried_until": s.buried_until.isoformat() if s.buried_until else None,
        "leech": s.leech,
        "history": events,
    }


def validate_report(ws: Workspace, paths: Sequence[Path]) -> dict[str, Any]:
    """Every deck problem at once, plus the history's health."""
    from flashprep.decks import build_collection, check_files
    from flashprep.decksources import EXTRA, deck_sources, unique_sources
    from flashprep.errors import DeckError, FlashprepError
    from flashprep.eventlog import iter_events

    errors: list[str] = []
    warnings: list[str] = []
    if paths:
        sources: list[tuple[Path, str]] = []
        for p in paths:
            p = Path(p)
            if p.is_dir():
                sources.extend((f, EXTRA) for f in sorted(p.glob("*.toml")))
            elif p.is_file():
                sources.append((p, EXTRA))
            else:
                try:
                    p.stat()
                    reason = "not a deck file or a folder"  # a FIFO, a device...
                except OSError as exc:  # missing, a symlink loop, no permission
                    reason = (exc.strerror or str(exc)).lower()
                errors.append(f"{p}: {reason}")
        sources = unique_sources(sources)
    else:
        sources = deck_sources(ws.home, ws.deck_dirs)
    good, bad = check_files(sources)
    errors.extend(str(e) for e in bad)
    dup_errors: list[DeckError] = []
    col = build_collection(good, errors=dup_errors)
    errors.extend(str(e) for e in dup_errors)
    for c in col.cards.values():
        if c.draft:
            errors.append(
                f"{c.path}:{c.line}: card {c.id!r} is unanswered (draft = true, back empty)"
                if not c.back.strip()
                else f"{c.path}:{c.line}: card {c.id!r} is still a draft"
            )
    exercises = check_exercises(ws, col, errors, warnings)
    events = 0
    if not paths:
        orphans: dict[str, int] = {}
        try:
            for _, e in iter_events(ws.home / "reviews.jsonl"):
                events += 1
                if e["card_id"] not in col.cards:
                    orphans[e["card_id"]] = orphans.get(e["card_id"], 0) + 1
        except FlashprepError as exc:
            errors.append(str(exc))
        if orphans:
            names = ", ".join(sorted(orphans)[:5]) + (" ..." if len(orphans) > 5 else "")
            warnings.append(
                f"{sum(orphans.values())} history event(s) for {len(orphans)} card(s) that are "
                f"in no deck ({names}); they are kept and come back if the card does"
            )
    return {
        "ok": not errors,
        "files": len(sources),
        "cards": len(col.cards),
        "events": events,
        "exercises": exercises,
        "errors": errors,
        "warnings": warnings,
    }


def check_exercises(
    ws: Workspace, col: Collection, errors: list[str], warnings: list[str]
) -> dict[str, int]:
    """Run every exercise's reference solution against its own check (validate).

    SQL on SQLite, and on PostgreSQL too when postgres_dsn is set; Python against the
    card's tests. A deck file that may not run code (flashprep.trust) is only counted.
    """
    from flashprep.errors import ConfigError, FlashprepError

    cards = [c for c in col.cards.values() if c.is_exercise and not c.draft]
    counts = {"checked": 0, "failed": 0, "untrusted": 0}
    if not cards:
        return counts
    from flashprep.exercises.check import Checker
    from flashprep.trust import Trust

    cfg = ws.config
    checker = Checker(ws.home, cfg.sql_engine, cfg.postgres_dsn)
    engines = ("sqlite", "postgresql") if cfg.postgres_dsn else ("sqlite",)
    trust = Trust(ws.home, col)
    untrusted: dict[str, int] = {}
    for card in cards:
        if not trust.runs(card):
            untrusted[card.path] = untrusted.get(card.path, 0) + 1
            continue
        counts["checked"] += 1
        try:
            try:
                results = checker.check_reference(card, engines)
            except ConfigError as exc:  # PostgreSQL unreachable: say it once, go on without
                if "postgresql" not in engines:
                    raise
                errors.append(f"the solutions could not run on PostgreSQL: {exc}")
                engines = ("sqlite",)
                results = checker.check_reference(card, engines)
        except FlashprepError as exc:
            counts["failed"] += 1
            errors.append(f"card {card.id!r}: {exc}")
            continue
        bad = [(engine, o) for engine, o in results if not o.passed]
        if bad:
            counts["failed"] += 1
        for engine, o in bad:
            errors.append(
                f"{card.path}:{card.line}: card {card.id!r}: the reference solution "
                f"fails its own check on {engine}: {o.detail}"
            )
    for path, n in untrusted.items():
        counts["untrusted"] += n
        warnings.append(
            f"{path}: {n} exercise(s) not run: the file is not trusted to run "
            f"code (`flashprep trust {path}`)"
        )
    return counts
