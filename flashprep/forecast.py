"""The recall forecast: the chance of recalling each card on the interview day.

Memory is modelled with FSRS-6 through `fsrs-rs-python` (the Rust FSRS, compiled; no
torch), imported only inside these functions so that no other command pays for it.
Each card's answers become an FSRS review sequence: grades 0-2 are Again, 3 Hard,
4 Good, 5 Easy, and each answer's delta_t is the study days since the one before (0
for a same-day re-drill and for the first answer). FSRS gives the card's stability S
after its last answer; t days later its recall probability is

    R(t) = (1 + factor * t / S) ** -decay,   decay = w[20],  factor = 0.9 ** (-1 / decay) - 1

so R is 0.9 when t = S, and it falls as t grows. A card never answered has 0.

Parameters: FSRS's defaults, until the history holds MIN_FIT_REVIEWS long-term reviews
(answers on a later day than the card's previous one: the only answers the optimizer
learns from). Then the parameters are fitted to the user's own history (fsrs-rs's
optimizer) and kept only if they predict that history better than the defaults do (a
lower log loss). Why 400: Anki asked for 400 reviews before it let FSRS fit
parameters, and the FSRS developers' measurements found ~200 reviews were needed before
fitted parameters predicted the next 1,000 well; with fewer, the fitted numbers follow
noise, and the defaults, fitted on millions of reviews, do better.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flashprep.plan import Answer, card_answers, interview_ahead

if TYPE_CHECKING:
    from flashprep.workspace import Workspace

MIN_FIT_REVIEWS = 400
RATING = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}  # grade -> FSRS rating (Again..Easy)
AT_RISK = 10


def rating(grade: int) -> int:
    return RATING[grade]


def reviews(answers: Sequence[Answer]) -> list[tuple[int, int]]:
    """(rating, delta_t) for each answer."""
    out: list[tuple[int, int]] = []
    last: date | None = None
    for a in answers:
        out.append((rating(a.grade), 0 if last is None else max(0, (a.day - last).days)))
        last = a.day
    return out


def default_parameters() -> list[float]:
    import fsrs_rs_python

    return list(fsrs_rs_python.DEFAULT_PARAMETERS)


def recall(stability: float, elapsed_days: float, parameters: Sequence[float]) -> float:
    """FSRS-6's forgetting curve."""
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * max(0.0, elapsed_days) / stability) ** -decay)


def _items(seqs: Sequence[list[tuple[int, int]]]) -> list[Any]:
    import fsrs_rs_python as f

    return [f.FSRSItem([f.FSRSReview(r, t) for r, t in seq]) for seq in seqs]


@dataclass(frozen=True)
class Fit:
    parameters: list[float]
    fitted: bool
    long_term_reviews: int
    reason: str


def fit_parameters(answers: Mapping[str, Sequence[Answer]]) -> Fit:
    """The parameters to forecast with (see the module)."""
    import fsrs_rs_python as f

    defaults = default_parameters()
    seqs = [reviews(xs) for xs in answers.values()]
    long_term = sum(1 for seq in seqs for _, t in seq[1:] if t > 0)
    if long_term < MIN_FIT_REVIEWS:
        return Fit(
            defaults,
            False,
            long_term,
            f"default parameters: {long_term} of the {MIN_FIT_REVIEWS} long-term "
            "reviews needed to fit your own",
        )
    # One training item per long-term review: the card's answers up to and including it.
    train = [seq[: i + 1] for seq in seqs for i in range(1, len(seq)) if seq[i][1] > 0]
    items = _items(train)
    try:
        fitted = list(f.FSRS(defaults).compute_parameters(items))
        mine = f.FSRS(fitted).evaluate(items).log_loss
        theirs = f.FSRS(defaults).evaluate(items).log_loss
    except Exception as exc:  # the optimizer refuses data it cannot learn from
        return Fit(defaults, False, long_term, f"default parameters (fitting failed: {exc})")
    if mine > theirs:
        return Fit(
            defaults,
            False,
            long_term,
            "default parameters (they predict your history better than fitted ones)",
        )
    return Fit(fitted, True, long_term, f"parameters fitted to your {long_term} long-term reviews")


def card_recall(
    answers: Mapping[str, Sequence[Answer]],
    card_ids: Sequence[str],
    on: date,
    parameters: Sequence[float],
) -> dict[str, float]:
    """Each card's recall probability on `on` (0 for a card never answered)."""
    import fsrs_rs_python as f

    model = f.FSRS(list(parameters))
    out: dict[str, float] = {}
    for cid in card_ids:
        xs = answers.get(cid)
        if not xs:
            out[cid] = 0.0
            continue
        state = model.memory_state(_items([reviews(xs)])[0])
        out[cid] = round(recall(state.stability, (on - xs[-1].day).days, parameters), 4)
    return out


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def forecast_report(
    collection: Any,
    answers: Mapping[str, Sequence[Answer]],
    on: date,
    *,
    categories: Sequence[tuple[str, str]] = (),
    checklist: Sequence[Any] = (),
) -> dict[str, Any]:
    """The forecast for the interview day `on`: mean, per must-know category (by tag) and
    per checklist item, and the cards most at risk, JSON-ready."""
    fit = fit_parameters(answers)
    live = [c for c in collection.card_decks if c not in collection.drafts]
    p = card_recall(answers, live, on, fit.parameters)
    cards = collection.cards
    by_category = {}
    for tag, _name in categories:
        ids = [c for c in live if tag in cards[c].tags]
        by_category[tag] = mean([p[c] for c in ids])
    by_item = {}
    for item in checklist:
        topics, tags = set(item.topics), set(item.tags)
        ids = [c for c in live if cards[c].topic in topics or not tags.isdisjoint(cards[c].tags)]
        by_item[item.id] = mean([p[c] for c in ids])
    seen = [c for c in live if answers.get(c)]
    risk = sorted(seen, key=lambda c: (p[c], c))[:AT_RISK]
    return {
        "date": on.isoformat(),
        "mean": mean([p[c] for c in live]),
        "mean_seen": mean([p[c] for c in seen]),
        "by_category": by_category,
        "by_checklist": by_item,
        "at_risk": [{"card": c, "deck": collection.card_decks[c], "p": p[c]} for c in risk],
        "parameters": "fitted" if fit.fitted else "default",
        "long_term_reviews": fit.long_term_reviews,
        "note": fit.reason,
    }


def interview_forecast(ws: Workspace, history: Any) -> dict[str, Any] | None:
    """The recall forecast for the interview day (readiness, stats --html), or None
    without a date ahead."""
    when = interview_ahead(ws)
    if when is None:
        return None
    from flashprep.readiness import CATEGORIES

    forecast = forecast_report(
        ws.collection,
        card_answers(history.indexed()),
        when,
        categories=CATEGORIES,
        checklist=ws.collection.checklist,
    )
    return {"days_left": (when - ws.today()).days, **forecast}
