"""Simulated learners preparing for an interview: plain SM-2 against the interview plan.

    python benchmarks/interview_sim.py                 # 50 learners, both interviews, RESULTS.md
    python benchmarks/interview_sim.py --learners 4 --no-write

Each learner studies the bundled decks every day from day 0 until the interview, within
a daily budget of minutes, through flashprep's own review engine (flashprep.session): the
same queue, limits, same-day re-drills and, in plan mode, the same pacing and capped due
dates `flashprep review` uses. What the learner remembers is not SM-2's business: a
"true" memory model decides every answer.

True memory: FSRS-6 with its default parameters (written out below and checked against
fsrs-rs-python in tests/test_interview_sim.py), plus per-card noise: each card of each
learner gets a difficulty offset (normal, sd 1.5, kept within FSRS's 1-10) and its first
stability scaled by a log-normal factor (sd 0.4), so cards differ as real ones do. On a
review t days after the last, the learner recalls with probability R(t, S); a recalled
card is graded 3/4/5 (15/70/15%), a forgotten one 1 or 2. A first look is graded as
Anki's simulator does (Again/Hard/Good/Easy 24/9/50/17%). Same-day re-drills are always
recalled (t = 0). Answers take time: a learner's pace is log-normal around 60 s for a
first look, 15 s for a re-drill and 20 s for a review, with per-answer noise; the day's
study stops once its minutes are spent.

Plain SM-2: `review` as it is without a date (new_per_day 20, reviews_per_day 200).
Plan mode: `review` with an interview date set (pacing from flashprep.plan, the
learner's own answer times once there are 50, due dates capped to the eve).
On the interview day: the mean over all cards of the true recall probability (a card
never seen counts 0), the cards never seen, the answers given, the busiest day.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flashprep import interview as rules  # noqa: E402
from flashprep.decks import load_collection  # noqa: E402
from flashprep.plan import Answer, estimate_costs, syllabus_order, todays_pace  # noqa: E402
from flashprep.session import Session  # noqa: E402

# FSRS-6's default parameters (fsrs-rs 0.9 / py-fsrs 6).
W = (
    0.212,
    1.2931,
    2.3065,
    8.2956,
    6.4133,
    0.8334,
    3.0194,
    0.001,
    1.8722,
    0.1666,
    0.796,
    1.4835,
    0.0614,
    0.2629,
    1.6483,
    0.6014,
    1.8729,
    0.5425,
    0.0912,
    0.0658,
    0.1542,
)
FIRST_RATING = (0.24, 0.094, 0.495, 0.171)  # Again, Hard, Good, Easy on a first look
START = date(2026, 3, 9)  # a Monday
BUDGET = 30  # minutes a day
# (name, days to the interview, minutes a day, difficulty shift, first-stability scale):
# the two interviews (the speed-run studies 45 minutes a day: at 30, `flashprep
# plan` says 271 cards in 4 weeks need 31 at the default answer times), then the
# 10-week one on harder material (every card's difficulty +2, its first stability
# halved), to see how the gap changes when memory is weaker.
RUNS = (
    ("10-week interview", 70, 30, 0.0, 1.0),
    ("4-week speed-run", 28, 45, 0.0, 1.0),
    ("10-week, harder cards", 70, 30, 2.0, 0.5),
)
TARGETS = {"recall": 0.90, "gain": 0.10, "reviews_ratio": 1.25}
MARK = "<!-- interview_sim: everything below is written by benchmarks/interview_sim.py -->"


# ---------------------------------------------------------------- FSRS-6, the true memory


def _d0(w: Sequence[float], rating: int) -> float:
    return w[4] - math.exp(w[5] * (rating - 1)) + 1


def recall(w: Sequence[float], elapsed: float, stability: float) -> float:
    decay = w[20]
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed / stability) ** -decay)


def fsrs_step(
    w: Sequence[float], state: tuple[float, float] | None, rating: int, elapsed: int
) -> tuple[float, float]:
    """(stability, difficulty) after a review with `rating` (1-4) `elapsed` days after
    the last one (FSRS-6: short-term stability for same-day reviews)."""
    if state is None:
        return w[rating - 1], min(10.0, max(1.0, _d0(w, rating)))
    s, d = state
    if elapsed == 0:
        sinc = math.exp(w[17] * (rating - 3 + w[18])) * s ** -w[19]
        if rating >= 2:
            sinc = max(sinc, 1.0)
        new_s = s * sinc
    else:
        r = recall(w, elapsed, s)
        if rating == 1:
            new_s = w[11] * d ** -w[12] * ((s + 1) ** w[13] - 1) * math.exp(w[14] * (1 - r))
            new_s = min(new_s, s / math.exp(w[17] * w[18]))
        else:
            hard = w[15] if rating == 2 else 1.0
            easy = w[16] if rating == 4 else 1.0
            new_s = s * (
                math.exp(w[8])
                * (11 - d)
                * s ** -w[9]
                * (math.exp(w[10] * (1 - r)) - 1)
                * hard
                * easy
                + 1
            )
    new_d = d - w[6] * (rating - 3) * (10 - d) / 9
    new_d = min(10.0, max(1.0, new_d))
    new_d = w[7] * _d0(w, 4) + (1 - w[7]) * new_d
    return max(new_s, 0.001), min(10.0, max(1.0, new_d))


RATING = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}


# ---------------------------------------------------------------- one learner


@dataclass
class Memory:
    d_offset: float
    s_factor: float
    state: tuple[float, float] | None = None
    last: date | None = None

    def answer(self, grade: int, day: date) -> None:
        elapsed = 0 if self.last is None else (day - self.last).days
        first = self.state is None
        self.state = fsrs_step(W, self.state, RATING[grade], elapsed)
        if first:
            s, d = self.state
            self.state = (s * self.s_factor, min(10.0, max(1.0, d + self.d_offset)))
        self.last = day

    def p(self, day: date) -> float:
        if self.state is None or self.last is None:
            return 0.0
        return recall(W, (day - self.last).days, self.state[0])


@dataclass
class Outcome:
    recall: float
    unseen: int
    answers: int
    reviews: int  # scheduled reviews (kind "review"), not first looks or re-drills
    busiest_answers: int
    busiest_minutes: float
    all_by_cutoff: bool
    last_intro: date | None
    weak: int = 0  # cards under 80% recall on the day (never-seen ones included)


_COLLECTION: list[Any] = []


def bundled() -> Any:
    """The bundled decks alone (no user home is read)."""
    if not _COLLECTION:
        _COLLECTION.append(load_collection(Path("/nonexistent/flashprep-sim"), use_cache=False))
    return _COLLECTION[0]


def simulate(
    seed: int,
    days: int,
    plan_mode: bool,
    shift: float = 0.0,
    scale: float = 1.0,
    budget: int = BUDGET,
) -> Outcome:
    """One learner (`seed`) from START to an interview `days` later."""
    collection = bundled()
    order = syllabus_order(collection)
    cards = [collection.cards[c] for c in order]
    rng = random.Random(seed)
    memory = {c: Memory(rng.gauss(shift, 1.5), scale * math.exp(rng.gauss(0, 0.4))) for c in order}
    pace = math.exp(rng.gauss(0, 0.25))
    rng = random.Random(seed * 7919 + (1 if plan_mode else 0))  # the answers' own draws
    when = START + timedelta(days=days)
    states: Any = {}
    answers: dict[str, list[Answer]] = {}
    total = reviews = busiest = 0
    busiest_min = 0.0
    last_intro: date | None = None
    for n in range(days):
        day = START + timedelta(days=n)
        moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        if plan_mode:
            p = todays_pace(collection, states, day, when, budget, estimate_costs(answers))
            session = Session(
                cards,
                states,
                moment,
                new_per_day=p.new_per_day,
                reviews_per_day=min(200, p.reviews_per_day),
                interview=when,
            )
        else:
            session = Session(cards, states, moment)
        spent = 0.0
        given = 0
        while not session.done and spent < budget * 60:
            view = session.view()
            assert view is not None
            mem = memory[view.card.id]
            if view.kind == "new":
                r = rng.choices((1, 2, 3, 4), FIRST_RATING)[0]
                grade = {1: rng.choice((1, 2)), 2: 3, 3: 4, 4: 5}[r]
                base = 60.0
            else:
                recalled = rng.random() < mem.p(day)
                grade = (
                    rng.choices((3, 4, 5), (0.15, 0.7, 0.15))[0] if recalled else rng.choice((1, 2))
                )
                base = 15.0 if view.kind == "redrill" else 20.0
            seconds = base * pace * math.exp(rng.gauss(0, 0.3))
            session.show(moment)
            moment += timedelta(seconds=seconds)
            session.answer(grade, moment)
            mem.answer(grade, day)
            answers.setdefault(view.card.id, []).append(
                Answer(day, view.kind, grade, int(seconds * 1000))
            )
            spent += seconds
            given += 1
            reviews += view.kind == "review"
            if view.kind == "new":
                last_intro = day
        total += given
        if given > busiest:
            busiest = given
        busiest_min = max(busiest_min, spent / 60)
        states = session.states
    unseen = sum(1 for c in order if memory[c].state is None)
    mean = sum(memory[c].p(when) for c in order) / len(order)
    cutoff = rules.cutoff_day(START, when)
    weak = sum(1 for c in order if memory[c].p(when) < 0.8)
    return Outcome(
        mean,
        unseen,
        total,
        reviews,
        busiest,
        busiest_min,
        unseen == 0 and (last_intro is None or last_intro <= cutoff),
        last_intro,
        weak,
    )


def _job(args: tuple[int, int, bool, float, float, int]) -> Outcome:
    return simulate(*args)


def run(
    learners: int,
    days: int,
    workers: int,
    minutes: int = BUDGET,
    shift: float = 0.0,
    scale: float = 1.0,
) -> dict[str, list[Outcome]]:
    jobs = [
        (seed, days, mode, shift, scale, minutes)
        for mode in (False, True)
        for seed in range(learners)
    ]
    if workers > 1:
        from multiprocessing import Pool

        with Pool(workers) as pool:
            out = pool.map(_job, jobs, chunksize=max(1, len(jobs) // (4 * workers)))
    else:
        out = [_job(j) for j in jobs]
    return {"sm2": out[:learners], "plan": out[learners:]}


def summary(outs: list[Outcome]) -> dict[str, Any]:
    return {
        "recall": statistics.mean(o.recall for o in outs),
        "recall_min": min(o.recall for o in outs),
        "unseen": statistics.mean(o.unseen for o in outs),
        "unseen_max": max(o.unseen for o in outs),
        "answers": statistics.mean(o.answers for o in outs),
        "reviews": statistics.mean(o.reviews for o in outs),
        "busiest": max(o.busiest_answers for o in outs),
        "busiest_min": max(o.busiest_minutes for o in outs),
        "by_cutoff": sum(o.all_by_cutoff for o in outs),
        "weak": statistics.mean(o.weak for o in outs),
    }


def report(results: dict[str, dict[str, list[Outcome]]], learners: int, seconds: float) -> str:
    lines = [
        MARK,
        "",
        "## Interview plan simulation",
        "",
        f"Generated by `python benchmarks/interview_sim.py` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {seconds:.0f} s "
        f"({os.cpu_count()} cores): {learners} learners (seeds 0-{learners - 1}), each "
        f"run twice on the same cards and memory (plain SM-2, then plan mode), "
        "the minutes a day the table gives, the "
        f"{len(syllabus_order(bundled()))} bundled cards. The model is described at the "
        "top of the script.",
        "",
    ]
    lines += [
        "| interview | minutes a day | mode | mean recall on the day | lowest learner "
        "| cards under 80% | cards never seen | answers (all kinds) | scheduled reviews "
        "| busiest day | every card by the cutoff |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    verdicts = []
    budgets = {name: minutes for name, _, minutes, _, _ in RUNS}
    for name, res in results.items():
        s = {k: summary(v) for k, v in res.items()}
        for mode, label in (("sm2", "plain SM-2"), ("plan", "plan mode")):
            x = s[mode]
            lines.append(
                f"| {name} | {budgets[name]} | {label} | {x['recall']:.3f} | "
                f"{x['recall_min']:.3f} | {x['weak']:.1f} | "
                f"{x['unseen']:.1f} (max {x['unseen_max']}) | {x['answers']:.0f} | "
                f"{x['reviews']:.0f} | {x['busiest']} answers, {x['busiest_min']:.0f} min | "
                f"{x['by_cutoff']}/{learners} |"
            )
        gain = s["plan"]["recall"] - s["sm2"]["recall"]
        ratio = s["plan"]["answers"] / s["sm2"]["answers"]
        rratio = s["plan"]["reviews"] / max(1.0, s["sm2"]["reviews"])
        checks = [
            (
                f"plan recall {s['plan']['recall']:.3f} >= {TARGETS['recall']}",
                s["plan"]["recall"] >= TARGETS["recall"],
            ),
            (f"0 cards unseen (max {s['plan']['unseen_max']})", s["plan"]["unseen_max"] == 0),
            (f"{100 * gain:+.1f} points over plain SM-2 (target +10)", gain >= TARGETS["gain"]),
            (
                f"{ratio:.2f}x its answers, {rratio:.2f}x its scheduled reviews (target <= 1.25x)",
                ratio <= TARGETS["reviews_ratio"],
            ),
        ]
        left = 1 - s["sm2"]["recall"]
        share = f"; it removes {100 * gain / left:.0f}% of plain SM-2's forgetting" if left else ""
        verdicts.append(
            f"- **{name}**: "
            + "; ".join(f"{text} ({'met' if ok else 'NOT met'})" for text, ok in checks)
            + share
        )
    lines += (
        [
            "",
            "Targets (issue 13): plan mode >= 0.90 mean recall with 0 cards unseen, "
            ">= 10 points above plain SM-2, for <= 1.25x its reviews (counted here as "
            "answers of every kind).",
            "",
        ]
        + verdicts
        + [
            "",
            "The +10 points cannot be had in this model: with FSRS-6's default memory, "
            "plain SM-2 already ends above 0.93 (its 1-, 6-, 15- and ~38-day intervals put a "
            "review of most cards within a few weeks of day 70, and FSRS-6 puts a card's "
            "stability at 77 days after a first look and good reviews 1, 6 and 15 days "
            "later), so at most 5-7 points are left to gain. What the plan "
            "changes is the tail: the cards under 80% on the day, and every card seen by the "
            "cutoff.",
            "",
        ]
    )
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    head = old.split(MARK)[0].rstrip("\n")
    path.write_text((head + "\n\n" if head else "") + text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-write", action="store_true", help="Print, do not write.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    results = {
        name: run(args.learners, days, args.workers, minutes, shift, scale)
        for name, days, minutes, shift, scale in RUNS
    }
    text = report(results, args.learners, time.perf_counter() - t0)
    print(text)
    if not args.no_write:
        write_section(args.out, text)


if __name__ == "__main__":
    main()
