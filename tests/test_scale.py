"""Large collections: states kept as rows, cards built on demand, the queue read from rows.

`flashprep status` on 50,000 cards builds no Card and no CardState (see
flashprep/schedule.py CardStates, flashprep/decks.py and flashprep/queue.py); these tests
check that the shortcuts give exactly what the full objects give.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep import queue
from flashprep.decks import load_collection
from flashprep.errors import DeckError
from flashprep.history import History
from flashprep.index import _check_rows
from flashprep.queue import QueueItem
from flashprep.schedule import (
    NEW,
    NEW_CARD,
    REDRILL,
    REVIEW,
    CardState,
    CardStates,
    answer,
    rows_of,
)

D0 = date(2026, 3, 10)
# A week of days around the few "todays" below, so that days often coincide.
days = st.one_of(st.none(), st.dates(date(2026, 3, 7), date(2026, 3, 13)))
states = st.builds(
    CardState,
    ef=st.integers(130, 300),
    interval=st.integers(0, 60),
    repetitions=st.integers(0, 9),
    due=days,
    lapses=st.integers(0, 9),
    reviews=st.integers(0, 20),
    last_day=days,
    introduced=days,
    redrill=st.booleans(),
    suspended=st.booleans(),
    buried_until=days,
    leech=st.booleans(),
)


def reference_queue(
    card_ids: list[str],
    states: dict[str, CardState],
    today: date,
    new_per_day: int,
    reviews_per_day: int,
) -> list[QueueItem]:
    """The queue as CardState's methods define it (flashprep.queue before it read rows)."""
    new_today = sum(
        1 for s in states.values() if s.last_day == today and s.reviews and s.introduced == today
    )
    reviewed = sum(
        1 for s in states.values() if s.last_day == today and s.reviews and s.introduced != today
    )
    redrill, due, new = [], [], []
    for order, cid in enumerate(card_ids):
        s = states.get(cid, NEW_CARD)
        if s.suspended or s.is_buried(today):
            continue
        if s.needs_redrill(today):
            redrill.append(QueueItem(cid, REDRILL))
        elif s.is_new:
            new.append(cid)
        elif s.is_due(today):
            assert s.due is not None
            due.append((s.due, order, cid))
    due.sort()
    return (
        redrill
        + [QueueItem(cid, REVIEW) for _, _, cid in due[: max(0, reviews_per_day - reviewed)]]
        + [QueueItem(cid, NEW) for cid in new[: max(0, new_per_day - new_today)]]
    )


@settings(max_examples=300)
@given(
    st.lists(st.one_of(st.none(), states), max_size=30),
    st.dates(date(2026, 3, 8), date(2026, 3, 12)),
    st.integers(0, 5),
    st.integers(0, 8),
)
def test_the_queue_read_from_rows_is_the_queue_of_the_card_states(
    picked: list[CardState | None], today: date, new_per_day: int, reviews_per_day: int
) -> None:
    card_ids = [f"c{i:02d}" for i in range(len(picked))]
    plain = {cid: s for cid, s in zip(card_ids, picked, strict=True) if s is not None}
    for given_states in (plain, CardStates(plain)):
        got = queue.build_queue(
            card_ids, given_states, today, new_per_day=new_per_day, reviews_per_day=reviews_per_day
        )
        assert got == reference_queue(card_ids, plain, today, new_per_day, reviews_per_day)
        scheduled = [s.due for s in plain.values() if s.due is not None and not s.suspended]
        later = [d for d in scheduled if d > today]
        assert queue.next_due(card_ids, given_states, today) == (min(later) if later else None)
        tomorrow = today + timedelta(days=1)
        assert queue.due_on(card_ids, given_states, tomorrow) == sum(
            1 for d in scheduled if d <= tomorrow
        )


def test_card_states_decode_a_row_only_when_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = answer(NEW_CARD, 4, D0), answer(NEW_CARD, 2, D0)
    rows = {"a": a.to_row(), "b": b.to_row()}
    decoded: list[list[object]] = []
    real = CardState.from_row
    monkeypatch.setattr(
        CardState, "from_row", classmethod(lambda cls, row: decoded.append(row) or real(row))
    )
    states = CardStates.from_rows(rows)
    assert (len(states), list(states), "a" in states, "x" in states) == (2, ["a", "b"], True, False)
    assert decoded == []
    assert states["a"] == a and states.get("a") is states["a"] and decoded == [rows["a"]]
    assert states.get("x") is None and states.get("x", NEW_CARD) is NEW_CARD
    states["c"] = b  # a new card keeps its place after the rows, as in a dict
    assert list(states) == ["a", "b", "c"] and rows_of(states)["c"] == b.to_row()
    copy = CardStates(states)
    copy["a"] = b
    assert states["a"] == a and copy["a"] == b  # a copy is independent
    del copy["b"]
    assert list(copy) == ["a", "c"] and len(states) == 3
    assert states == {"a": a, "b": b, "c": b} and dict(states.items()) == {"a": a, "b": b, "c": b}


@given(st.lists(states, max_size=5))
def test_check_rows_accepts_every_row_flashprep_writes(picked: list[CardState]) -> None:
    check_rows([s.to_row() for s in picked])


def check_rows(rows: list) -> None:  # type: ignore[type-arg]
    """The index's check of its `states` rows, which come with the card id first."""
    _check_rows([("card", *row) for row in rows])


@pytest.mark.parametrize(
    "place, value",
    [
        (0, "250"),
        (0, 129),
        (0, 2.5),
        (0, True),
        (1, -1),
        (1, None),
        (3, 20260101),
        (3, "20260101"),
        (3, "2026-W11-2"),
        (3, "2026-02-30"),
        (6, "2026-3-1"),
        (8, [1]),
    ],
)
def test_check_rows_refuses_a_row_that_could_not_be_read_as_written(
    place: int, value: object
) -> None:
    row = answer(NEW_CARD, 4, D0).to_row()
    row[place] = value
    with pytest.raises((ValueError, TypeError)):
        check_rows([NEW_CARD.to_row(), row])


def test_the_index_is_read_and_kept_up_to_date_without_decoding_its_states(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = History.open(home, write=True)
    for i, cid in enumerate(("a", "b", "c")):
        h.record(cid, "new", answer(NEW_CARD, 3 + i % 3, D0), _moment(i), D0, grade=3 + i % 3)
    h.close()
    expected = {k: v.to_row() for k, v in History.open(home).states.items()}

    def refuse(cls: object, row: object) -> CardState:
        raise AssertionError("decoded a state")

    monkeypatch.setattr(CardState, "from_row", classmethod(refuse))
    with History.open(home, write=True) as h:
        h.record("d", "new", answer(NEW_CARD, 4, D0), _moment(9), D0, grade=4)
        assert set(h.states) == {"a", "b", "c", "d"}
        assert {k: list(v) for k, v in h.states.rows().items() if k != "d"} == expected


def test_an_index_with_a_day_in_another_form_is_rebuilt_from_the_log(home: Path) -> None:
    import sqlite3
    from contextlib import closing

    h = History.open(home, write=True)
    h.record("a", "new", answer(NEW_CARD, 4, D0), _moment(0), D0, grade=4)
    h.close()
    index = home / "cache" / "index.sqlite"
    with closing(sqlite3.connect(index, isolation_level=None)) as conn:
        conn.execute("UPDATE states SET due = replace(due, '-', '')")  # 20260311
        conn.execute("DELETE FROM meta WHERE key = 'snapshot'")  # so the table is read
    reopened = History.open(home)
    assert reopened.warnings == [f"{index} is damaged; rebuilding it from the log"]
    assert reopened.states["a"].due == D0 + timedelta(days=1)


DECK = """\
[deck]
id = "{deck}"
name = "{deck}"
category = "Testing"
description = "d"
"""


def _card(cid: str, extra: str = "", back: str | None = None) -> str:
    back = f"A {cid}" if back is None else back
    return f'\n[[cards]]\nid = "{cid}"\nfront = "Q {cid}?"\nback = "{back}"\n{extra}'


def _moment(i: int):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 3, 10, 9, 0, i, tzinfo=UTC)


@pytest.fixture
def two_decks(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    decks = home / "decks"
    decks.mkdir(parents=True)
    (decks / "d1.toml").write_text(
        DECK.format(deck="d1") + _card("a") + _card("b", "draft = true\n", back=""), "utf-8"
    )
    (decks / "d2.toml").write_text(DECK.format(deck="d2") + _card("c", 'tags = ["t"]\n'), "utf-8")
    return home


def test_a_warm_collection_counts_cards_without_building_them(two_decks: Path) -> None:
    cold = load_collection(two_decks)  # parses and writes the cache
    warm = load_collection(two_decks)
    assert "cards" not in warm.__dict__  # no Card built yet
    assert (warm.card_decks, warm.drafts) == ({"a": "d1", "b": "d1", "c": "d2"}, {"b"})
    assert warm.select_ids() == ["a", "c"] and warm.select_ids(["d1"], include_drafts=True) == [
        "a",
        "b",
    ]
    assert [d.card_ids for d in warm.decks] == [("a", "b"), ("c",)]
    assert "cards" not in warm.__dict__
    assert warm.select_ids(tags=["t"]) == ["c"]  # tags are read from the cards
    assert warm.cards == cold.cards and list(warm.cards) == ["a", "b", "c"]


def test_status_builds_no_card(two_decks: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    load_collection(two_decks)
    import flashprep.decks as decks

    monkeypatch.setattr(decks, "_card_objects", lambda *a: pytest.fail("built Card objects"))
    r = cli("status", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["new"] == 2


def _deck_rows(home: Path, change: str) -> None:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(home / "cache" / "index.sqlite", isolation_level=None)) as c:
        c.execute(change)


def test_damaged_card_rows_in_the_cache_are_parsed_again(two_decks: Path) -> None:
    cold = load_collection(two_decks)
    _deck_rows(two_decks, "UPDATE decks SET rows = x'00ff00'")  # the heads are intact
    warm = load_collection(two_decks)
    assert warm.cards == cold.cards


def test_rows_of_a_file_that_changed_since_the_heads_were_read_are_an_error(
    two_decks: Path,
) -> None:
    load_collection(two_decks)
    _deck_rows(two_decks, "UPDATE decks SET rows = x'00ff00'")
    warm = load_collection(two_decks)
    (two_decks / "decks" / "d2.toml").write_text(DECK.format(deck="d2") + _card("z"), "utf-8")
    with pytest.raises(DeckError, match="changed while flashprep read it"):
        warm.cards  # noqa: B018


def test_a_damaged_head_is_a_miss(two_decks: Path) -> None:
    cold = load_collection(two_decks)
    _deck_rows(two_decks, "UPDATE decks SET head = x'00'")
    assert load_collection(two_decks).cards == cold.cards


def test_each_source_set_keeps_its_own_files_in_the_cache(
    two_decks: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alternating runs with and without --decks parse nothing once both are cached."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "o.toml").write_text(DECK.format(deck="o") + _card("o1"), "utf-8")
    load_collection(two_decks)
    load_collection(two_decks, [other])
    import flashprep.decks as decks

    monkeypatch.setattr(decks, "read_deck_file", lambda p: pytest.fail(f"parsed {p}"))
    for _ in range(2):
        assert list(load_collection(two_decks).card_decks) == ["a", "b", "c"]
        assert list(load_collection(two_decks, [other]).card_decks) == ["a", "b", "c", "o1"]


def _answered(home: Path, card_ids: tuple[str, ...] = ("a", "b", "c")) -> None:
    with History.open(home, write=True) as h:
        for i, cid in enumerate(card_ids):
            h.record(cid, "new", answer(NEW_CARD, 4, D0), _moment(i), D0, grade=4)
