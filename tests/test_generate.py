"""`flashprep generate`: syllabus tables -> deck skeletons, merged without loss."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashprep.deckschema import SLUG_RE
from flashprep.generate import TODO_COMMENT
from flashprep.syllabus import parse_syllabus
from flashprep.syllabustext import heading_title, label, repair_mojibake, slug, split_questions

REPO = Path(__file__).resolve().parents[1]
PROJECT_SYLLABUS = REPO / "decks" / "syllabus.md"
SHARED_SYLLABUS = Path(__file__).resolve().parents[2] / "shared" / "syllabus.md"
MUST_KNOW = ["python", "fastapi", "database", "auth", "system-design", "api-design", "devops"]

SMALL = """\
## Phase 2: Databases & SQL (Week 2–3)

### 2.2 PostgreSQL + SQLAlchemy ORM (~3 days)

| Topic | What to Cover | Time |
|-------|--------------|------|
| **Alembic** | DB migrations — init, autogenerate | 0.5 day |
| **SQLAlchemy ORM** | `query()` vs `select()` | 1 day |

## Phase 6: Interview Prep

### 6.1 Common Interview Topics

| Category | Must-Know Questions |
|----------|-------------------|
| **Python** | Mutable vs immutable, GIL, `*args/**kwargs` |
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file's bytes, inode and mtime: a rewrite of equal bytes still shows."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.is_dir():  # decks/datasets/ holds the SQL exercises' data, not decks
            continue
        st = p.stat()
        out[p.name] = (p.read_bytes(), st.st_ino, st.st_mtime_ns)
    return out


def topics_in(folder: Path) -> dict[str, set[str]]:
    out = {}
    for p in folder.glob("*.toml"):
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        out[data["deck"]["id"]] = {c.get("topic") for c in data.get("cards", [])}
    return out


# ----------------------------------------------------------------- the id scheme


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("`*args/**kwargs`", "args-kwargs"),
        ("N+1 problem", "n-1-problem"),
        ("Indexing (B-tree)", "indexing-b-tree"),
        ("CI/CD pipeline stages", "ci-cd-pipeline-stages"),
        ("**DSA** (interview-level)", "dsa-interview-level"),
        ("`deepcopy` vs `copy`", "deepcopy-vs-copy"),
        ("12-factor app", "12-factor-app"),
        ("Café à la crème", "cafe-a-la-creme"),
        ("🚀 Rate limiter ⭐", "rate-limiter"),
        ("[HATEOAS](https://example.com) basics", "hateoas-basics"),
    ],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.2 PostgreSQL + SQLAlchemy ORM (~3 days)", "2.2 PostgreSQL + SQLAlchemy ORM"),
        ("Phase 3: FastAPI Core (Week 3–5) ⭐", "Phase 3: FastAPI Core"),
        ("📚 Recommended **Resources**", "Recommended Resources"),
        ("C++ (basics)", "C++"),
    ],
)
def test_heading_title(text: str, expected: str) -> None:
    assert heading_title(text) == expected


def test_split_questions_keeps_commas_inside_code_and_parentheses() -> None:
    cell = "Mutable vs immutable, `f(a, b)` calls, Joins (inner, outer), , GIL"
    assert split_questions(cell) == [
        "Mutable vs immutable",
        "`f(a, b)` calls",
        "Joins (inner, outer)",
        "GIL",
    ]


def test_repair_mojibake() -> None:
    assert repair_mojibake("Week 2â€“3 â€” done") == "Week 2–3 — done"
    assert repair_mojibake("ðŸš€ Launch") == "🚀 Launch"
    assert repair_mojibake("Café, naïve, → ok") == "Café, naïve, → ok"


def garble(text: str) -> str:
    """What a UTF-8 file looks like when read as Windows-1252 (undefined bytes as C1)."""
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


@given(st.text())
def test_slug_is_a_valid_id_or_empty_and_stable(text: str) -> None:
    s = slug(text)
    assert s == "" or SLUG_RE.match(s)
    assert slug(s) == s


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_repair_undoes_a_windows_1252_misreading(text: str) -> None:
    assert repair_mojibake(garble(text)) == text


@given(st.text())
def test_cleaning_a_label_keeps_its_slug(text: str) -> None:
    assert slug(label(text)) == slug(text)
    assert slug(f"**{text}**") == slug(text)


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.text("abcXYZ 0-9+_*`é🚀", min_size=1, max_size=12),
            st.lists(st.text("abcdef GIL+-/()é", max_size=15), max_size=5),
        ),
        max_size=5,
    )
)
def test_must_know_items_are_the_distinct_slugs_of_the_questions(
    rows: list[tuple[str, list[str]]],
) -> None:
    table = "| Category | Must-Know Questions |\n|---|---|\n" + "".join(
        f"| {cat} | {', '.join(qs)} |\n" for cat, qs in rows
    )
    plans = {p.id: p for p in parse_syllabus(table)}
    expected: dict[str, list[str]] = {}
    for cat, qs in rows:
        deck = slug(cat.strip())
        if not deck:
            continue
        topics = expected.setdefault(deck, [])
        for q in split_questions(", ".join(qs)):
            if f"{deck}-{slug(q)}" not in topics:
                topics.append(f"{deck}-{slug(q)}")
    assert {d: [i.topic for i in p.items] for d, p in plans.items()} == {
        d: t for d, t in expected.items() if t
    }
    for p in plans.values():
        assert all(SLUG_RE.match(i.topic) for i in p.items)


# ----------------------------------------------------------------- parsing


def test_parse_gives_the_documented_ids_topics_and_fronts() -> None:
    plans = parse_syllabus(SMALL)
    assert [p.id for p in plans] == ["postgresql-sqlalchemy-orm", "python"]
    orm, python = plans
    assert (orm.name, orm.category, orm.tags) == (
        "PostgreSQL + SQLAlchemy ORM",
        "Databases & SQL",
        ["database", "phase-2"],
    )
    assert [(i.topic, i.front) for i in orm.items] == [
        ("postgresql-sqlalchemy-orm-alembic", "Alembic: DB migrations — init, autogenerate"),
        ("postgresql-sqlalchemy-orm-sqlalchemy-orm", "SQLAlchemy ORM: `query()` vs `select()`"),
    ]
    assert (python.name, python.category, python.tags) == (
        "Python must-knows",
        "Python",
        ["python", "phase-6"],
    )
    assert [(i.topic, i.front, i.tags) for i in python.items] == [
        (
            "python-mutable-vs-immutable",
            "Explain: Mutable vs immutable",
            ("python", "phase-6", "mutable", "immutable"),
        ),
        ("python-gil", "Explain: GIL", ("python", "phase-6", "gil")),
        (
            "python-args-kwargs",
            "Explain: `*args/**kwargs`",
            ("python", "phase-6", "args", "kwargs"),
        ),
    ]
    assert [p.order for p in plans] == [10, 20]


def test_project_syllabus_gives_every_deck_of_the_syllabus() -> None:
    plans = parse_syllabus(PROJECT_SYLLABUS.read_text(encoding="utf-8"))
    assert [p.id for p in plans] == [
        "python-deep-dive",
        "core-cs-fundamentals",
        "sql-relational-dbs",
        "postgresql-sqlalchemy-orm",
        "fastapi-fundamentals",
        "authentication-security",
        "advanced-fastapi",
        "docker",
        "git-ci-cd",
        "caching-rate-limiting",
        *MUST_KNOW,
        "behavioral",
    ]
    by_id = {p.id: p for p in plans}
    assert [i.topic for i in by_id["core-cs-fundamentals"].items][0] == (
        "core-cs-fundamentals-dsa-interview-level"
    )
    assert [i.topic for i in by_id["behavioral"].items] == [
        "behavioral-tell-me-about-yourself",
        "behavioral-walk-me-through-a-project",
        "behavioral-why-backend-why-fastapi",
        "behavioral-how-do-you-handle-a-difficult-bug",
    ]
    assert by_id["devops"].items[1].topic == "devops-ci-cd-pipeline-stages"
    assert by_id["advanced-fastapi"].category == "FastAPI Core"
    assert by_id["caching-rate-limiting"].category == "DevOps & Deployment Essentials"
    assert sum(len(p.items) for p in plans) == 80


MESSY = """\
\ufeff# ðŸš€ My syllabus

| Resource | What For |
|---|---|
| [Docs](https://x) | reading |

```text
| Category | Must-Know Questions |
|---|---|
| Fenced | not a table |
```

## Phase 1: Python â€” the basics (Week 1â€“2) ðŸ\u0090\u008d

### 1.1 Python Deep Dive (~5 days) âœ…

| Time | Notes | What to Cover | **Topic** | Extra |
|:----:|-------|---------------|-----------|-------|
| 1 day | hard | Classes, `__init__` | **OOP** ðŸ”¥ | x | y |
| 1 day | | `a \\| b` unions | Type Hints |
| 1 day | | no topic here | | |
| ½ day | | Lists, dicts | Data Structures |

Some text | with a pipe but no table.

## Phase 6: Interview

| Must-Know Questions | Notes | Category |
| --- | --- | --- |
| Mutable vs immutable, GIL, `f(a, b)` | ignore me | **Python** ðŸ\u0090\u008d |
| | nothing | |
| JWT vs session | | Auth |
"""


def test_robust_input_mojibake_emoji_extra_columns_and_other_tables(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    plans = parse_syllabus(MESSY)
    assert [p.id for p in plans] == ["python-deep-dive", "python", "auth"]
    deep, python, auth = plans
    assert deep.category == "Python — the basics"
    assert [(i.topic, i.front) for i in deep.items] == [
        ("python-deep-dive-oop", "OOP 🔥: Classes, `__init__`"),
        ("python-deep-dive-type-hints", "Type Hints: `a \\| b` unions"),
        ("python-deep-dive-data-structures", "Data Structures: Lists, dicts"),
    ]
    assert [i.topic for i in python.items] == [
        "python-mutable-vs-immutable",
        "python-gil",
        "python-f-a-b",
    ]
    assert [i.topic for i in auth.items] == ["auth-jwt-vs-session"]
    src = write(tmp_path / "messy.md", MESSY)
    r = cli("generate", str(src), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    r = cli("validate", str(tmp_path / "out"))
    assert r.exit_code == 2  # drafts only: the files themselves are valid decks
    assert "unknown key" not in r.output and "invalid TOML" not in r.output
    assert r.output.count("is unanswered (draft = true, back empty)") == 7


# ----------------------------------------------------------------- the command


def test_generate_creates_decks_that_validate_lists_as_unanswered(
    cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        "created postgresql-sqlalchemy-orm.toml: deck 'postgresql-sqlalchemy-orm', "
        "2 cards to answer",
        "created python.toml: deck 'python', 3 cards to answer",
        f"2 deck(s) created, 0 updated, 0 unchanged; 5 cards to answer in {out} "
        "(flashprep validate lists them)",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "postgresql-sqlalchemy-orm.toml",
        "python.toml",
    ]
    text = (out / "python.toml").read_text(encoding="utf-8")
    assert text.count(TODO_COMMENT) == 3
    data = tomllib.loads(text)
    assert data["deck"] == {
        "id": "python",
        "name": "Python must-knows",
        "category": "Python",
        "description": "Must-know Python interview questions: "
        "Mutable vs immutable, GIL, *args/**kwargs.",
        "tags": ["python", "phase-6"],
        "order": 20,
    }
    assert data["cards"][2] == {
        "id": "python-args-kwargs",
        "topic": "python-args-kwargs",
        "front": "Explain: `*args/**kwargs`",
        "back": "",
        "tags": ["python", "phase-6", "args", "kwargs"],
        "draft": True,
    }
    r = cli("validate", str(out))
    assert r.exit_code == 2
    assert (
        f"error: {out / 'python.toml'}:21: card 'python-gil' is unanswered "
        "(draft = true, back empty)" in r.output
    )
    assert r.output.count("is unanswered") == 5
    # The decks load (without the bundled ones, which hold the same deck ids);
    # drafts never come up for review.
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    r = cli("--decks", str(out), "status", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["new"] == 0


def test_second_run_changes_no_byte_and_rewrites_nothing(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "out"
    assert cli("generate", str(PROJECT_SYLLABUS), "--out", str(out)).exit_code == 0
    before = snapshot(out)
    assert len(before) == 18
    r = cli("generate", str(PROJECT_SYLLABUS), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "0 deck(s) created, 0 updated, 18 unchanged; nothing to add"
    assert "unchanged python.toml: all 6 item(s) present" in r.output
    assert snapshot(out) == before  # same bytes, same inode, same mtime


EDITED_PYTHON = '''\
# My notes on the Python deck: keep this comment.
[deck]
id = "python"
name = "My Python"   # renamed on purpose
category = "Python"

[[cards]]
id = "python-gil"
topic = "python-gil"
front = "What is the GIL?"
back = """
One lock around the interpreter; threads still help for I/O.
"""
tags = ["python"]

[[cards]]
# An extra card of my own, with no syllabus topic.
id = "my-walrus"
front = "What does := do?"
back = "Assigns inside an expression."'''  # no newline at the end, on purpose


def test_merge_keeps_answers_comments_and_extra_cards_and_appends_only_missing(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    deck = write(out / "python.toml", EDITED_PYTHON)
    os.chmod(deck, 0o640)
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert (
        "updated python.toml: added 2 cards (python-mutable-vs-immutable, python-args-kwargs)"
        in r.output
    )
    text = deck.read_text(encoding="utf-8")
    assert text.startswith(EDITED_PYTHON + "\n\n[[cards]]\n" + TODO_COMMENT + "\n")
    data = tomllib.loads(text)
    assert [c["id"] for c in data["cards"]] == [
        "python-gil",
        "my-walrus",
        "python-mutable-vs-immutable",
        "python-args-kwargs",
    ]
    assert data["cards"][0]["back"].strip().startswith("One lock around the interpreter")
    assert data["deck"]["name"] == "My Python"
    assert stat.S_IMODE(deck.stat().st_mode) == 0o640
    # Answer one of the new drafts, delete the other: only the deleted one comes back.
    answered = text.replace(
        'front = "Explain: Mutable vs immutable"\nback = ""',
        'front = "Explain: Mutable vs immutable"\nback = "Lists change in place."',
        1,
    ).replace("draft = true\n", "", 1)
    cut = answered.index("[[cards]]\n" + TODO_COMMENT + '\nid = "python-args-kwargs"')
    edited = answered[:cut].rstrip("\n") + "\n"
    write(deck, edited)
    r = cli("generate", str(src), "--out", str(out))
    assert "updated python.toml: added 1 card (python-args-kwargs)" in r.output
    final = deck.read_text(encoding="utf-8")
    assert final.startswith(edited)
    assert final.count('id = "python-mutable-vs-immutable"') == 1
    assert 'back = "Lists change in place."' in final
    before = snapshot(out)
    cli("generate", str(src), "--out", str(out))
    assert snapshot(out) == before


def test_merge_keeps_windows_line_endings(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    original = EDITED_PYTHON.replace("\n", "\r\n").encode("utf-8") + b"\r\n"
    (out / "python.toml").write_bytes(original)
    assert cli("generate", str(src), "--out", str(out)).exit_code == 0
    data = (out / "python.toml").read_bytes()
    assert data.startswith(original)
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_a_taken_card_id_gets_the_next_free_suffix(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    write(
        out / "mine.toml",
        """\
[deck]
id = "mine"
name = "Mine"
category = "Mine"

[[cards]]
id = "python-gil"
topic = "my-own-topic"
front = "Not the syllabus item"
back = "x"
""",
    )
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    ids = [c["id"] for c in tomllib.loads((out / "python.toml").read_text())["cards"]]
    assert ids == ["python-mutable-vs-immutable", "python-gil-2", "python-args-kwargs"]


def test_json_output(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    r = cli("generate", str(src), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["out"] == str(out)
    assert data["decks"][1] == {
        "deck": "python",
        "path": str(out / "python.toml"),
        "action": "created",
        "added": ["python-mutable-vs-immutable", "python-gil", "python-args-kwargs"],
        "present": 0,
        "alongside": False,
    }


# ----------------------------------------------------------------- bad input


def test_no_usable_table_is_a_clear_error_and_writes_nothing(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src = write(tmp_path / "notes.md", "# Notes\n\n| Resource | What For |\n|---|---|\n| a | b |\n")
    out = tmp_path / "out"
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 2
    assert r.output == (
        f"flashprep: error: {src}: no usable table: expected a 'Category | Must-Know Questions' "
        "table or 'Topic | What to Cover' tables with at least one row\n"
    )
    assert not out.exists()


def test_header_without_rows_is_not_usable(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path / "empty.md", "| Category | Must-Know Questions |\n|---|---|\n")
    r = cli("generate", str(src), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "no usable table" in r.output


def test_non_utf8_file_is_a_clear_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "latin1.md"
    src.write_bytes(
        "| Category | Must-Know Questions |\n|---|---|\n| Caf\xe9 | x |\n".encode("latin-1")
    )
    r = cli("generate", str(src), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert r.output == f"flashprep: error: {src}:3: not UTF-8 text (save the file as UTF-8)\n"
    assert not (tmp_path / "out").exists()


def test_missing_syllabus_file(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("generate", str(tmp_path / "nope.md"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert r.output == f"flashprep: error: {tmp_path / 'nope.md'}: no such file\n"


def test_a_broken_deck_in_the_output_folder_stops_everything(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    bad = write(
        out / "broken.toml", "[deck]\nid = 'broken'\nname = 'B'\ncategory = 'B'\nnope = 1\n"
    )
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 2
    assert r.output == f"flashprep: error: {bad}:5: [deck] unknown key 'nope'\n"
    assert sorted(p.name for p in out.iterdir()) == ["broken.toml"]


def test_a_deck_that_cannot_take_appended_cards_is_an_error(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    inline = "cards = []\n[deck]\nid = 'python'\nname = 'P'\ncategory = 'P'\n"
    deck = write(out / "python.toml", inline)
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 2
    assert r.output.startswith(
        f"flashprep: error: {deck}: cannot append skeleton cards without breaking the file "
        "(invalid TOML: "
    )
    assert deck.read_text() == inline
    assert not (out / "postgresql-sqlalchemy-orm.toml").exists()


def test_a_file_name_taken_by_another_deck(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write(tmp_path / "syllabus.md", SMALL)
    out = tmp_path / "out"
    out.mkdir()
    taken = write(out / "python.toml", "[deck]\nid = 'snakes'\nname = 'S'\ncategory = 'S'\n")
    r = cli("generate", str(src), "--out", str(out))
    assert r.exit_code == 2
    assert r.output == (
        f"flashprep: error: {taken}: cannot create deck 'python': the file already holds "
        "another deck (rename the file or its deck id)\n"
    )


# ----------------------------------------------------------------- the user's decks folder


def test_default_out_skips_what_the_bundled_decks_cover(
    cli,
    home: Path,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    r = cli("generate", str(PROJECT_SYLLABUS))
    assert r.exit_code == 0, r.output
    assert "unchanged python: all 6 item(s) are in the bundled decks" in r.output
    assert r.output.splitlines()[-1].endswith("18 unchanged; nothing to add")
    assert not (home / "decks").exists()
    mine = write(tmp_path / "mine.md", SMALL.replace("`*args/**kwargs`", "metaclasses"))
    r = cli("generate", str(mine))
    assert r.exit_code == 0, r.output
    assert "created python-extra.toml: deck 'python-extra', 1 card to answer" in r.output
    extra = tomllib.loads((home / "decks" / "python-extra.toml").read_text())
    assert [c["id"] for c in extra["cards"]] == ["python-metaclasses"]
    # It loads next to the bundled decks: no duplicate deck or card id.
    r = cli("validate")
    assert r.exit_code == 2
    errors = [line for line in r.output.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {home / 'decks' / 'python-extra.toml'}:12: card 'python-metaclasses' "
        "is unanswered (draft = true, back empty)"
    ]


# ----------------------------------------------------------------- the real syllabi


def test_the_shared_syllabus_gives_its_seven_must_know_categories(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    if not SHARED_SYLLABUS.is_file():
        pytest.skip(f"{SHARED_SYLLABUS} is not here")
    out = tmp_path / "out"
    r = cli("generate", str(SHARED_SYLLABUS), "--out", str(out))
    assert r.exit_code == 0, r.output
    decks = {tomllib.loads(p.read_text())["deck"]["category"]: p for p in out.glob("*.toml")}
    for name in ("Python", "FastAPI", "Database", "Auth", "System Design", "API Design", "DevOps"):
        assert name in decks
    topics = topics_in(out)
    assert all(m in topics for m in MUST_KNOW)
    assert len(topics["python"]) == 6 and "python-deepcopy-vs-copy" in topics["python"]

    # The project's copy of the tables says the same as the syllabus.
    def items(path: Path) -> list[tuple[str, str, list[tuple[str, str, tuple[str, ...]]]]]:
        plans = parse_syllabus(path.read_text(encoding="utf-8"))
        return [(p.id, p.category, [(i.topic, i.front, i.tags) for i in p.items]) for p in plans]

    assert items(PROJECT_SYLLABUS) == items(SHARED_SYLLABUS)


def test_the_bundled_decks_are_the_generator_output_filled_in(
    cli,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    copy = tmp_path / "decks"
    shutil.copytree(REPO / "decks", copy)
    before = snapshot(copy)
    r = cli("generate", str(PROJECT_SYLLABUS), "--out", str(copy))
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "0 deck(s) created, 0 updated, 18 unchanged; nothing to add"
    assert snapshot(copy) == before
