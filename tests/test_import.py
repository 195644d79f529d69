"""`flashprep import`: Anki's plain-text notes export, CSV and TSV, HTML to Markdown,
duplicates skipped on a second import, bad rows by line number, --dry-run, and the
round trip through `flashprep export tsv`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from flashprep.htmlmd import html_to_markdown
from flashprep.importfile import read_text

DATA = Path(__file__).parent / "data"
ANKI = DATA / "anki-notes.txt"


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")


def run(cli: Any, *args: str, code: int = 0) -> Any:
    result = cli(*args)
    assert result.exit_code == code, result.output
    return result


def cards_json(cli: Any, *args: str) -> list[dict[str, Any]]:
    return json.loads(run(cli, *args, "cards", "--json").stdout)


def show(cli: Any, card_id: str, *args: str) -> dict[str, Any]:
    return json.loads(run(cli, *args, "show", card_id, "--json").stdout)


def deck_files(home: Path) -> dict[str, bytes]:
    d = home / "decks"
    return {p.name: p.read_bytes() for p in sorted(d.glob("*"))} if d.exists() else {}


# ----------------------------------------------------------------- Anki's export


def test_an_anki_plain_text_export_imports(cli: Any, home: Path) -> None:
    result = run(cli, "import", str(ANKI))
    assert result.stdout == (
        f"created user deck 'interview-python' ({home / 'decks' / 'interview-python.toml'})\n"
        f"created user deck 'interview-sql' ({home / 'decks' / 'interview-sql.toml'})\n"
        "added 4 card(s) (2 to interview-python, 2 to interview-sql)\n"
    )
    rows = {r["front"]: r for r in cards_json(cli)}
    assert list(rows) == [  # deck by deck, file order within a deck
        "What does the **GIL** protect?",
        "Why is `def f(x=[])` a bug?",
        "WHERE vs HAVING?",
        "What does `a < b` mean for two timestamps?",
    ]
    gil = show(cli, rows["What does the **GIL** protect?"]["id"])
    assert gil["deck"] == "interview-python"
    assert gil["back"] == (
        "Reference counts and other interpreter state.\\\n"
        "Only one thread runs Python bytecode at a time."
    )
    assert gil["tags"] == ["python", "concurrency", "interview-backend"]
    bug = show(cli, rows["Why is `def f(x=[])` a bug?"]["id"])
    assert bug["back"] == (
        "The default list is created *once*, when `def` runs, and shared by every call. "
        'Use `None` as a "sentinel":\n\n'
        "```python\ndef f(x=None):\n    if x is None:\n        x = []\n    return x\n```"
    )
    sql = show(cli, rows["WHERE vs HAVING?"]["id"])
    assert (
        sql["back"]
        == "WHERE filters **rows** before grouping;\\\nHAVING filters **groups** after it."
    )
    assert sql["id"].startswith("where-vs-having-")
    img = show(cli, rows["What does `a < b` mean for two timestamps?"]["id"])
    assert img["back"] == (  # tags with no Markdown form stay as they are
        '`a` is earlier than `b`. See the diagram: <img src="paste-3f2a9c.png">'
    )
    decks = tomllib.loads((home / "decks" / "interview-python.toml").read_text())
    assert decks["deck"]["name"] == "Interview::Python"
    assert [c["guid"] for c in decks["cards"]] == ["c]3Pb{2,4W", "#k9zL!pQ2x"]
    assert json.loads(run(cli, "status", "--json").stdout)["new"] == 4


def test_importing_twice_adds_nothing(cli: Any, home: Path) -> None:
    run(cli, "import", str(ANKI))
    before = deck_files(home)
    result = run(cli, "import", str(ANKI))
    assert result.stdout == "added 0 card(s)\nskipped 4 already present\n"
    assert deck_files(home) == before
    assert len(cards_json(cli)) == 4


def test_a_changed_front_is_still_matched_by_guid(cli: Any, home: Path, tmp_path: Path) -> None:
    run(cli, "import", str(ANKI))
    edited = tmp_path / "edited.txt"
    edited.write_text(ANKI.read_text().replace("What does the <b>GIL</b>", "What does the GIL"))
    result = run(cli, "import", str(edited), "--json")
    report = json.loads(result.stdout)
    assert report["added"] == []
    assert report["duplicates"][0]["line"] == 7
    assert report["duplicates"][0]["reason"].endswith("(same GUID)")


def test_the_history_is_read_for_its_ids_only(
    cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flashprep.schedule import CardState

    run(cli, "import", str(ANKI))
    card_id = cards_json(cli)[0]["id"]
    run(cli, "suspend", card_id)  # leaves an index
    assert (home / "cache" / "index.sqlite").exists()

    def decode(row: Any) -> CardState:
        raise AssertionError("a card state was decoded")

    # New ids only have to avoid the ids: decoding 20,000 states took ~35 ms.
    monkeypatch.setattr(CardState, "from_row", staticmethod(decode))
    more = tmp_path / "more.tsv"
    more.write_text("front\tback\nA new question?\tAn answer.\n")
    result = run(cli, "import", str(more), "--deck", "interview-sql")
    assert result.stdout == "added 1 card(s) (1 to interview-sql)\n"


def test_dry_run_writes_nothing(cli: Any, home: Path) -> None:
    result = run(cli, "import", str(ANKI), "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"would create user deck 'interview-python' ({home / 'decks' / 'interview-python.toml'})",
        f"would create user deck 'interview-sql' ({home / 'decks' / 'interview-sql.toml'})",
        "would add 4 card(s) (2 to interview-python, 2 to interview-sql)",
    ]
    assert lines[3].startswith("  line 7: gil-protect-") and lines[3].endswith(
        " -> interview-python"
    )
    assert deck_files(home) == {}
    assert not (home / "reviews.jsonl").exists()


def test_deck_option_and_the_extra_rule(
    cli: Any, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "1")
    result = run(cli, "import", str(ANKI), "--deck", "python")
    assert result.stdout.splitlines()[-1] == "added 4 card(s) (4 to python-extra)"
    assert list(deck_files(home)) == ["python-extra.toml"]


# ----------------------------------------------------------------- CSV and TSV


def test_bad_rows_are_reported_by_line_and_good_rows_import(
    cli: Any, home: Path, tmp_path: Path
) -> None:
    src = tmp_path / "mixed.csv"
    src.write_text(
        "front,back,tags\n"  # 1: column names
        "What is ACID?,Atomicity consistency isolation durability,db\n"  # 2
        '"A question\n'  # 3: a quoted field over two lines
        'on two lines?","yes",db\n'  # 4
        "Too,many,columns,here\n"  # 5
        "No back?,,db\n"  # 6
        ",No front,db\n"  # 7
        "\n"  # 8: blank, skipped
        "Last one?,Still imported,db\n"  # 9
    )
    result = run(cli, "import", str(src), "--deck", "db", code=2)
    assert result.stderr == (
        f"flashprep: warning: {src}:5: wrong column count: 4, expected 3\n"
        f"flashprep: warning: {src}:6: missing field: the back is empty\n"
        f"flashprep: warning: {src}:7: missing field: the front is empty\n"
    )
    assert result.stdout == (
        f"created user deck 'db' ({home / 'decks' / 'db.toml'})\n"
        "added 3 card(s) (3 to db)\n"
        "3 bad row(s) left out (see above)\n"
    )
    fronts = [r["front"] for r in cards_json(cli)]
    assert fronts == ["What is ACID?", "A question", "Last one?"]  # `cards` shows the first line
    multi = [r for r in cards_json(cli) if r["front"] == "A question"][0]
    assert show(cli, multi["id"])["front"] == "A question\non two lines?"
    report = json.loads(run(cli, "import", str(src), "--deck", "db", "--json", code=2).stdout)
    assert [b["line"] for b in report["bad"]] == [5, 6, 7]
    assert [d["line"] for d in report["duplicates"]] == [2, 3, 9]


def test_plain_tsv_without_headers(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "cards.tsv"
    src.write_text("Q1?\tA1\tredis caching\nQ2?\tA <b>literal</b> tag\t\n")
    run(cli, "import", str(src))
    rows = cards_json(cli)
    assert [(r["deck"], r["front"], r["tags"]) for r in rows] == [
        ("cards", "Q1?", ["redis", "caching"]),
        ("cards", "Q2?", []),
    ]
    # No #html header and HTML in a field: Anki's guess (HTML) is followed.
    assert show(cli, rows[1]["id"])["back"] == "A **literal** tag"


def test_semicolons_are_guessed_and_html_false_keeps_tags(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("#html:false\n#tags:imported\nWhat is <br>?;A line break tag;html\n")
    run(cli, "import", str(src))
    (row,) = cards_json(cli)
    card = show(cli, row["id"])
    assert (card["front"], card["back"], card["tags"]) == (
        "What is <br>?",
        "A line break tag",
        ["imported", "html"],
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "#separator:wave\na~b\n",
            "{path}:1: #separator: unknown separator 'wave' "
            "(use one of comma, semicolon, tab, space, pipe, colon, or a single character)",
        ),
        ("#html:maybe\na\tb\n", "{path}:1: #html: must be true or false, got 'maybe'"),
        (
            "#separator:tab\n#guid column:zero\na\tb\n",
            "{path}:2: #guid column: must be a column number from 1, got 'zero'",
        ),
        ("#separator:tab\n\n", "{path}: no cards found"),
    ],
)
def test_bad_files(cli: Any, home: Path, tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "bad.txt"
    src.write_text(content)
    result = run(cli, "import", str(src), code=2)
    assert result.stderr == f"flashprep: error: {message.format(path=src)}\n"
    assert deck_files(home) == {}


def test_not_utf8(cli: Any, tmp_path: Path) -> None:
    src = tmp_path / "latin1.csv"
    src.write_bytes("Q,A\nCafé?,Oui\n".encode("latin-1"))
    result = run(cli, "import", str(src), code=2)
    assert result.stderr == f"flashprep: error: {src}:2: not UTF-8 text (save the file as UTF-8)\n"


def test_a_file_that_does_not_exist(cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    result = run(cli, "import", str(path), code=2)
    assert result.stderr == f"flashprep: error: {path}: no such file\n"


# ----------------------------------------------------------------- HTML to Markdown


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("a<br>b", "a\\\nb"),
        ("a<br/>b<br />c", "a\\\nb\\\nc"),
        ("a<br><br>b", "a\n\nb"),
        ("<b>bold</b> and <strong>strong</strong>", "**bold** and **strong**"),
        ("<i>it</i> <em>em</em>", "*it* *em*"),
        ("use <code>x &lt; y</code>", "use `x < y`"),
        ("<pre>line 1\nline 2</pre>", "```\nline 1\nline 2\n```"),
        (
            '<pre><code class="language-sql">SELECT 1;<br>SELECT 2;</code></pre>',
            "```sql\nSELECT 1;\nSELECT 2;\n```",
        ),
        ('<pre><span class="k">def</span> f(): <span>pass</span></pre>', "```\ndef f(): pass\n```"),
        ("<div>one</div><div>two</div>", "one\\\ntwo"),
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ('<span style="color:red">red</span>&nbsp;text', '<span style="color:red">red</span> text'),
        ('<img src="x.png">', '<img src="x.png">'),
        ("[sound:a.mp3] &amp; more", "[sound:a.mp3] & more"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


def test_line_numbers_follow_header_lines_and_comments() -> None:
    text = "#separator:tab\n#html:false\nQ1\tA1\n# a comment between rows\nQ2\tA2\n"
    parsed = read_text(text, Path("x.txt"))
    assert [(r.line, r.front) for r in parsed.rows] == [(3, "Q1"), (5, "Q2")]


# ----------------------------------------------------------------- round trip


def test_export_tsv_then_import_adds_no_duplicates(
    cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "1")
    out = tmp_path / "all.txt"
    run(cli, "export", "tsv", "-o", str(out))
    total = len(cards_json(cli))
    result = run(cli, "import", str(out))
    assert result.stdout == f"added 0 card(s)\nskipped {total} already present\n"
    assert deck_files(home) == {}


def test_export_tsv_into_a_new_home_and_back(
    cli: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Cards with Markdown worth keeping: code, a list, key points, a hard line break.
    run(
        cli,
        "add",
        "--deck",
        "mine",
        "--create",
        "--deck-name",
        "Mine",
        "--front",
        "What does `yield` do in a dependency?",
        "--back",
        "It runs setup, hands the value over, then cleans up:\n\n"
        "```python\nasync def get_db():\n    db = Session()\n    try:\n        yield db\n"
        "    finally:\n        db.close()\n```\n\n- one\n- two\n\nLine one\\\nline two",
        "-k",
        "setup before yield",
        "-k",
        "cleanup after",
        "--tag",
        "fastapi",
    )
    (original,) = cards_json(cli)
    original = show(cli, original["id"])
    out = tmp_path / "mine.txt"
    run(cli, "export", "tsv", "-o", str(out))
    other = tmp_path / "other-home"
    monkeypatch.setenv("FLASHPREP_HOME", str(other))
    result = run(cli, "import", str(out))
    assert result.stdout.splitlines()[-1] == "added 1 card(s) (1 to mine)"
    copy = show(cli, original["id"])  # the CardId column keeps the id
    for key in ("front", "back", "key_points", "topic"):
        assert copy[key] == original[key], key
    # The export tags each note with its deck id too (for searching in Anki).
    assert copy["tags"] == ["fastapi", "mine"]
    assert copy["deck"] == "mine"
    result = run(cli, "import", str(out))
    assert result.stdout == "added 0 card(s)\nskipped 1 already present\n"
