"""Plain-text rendering for the commands that must start fast (status), and the
review's one-line messages (what an answer did, why there is nothing to review).

rich costs ~30 ms to import; `flashprep status` is run often enough (shell
prompts, scripts) that it prints an aligned plain table instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flashprep.report import StatusReport
    from flashprep.session import Session, Step


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> str:
    """An aligned text table; `align` has one of '<' or '>' per column (default: '<' then '>')."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    align = align or "<" + ">" * (len(headers) - 1)
    lines = []
    for n, r in enumerate(cells):
        lines.append(
            "  ".join(f"{c:{a}{w}}" for c, a, w in zip(r, align, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_status(report: StatusReport) -> str:
    rows = [
        (d["id"], d["due"], d["new"], d["redrill"])
        for d in report["decks"]
        if d["due"] or d["new"] or d["redrill"]
    ]
    out = [f"Study day {report['today']}"]
    iv = report.get("interview")
    if iv:
        left = iv["days_left"]
        minutes = (
            report["new"] * iv["new_card_seconds"]
            + report["due"] * iv["review_seconds"]
            + report["redrill"] * iv["review_seconds"]
        ) / 60
        out.append(
            f"Interview on {iv['date']}: {left} day{'s' if left != 1 else ''} left. "
            f"Today's plan: {report['new']} new, {report['due']} review(s), about "
            f"{minutes:.0f} of your {iv['minutes_per_day']} minutes."
        )
    if rows:
        rows.append(("total", report["due"], report["new"], report["redrill"]))
        out.append(table(("deck", "due", "new", "re-drill"), rows))
        out.append("Run `flashprep review` to start.")
    else:
        nxt = report["next_due"]
        out.append("Nothing due today." + (f" Next review due {nxt}." if nxt else ""))
    done = report["done_today"]
    if done["new"] or done["reviews"]:
        out.append(f"Done today: {done['reviews']} review(s), {done['new']} new card(s).")
    if rows and report["next_due"]:
        out.append(f"Next due after today: {report['next_due']}")
    return "\n".join(out)


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
            return text + (
                f"; next due {after.due} (in {_days(wait)}, before the interview; "
                f"SM-2's interval is {_days(after.interval)})"
            )
        return text + f"; next due {after.due} (in {_days(after.interval)})"
    return text + "; done for today"


def empty_message(session: Session, filtered: bool, drafts: int = 0) -> str:
    """The one line shown when there is nothing to review."""
    if not session.cards:
        if filtered:
            return (
                "No cards to review: no card matches --deck/--tag/--topic/--kind "
                "(see `flashprep decks`)."
            )
        if drafts:
            return (
                f"No cards to review: the loaded decks hold only {drafts} draft card(s) "
                "without an answer (`flashprep validate` lists them)."
            )
        return "No cards to review: no deck is loaded (see `flashprep decks`)."
    summary = session.summary()
    text = f"Nothing to review today ({summary.today})."
    held = session.held_back()
    if held["new"] or held["review"]:
        parts = []
        if held["review"]:
            parts.append(
                f"{held['review']} review(s) over the daily review limit "
                f"({session.reviews_per_day}; `--limit N` raises it)"
            )
        if held["new"]:
            parts.append(
                f"{held['new']} new card(s) over the daily new-card limit "
                f"({session.new_per_day}; `--new N` raises it)"
            )
        text += " Waiting: " + ", ".join(parts) + "."
    if summary.next_due:
        text += f" Next review due {summary.next_due}."
    elif not held["new"]:
        text += " No review is scheduled."
    return text
