"""flashprep.mock, the pure part of mock interviews: categories, the pool, weights and the
draw over fixed seeds, follow-ups, scoring, rescheduling and the reports."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from flashprep import mock
from flashprep.cardmodel import Card, Collection, Deck
from flashprep.errors import InputError
from flashprep.schedule import NEW_CARD, CardState

DAY = date(2026, 3, 10)


def card(cid: str, topic: str, tag: str, points: int = 4, **kw: Any) -> Card:
    return Card(
        id=cid,
        deck=tag,
        front=f"{cid}?",
        back="A",
        tags=(tag,),
        topic=topic,
        key_points=tuple(f"p{i}" for i in range(points)),
        **kw,
    )


def collection(cards: list[Card]) -> Collection:
    decks = {c.deck for c in cards}
    return Collection(
        decks=[Deck(d, d, mock.CATEGORY_NAMES.get(d, d), "", (), "", "bundled") for d in decks],
        card_decks={c.id: c.deck for c in cards},
        build_cards=lambda: {c.id: c for c in cards},
    )


def past(
    mock_id: str, scores: dict[str, float], day: str = "2026-03-01", category: str = "python"
) -> mock.PastMock:
    events = tuple(
        {
            "kind": "mock",
            "id": f"{mock_id}-{t}",
            "mock_id": mock_id,
            "card_id": t,
            "topic": t,
            "category": category,
            "score": s,
            "day": day,
            "ts": day + "T09:00:00Z",
            "seconds": 10,
            "time_limit": 180,
        }
        for t, s in scores.items()
    )
    return mock.PastMock(mock_id, day, day + "T09:00:00Z", events)


# ------------------------------------------------------------------ categories and pool


def test_categories_default_to_the_seven_and_accept_names() -> None:
    assert mock.resolve_categories([]) == [
        "python",
        "fastapi",
        "database",
        "auth",
        "system-design",
        "api-design",
        "devops",
    ]
    assert mock.resolve_categories(["System Design", "AUTH", "auth", "behavioral"]) == [
        "system-design",
        "auth",
        "behavioral",
    ]


def test_an_unknown_category_is_one_line() -> None:
    with pytest.raises(InputError) as exc:
        mock.resolve_categories(["pyhton"])
    assert str(exc.value) == (
        "no category 'pyhton' (did you mean 'python'?); choose from python, fastapi, database, "
        "auth, system-design, api-design, devops, behavioral"
    )


def test_pool_leaves_out_drafts_suspended_and_cards_without_key_points() -> None:
    cards = [
        card("a", "ta", "python"),
        card("a-2", "ta", "python"),
        card("b", "tb", "python", points=0),
        card("c", "tc", "python", draft=True),
        card("d", "td", "python"),
        card("e", "te", "docker"),
    ]
    states = {"d": CardState(suspended=True)}
    pool = mock.build_pool(collection(cards), states, ["python", "auth"])
    assert list(pool) == ["ta"]
    assert [c.id for c in pool["ta"].cards] == ["a", "a-2"] and pool["ta"].main.id == "a"


def test_a_card_is_asked_under_its_decks_category_first() -> None:
    c = Card(id="x", deck="auth", front="?", back="!", tags=("fastapi", "auth"), key_points=("k",))
    assert mock.card_category(c, "Auth", ["fastapi", "auth"]) == "auth"
    assert mock.card_category(c, "FastAPI Core", ["fastapi", "auth"]) == "fastapi"
    assert mock.card_category(c, "Auth", ["python"]) is None


# ------------------------------------------------------------------ weights and the draw


def test_weights_follow_the_formula() -> None:
    cards = [
        card("a", "a", "python"),
        card("b", "b", "python"),
        card("c", "c", "python"),
        card("d", "d", "python"),
    ]
    pool = mock.build_pool(collection(cards), {}, ["python"])
    states = {"c": CardState(due=DAY, lapses=9, reviews=3), "d": CardState(due=DAY)}
    history = [past("m1", {"a": 0.0}), past("m2", {"b": 1.0})]
    w = mock.topic_weights(pool, states, history)
    assert w["a"] == 3 * 0.5  # scored 0, asked one mock before the last
    assert w["b"] == 1 * 0.25  # scored 1.0 in the last mock
    assert w["c"] == 1 + 1 + 2  # never mocked (s = 0.5), lapses capped at 4
    assert w["d"] == 2  # reviewed once: not unseen
    assert mock.topic_weights(pool, {}, [])["d"] == 3  # unseen


def test_a_topic_scored_0_is_drawn_more_often_than_one_scored_1() -> None:
    topics = [f"t{i}" for i in range(6)]
    cards = [card(t, t, "python") for t in topics]
    pool = mock.build_pool(collection(cards), {}, ["python"])
    # Two old mocks (beyond the recency window) scored t0 at 0 and t1 at 1.0.
    history = [
        past("m1", {"t0": 0.0, "t1": 1.0}),
        past("m2", {"t2": 0.5}),
        past("m3", {"t3": 0.5}),
        past("m4", {"t4": 0.5}),
        past("m5", {"t5": 0.5}),
    ]
    weights = mock.topic_weights(pool, {}, history)
    counts: Counter[str] = Counter()
    for seed in range(400):
        counts.update(t.id for t in mock.draw(pool, weights, ["python"], 2, seed))
    assert counts["t0"] > 1.8 * counts["t1"], counts
    assert counts["t0"] > counts["t5"] > 0  # t5: the last mock's topic, drawn rarely


def test_draw_is_reproducible_takes_turns_and_never_repeats() -> None:
    cards = [card(f"p{i}", f"p{i}", "python") for i in range(5)]
    cards += [card(f"a{i}", f"a{i}", "auth") for i in range(2)]
    pool = mock.build_pool(collection(cards), {}, ["python", "auth"])
    weights = mock.topic_weights(pool, {}, [])
    one = mock.draw(pool, weights, ["python", "auth"], 6, seed=7)
    assert one == mock.draw(pool, weights, ["python", "auth"], 6, seed=7)
    cats = [t.category for t in one]
    assert sorted(cats[:4]) == ["auth", "auth", "python", "python"]  # turns while both last
    assert cats[4:] == ["python", "python"]
    assert len({t.id for t in one}) == 6
    assert len(mock.draw(pool, weights, ["python", "auth"], 50, seed=1)) == 7


# ------------------------------------------------------------------ follow-ups and scoring


def test_follow_up_skips_asked_and_prefers_the_least_asked() -> None:
    cards = [card("t", "t", "python"), card("t-2", "t", "python"), card("t-3", "t", "python")]
    topic = mock.build_pool(collection(cards), {}, ["python"])["t"]
    assert mock.follow_up(topic, {"t"}, []).id == "t-2"  # type: ignore[union-attr]
    assert mock.follow_up(topic, {"t"}, [past("m", {"t-2": 0.2})]).id == "t-3"  # type: ignore[union-attr]
    assert mock.follow_up(topic, {"t", "t-2", "t-3"}, []) is None


def test_score_over_time_and_the_follow_up_threshold() -> None:
    c = card("t", "t", "python", points=4, time_limit=90)
    topic = mock.Topic("t", "python", (c,))
    q = mock.question_for(c, topic, 3, 1)
    assert q.time_limit == 90  # the card's own limit wins over --minutes
    assert mock.question_for(card("u", "u", "python"), topic, 2.5, 1).time_limit == 150
    a = mock.Answer(q, (0, 1, 2), 90.0)
    assert (a.score, a.over_time, mock.needs_follow_up(a)) == (0.75, False, False)
    b = mock.Answer(q, (0, 2), 90.5)
    assert (b.score, b.over_time, mock.needs_follow_up(b)) == (0.5, True, True)
    f = mock.Answer(mock.question_for(c, topic, 3, 1, follow=True), (), 1.0)
    assert not mock.needs_follow_up(f)  # no follow-up to a follow-up


@pytest.mark.parametrize(
    "text, count, expected",
    [
        ("", 3, ()),
        ("all", 3, (0, 1, 2)),
        ("ALL", 2, (0, 1)),
        ("3 1", 3, (0, 2)),
        ("1,2 2", 3, (0, 1)),
    ],
)
def test_parse_covered(text: str, count: int, expected: tuple[int, ...]) -> None:
    assert mock.parse_covered(text, count) == expected


@pytest.mark.parametrize("text", ["0", "4", "x", "1 all", "-1"])
def test_parse_covered_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        mock.parse_covered(text, 3)


# ------------------------------------------------------------------ rescheduling


def test_bring_forward_moves_only_the_due_date() -> None:
    s = CardState(
        ef=260,
        interval=20,
        repetitions=4,
        due=DAY + timedelta(days=15),
        reviews=4,
        last_day=DAY - timedelta(days=5),
    )
    after = mock.bring_forward(s, DAY)
    assert after is not None and after.due == DAY + timedelta(days=1)
    assert (after.ef, after.interval, after.repetitions, after.reviews, after.last_day) == (
        s.ef,
        s.interval,
        s.repetitions,
        s.reviews,
        s.last_day,
    )
    assert mock.bring_forward(NEW_CARD, DAY) is None
    assert mock.bring_forward(CardState(due=DAY + timedelta(days=1)), DAY) is None
    assert mock.bring_forward(CardState(due=DAY + timedelta(days=9), suspended=True), DAY) is None


@given(st.integers(-30, 400), st.integers(0, 60), st.integers(0, 20))
def test_bring_forward_never_pushes_back_or_touches_sm2(
    offset: int, interval: int, reps: int
) -> None:
    s = CardState(interval=interval, repetitions=reps, due=DAY + timedelta(days=offset))
    after = mock.bring_forward(s, DAY)
    if after is None:
        assert s.due is not None and s.due <= DAY + timedelta(days=1)
    else:
        assert after.due == DAY + timedelta(days=1) < s.due  # type: ignore[operator]
        assert after == CardState(interval=interval, repetitions=reps, due=after.due)


def test_reschedule_rule_is_below_half() -> None:
    c = card("t", "t", "python", points=4)
    topic = mock.Topic("t", "python", (c,))
    q = mock.question_for(c, topic, 3, 1)
    answers = [mock.Answer(q, (0,), 1), mock.Answer(q, (0, 1), 1), mock.Answer(q, (), 1)]
    assert mock.to_reschedule(answers[:2]) == ["t"]
    assert mock.to_reschedule(answers[1:2]) == []  # exactly 50% stays


# ------------------------------------------------------------------ reports


def test_report_shape() -> None:
    a, a2, b = (card("a", "ta", "python"), card("a-2", "ta", "python"), card("b", "tb", "auth"))
    ta, tb = mock.Topic("ta", "python", (a, a2)), mock.Topic("tb", "auth", (b,))
    answers = [
        mock.Answer(mock.question_for(a, ta, 1, 1), (0,), 70.0),
        mock.Answer(mock.question_for(a2, ta, 1, 1, follow=True), (0, 1, 2), 20.0),
        mock.Answer(mock.question_for(b, tb, 1, 2), (0, 1, 2, 3), 30.0),
    ]
    rep = mock.report("m1", DAY, answers, {"a": "2026-03-11"}, planned=2)
    assert [
        (q["card_id"], q["score"], q["over_time"], q["follow_up"]) for q in rep["questions"]
    ] == [("a", 0.25, True, False), ("a-2", 0.75, False, True), ("b", 1.0, False, False)]
    assert rep["by_category"] == {"python": 0.5, "auth": 1.0}
    assert rep["weakest_topics"] == [
        {"topic": "ta", "score": 0.5, "command": "flashprep review --topic ta"}
    ]
    assert (rep["over_time"], rep["asked"], rep["score"]) == (1, 3, 0.6667)
    assert rep["rescheduled"] == {"a": "2026-03-11"}


def test_history_report_and_trend() -> None:
    mocks = [
        past("m1", {"a": 0.2}, "2026-03-01"),
        past("m2", {"a": 0.4}, "2026-03-02"),
        past("m3", {"a": 0.9, "b": 0.5}, "2026-03-03"),
    ]
    rep = mock.history_report(mocks)
    assert [(m["mock_id"], m["score"], m["change"]) for m in rep["mocks"]] == [
        ("m1", 0.2, None),
        ("m2", 0.4, 0.2),
        ("m3", 0.7, 0.3),
    ]
    assert rep["trend"] == {"direction": "up", "change": 0.4}
    assert mock.history_report([])["trend"] == {"direction": None, "change": None}
    assert mock.last_by_category(mocks)["python"] == {
        "score": 0.7,
        "day": "2026-03-03",
        "mock_id": "m3",
    }


def test_past_mocks_group_and_order() -> None:
    events = [
        {
            "kind": "mock",
            "id": "2",
            "mock_id": "b",
            "card_id": "x",
            "score": 1,
            "day": "d2",
            "ts": "2026-03-02T00:00:00Z",
        },
        {"kind": "review", "id": "3", "card_id": "x", "day": "d1", "ts": "t"},
        {
            "kind": "mock",
            "id": "1",
            "mock_id": "a",
            "card_id": "x",
            "score": 0.5,
            "day": "d1",
            "ts": "2026-03-01T00:00:00Z",
        },
        {
            "kind": "mock",
            "id": "4",
            "mock_id": "a",
            "card_id": "y",
            "score": "bad",
            "day": "d1",
            "ts": "2026-03-01T00:00:01Z",
        },
    ]
    got = mock.past_mocks(events)
    assert [(m.mock_id, len(m.events), m.score) for m in got] == [("b", 1, 1.0), ("a", 1, 0.5)]


def test_an_undo_applies_a_later_reschedule_again() -> None:
    from flashprep.cardactions import _replay_after

    before = CardState(interval=20, repetitions=4, due=DAY + timedelta(days=12))
    moved = {
        "kind": "reschedule",
        "day": DAY.isoformat(),
        "state": CardState(due=DAY + timedelta(days=1)).to_dict(),
    }
    assert _replay_after(before, [moved]).due == DAY + timedelta(days=1)
    assert _replay_after(before, [moved]).interval == 20
    soon = CardState(due=DAY)
    assert _replay_after(soon, [moved]) == soon  # never pushed back
    assert _replay_after(NEW_CARD, [moved]) == NEW_CARD  # a new card stays new
    assert (
        _replay_after(
            before, [{"kind": "mock", "day": DAY.isoformat(), "state": NEW_CARD.to_dict()}]
        )
        == before
    )


@given(
    st.lists(st.sampled_from(["python", "auth", "devops"]), min_size=1, max_size=12),
    st.lists(st.floats(0.1, 5), min_size=12, max_size=12),
    st.integers(1, 15),
    st.integers(0, 2**32),
)
@example(["python", "python", "auth", "auth", "devops", "devops", "devops"], [1.0] * 12, 6, 7)
def test_draw_properties(cats: list[str], ws: list[float], n: int, seed: int) -> None:
    cards = [card(f"t{i}", f"t{i}", c) for i, c in enumerate(cats)]
    pool = mock.build_pool(collection(cards), {}, ["python", "auth", "devops"])
    weights = {f"t{i}": ws[i] for i in range(len(cats))}
    got = mock.draw(pool, weights, ["python", "auth", "devops"], n, seed)
    assert len(got) == min(n, len(pool)) and len({t.id for t in got}) == len(got)
    # Categories take turns: no category is asked twice before every category still
    # holding topics was asked once.
    left = Counter(cats)
    seen_round: set[str] = set()
    for t in got:
        live = {c for c, k in left.items() if k > 0}
        if seen_round >= live:
            seen_round = set()
        assert t.category not in seen_round
        seen_round.add(t.category)
        left[t.category] -= 1


@given(st.sets(st.integers(0, 4)))
def test_parse_covered_round_trip(covered: set[int]) -> None:
    text = " ".join(str(i + 1) for i in sorted(covered, reverse=True))
    assert mock.parse_covered(text, 5) == tuple(sorted(covered))
