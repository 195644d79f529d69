"""The JSON Lines log and state checkpoint: append, catch up, rebuild, refuse."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flashprep.errors import HistoryError, LockedError
from flashprep.history import History, replay
from flashprep.schedule import NEW_CARD, answer

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
D0 = date(2026, 3, 10)


def answer_cards(home: Path, ids: list[str], grade: int = 4) -> None:
    with History.open(home, write=True) as h:
        for cid in ids:
            s = answer(h.state(cid), grade, D0)
            h.record(cid, "new", s, T0, D0, grade=grade, duration_ms=1500)


def test_events_and_checkpoint(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    lines = (home / "reviews.jsonl").read_text().splitlines()
    assert len(lines) == 2
    ev = json.loads(lines[0])
    assert ev["card_id"] == "a" and ev["grade"] == 4 and ev["kind"] == "new"
    assert ev["ts"] == "2026-03-10T09:00:00.000Z" and ev["day"] == "2026-03-10"
    assert ev["state"]["ef"] == 2.5 and ev["state"]["due"] == "2026-03-11"
    state = json.loads((home / "state.json").read_text())
    assert state["schema"] == 1 and state["lines"] == 2
    assert state["offset"] == (home / "reviews.jsonl").stat().st_size
    assert state["last_id"] == json.loads(lines[1])["id"]
    assert set(state["cards"]) == {"a", "b"}


def test_reader_catches_up_from_the_tail(home: Path) -> None:
    answer_cards(home, ["a"])
    checkpoint = (home / "state.json").read_bytes()
    answer_cards(home, ["b", "c"])
    (home / "state.json").write_bytes(checkpoint)  # a crash before the checkpoint replace
    h = History.open(home)
    assert set(h.states) == {"a", "b", "c"}
    assert h.replayed == 2 and h.warnings == []
    assert h.states == replay(home / "reviews.jsonl")


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"schema": 1}', None])
def test_damaged_checkpoint_is_rebuilt(home: Path, damage: bytes | None) -> None:
    answer_cards(home, ["a", "b"])
    before = History.open(home).states
    if damage is None:
        (home / "state.json").unlink()
    else:
        (home / "state.json").write_bytes(damage)
    h = History.open(home, write=True)
    h.close()
    assert h.states == before
    assert len(h.warnings) == 1 and "rebuilt it from the log" in h.warnings[0]
    assert json.loads((home / "state.json").read_text())["lines"] == 2


def test_torn_last_line_is_set_aside_by_the_next_writer(home: Path) -> None:
    answer_cards(home, ["a"])
    checkpoint = (home / "state.json").read_bytes()
    answer_cards(home, ["b"])
    log = home / "reviews.jsonl"
    data = log.read_bytes()
    cut = data[: len(data) - 20]
    log.write_bytes(cut)
    # A crash mid-append happens before the checkpoint that would include the event.
    (home / "state.json").write_bytes(checkpoint)
    reader = History.open(home)
    assert set(reader.states) == {"a"}
    assert any("the last line is incomplete" in w for w in reader.warnings)
    assert log.read_bytes() == cut  # readers never repair
    answer_cards(home, ["c"])
    lines = log.read_text().splitlines()
    assert [json.loads(x)["card_id"] for x in lines] == ["a", "c"]
    torn_len = len(cut) - (data.index(b"\n") + 1)
    assert (home / "reviews.jsonl.torn").read_bytes() == cut[-torn_len:] + b"\n"


def test_complete_last_event_without_newline_is_kept(home: Path) -> None:
    answer_cards(home, ["a", "b"])
    log = home / "reviews.jsonl"
    log.write_bytes(log.read_bytes()[:-1])
    (home / "state.json").unlink()
    answer_cards(home, ["c"])
    assert [json.loads(x)["card_id"] for x in log.read_text().splitlines()] == ["a", "b", "c"]
    assert not (home / "reviews.jsonl.torn").exists()


def test_corrupt_middle_line_is_an_error_and_the_file_is_untouched(home: Path) -> None:
    answer_cards(home, ["a", "b", "c"])
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[1] = b'{"broken": '
    log.write_bytes(b"\n".join(lines))
    (home / "state.json").unlink()
    before = log.read_bytes()
    with pytest.raises(HistoryError) as exc:
        History.open(home, write=True)
    assert str(exc.value).startswith(f"{log}:2: corrupt event (")
    assert "run 'flashprep doctor'" in str(exc.value)
    assert log.read_bytes() == before


def test_newer_schema_is_refused(home: Path) -> None:
    answer_cards(home, ["a"])
    state = json.loads((home / "state.json").read_text())
    state["schema"] = 99
    (home / "state.json").write_text(json.dumps(state))
    with pytest.raises(HistoryError) as exc:
        History.open(home, write=True)
    assert "written by a newer flashprep (schema 99, this one reads 1)" in str(exc.value)
    assert json.loads((home / "state.json").read_text())["schema"] == 99


def test_one_writer_at_a_time(home: Path) -> None:
    import os

    with History.open(home, write=True):
        with pytest.raises(LockedError) as exc:
            History.open(home, write=True)
        assert str(exc.value) == (
            f"another flashprep session is running (pid {os.getpid()}); finish it first"
        )
        assert History.open(home).states == {}  # readers are not blocked
    History.open(home, write=True).close()  # released


def test_reader_of_a_missing_home_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "nowhere"
    h = History.open(home)
    assert h.states == {} and not home.exists()


def test_state_of_unknown_card_is_new(home: Path) -> None:
    assert History.open(home).state("x") == NEW_CARD


def test_a_checkpoint_of_one_object_per_card_is_still_read(home: Path) -> None:
    """state.json written before rows (CardState.to_dict per card) loads without a rebuild."""
    answer_cards(home, ["a", "b"])
    data = json.loads((home / "state.json").read_text())
    assert data["card_fields"][:2] == ["ef100", "interval"]
    before = History.open(home).states
    del data["card_fields"]
    data["cards"] = {k: v.to_dict() for k, v in before.items()}
    (home / "state.json").write_text(json.dumps(data))
    h = History.open(home)
    assert h.states == before and h.warnings == [] and h.replayed == 0


def test_card_events_reads_only_that_cards_lines(home: Path) -> None:
    from flashprep.history import card_events

    answer_cards(home, ["a", "ab", "a"])
    log = home / "reviews.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines.insert(1, b'{"damaged line of another card"')  # not read: no "card_id":"a" in it
    log.write_bytes(b"\n".join(lines))
    events = card_events(log, "a")
    assert [e["card_id"] for e in events] == ["a", "a"]
    assert card_events(log, "zz") == []
    assert card_events(home / "missing.jsonl", "a") == []
