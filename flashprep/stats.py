"""The figures behind `flashprep stats`: heatmap, streaks, forecast, true retention, card states.

The figures are pure functions of (collection, log facts, states, today): nothing here reads
the clock or prints. `flashprep.readiness` reuses the per-card activity gathered here. The
only file written is an optional resume cache of the log pass (see "the resume cache").

Reading the log. Card states come from the history's checkpoint, but per-day counts,
retention and time need the whole log, and a log grows to millions of events. json.loads
of a million events takes ~4 s here, so `read_facts` streams the log in 1 MB chunks and
pulls the eight fields it needs with one regular expression written against the exact
shape flashprep's own writer produces (`history.make_event`: compact separators, fixed key
order). A chunk with any line the expression does not match falls back to json.loads and
`history`'s own validation for that chunk, so a log written by anything else is still read
correctly, only slower. Memory stays flat: one chunk and a few small dicts per card or day.
Measured on 50k cards and 1M events (2 slow cores): ~3 s for the whole pass, ~0.9 s for a
`stats --json` that resumes from the cache.

Facts are plain tuples of strings straight from the log ("" where a field is absent), and
numbers are converted only where a figure needs them: per-event work is what costs at scale.

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

import re
import statistics
from collections import Counter
from collections.abc import Collection as SizedSet
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path
from typing import Any

from flashprep.decks import Card, Collection
from flashprep.history import ANSWER_KINDS
from flashprep.schedule import MATURE_DAYS, NEW_CARD, CardState

HEATMAP_WEEKS = 26
DEFAULT_DAYS = 30

# (event id, card id, day, kind, grade, duration_ms, undoes, interval after the event)
Fact = tuple[str, str, str, str, str, str, str, str]

# ------------------------------------------------------------------ reading the log

_CHUNK = 1 << 20
# One event line as history.make_event writes it. No match for the tail of the line: a
# chunk is trusted only when it holds exactly one match per line (see read_facts).
_FAST = re.compile(
    r'\{"v":1,"id":"([^"\\]*)","card_id":"([^"\\]*)","ts":"[^"\\]*","day":"([0-9-]{10})",'
    r'"kind":"([a-z]+)"(?:,"grade":([0-5]))?(?:,"duration_ms":([0-9]+))?'
    r'(?:,"undoes":"([^"\\]*)")?[^\n]*?"state":\{[^\n]*?"interval":([0-9]+)'
)


def _fact_from_event(e: Mapping[str, Any]) -> Fact:
    def s(key: str, obj: Mapping[str, Any] = e) -> str:
        v = obj.get(key)
        return "" if v is None else str(v)

    return (s("id"), s("card_id"), s("day"), s("kind"), s("grade"), s("duration_ms"),
            s("undoes"), s("interval", e["state"]))


def _slow_facts(path: Path, body: bytes, first_line: int) -> list[Fact]:
    """Every line of `body` through json.loads and the history's own checks (on the bytes,
    so a line that is not UTF-8 is the same corrupt event it is to the history)."""
    from flashprep.history import _decode

    out = []
    for n, line in enumerate(body.split(b"\n")[:-1]):
        if line.strip():
            out.append(_fact_from_event(_decode(path, first_line + n, line)))
    return out


def read_facts(path: Path) -> Iterator[list[Fact]]:
    """Stream the facts of every complete event of the log at `path`, in batches (one per
    1 MB chunk; nothing if the log is missing).

    A corrupt line raises the same HistoryError as opening the history; an incomplete
    last line (an interrupted write) is skipped, as the history does.
    """
    for facts, _, _ in _batches(path):
        yield facts


def _batches(
    path: Path, start: int = 0, line: int = 1
) -> Iterator[tuple[list[Fact], int | None, int]]:
    """(facts, byte offset just past them or None for an unterminated last line, the line
    number after them), from byte `start` (a line boundary) on."""
    from flashprep.errors import HistoryError
    from flashprep.fsutil import describe_os_error

    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(describe_os_error("read", path, exc)) from None
    with fh:
        fh.seek(start)
        pos = start
        rest = b""
        while True:
            try:
                data = fh.read(_CHUNK)
            except OSError as exc:
                raise HistoryError(describe_os_error("read", path, exc)) from None
            if not data:
                break
            data = rest + data
            cut = data.rfind(b"\n") + 1
            raw, rest = data[:cut], data[cut:]
            pos += cut
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                facts = _slow_facts(path, raw, line)  # raises, naming the bad line
                line += raw.count(b"\n")
                yield facts, pos, line
                continue
            facts = _FAST.findall(body)
            lines = body.count("\n")
            if len(facts) != lines:
                facts = _slow_facts(path, raw, line)
            line += lines
            yield facts, pos, line
        if rest.strip():
            try:
                yield _slow_facts(path, rest + b"\n", line), None, line + 1
            except HistoryError:
                pass  # a torn last line: History.open warns about it and sets it aside


def undone_ids(path: Path) -> set[str]:
    """Ids named by `undoes` anywhere in the log (a byte scan, no parsing)."""
    pattern = re.compile(rb'"undoes"\s*:\s*"([^"\\]*)"')
    out: set[str] = set()
    try:
        with open(path, "rb") as fh:
            rest = b""
            while data := fh.read(_CHUNK):
                data = rest + data
                cut = data.rfind(b"\n") + 1
                if b'"undoes"' in data[:cut]:
                    out.update(m.decode("utf-8", "replace") for m in pattern.findall(data[:cut]))
                rest = data[cut:]
            if b'"undoes"' in rest:
                out.update(m.decode("utf-8", "replace") for m in pattern.findall(rest))
    except FileNotFoundError:
        pass
    return out


# ------------------------------------------------------------------ one pass over the facts

_ID, _CID, _DAY, _KIND, _MS = (itemgetter(i) for i in (0, 1, 2, 3, 5))


@dataclass
class Activity:
    """What one pass over the log gathers, for the cards in scope.

    `cards` holds, per card answered inside the window: [answers, duration_ms,
    young passed, young reviews, mature passed, mature reviews].
    """

    window: tuple[str, str]  # ISO study days, both ends included
    days: Counter[str] = field(default_factory=Counter)  # answers per study day (ISO)
    total_ms: int = 0  # time spent on every answer, all time
    cards: dict[str, list[int]] = field(default_factory=dict)


class _UndoMismatch(Exception):
    """An undo names an answer that is not its card's latest; rerun with every id known."""


class _Replay:
    """One pass in log order: the figures so far, and what the next events need per card.

    A card's latest event gives the interval before its next answer (young or mature) and,
    usually, the answer an undo takes back. Per-event work is what costs on a million
    events, so outside the window runs of answers are counted with C-level helpers
    (Counter.update, dict.update, sum over map) and only the window's events, and the rare
    other events (undo, suspend, bury...), go one by one.
    """

    def __init__(self, window: tuple[date, date], undone: SizedSet[str] | None) -> None:
        self.act = Activity((window[0].isoformat(), window[1].isoformat()))
        self.last: dict[str, Fact] = {}
        # A card's latest answer, kept where a later action (bury, suspend...) took its
        # place in `last`: `flashprep undo` may take back an answer from behind one.
        self.answer_behind: dict[str, Fact] = {}
        # The slot (young/mature) each review answer in the window was counted in.
        self.slots: dict[str, int] = {}
        self.undone = undone

    def before_window(self, batch: list[Fact]) -> bool:
        """Whether every event of `batch` is before the window (and none is undone by an id
        in `undone`): such a batch is counted in bulk and touches no window figure."""
        if not batch:
            return True
        undone = self.undone
        return max(map(_DAY, batch)) < self.act.window[0] and not (
            undone and not undone.isdisjoint(map(_ID, batch))
        )

    def feed(self, batch: list[Fact], before_window: bool | None = None) -> None:
        if not batch:
            return
        if not (self.before_window(batch) if before_window is None else before_window):
            for f in batch:
                self.one(f)
            return
        if set(map(_KIND, batch)) <= ANSWER_KINDS:
            self.run(batch)
            return
        start = 0
        for i, kind in enumerate(map(_KIND, batch)):
            if kind not in ANSWER_KINDS:
                self.run(batch[start:i])
                self.one(batch[i])
                start = i + 1
        self.run(batch[start:])

    def run(self, facts: list[Fact]) -> None:
        """Answers before the window, none of them undone by an id in `undone`."""
        act = self.act
        act.days.update(map(_DAY, facts))
        act.total_ms += sum(map(int, filter(None, map(_MS, facts))))
        self.last.update(zip(map(_CID, facts), facts, strict=True))

    def one(self, f: Fact) -> None:
        cid, kind = f[1], f[3]
        prev = self.last.get(cid)
        if kind in ANSWER_KINDS:
            if not (self.undone and f[0] in self.undone):
                self._count(f, prev, +1)
        elif self.undone is None:
            if kind == "undo":
                self._undo(f, prev)
            elif prev is not None and prev[3] in ANSWER_KINDS:
                self.answer_behind[cid] = prev
        self.last[cid] = f

    def _undo(self, f: Fact, prev: Fact | None) -> None:
        target = f[6]
        if prev is not None and (not target or prev[0] == target):
            if prev[3] in ANSWER_KINDS:
                self._count(prev, None, -1)
            return  # an undone bury or suspend changes no figure
        behind = self.answer_behind.pop(f[1], None)
        if behind is not None and behind[0] == target:
            self._count(behind, None, -1)
            return
        raise _UndoMismatch()

    def _count(self, f: Fact, before: Fact | None, step: int) -> None:
        """Add (step 1) or take back (step -1) answer `f`; `before` is the card's event
        before it."""
        act = self.act
        day = f[2]
        act.days[day] += step
        ms = int(f[5] or 0) * step
        act.total_ms += ms
        if not act.window[0] <= day <= act.window[1]:
            return
        r = act.cards.get(f[1])
        if r is None:
            r = act.cards[f[1]] = [0, 0, 0, 0, 0, 0]
        r[0] += step
        r[1] += ms
        if f[3] == "review":
            if step > 0:
                # Young or mature by the interval the card had before this answer.
                slot = 2 if before is None or int(before[7] or 0) < MATURE_DAYS else 4
                self.slots[f[0]] = slot
            else:
                slot = self.slots.pop(f[0], 2)
            r[slot + 1] += step
            if f[4] >= "3":
                r[slot] += step

    def snapshot(self) -> dict[str, Any]:
        """What a cache needs to resume after events that were all before the window."""
        return {
            "days": dict(self.act.days),
            "total_ms": self.act.total_ms,
            "last": self.last,
            "behind": self.answer_behind,
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        self.act.days.update(data["days"])
        self.act.total_ms = int(data["total_ms"])
        self.last = {k: tuple(v) for k, v in data["last"].items()}  # type: ignore[misc]
        self.answer_behind = {k: tuple(v) for k, v in data["behind"].items()}  # type: ignore[misc]


def gather(
    batches: Iterable[list[Fact]],
    window: tuple[date, date],
    *,
    scope: SizedSet[str] | None = None,
    undone: SizedSet[str] | None = None,
) -> Activity:
    """Replay the facts in log order; only cards in `scope` (all when None) count.

    With `undone` None, an undo subtracts the answer it names, which must be its card's
    latest answer (flashprep only ever undoes that); otherwise _UndoMismatch is raised and
    the caller passes the full set of undone ids (see `activity`). With `undone` given,
    those answers are skipped outright.
    """
    replay = _Replay(window, undone)
    for batch in batches:
        if scope is not None:
            batch = [f for f in batch if f[1] in scope]
        replay.feed(batch)
    return replay.act


def activity(
    path: Path,
    window: tuple[date, date],
    *,
    scope: SizedSet[str] | None = None,
    cache: Path | None = None,
) -> Activity:
    """`gather` over the log at `path`, streamed; exact with any pattern of undos.

    With `cache` (a file path; only without a scope) the pass resumes from what an earlier
    run saved there, see `_cached_activity`.
    """
    try:
        if cache is not None and scope is None:
            return _cached_activity(path, window, cache)
        return gather(read_facts(path), window, scope=scope)
    except _UndoMismatch:
        return gather(read_facts(path), window, scope=scope, undone=undone_ids(path))


# ------------------------------------------------------------------ the resume cache
#
# Events before the window only add to per-day counts, the all-time total and each card's
# latest event, and the log is append-only: so the state after the leading events that
# are all before the window can be saved (<home>/cache/stats.json) and a later run starts
# from there, reading only the rest of the log. It is used only while every saved event
# is still before the window (a later study day, the same or a shorter --days), only when
# the log still holds, at the saved offset, the event it ended with, and only by the
# subtracting pass (an undo the cache cannot resolve falls back to a full, exact pass).
# Like the deck cache it is written best-effort and atomically, and only after the
# resumable part has grown by CACHE_STEP bytes, so most runs only read it.

CACHE_FORMAT = 1
CACHE_STEP = 4 << 20


def _read_cache(cache: Path, log: Path, window_start: date) -> dict[str, Any] | None:
    import json

    from flashprep import __version__
    from flashprep.history import log_ends_with

    try:
        data = json.loads(cache.read_bytes())
        if (
            not isinstance(data, dict)
            or data.get("format") != [CACHE_FORMAT, __version__]
            or data.get("log") != str(log.resolve())
            or not data["horizon"] <= window_start.isoformat()
        ):
            return None
        offset = int(data["offset"])
        if offset <= 0 or not log_ends_with(log, offset, data["last_id"]):
            return None
        return data
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_cache(cache: Path, data: dict[str, Any]) -> None:
    import json

    from flashprep import __version__
    from flashprep.fsutil import atomic_write_bytes

    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": [CACHE_FORMAT, __version__], **data}
        atomic_write_bytes(cache, json.dumps(payload, separators=(",", ":")).encode("utf-8"))
    except Exception:
        pass  # a cache that cannot be written only costs time


def _cached_activity(path: Path, window: tuple[date, date], cache: Path) -> Activity:
    replay = _Replay(window, None)
    saved = _read_cache(cache, path, window[0])
    start, line = 0, 1
    if saved is not None:
        replay.restore(saved)
        start, line = int(saved["offset"]), int(saved["lines"]) + 1
    resumable = True  # every event so far is before the window
    mark: tuple[int, int, str] | None = None  # (offset, lines, last event id) to resume at
    to_save: dict[str, Any] | None = None

    def snapshot() -> dict[str, Any] | None:
        if mark is None or mark[0] - start < CACHE_STEP:
            return None
        state = replay.snapshot()
        return {
            "log": str(path.resolve()), "horizon": window[0].isoformat(),
            "offset": mark[0], "lines": mark[1], "last_id": mark[2],
            # Copies: the events after the mark go on changing the live ones.
            "days": dict(state["days"]), "total_ms": state["total_ms"],
            "last": dict(state["last"]), "behind": dict(state["behind"]),
        }

    for facts, end, next_line in _batches(path, start, line):
        bulk = replay.before_window(facts)
        if resumable and not (bulk and end is not None):
            resumable = False
            to_save = snapshot()
        replay.feed(facts, bulk)
        if resumable and facts and end is not None:
            mark = (end, next_line - 1, facts[-1][0])
    if resumable:
        to_save = snapshot()
    if to_save is not None:
        _write_cache(cache, to_save)
    return replay.act


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
    return {"passed": passed, "total": total,
            "rate": round(passed / total, 4) if total else None}


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
    return {"young": rate(ret[0], ret[1]), "mature": rate(ret[2], ret[3]),
            "all": rate(ret[0] + ret[2], ret[1] + ret[3])}


def card_figures(
    cards: Sequence[Card], states: Mapping[str, CardState], act: Activity, today: date,
    *, extra_ids: Sequence[str] = (),
) -> dict[str, Any]:
    """Card states, EF, retention and time over `cards` (a deck or the whole selection).

    `extra_ids` are cards in no deck whose answers still count in retention and time.
    """
    counts = dict.fromkeys(("new", "learning", "young", "mature", "suspended"), 0)
    leeches = 0
    efs: list[int] = []
    for c in cards:
        s = states.get(c.id, NEW_CARD)
        counts[card_bucket(s, today)] += 1
        leeches += s.leech
        if not s.is_new:
            efs.append(s.ef)
    sums, studied = activity_sums(act, [c.id for c in cards] + list(extra_ids))
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
    cards: Sequence[Card], states: Mapping[str, CardState], today: date, days: int
) -> dict[str, Any]:
    """Scheduled reviews falling due on each of `days` days from today (today with overdue)."""
    counts = [0] * days
    overdue = 0
    for c in cards:
        s = states.get(c.id)
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
        "days": [{"day": (today + timedelta(days=i)).isoformat(), "due": n}
                 for i, n in enumerate(counts)],
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
    cards = collection.select(decks)  # non-draft, in collection order
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
    orphans = [] if decks else [cid for cid in act.cards if cid not in collection.cards]
    overall = card_figures(cards, states, act, today, extra_ids=orphans)
    by_deck: dict[str, list[Card]] = {}
    for c in cards:
        by_deck.setdefault(c.deck, []).append(c)
    per_deck = []
    for d in collection.decks:
        if d.id in by_deck:
            per_deck.append({"id": d.id, "name": d.name,
                             **card_figures(by_deck[d.id], states, act, today)})
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
        "retention": {"days": days, "since": window(today, days)[0].isoformat(),
                      **overall["retention"]},
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


def cache_path(home: Path) -> Path:
    return home / "cache" / "stats.json"


def stats_report(
    collection: Collection,
    log_path: Path,
    states: Mapping[str, CardState],
    today: date,
    *,
    decks: Sequence[str] = (),
    days: int = DEFAULT_DAYS,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Stream the log at `log_path` and compute every figure (the CLI's way in)."""
    for d in decks:
        collection.deck(d)  # an unknown deck id is an error before any work
    scope = None
    if decks:
        wanted = set(decks)
        scope = {cid for cid, deck in collection.card_decks.items() if deck in wanted}
    act = activity(log_path, window(today, days), scope=scope, cache=cache)
    return compute(collection, act, states, today, decks=decks, days=days)
