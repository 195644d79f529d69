"""Interview readiness: per must-know category and per checklist item, how ready you are.

Pure: figures come from (collection, activity, states, today); `flashprep.stats` gathers the
activity from the log. Rows:

* one per must-know category of the syllabus (Python, FastAPI, Database, Auth, System
  Design, API Design, DevOps): the cards carrying that category's tag slug;
* one per checklist item of the loaded decks (`[[checklist]]` tables: the bundled
  decks/checklist.toml holds the syllabus's "Interview Readiness Checklist", and a user
  deck can add its own): the cards whose `topic` is in the item's `topics` or that carry
  any of its `tags`.

Each category row also shows its score in the last mock interview that asked it
(`flashprep mock`; None before any), apart from the formula.

Draft cards never count. For the cards of a row:

    seen      = share of the cards answered at least once (not new)
    mature    = share of the cards with an interval of 21 days or more
    retention = true retention over the last 30 days: review answers (not new cards, not
                same-day re-drills, not undone) graded >= 3, over all review answers;
                0 while there is no review answer in the window yet
    readiness = 0.2 * seen + 0.5 * mature + 0.3 * retention

Seeing a card once is the least of it; an interval of three weeks (mature, as Anki calls
it) means it was recalled several times over growing gaps, which is what lasts until an
interview; retention says whether the recent answers were right. A row is 100% when every
card is mature and every recent review was passed.

The overall figure is the same formula over every card of any row. The weakest topics are
the card `topic`s (within those cards) with the lowest readiness, ties in deck order; the
review command selects each with its most specific tag (see `topic_tag`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flashprep.cardmodel import Card, Collection
from flashprep.clock import future_day
from flashprep.schedule import NEW_CARD, CardState
from flashprep.stats import Activity, activity_sums, rate

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("python", "Python"),
    ("fastapi", "FastAPI"),
    ("database", "Database"),
    ("auth", "Auth"),
    ("system-design", "System Design"),
    ("api-design", "API Design"),
    ("devops", "DevOps"),
)
WEIGHTS = {"seen": 0.2, "mature": 0.5, "retention": 0.3}
FORMULA = "readiness = 0.2 x seen + 0.5 x mature + 0.3 x retention (30 days)"
WINDOW_DAYS = 30
WEAKEST = 3


def score(seen: float, mature: float, retention: float | None) -> float:
    """The readiness formula (shares in 0..1; unknown retention counts as 0)."""
    value = (
        WEIGHTS["seen"] * seen
        + WEIGHTS["mature"] * mature
        + WEIGHTS["retention"] * (retention or 0.0)
    )
    return round(value, 4)


def figures(
    cards: Sequence[Card], states: Mapping[str, CardState], act: Activity
) -> dict[str, Any]:
    """seen, mature, retention and readiness over `cards`."""
    seen = mature = 0
    for c in cards:
        s = states.get(c.id, NEW_CARD)
        if not s.is_new:
            seen += 1
            mature += s.is_mature
    n = len(cards)
    sums, _ = activity_sums(act, (c.id for c in cards))
    ret = rate(sums[2] + sums[4], sums[3] + sums[5])
    seen_share = round(seen / n, 4) if n else 0.0
    mature_share = round(mature / n, 4) if n else 0.0
    return {
        "cards": n,
        "seen": seen,
        "mature": mature,
        "seen_share": seen_share,
        "mature_share": mature_share,
        "retention": ret,
        "readiness": score(seen_share, mature_share, ret["rate"]) if n else 0.0,
    }


def category_cards(collection: Collection, tag: str) -> list[Card]:
    return [c for c in collection.cards.values() if not c.draft and tag in c.tags]


def item_cards(collection: Collection, topics: Iterable[str], tags: Iterable[str]) -> list[Card]:
    topic_set, tag_set = set(topics), set(tags)
    return [
        c
        for c in collection.cards.values()
        if not c.draft and (c.topic in topic_set or not tag_set.isdisjoint(c.tags))
    ]


def topic_tag(cards: Sequence[Card], tag_counts: Mapping[str, int]) -> str | None:
    """The tag that best selects `cards` (one topic) for `review --tag`.

    Among the tags every card carries, the one on the fewest cards of the collection (the
    most specific: "oauth2" rather than "auth"); if the cards share no tag, the tag on most
    of them, then the most specific. Ties go alphabetically. None when no card has a tag.
    """
    if not cards:
        return None
    cover = Counter(t for c in cards for t in set(c.tags))
    if not cover:
        return None
    return min(cover, key=lambda t: (-cover[t], tag_counts.get(t, 0), t))


def parse_target(value: str, today: date) -> date:
    return future_day(value, today, "--target-date")


def target_plan(
    cards: Sequence[Card],
    states: Mapping[str, CardState],
    today: date,
    target: date,
    new_per_day: int,
) -> dict[str, Any]:
    """New cards a day needed to have seen every card of `cards` before `target`.

    The study days left are today up to the day before the interview. Suspended cards are
    left out (they never come up).
    """
    unseen = sum(1 for c in cards if (s := states.get(c.id, NEW_CARD)).is_new and not s.suspended)
    days_left = (target - today).days
    needed = math.ceil(unseen / days_left)
    if unseen == 0:
        finish: date | None = today
    elif new_per_day > 0:
        finish = today + timedelta(days=math.ceil(unseen / new_per_day) - 1)
    else:
        finish = None
    return {
        "date": target.isoformat(),
        "days_left": days_left,
        "unseen": unseen,
        "new_per_day_needed": needed,
        "new_per_day": new_per_day,
        "enough": new_per_day >= needed,
        "all_seen_on": finish.isoformat() if finish else None,
    }


def readiness_report(
    collection: Collection,
    act: Activity,
    states: Mapping[str, CardState],
    today: date,
    *,
    new_per_day: int = 20,
    target: date | None = None,
    last_mock: Mapping[str, Mapping[str, Any]] | None = None,
    interview: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Every figure of `flashprep readiness`, JSON-ready. `act` covers the last
    WINDOW_DAYS study days and every card. `last_mock` is each category's score in the
    last mock interview that asked it (flashprep.mock.last_by_category), shown beside it;
    `interview` is the recall forecast for the interview day when a date is set
    (flashprep.forecast), kept as it is."""
    categories = []
    scope: dict[str, Card] = {}
    mocks = last_mock or {}
    for tag, name in CATEGORIES:
        cards = category_cards(collection, tag)
        scope.update((c.id, c) for c in cards)
        categories.append(
            {
                "id": tag,
                "name": name,
                "tags": [tag],
                **figures(cards, states, act),
                "last_mock": dict(mocks[tag]) if tag in mocks else None,
            }
        )
    checklist = []
    for item in collection.checklist:
        cards = item_cards(collection, item.topics, item.tags)
        scope.update((c.id, c) for c in cards)
        checklist.append(
            {
                "id": item.id,
                "item": item.item,
                "deck": item.deck,
                "topics": list(item.topics),
                "tags": list(item.tags),
                **figures(cards, states, act),
            }
        )
    # Keep collection order, so ties among topics fall in deck order.
    in_scope = [c for c in collection.cards.values() if c.id in scope]
    by_topic: dict[str, list[Card]] = {}
    for c in in_scope:
        if c.topic:
            by_topic.setdefault(c.topic, []).append(c)
    tag_counts = Counter(t for c in collection.cards.values() if not c.draft for t in c.tags)
    ranked = []
    for order, (topic, cards) in enumerate(by_topic.items()):
        f = figures(cards, states, act)
        ranked.append((f["readiness"], order, topic, cards, f))
    ranked.sort(key=lambda r: (r[0], r[1]))
    weakest: list[dict[str, Any]] = []
    for readiness, _, topic, cards, f in ranked:
        if len(weakest) == WEAKEST or readiness >= 1.0:
            break
        best_tag = topic_tag(cards, tag_counts)
        weakest.append(
            {
                "topic": topic,
                "deck": cards[0].deck,
                "tag": best_tag,
                "cards": f["cards"],
                "seen_share": f["seen_share"],
                "mature_share": f["mature_share"],
                "readiness": readiness,
            }
        )
    # --topic selects exactly the weak topics' cards; a shared tag is often broader.
    command = (
        "flashprep review " + " ".join(f"--topic {w['topic']}" for w in weakest)
        if weakest
        else None
    )
    return {
        "today": today.isoformat(),
        "window_days": WINDOW_DAYS,
        "formula": FORMULA,
        "overall": figures(in_scope, states, act),
        "categories": categories,
        "checklist": checklist,
        "weakest": weakest,
        "review_command": command,
        "target": (
            target_plan(in_scope, states, today, target, new_per_day)
            if target is not None
            else None
        ),
        "interview": interview,
    }
