"""Plain-data reports behind the read-only commands (status, decks, show, validate).

Each function returns JSON-ready dicts; `--json` prints them as they are and the
UI renders them. Keeping the figures here means text and JSON never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from flashprep import sm2
from flashprep.decks import Card
from flashprep.history import History
from flashprep.queue import build_queue, day_counts, next_due
from flashprep.schedule import NEW, NEW_CARD, REDRILL, REVIEW, CardState
from flashprep.workspace import Workspace


def status_report(
    ws: Workspace, states: Mapping[str, CardState], log_path: Path | None = None
) -> dict[str, Any]:
    # Ids, decks and rows only: no card text and no CardState is needed to count.
    col = ws.collection
    cfg = ws.config
    today = ws.today()
    card_ids = col.select_ids()
    new_per_day, reviews_per_day = cfg.new_per_day, cfg.reviews_per_day
    plan: dict[str, Any] | None = None
    when = cfg.interview_date
    if when is not None and when > today and log_path is not None:
        # With an interview ahead, today's limits are the plan's, as `review` uses them.
        from flashprep.interview import cutoff_day
        from flashprep.plan import estimate_costs, recent_answers, todays_pace

        costs = estimate_costs(recent_answers(log_path))
        pace = todays_pace(col, states, today, when, cfg.minutes_per_day, costs)
        new_per_day = pace.new_per_day
        reviews_per_day = min(cfg.reviews_per_day, pace.reviews_per_day)
        plan = {"date": when.isoformat(), "days_left": (when - today).days,
                "cutoff": cutoff_day(today, when).isoformat(),
                "minutes_per_day": cfg.minutes_per_day,
                "new_per_day": new_per_day, "reviews_per_day": reviews_per_day,
                "new_card_seconds": costs.new_seconds, "review_seconds": costs.review_seconds}
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


def card_report(ws: Workspace, card: Card, history: History) -> dict[str, Any]:
    from flashprep.history import card_events

    s = history.state(card.id)
    events = [
        {k: e[k] for k in ("id", "ts", "day", "kind", "grade", "duration_ms") if k in e}
        for e in card_events(history.log_path, card.id)
    ]
    return {
        "id": card.id,
        "deck": card.deck,
        "topic": card.topic,
        "tags": list(card.tags),
        "front": card.front,
        "back": card.back,
        "key_points": list(card.key_points),
        "hint": card.hint,
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
    from flashprep.decks import EXTRA, build_collection, check_files, deck_sources, unique_sources
    from flashprep.errors import DeckError, FlashprepError
    from flashprep.history import iter_events

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
        "errors": errors,
        "warnings": warnings,
    }
