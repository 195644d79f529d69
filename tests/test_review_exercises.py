"""Exercises in `flashprep review` (plain mode under CliRunner), trust, validate, and how
the `attempt` events they leave are read by stats, show, undo and doctor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DATASET = """
CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, boss_id INTEGER);
INSERT INTO people (id, name, boss_id) VALUES (1, 'Ada', NULL), (2, 'Bo', 1), (3, 'Cy', 1);
"""
DECK = '''[deck]
id = "ex"
name = "Exercises"
category = "Practice"

[[cards]]
id = "ex-sql"
kind = "sql"
dataset = "people"
front = "Everyone who has a boss: `name`, sorted by name."
back = "A WHERE on boss_id IS NOT NULL."
solution = "SELECT name FROM people WHERE boss_id IS NOT NULL ORDER BY name"
ordered = true

[[cards]]
id = "ex-py"
kind = "python"
front = "Write `double(x)`."
back = "Return 2 * x."
solution = """
def double(x):
    return 2 * x
"""
tests = """
assert double(2) == 4
assert double(-1) == -2
"""
'''
GRADE = "grade 0-5 (Enter = {}), r = try again, s = bury, ! = suspend, u = undo, q = quit: "


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def write_deck(folder: Path, deck: str = DECK) -> Path:
    (folder / "datasets").mkdir(parents=True, exist_ok=True)
    (folder / "datasets" / "people.sql").write_text(DATASET, encoding="utf-8")
    path = folder / "ex.toml"
    path.write_text(deck, encoding="utf-8")
    return path


@pytest.fixture
def own_deck(home: Path) -> Path:
    """The deck in <home>/decks: trusted to run."""
    return write_deck(home / "decks")


def events(home: Path) -> list[dict[str, Any]]:
    path = home / "reviews.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_a_sql_exercise_fails_then_passes_on_a_retry(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    wrong = "SELECT name FROM people\n.\n"
    right = "SELECT name\nFROM people WHERE boss_id IS NOT NULL ORDER BY name;\n.\n"
    r = cli("review", "--kind", "sql", input=wrong + "r\n" + right + "\n")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "(new, sql exercise) | Exercises | ex-sql" in out
    assert "tables: people(id, name, boss_id)\n" in out
    assert "your answer, ended by a line with only '.' (q alone = quit):\n" in out
    assert "FAIL: 3 row(s), expected 2: 1 row(s) that should not be there  [sqlite," in out
    assert "expected (the solution):" in out and "yours:" in out
    assert "+ Ada" in out  # the extra row is marked
    assert GRADE.format(2) in out
    assert "-- attempt 2\n" in out
    assert "PASS: 2 row(s), as expected" in out
    assert GRADE.format(3) in out  # passed after a retry
    assert "-- solution\nSELECT name FROM people WHERE boss_id IS NOT NULL ORDER BY name\n" in out
    assert "-> ex-sql: graded 3" in out
    log = events(home)
    assert [e["kind"] for e in log] == ["attempt", "attempt", "new"]
    first, second, answer = log
    assert first["code"] == "SELECT name FROM people" and first["outcome"] == "fail"
    assert first["engine"] == "sqlite" and first["attempt"] == 1
    assert isinstance(first["seconds"], float) and first["detail"].startswith("3 row(s)")
    assert second["outcome"] == "pass" and second["attempt"] == 2
    assert (
        first["state"]
        == second["state"]
        == {
            "ef": 2.5,
            "interval": 0,
            "repetitions": 0,
            "due": None,
            "lapses": 0,
            "reviews": 0,
            "last_day": None,
            "introduced": None,
        }
    )  # an attempt changes nothing
    assert (answer["grade"], answer["suggested"], answer["attempts"]) == (3, 3, 2)


def test_a_quick_first_pass_suggests_5(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    code = "def double(x):\n    return x + x\n.\n"
    r = cli("review", "--kind", "python", input=code + "\n")
    assert r.exit_code == 0, r.output
    assert "PASS: every test passed  [python," in r.stdout and GRADE.format(5) in r.stdout
    assert events(home)[-1]["grade"] == 5
    r = cli("review", "--kind", "python", "--new", "0", input="")  # nothing left today
    assert "Nothing to review today" in r.stdout


def test_a_wrong_python_answer_fails_with_the_assert(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    code = "def double(x):\n    return x * x\n.\n"
    r = cli("review", "--kind", "python", input=code + "1\n")
    assert r.exit_code == 0, r.output
    assert "FAIL: 1 test(s) failed: assert double(-1) == -2  (left: 1, right: -2)" in r.stdout
    assert "  ✗ assert double(-1) == -2  (left: 1, right: -2)\n" in r.stdout
    # The answer comes after a failed exercise is graded.
    assert "-- answer\nReturn 2 * x.\n-- solution\ndef double(x):" in r.stdout
    attempt, answer = events(home)
    assert attempt["outcome"] == "fail" and attempt["code"] == "def double(x):\n    return x * x"
    assert (answer["grade"], answer["suggested"]) == (1, 2)


def test_an_endless_loop_ends_as_a_timeout(
    cli,
    home: Path,
    own_deck: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from functools import partial

    from flashprep.exercises.check import Checker

    monkeypatch.setattr("flashprep.exercises.check.Checker", partial(Checker, python_limit=1.0))
    r = cli("review", "--kind", "python", input="while True:\n    pass\n.\nq\n")
    assert r.exit_code == 0, r.output
    assert "FAIL (timeout): took longer than 1 s (the time limit)" in r.stdout
    assert events(home)[0]["outcome"] == "timeout"


def test_quitting_at_the_code_prompt_and_end_of_input(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("review", "--kind", "sql", input="q\n.\n")
    assert r.exit_code == 0 and "Session over" in r.stdout and events(home) == []
    r = cli("review", "--kind", "sql", input="SELECT 1\n")  # no "." before the end
    assert r.exit_code == 0 and events(home) == []


def test_kind_filters_and_is_checked(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("review", "--kind", "card")
    assert "no card matches --deck/--tag/--topic/--kind" in r.stdout
    r = cli("review", "--kind", "ruby")
    assert r.exit_code == 2 and "--kind 'ruby': use sql, python or card" in r.output


# ------------------------------------------------------------------ trust


def test_a_deck_from_elsewhere_is_self_graded_till_trusted(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_deck(tmp_path / "shared")
    r = cli("--decks", str(path.parent), "review", "--kind", "python", input="\n4\n")
    assert r.exit_code == 0, r.output
    notice = (
        f"-> {path} is not trusted to run code: this exercise is graded by hand "
        f"(`flashprep trust {path}` runs its checks)"
    )
    assert notice in r.stdout
    assert "Enter = show the answer" in r.stdout and "-- solution\ndef double(x):" in r.stdout
    assert [e["kind"] for e in events(home)] == ["new"]

    r = cli("trust", str(path))
    assert r.exit_code == 0 and r.stdout.startswith(f"trusted {path} (sha256 ")
    trusted = json.loads((home / "trusted.json").read_text())["files"]
    assert list(trusted.values()) == [__import__("hashlib").sha256(path.read_bytes()).hexdigest()]
    r = cli(
        "--decks",
        str(path.parent),
        "review",
        "--kind",
        "sql",
        input="SELECT name FROM people WHERE boss_id = 1 ORDER BY name\n.\n\n",
    )
    assert "PASS: 2 row(s)" in r.stdout and "not trusted" not in r.stdout

    path.write_text(DECK.replace("Write `double(x)`.", "Write double."), encoding="utf-8")
    r = cli("--decks", str(path.parent), "validate")
    assert f"{path}: 2 exercise(s) not run: the file is not trusted" in r.output
    assert "exercises: 0 reference solution(s) run, 0 failed, 2 not run (untrusted)" in r.stdout


def test_trust_refuses_what_is_not_a_deck(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("trust", str(tmp_path / "missing.toml"))
    assert r.exit_code == 2 and "not a file" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[deck\n")
    r = cli("trust", str(bad))
    assert r.exit_code == 2 and "invalid TOML" in r.output
    assert not (home / "trusted.json").exists()


# ------------------------------------------------------------------ validate


def test_validate_runs_every_reference_solution(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    r = cli("validate", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["exercises"] == {"checked": 2, "failed": 0, "untrusted": 0}
    broken = DECK.replace("return 2 * x", "return 3 * x").replace(
        "WHERE boss_id IS NOT NULL", "WHERE boss_id > 5"
    )
    own_deck.write_text(broken, encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 2
    assert (
        "card 'ex-py': the reference solution fails its own check on python: "
        "2 test(s) failed: assert double(2) == 4  (left: 6, right: 4)"
    ) in r.output
    assert (
        "card 'ex-sql': the reference solution fails its own check on sqlite: "
        "the solution returns no rows"
    ) in r.output


def test_validate_names_a_missing_dataset(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    own_deck.write_text(DECK.replace('dataset = "people"', 'dataset = "nope"'), encoding="utf-8")
    r = cli("validate")
    assert r.exit_code == 2 and "no dataset 'nope' (looked for nope.sql in" in r.output


@pytest.mark.parametrize(
    "extra, line, message",
    [
        ('kind = "sql"\nsolution = "SELECT 1"\n', 6, "a sql card needs 'dataset'"),
        ('kind = "python"\nsolution = "x = 1"\n', 6, "a python card needs 'tests'"),
        ('tests = "assert 1"\n', 6, "a plain card takes no 'tests'"),
        (
            'kind = "python"\nsolution = "x = 1"\ntests = "assert x"\nordered = true\n',
            6,
            "a python card takes no 'ordered'",
        ),
        ('kind = "ruby"\n', 10, "kind: Input should be 'card', 'sql' or 'python'"),
    ],
)
def test_exercise_keys_are_checked(
    cli,
    home: Path,
    tmp_path: Path,
    extra: str,  # type: ignore[no-untyped-def]
    line: int,
    message: str,
) -> None:
    deck = tmp_path / "d.toml"
    deck.write_text(
        '[deck]\nid = "d"\nname = "D"\ncategory = "C"\n\n'
        f'[[cards]]\nid = "c"\nfront = "F"\nback = "B"\n{extra}',
        encoding="utf-8",
    )
    r = cli("validate", str(deck))
    assert r.exit_code == 2
    assert f"error: {deck}:{line}: card 'c': {message}" in r.output


# ------------------------------------------------------------------ attempts elsewhere


def session_with_attempts(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    """ex-sql: two attempts and a grade 3; ex-py: one attempt graded 5."""
    wrong = "SELECT name FROM people\n.\n"
    right = "SELECT name FROM people WHERE boss_id = 1 ORDER BY name\n.\n"
    py = "def double(x):\n    return 2 * x\n.\n"
    r = cli("review", input=wrong + "r\n" + right + "\n" + py + "\n")
    assert r.exit_code == 0, r.output
    assert [e["kind"] for e in events(home)] == ["attempt", "attempt", "new", "attempt", "new"]


def test_stats_figures_with_attempts(home: Path, own_deck: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from flashprep.history import History
    from flashprep.stats import activity, window

    session_with_attempts(cli, home)
    with History.open(home) as h:
        act = activity(h.indexed(), window(date(2026, 3, 10), 30))
    assert act.days == {"2026-03-10": 2}
    assert sorted(act.cards) == ["ex-py", "ex-sql"]
    assert all(r[0] == 1 for r in act.cards.values())  # one answer each


def test_show_lists_attempts_with_their_outcome(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    session_with_attempts(cli, home)
    r = cli("show", "ex-sql", "--json")
    hist = json.loads(r.stdout)["history"]
    assert [(e["kind"], e.get("outcome"), e.get("grade")) for e in hist] == [
        ("attempt", "fail", None),
        ("attempt", "pass", None),
        ("new", None, 3),
    ]
    assert hist[0]["code"] == "SELECT name FROM people" and hist[1]["attempt"] == 2
    r = cli("show", "ex-sql")
    assert r.exit_code == 0 and "attempt" in r.stdout and "fail" in r.stdout


def test_undo_takes_back_the_answer_behind_attempts(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    session_with_attempts(cli, home)
    r = cli("undo", "--json")
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert result["card_id"] == "ex-py" and result["state"]["reviews"] == 0
    r = cli("undo", "--json")  # then ex-sql's answer, from behind its attempts
    result = json.loads(r.stdout)
    assert result["card_id"] == "ex-sql" and result["state"]["reviews"] == 0
    assert result["undone"]["grade"] == 3
    r = cli("status", "--json")
    assert json.loads(r.stdout)["new"] == 2


def test_doctor_accepts_attempts_and_refuses_a_bad_one(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    session_with_attempts(cli, home)
    r = cli("doctor", "--json")
    assert r.exit_code == 0, r.output
    log = home / "reviews.jsonl"
    lines = log.read_text().splitlines()
    bad = json.loads(lines[0])
    bad["outcome"] = "maybe"
    lines[0] = json.dumps(bad, separators=(",", ":"))
    log.write_text("\n".join(lines) + "\n")
    r = cli("doctor", "--json")
    assert r.exit_code == 2
    assert "an attempt needs its code and an outcome" in r.stdout


# ------------------------------------------------------------------ export


def test_an_exercise_exports_with_schema_solution_and_result(
    cli,
    home: Path,
    own_deck: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    out = tmp_path / "cards.txt"
    r = cli("export", "tsv", "-o", str(out))
    assert r.exit_code == 0, r.output
    rows = {
        line.split("\t")[3]: line.split("\t")
        for line in out.read_text().splitlines()
        if not line.startswith("#")
    }
    sql_front, sql_back = rows["ex-sql"][0], rows["ex-sql"][1]
    assert "Everyone who has a boss" in sql_front and "dataset <code>people</code>" in sql_front
    assert "people" in sql_front and "boss_id" in sql_front and "CREATE" in sql_front
    assert "INSERT" not in sql_front  # the schema, not the data
    assert "Solution" in sql_back and "IS" in sql_back and "NOT" in sql_back
    assert (
        "<table> <thead> <tr> <th>name</th> </tr> </thead> <tbody> <tr> <td>Bo</td> </tr> "
        "<tr> <td>Cy</td> </tr> </tbody> </table>"
    ) in sql_back
    py_back = rows["ex-py"][1]
    assert "Return 2 * x." in py_back and "It passes" in py_back and "double" in py_back


def test_attempts_are_indexed_but_are_no_answers(home: Path, own_deck: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    import flashprep.stats as stats
    from flashprep.history import History

    # Code that looks like an event's own fields is only text inside the event.
    sneaky = 'SELECT \'"state":{"interval":99}\' AS x, "kind" FROM people\n.\n'
    r = cli("review", "--kind", "sql", input=sneaky + "\n")
    assert r.exit_code == 0, r.output
    assert [e["kind"] for e in events(home)] == ["attempt", "new"]
    with History.open(home) as h:
        rows = h.indexed().query("SELECT kind, interval FROM events ORDER BY line")
        assert rows == [("attempt", 0), ("new", 1)]
        assert h.events_of("attempt")[0]["code"] == sneaky.removesuffix(".\n").rstrip("\n")
        act = stats.activity(h.indexed(), stats.window(date(2026, 3, 10), 30))
    assert act.days == {"2026-03-10": 1} and act.cards["ex-sql"][0] == 1


def test_a_missing_dataset_falls_back_to_grading_by_hand(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    (own_deck.parent / "datasets" / "people.sql").unlink()
    r = cli("review", "--kind", "sql", input="\n4\n")
    assert r.exit_code == 0, r.output
    assert "-> " in r.stdout and "no dataset 'people'" in r.stdout
    assert "this exercise is graded by hand" in r.stdout
    assert [e["kind"] for e in events(home)] == ["new"]


def test_an_answer_undone_behind_an_attempt_counts_nowhere(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from flashprep.history import History
    from flashprep.index import remove_index
    from flashprep.stats import activity, window

    # Graded 1, back as a re-drill; one more run, then u takes the grade back.
    r = cli("review", "--kind", "sql", input="SELECT 1\n.\n1\nSELECT 2\n.\nu\nq\n.\n")
    assert r.exit_code == 0, r.output
    assert "-> ex-sql: undid the answer 1" in r.stdout
    log = events(home)
    assert [e["kind"] for e in log] == ["attempt", "new", "attempt", "undo"]
    assert log[3]["undoes"] == log[1]["id"] and log[3]["state"]["reviews"] == 0
    for _ in range(2):  # the index kept answer by answer, then one rebuilt from the log
        with History.open(home) as h:
            act = activity(h.indexed(), window(date(2026, 3, 10), 30))
        assert act.days.get("2026-03-10", 0) == 0 and act.cards.get("ex-sql", [0])[0] == 0
        remove_index(home)
    r = cli("status", "--json")
    assert json.loads(r.stdout)["new"] == 2


def test_show_gives_an_exercises_solution(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("show", "ex-py", "--json").stdout)
    assert data["kind"] == "python" and data["solution"].startswith("def double(x):")
    assert data["tests"].startswith("assert double(2) == 4")
    assert json.loads(cli("show", "ex-sql", "--json").stdout)["dataset"] == "people"
    r = cli("show", "ex-sql")
    assert r.exit_code == 0 and "Solution" in r.stdout and "boss_id IS NOT NULL" in r.stdout


def test_validate_says_once_that_postgresql_is_unreachable(cli, home: Path, own_deck: Path) -> None:  # type: ignore[no-untyped-def]
    (home / "config.toml").write_text("postgres_dsn = 'postgresql://nobody@127.0.0.1:1/none'\n")
    r = cli("validate")
    assert r.exit_code == 2
    assert r.output.count("the solutions could not run on PostgreSQL: ") == 1
    assert "exercises: 2 reference solution(s) run, 0 failed" in r.stdout  # SQLite still ran
