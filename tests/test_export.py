"""flashprep export anki / export tsv: what lands in the .apkg and the text file, and bad input."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from flashprep import anki

ALPHA = '''\
[deck]
id = "alpha"
name = "Alpha"
category = "Testing"
description = "The first deck."

[[cards]]
id = "alpha-code"
front = """
What does this return?

```python
def f(x: int) -> str:
\treturn "a" * x
```"""
back = "A string of `x` a's."
tags = ["python", "strings"]
topic = "py-strings"
key_points = ["Uses **repetition**", "Works for `x = 0`"]

[[cards]]
id = "alpha-plain"
front = "Plain?"
back = "Yes."
tags = ["basics"]

[[cards]]
id = "alpha-draft"
front = "Unanswered?"
back = ""
draft = true
tags = ["someday"]

[[cards]]
id = "alpha-table"
front = "A table?"
back = "| a | b |\\n|---|---|\\n| 1 | 2 |"
tags = ["basics"]
'''

BETA = """\
[deck]
id = "beta"
name = "Beta Deck"
category = "Testing"

[[cards]]
id = "beta-one"
front = "SQL?"
back = "```sql\\nSELECT 1;\\n```"
tags = ["sql"]

[[cards]]
id = "beta-two"
front = "Two?"
back = "2"
tags = ["sql", "basics"]
"""

DRAFTS = """\
[deck]
id = "drafts"
name = "Drafts"
category = "Testing"

[[cards]]
id = "drafts-one"
front = "Later?"
back = ""
draft = true
"""

EXPORTED = ["alpha-code", "alpha-plain", "alpha-table", "beta-one", "beta-two"]


@pytest.fixture
def decks_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    d = tmp_path / "decks"
    d.mkdir()
    (d / "alpha.toml").write_text(ALPHA, encoding="utf-8")
    (d / "beta.toml").write_text(BETA, encoding="utf-8")
    return d


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d


def export(cli, decks_dir: Path, kind: str, *args: str):  # type: ignore[no-untyped-def]
    return cli("--decks", str(decks_dir), "export", kind, *args)


def read_apkg(path: Path, tmp_path: Path) -> dict[str, Any]:
    """The notes, cards, decks and note types inside an .apkg."""
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["collection.anki2", "media"]
        assert json.loads(zf.read("media")) == {}
        db = tmp_path / f"read-{path.name}-{os.urandom(4).hex()}.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        notes = {}
        for guid, mid, mod, tags, flds in conn.execute(
            "SELECT guid, mid, mod, tags, flds FROM notes"
        ):
            fields = flds.split("\x1f")
            notes[fields[3]] = {
                "guid": guid,
                "mid": mid,
                "mod": mod,
                "tags": tags.split(),
                "fields": dict(zip(anki.FIELD_NAMES, fields, strict=True)),
            }
        card_decks = {
            flds.split("\x1f")[3]: (decks[str(did)]["name"], did, due)
            for flds, did, due in conn.execute(
                "SELECT n.flds, c.did, c.due FROM cards c JOIN notes n ON n.id = c.nid"
            )
        }
        n_cards = conn.execute("SELECT count(*) FROM cards").fetchone()[0]
    finally:
        conn.close()
    return {
        "decks": decks,
        "models": models,
        "notes": notes,
        "card_decks": card_decks,
        "n_cards": n_cards,
    }


# ----------------------------------------------------------------- .apkg content


def test_apkg_has_one_note_per_answered_card(
    cli,
    decks_dir: Path,
    out_dir: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    out = out_dir / "cards.apkg"
    r = export(cli, decks_dir, "anki", "-o", str(out))
    assert r.exit_code == 0, r.output
    data = read_apkg(out, tmp_path)
    assert sorted(data["notes"]) == sorted(EXPORTED)  # the draft is left out
    assert data["n_cards"] == len(EXPORTED)
    assert {c: d[0] for c, d in data["card_decks"].items()} == {
        "alpha-code": "FlashPrep::Alpha",
        "alpha-plain": "FlashPrep::Alpha",
        "alpha-table": "FlashPrep::Alpha",
        "beta-one": "FlashPrep::Beta Deck",
        "beta-two": "FlashPrep::Beta Deck",
    }
    # New cards come in deck order, as flashprep introduces them.
    assert sorted(data["card_decks"], key=lambda c: data["card_decks"][c][2]) == EXPORTED
    (model,) = [m for m in data["models"].values() if m["name"] == "FlashPrep"]
    assert [f["name"] for f in model["flds"]] == list(anki.FIELD_NAMES)
    assert int(model["id"]) == anki.NOTETYPE_ID
    for card_id, note in data["notes"].items():
        f = note["fields"]
        assert f["Front"].startswith("<") and f["Back"] and f["CardId"] == card_id
        assert note["mid"] == anki.NOTETYPE_ID
    code = data["notes"]["alpha-code"]["fields"]
    assert code["Topic"] == "py-strings"
    assert code["KeyPoints"] == (
        '<ul class="fp-points-list"><li>Uses <strong>repetition</strong></li>'
        "<li>Works for <code>x = 0</code></li></ul>"
    )
    assert data["notes"]["alpha-plain"]["fields"]["KeyPoints"] == ""
    assert data["notes"]["alpha-plain"]["fields"]["Back"] == "<p>Yes.</p>"
    assert "<table>" in data["notes"]["alpha-table"]["fields"]["Back"]


def test_apkg_tags_are_card_tags_and_deck_id(
    cli,
    decks_dir: Path,
    out_dir: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    out = out_dir / "cards.apkg"
    assert export(cli, decks_dir, "anki", "-o", str(out)).exit_code == 0
    notes = read_apkg(out, tmp_path)["notes"]
    assert notes["alpha-code"]["tags"] == ["alpha", "python", "strings"]
    assert notes["beta-two"]["tags"] == ["basics", "beta", "sql"]


def test_anki_tag_replaces_whitespace() -> None:
    assert anki.anki_tag("system design") == "system_design"
    assert anki.anki_tag("a \t b") == "a_b"
    assert anki.anki_deck_name("C::Rust\tnotes") == "FlashPrep::C:Rust notes"


def test_apkg_code_is_highlighted_and_styled_for_night_mode(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, tmp_path: Path
) -> None:
    out = out_dir / "cards.apkg"
    assert export(cli, decks_dir, "anki", "-o", str(out)).exit_code == 0
    data = read_apkg(out, tmp_path)
    front = data["notes"]["alpha-code"]["fields"]["Front"]
    assert front.startswith("<p>What does this return?</p>\n")
    assert '<pre class="fp-code"><code class="language-python"><span class="k">def</span>' in front
    assert '<span class="nf">f</span>' in front
    assert '<span class="k">SELECT</span>' in data["notes"]["beta-one"]["fields"]["Back"]
    (model,) = data["models"].values()
    css = model["css"]
    light = ".fp-code .k { color: #008000; font-weight: bold }"
    dark = ".nightMode .fp-code .k, .night_mode .fp-code .k { color: #ff7b72; font-weight: normal }"
    assert light in css and dark in css
    assert ".card.nightMode, .card.night_mode" in css
    tmpl = model["tmpls"][0]
    assert "{{Front}}" in tmpl["qfmt"]
    for field in ("{{FrontSide}}", "{{Back}}", "{{KeyPoints}}", "{{CardId}}", "{{Topic}}"):
        assert field in tmpl["afmt"]


def test_every_token_class_has_a_night_rule() -> None:
    css = anki.code_css()
    light = [line.split(" {")[0] for line in css.splitlines() if line.startswith(".fp-code")]
    dark = [line for line in css.splitlines() if line.startswith(".nightMode")]
    assert len(light) == len(dark) > 50
    for sel, rule in zip(light, dark, strict=True):
        cls = sel.split()[-1]
        assert rule.startswith(f".nightMode .fp-code {cls}, .night_mode .fp-code {cls} {{")
        # the same properties in both, so the night rule replaces the light one entirely
        props = [p.split(":")[0] for p in css.split(f"{sel} {{ ")[1].split(" }")[0].split("; ")]
        night = [p.split(":")[0] for p in rule.split("{ ")[1].rstrip(" }").split("; ")]
        assert props == night


def test_markdown_is_rendered_without_raw_html() -> None:
    r = anki.Renderer()
    assert r.block("Use `List<int>` <b>here</b>") == (
        "<p>Use <code>List&lt;int&gt;</code> &lt;b&gt;here&lt;/b&gt;</p>"
    )
    assert r.block("```nosuchlang\nx < 1\n```") == (
        '<pre class="fp-code"><code class="language-nosuchlang">x &lt; 1</code></pre>'
    )
    assert r.block("```\nplain\n```") == '<pre class="fp-code"><code>plain</code></pre>'
    assert r.key_points([]) == ""


# ----------------------------------------------------------------- identity


def test_ids_are_fixed_numbers() -> None:
    # Literal values: a change here would make every user's next import a new
    # note type and new decks in Anki.
    assert anki.NOTETYPE_ID == 1190980967
    assert anki.stable_id("deck", "FlashPrep::Alpha") == 1614321197
    assert anki.note_guid("python-gil") == "3I9uwDcAFO8gxx"
    assert anki.stable_id("deck", "FlashPrep::Alpha") != anki.stable_id("deck", "FlashPrep::Beta")
    for name in ("a", "FlashPrep", "FlashPrep::Python Deep Dive"):
        assert 1 << 30 <= anki.stable_id("deck", name) < 1 << 31
    guid = anki.note_guid("x")
    assert len(guid) == 14 and guid.isalnum()


def test_ids_do_not_depend_on_the_interpreter(tmp_path: Path) -> None:
    code = "from flashprep import anki; print(anki.NOTETYPE_ID, anki.note_guid('python-gil'))"
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert outs == {"1190980967 3I9uwDcAFO8gxx\n"}


def test_guids_stable_across_exports_and_distinct_across_cards(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = out_dir / "1.apkg", out_dir / "2.apkg"
    assert export(cli, decks_dir, "anki", "-o", str(first)).exit_code == 0
    # Edit a card, export a day later.
    alpha = decks_dir / "alpha.toml"
    alpha.write_text(ALPHA.replace('back = "Yes."', 'back = "Yes, edited."'), encoding="utf-8")
    monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
    assert export(cli, decks_dir, "anki", "-o", str(second)).exit_code == 0
    a, b = read_apkg(first, tmp_path), read_apkg(second, tmp_path)
    guids = {c: n["guid"] for c, n in a["notes"].items()}
    assert guids == {c: n["guid"] for c, n in b["notes"].items()}
    assert len(set(guids.values())) == len(guids)
    assert guids["alpha-code"] == anki.note_guid("alpha-code")
    assert a["decks"].keys() == b["decks"].keys()
    assert a["models"].keys() == b["models"].keys() == {str(anki.NOTETYPE_ID)}
    assert {d["name"]: int(i) for i, d in b["decks"].items()}["FlashPrep::Alpha"] == 1614321197
    edited_a, edited_b = a["notes"]["alpha-plain"], b["notes"]["alpha-plain"]
    assert edited_b["fields"]["Back"] == "<p>Yes, edited.</p>"
    assert len(edited_a["fields"]) == len(edited_b["fields"]) == 5
    # Anki replaces a note only with a newer one.
    assert edited_b["mod"] - edited_a["mod"] == 86400


def test_a_card_imported_from_anki_keeps_its_guid() -> None:
    from flashprep.cardmodel import Card

    if "guid" not in Card.__slots__:
        pytest.skip("cards carry no Anki GUID in this tree")
    imported = Card(id="x-one", deck="x", front="Q", back="A", guid="f&Wq)2{a!z")  # type: ignore[call-arg]
    assert anki.Renderer().note(imported, 0).guid == "f&Wq)2{a!z"
    native = Card(id="x-two", deck="x", front="Q", back="A")
    assert anki.Renderer().note(native, 0).guid == anki.note_guid("x-two")


def test_same_input_same_bytes(cli, decks_dir: Path, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = out_dir / "a.apkg", out_dir / "b.apkg"
    assert export(cli, decks_dir, "anki", "-o", str(a)).exit_code == 0
    assert export(cli, decks_dir, "anki", "-o", str(b)).exit_code == 0
    assert a.read_bytes() == b.read_bytes()


# ----------------------------------------------------------------- filters and summary


def test_deck_and_tag_filters(cli, decks_dir: Path, out_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = out_dir / "f.apkg"
    r = export(cli, decks_dir, "anki", "-o", str(out), "--deck", "beta")
    assert r.exit_code == 0, r.output
    assert sorted(read_apkg(out, tmp_path)["notes"]) == ["beta-one", "beta-two"]
    r = export(cli, decks_dir, "anki", "-o", str(out), "--tag", "basics", "--force")
    assert r.exit_code == 0, r.output
    assert sorted(read_apkg(out, tmp_path)["notes"]) == ["alpha-plain", "alpha-table", "beta-two"]
    r = export(
        cli,
        decks_dir,
        "anki",
        "-o",
        str(out),
        "--deck",
        "alpha",
        "--tag",
        "basics",
        "--tag",
        "python",
        "--force",
    )
    assert r.exit_code == 0, r.output
    assert sorted(read_apkg(out, tmp_path)["notes"]) == ["alpha-code", "alpha-plain", "alpha-table"]


def test_summary_and_default_output(
    cli,
    decks_dir: Path,
    out_dir: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(out_dir)
    r = export(cli, decks_dir, "anki")
    assert r.exit_code == 0, r.output
    size = (out_dir / "flashprep.apkg").stat().st_size
    assert r.stdout.splitlines() == [
        "  FlashPrep::Alpha         3 note(s)",
        "  FlashPrep::Beta Deck     2 note(s)",
        f"Wrote 5 note(s) in 2 decks to flashprep.apkg ({size / 1024:.1f} KB).",
    ]
    r = export(cli, decks_dir, "tsv", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["path"] == "flashprep.txt" and data["format"] == "tsv" and data["notes"] == 5
    assert data["size"] == (out_dir / "flashprep.txt").stat().st_size
    assert [(d["id"], d["name"], d["notes"]) for d in data["decks"]] == [
        ("alpha", "FlashPrep::Alpha", 3),
        ("beta", "FlashPrep::Beta Deck", 2),
    ]


def test_odd_extension_warns(cli, decks_dir: Path, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    r = export(cli, decks_dir, "anki", "-o", str(out_dir / "cards.zip"))
    assert r.exit_code == 0
    assert r.stderr == (
        f"flashprep: warning: {out_dir / 'cards.zip'} does not end in .apkg; "
        "Anki only opens packages with that extension\n"
    )


# ----------------------------------------------------------------- --force and bad input


@pytest.mark.parametrize("kind, name", [("anki", "x.apkg"), ("tsv", "x.txt")])
def test_existing_file_needs_force(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, kind: str, name: str
) -> None:
    out = out_dir / name
    out.write_bytes(b"keep me")
    r = export(cli, decks_dir, kind, "-o", str(out))
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: {out} already exists (use --force to replace it)\n"
    assert out.read_bytes() == b"keep me"
    r = export(cli, decks_dir, kind, "-o", str(out), "--force")
    assert r.exit_code == 0, r.output
    assert out.read_bytes() != b"keep me"
    assert sorted(p.name for p in out_dir.iterdir()) == [name]


@pytest.mark.parametrize("kind, name", [("anki", "x.apkg"), ("tsv", "x.txt")])
def test_an_existing_file_is_refused_before_any_card_is_rendered(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, kind: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = out_dir / name
    out.write_bytes(b"keep me")

    def render(*args: Any) -> Any:
        raise AssertionError("the cards were rendered")

    # Rendering 50,000 cards took 5 s before the refusal.
    monkeypatch.setattr(anki, "build_decks", render)
    r = export(cli, decks_dir, kind, "-o", str(out))
    assert r.stderr == f"flashprep: error: {out} already exists (use --force to replace it)\n"
    assert r.exit_code == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--deck", "nope"], "no deck 'nope'"),
        (["--deck", "alpah"], "no deck 'alpah' (did you mean 'alpha'?)"),
        (["--tag", "nosuch"], "no card has the tag 'nosuch'"),
        (
            ["--tag", "someday"],
            "--tag 'someday' matches no card to export (drafts are not exported)",
        ),
        (
            ["--deck", "beta", "--tag", "python"],
            "--tag 'python' matches no card to export in the chosen decks "
            "(drafts are not exported)",
        ),
        (["--deck", "drafts"], "deck 'drafts' has no card to export (drafts are not exported)"),
    ],
)
@pytest.mark.parametrize("kind", ["anki", "tsv"])
def test_bad_filters_write_nothing(
    cli,
    decks_dir: Path,
    out_dir: Path,
    kind: str,  # type: ignore[no-untyped-def]
    args: list[str],
    message: str,
) -> None:
    (decks_dir / "drafts.toml").write_text(DRAFTS, encoding="utf-8")
    r = export(cli, decks_dir, kind, "-o", str(out_dir / "x.out"), *args)
    assert r.exit_code == 2
    assert r.stderr.endswith(f"flashprep: error: {message}\n")
    assert list(out_dir.iterdir()) == []


def test_nothing_to_export(
    cli,
    tmp_path: Path,
    out_dir: Path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLASHPREP_BUNDLED", "0")
    d = tmp_path / "only-drafts"
    d.mkdir()
    (d / "drafts.toml").write_text(DRAFTS, encoding="utf-8")
    r = cli("--decks", str(d), "export", "anki", "-o", str(out_dir / "x.apkg"))
    assert r.exit_code == 2
    assert r.stderr == "flashprep: error: nothing to export: no answered cards are loaded\n"
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("kind", ["anki", "tsv"])
def test_bad_output_paths(cli, decks_dir: Path, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "missing" / "x.apkg"
    r = export(cli, decks_dir, kind, "-o", str(missing))
    assert r.exit_code == 2
    assert r.stderr.endswith(
        f"flashprep: error: cannot write {missing}: {missing.parent}: no such directory\n"
    )
    assert not missing.parent.exists()

    a_file = tmp_path / "file"
    a_file.write_text("x")
    under_file = a_file / "x.apkg"
    r = export(cli, decks_dir, kind, "-o", str(under_file))
    assert r.exit_code == 2
    assert r.stderr.endswith(
        f"flashprep: error: cannot write {under_file}: {a_file}: not a directory\n"
    )

    r = export(cli, decks_dir, kind, "-o", str(tmp_path), "--force")
    assert r.exit_code == 2
    # Only the error: the .apkg warning is for a file that was written.
    assert r.stderr == f"flashprep: error: cannot write {tmp_path}: it is a directory\n"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_directory(cli, decks_dir: Path, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    out_dir.chmod(0o500)
    try:
        r = export(cli, decks_dir, "anki", "-o", str(out_dir / "x.apkg"))
    finally:
        out_dir.chmod(0o700)
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: cannot write {out_dir / 'x.apkg'}: Permission denied\n"
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("kind", ["anki", "tsv"])
def test_permission_denied_is_one_line(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # What a read-only folder gives a normal user (the test may run as root).
    def denied(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(anki.tempfile, "mkstemp", denied)
    out = out_dir / "x.apkg"
    r = export(cli, decks_dir, kind, "-o", str(out))
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: cannot write {out}: Permission denied\n"
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("kind", ["anki", "tsv"])
def test_failed_write_leaves_old_file_and_no_temp(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    out = out_dir / ("x.apkg" if kind == "anki" else "x.txt")
    out.write_bytes(b"old")

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    # Fails halfway: the temporary file exists and has been opened for writing.
    if kind == "anki":
        monkeypatch.setattr(zipfile.ZipFile, "writestr", disk_full)
    else:
        monkeypatch.setattr(Path, "write_bytes", disk_full)
    r = export(cli, decks_dir, kind, "-o", str(out), "--force")
    assert r.exit_code == 2
    assert r.stderr == f"flashprep: error: cannot write {out}: No space left on device\n"
    assert out.read_bytes() == b"old"
    assert [p.name for p in out_dir.iterdir()] == [out.name]


# ----------------------------------------------------------------- text format


def test_tsv_header_and_one_row_per_card(
    cli,
    decks_dir: Path,
    out_dir: Path,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    out = out_dir / "cards.txt"
    r = export(cli, decks_dir, "tsv", "-o", str(out))
    assert r.exit_code == 0, r.output
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""  # ends with a newline
    lines = lines[:-1]
    assert lines[:7] == [
        "#separator:tab",
        "#html:true",
        "#notetype:FlashPrep",
        "#columns:Front\tBack\tKeyPoints\tCardId\tTopic\tDeck\tTags\tGUID",
        "#deck column:6",
        "#tags column:7",
        "#guid column:8",
    ]
    rows = lines[7:]
    assert len(rows) == len(EXPORTED)
    import csv

    parsed = list(csv.reader(rows, delimiter="\t"))
    assert all(len(row) == 8 for row in parsed)
    assert [row[3] for row in parsed] == EXPORTED
    by_id = {row[3]: row for row in parsed}
    assert by_id["alpha-code"][5:] == [
        "FlashPrep::Alpha",
        "alpha python strings",
        anki.note_guid("alpha-code"),
    ]
    assert by_id["beta-one"][5] == "FlashPrep::Beta Deck"
    # The HTML is the .apkg's, on one line: line breaks in code become <br>, tabs &#9;.
    apkg = out_dir / "cards.apkg"
    assert export(cli, decks_dir, "anki", "-o", str(apkg)).exit_code == 0
    notes = read_apkg(apkg, tmp_path)["notes"]
    for card_id, row in by_id.items():
        fields = notes[card_id]["fields"]
        assert row[:5] == [anki.one_line_html(fields[name]) for name in anki.FIELD_NAMES]
    code = by_id["alpha-code"][0]
    assert '<span class="p">:</span><br>&#9;<span class="k">return</span>' in code
    assert "\t" not in code and "\n" not in code


def test_tsv_quoting() -> None:
    assert anki.tsv_field("plain") == "plain"
    assert anki.tsv_field('<p class="x">"hi"</p>') == '"<p class=""x"">""hi""</p>"'
    assert anki.tsv_field("#not a comment") == '"#not a comment"'
    assert anki.one_line_html("<p>a\nb</p>\n<pre><code>x\n\ty</code></pre>\n") == (
        "<p>a b</p> <pre><code>x<br>&#9;y</code></pre>"
    )


# ----------------------------------------------------------------- start-up cost


def test_cli_import_does_not_load_export_libraries() -> None:
    code = (
        "import sys, flashprep.main; "
        "print(sorted(m for m in ('genanki', 'markdown_it', 'pygments', 'flashprep.anki') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


# ----------------------------------------------------------------- the real Anki


def test_real_anki_imports_and_updates_in_place(  # type: ignore[no-untyped-def]
    cli, decks_dir: Path, out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Anki's own importer (the `anki` package, in the test extra): no duplicates on re-import."""
    import realparts

    collection = realparts.require_anki("anki.collection")
    (tmp_path / "anki").mkdir()
    col = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        first = out_dir / "1.apkg"
        assert export(cli, decks_dir, "anki", "-o", str(first)).exit_code == 0
        log = col.import_anki_package(
            collection.ImportAnkiPackageRequest(
                package_path=str(first),
                options=collection.ImportAnkiPackageOptions(),
            )
        ).log
        assert (len(log.new), len(log.updated)) == (len(EXPORTED), 0)
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert {"FlashPrep", "FlashPrep::Alpha", "FlashPrep::Beta Deck"} <= names
        assert col.models.get(anki.NOTETYPE_ID)["name"] == "FlashPrep"

        alpha = decks_dir / "alpha.toml"
        alpha.write_text(ALPHA.replace('back = "Yes."', 'back = "Yes, edited."'), encoding="utf-8")
        monkeypatch.setenv("FLASHPREP_NOW", "2026-03-11T09:00:00+00:00")
        second = out_dir / "2.apkg"
        assert export(cli, decks_dir, "anki", "-o", str(second)).exit_code == 0
        log = col.import_anki_package(
            collection.ImportAnkiPackageRequest(
                package_path=str(second),
                options=collection.ImportAnkiPackageOptions(),
            )
        ).log
        assert (len(log.new), len(log.updated), len(log.conflicting)) == (0, len(EXPORTED), 0)
        assert col.note_count() == len(EXPORTED)
        (nid,) = col.find_notes("CardId:alpha-plain")
        assert col.get_note(nid)["Back"] == "<p>Yes, edited.</p>"

        text = out_dir / "cards.txt"
        assert export(cli, decks_dir, "tsv", "-o", str(text)).exit_code == 0
        meta = col.get_csv_metadata(str(text), None)
        assert meta.global_notetype.id == anki.NOTETYPE_ID
        assert (meta.deck_column, meta.tags_column, meta.guid_column) == (6, 7, 8)
        log = col.import_csv(collection.ImportCsvRequest(path=str(text), metadata=meta)).log
        # Matched by GUID: changed notes are updated, identical ones reported as duplicates.
        assert len(log.new) == 0 and len(log.updated) + len(log.duplicate) == len(EXPORTED)
        assert len(log.updated) >= 1
        assert col.note_count() == len(EXPORTED)
        (nid,) = col.find_notes("CardId:alpha-code")
        note = col.get_note(nid)
        assert note.tags == ["alpha", "python", "strings"]
        assert "<br>&#9;" in note["Front"]
    finally:
        col.close()
