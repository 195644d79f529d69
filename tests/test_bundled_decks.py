"""The bundled decks: they load, cover the syllabus, and follow the content rules.

Coverage is measured against decks/syllabus.md through the generator, so the
topics the tests expect are exactly the ones `flashprep generate` computes.
Each test collects every offending card, so one run lists all problems.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from flashprep.cardmodel import Card
from flashprep.decks import build_collection, check_files
from flashprep.decksources import BUNDLED, bundled_dir
from flashprep.syllabus import BEHAVIORAL, parse_syllabus

DECKS = Path(__file__).resolve().parents[1] / "decks"
CATEGORY_TAGS = {
    "python",
    "fastapi",
    "database",
    "auth",
    "system-design",
    "api-design",
    "devops",
    "cs-fundamentals",
    "behavioral",
}
MUST_KNOW = ["python", "fastapi", "database", "auth", "system-design", "api-design", "devops"]
FENCE_RE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
MAX_PROSE_WORDS = 130  # "at most about 120 words" plus a little slack


@pytest.fixture(scope="module")
def cards() -> list[Card]:
    files = sorted(DECKS.glob("*.toml"))
    good, bad = check_files([(p, BUNDLED) for p in files])
    assert [str(e) for e in bad] == []
    errors: list = []
    col = build_collection(good, errors=errors)
    assert [str(e) for e in errors] == []
    return list(col.cards.values())


@pytest.fixture(scope="module")
def plans():  # type: ignore[no-untyped-def]
    return parse_syllabus((DECKS / "syllabus.md").read_text(encoding="utf-8"))


def test_the_syllabus_tables_ship_with_the_decks() -> None:
    assert (bundled_dir() / "syllabus.md").is_file()


def test_bundled_decks_load_through_the_loader(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("validate")
    assert r.exit_code == 0, r.output
    assert r.output.endswith(": ok\n")


def test_every_card_is_answered_and_there_are_enough(cards: list[Card]) -> None:
    assert [c.id for c in cards if c.draft or not c.back.strip()] == []
    assert len(cards) >= 250


def test_card_ids_are_unique_across_files() -> None:
    import tomllib

    ids = Counter(
        c["id"]
        for p in DECKS.glob("*.toml")
        for c in tomllib.loads(p.read_text(encoding="utf-8")).get("cards", [])
    )
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_must_know_question_has_three_answered_cards(cards, plans) -> None:  # type: ignore[no-untyped-def]
    per_topic = Counter(c.topic for c in cards if not c.draft)
    must_know = [p for p in plans if p.id in MUST_KNOW]
    assert [p.id for p in must_know] == MUST_KNOW
    topics = [i.topic for p in must_know for i in p.items]
    assert len(topics) == 33
    assert {t: per_topic[t] for t in topics if per_topic[t] < 3} == {}


def test_every_what_to_cover_row_has_two_answered_cards(cards, plans) -> None:  # type: ignore[no-untyped-def]
    per_topic = Counter(c.topic for c in cards if not c.draft)
    rows = [i.topic for p in plans if p.id not in MUST_KNOW and p.id != BEHAVIORAL for i in p.items]
    assert len(rows) == 43
    assert {t: per_topic[t] for t in rows if per_topic[t] < 2} == {}


def test_every_behavioural_prompt_has_a_practice_card(cards, plans) -> None:  # type: ignore[no-untyped-def]
    prompts = [i.topic for p in plans if p.id == BEHAVIORAL for i in p.items]
    assert len(prompts) == 4
    per_topic = Counter(c.topic for c in cards)
    assert [t for t in prompts if per_topic[t] < 1] == []


def test_every_card_covers_a_syllabus_item_and_the_first_card_has_the_topic_id(
    cards,
    plans,  # type: ignore[no-untyped-def]
) -> None:
    topics = {i.topic for p in plans for i in p.items}
    assert sorted({c.id: c.topic for c in cards if c.topic not in topics}.items()) == []
    ids = {c.id for c in cards}
    assert sorted(t for t in topics if t not in ids) == []


def test_python_code_blocks_compile_and_every_block_names_its_language(
    cards: list[Card],
) -> None:
    bad = []
    blocks = 0
    for c in cards:
        if c.back.count("```") % 2:
            bad.append(f"{c.id}: unbalanced code fences")
        for m in FENCE_RE.finditer(c.back):
            lang, code = m.group(1).strip(), m.group(2)
            blocks += 1
            if not lang:
                bad.append(f"{c.id}: a code block without a language")
            elif lang.split()[0] == "python":
                try:
                    compile(code, c.id, "exec")
                except SyntaxError as exc:
                    bad.append(f"{c.id}: {exc}")
    assert bad == []
    assert blocks > 20


def test_backs_are_short(cards: list[Card]) -> None:
    long = {}
    for c in cards:
        words = len(FENCE_RE.sub("", c.back).split())
        if words > MAX_PROSE_WORDS:
            long[c.id] = words
    assert long == {}


def test_fronts_are_at_most_two_lines(cards: list[Card]) -> None:
    assert [c.id for c in cards if len(c.front.strip().splitlines()) > 2] == []


def test_two_to_five_key_points(cards: list[Card]) -> None:
    assert {c.id: len(c.key_points) for c in cards if not 2 <= len(c.key_points) <= 5} == {}


def test_every_card_has_a_phase_tag_and_a_category_tag(cards: list[Card]) -> None:
    phase = re.compile(r"^phase-[1-6]$")
    no_phase = [c.id for c in cards if not any(phase.match(t) for t in c.tags)]
    no_category = [c.id for c in cards if CATEGORY_TAGS.isdisjoint(c.tags)]
    assert (no_phase, no_category) == ([], [])


def test_must_know_cards_carry_their_category_and_phase_6(cards: list[Card]) -> None:
    wrong = [
        c.id
        for c in cards
        if c.deck in MUST_KNOW and (c.deck not in c.tags or "phase-6" not in c.tags)
    ]
    assert wrong == []


@pytest.mark.parametrize("tag", ["sql", "jwt", "docker", "redis", "gil", "indexing"])
def test_common_tags_select_cards(cards: list[Card], tag: str) -> None:
    assert sum(tag in c.tags for c in cards) >= 3
