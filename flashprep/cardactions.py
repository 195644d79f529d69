"""Card actions: suspend, unsuspend, bury, forget and undo, as history events.

Nothing here rewrites the log. `undo_last` finds the last answer that is not already
undone by reading the log backwards, and records the card's state from before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flashprep import schedule
from flashprep.cardmodel import Collection, did_you_mean
from flashprep.errors import InputError, UnknownCardError
from flashprep.events import Kind
from flashprep.schedule import NEW_CARD, CardState

# ----------------------------------------------------------------- history actions

SUSPEND, UNSUSPEND, BURY, FORGET, UNDO = (
    Kind.SUSPEND,
    Kind.UNSUSPEND,
    Kind.BURY,
    Kind.FORGET,
    Kind.UNDO,
)
ACTIONS = (SUSPEND, UNSUSPEND, BURY, FORGET)
RESCHEDULE = "reschedule"  # a mock interview brought the card forward (flashprep.mock)


def apply_action(state: CardState, action: str, day: date) -> CardState:
    if action == SUSPEND:
        return schedule.suspend(state)
    if action == UNSUSPEND:
        return schedule.unsuspend(state)
    if action == BURY:
        return schedule.bury(state, day)
    if action == FORGET:
        return schedule.forget(state)
    raise ValueError(f"unknown action {action!r}")


def _unchanged_reason(state: CardState, action: str, day: date) -> str | None:
    """Why `action` would change nothing (then no event is written)."""
    if action == SUSPEND and state.suspended:
        return "already suspended"
    if action == UNSUSPEND and not state.suspended:
        return "not suspended"
    if action == BURY and state.is_buried(day):
        return "already buried until " + str(state.buried_until)
    if action == FORGET and state == schedule.forget(state):
        return "already new"
    return None


def resolve_ids(col: Collection, ids: Sequence[str]) -> list[str]:
    """The given ids, each checked and only once; the first unknown one is an error."""
    out: list[str] = []
    for card_id in ids:
        if card_id not in col.cards:
            raise UnknownCardError(f"no card {card_id!r}" + did_you_mean(card_id, col.cards))
        if card_id not in out:
            out.append(card_id)
    return out


def manage_cards(
    history: Any,
    col: Collection,
    ids: Sequence[str],
    action: str,
    moment: datetime,
    day: date,
) -> list[dict[str, Any]]:
    """Record `action` on each card (all ids are checked first; no-ops write nothing)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    wanted = resolve_ids(col, ids)
    results = []
    for card_id in wanted:
        before = history.state(card_id)
        reason = _unchanged_reason(before, action, day)
        if reason is not None:
            results.append(
                {"id": card_id, "changed": False, "reason": reason, "state": before.to_dict()}
            )
            continue
        after = apply_action(before, action, day)
        event = history.record(card_id, action, after, moment, day)
        results.append(
            {"id": card_id, "changed": True, "event": event["id"], "state": after.to_dict()}
        )
    return results


def _replay_after(state: CardState, later: Sequence[dict[str, Any]]) -> CardState:
    """Re-apply management actions taken on the card after the undone answer, and the
    due dates mock interviews brought forward (their `mock` events change no state)."""
    for e in later:
        if e["kind"] in ACTIONS:
            state = apply_action(state, e["kind"], date.fromisoformat(e["day"]))
        elif e["kind"] == RESCHEDULE:
            from flashprep.mock import reapply_reschedule

            state = reapply_reschedule(state, e)
    return state


def undo_last(history: Any, moment: datetime, day: date, *, record: bool = True) -> dict[str, Any]:
    """Revert the last answer (of any session) that is not undone yet, as an undo event.

    The card goes back to its state before that answer; suspend/unsuspend/bury/forget
    done to it since are applied again, so only the answer is taken back. Mock interview
    events are not answers: they are never the target, and a due date a mock brought
    forward after the answer stays brought forward. With
    `record=False` only the check runs (InputError when there is nothing to undo).
    """
    from flashprep.eventlog import iter_backwards
    from flashprep.events import ANSWER_KINDS

    undone: set[str] = set()
    seen: list[dict[str, Any]] = []  # events after the target, newest first
    events = iter_backwards(history.log_path, history.offset)
    target: dict[str, Any] | None = None
    for e in events:
        if e["kind"] == UNDO and isinstance(e.get("undoes"), str):
            undone.add(e["undoes"])
        if e["kind"] in ANSWER_KINDS and e["id"] not in undone:
            target = e
            break
        seen.append(e)
    if target is None:
        raise InputError("nothing to undo: the history has no answer that is not already undone")
    if not record:
        return {"card_id": target["card_id"]}
    card_id = target["card_id"]
    before = NEW_CARD
    for e in events:
        if e["card_id"] == card_id:
            before = CardState.from_dict(e["state"])
            break
    # Only actions still in force: a session's own undo may have taken a bury back.
    later = [e for e in reversed(seen) if e["card_id"] == card_id and e["id"] not in undone]
    state = _replay_after(before, later)
    event = history.record(card_id, UNDO, state, moment, day, undoes=target["id"])
    return {
        "card_id": card_id,
        "undone": {k: target[k] for k in ("id", "kind", "grade", "day", "ts") if k in target},
        "event": event["id"],
        "state": state.to_dict(),
    }
