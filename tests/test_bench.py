"""benchmarks/bench.py builds homes flashprep accepts, and measures saves without harm.

Nothing here is timed: the harness's figures live in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("flashprep_bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_tiny_home_is_accepted_by_status_and_validate(
    bench: ModuleType,
    tmp_path: Path,
    cli,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    info = bench.make_home(tmp_path / "home", 30, 400)
    assert (info.extra_cards, info.reviews) == (30, 400)
    assert info.cards > 30  # the bundled decks are there too
    log = (info.home / "reviews.jsonl").read_bytes()
    assert log.count(b"\n") == 400
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(info.home / "cache" / "index.sqlite")) as conn:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    assert meta["offset"] == len(log) and meta["lines"] == 400
    assert meta["last_id"] == json.loads(log.splitlines()[-1])["id"]

    monkeypatch.setenv("FLASHPREP_HOME", str(info.home))
    monkeypatch.setenv("FLASHPREP_NOW", info.now)
    status = cli("status", "--json")
    assert status.exit_code == 0, status.output
    report = json.loads(status.stdout)
    assert report["today"] == info.now[:10]
    assert "syn-001" in {d["id"] for d in report["decks"]}
    validate = cli("validate")
    assert validate.exit_code == 0, validate.output
    assert validate.stdout.strip().endswith(f"{info.cards} card(s), 400 history event(s): ok")
    # The index matched the log: nothing was replayed or rebuilt.
    from flashprep.history import History

    h = History.open(info.home)
    assert h.replayed == 0 and h.warnings == []


def test_save_cost_is_measured_and_leaves_the_home_as_it_was(
    bench: ModuleType, tmp_path: Path
) -> None:
    from flashprep.history import History

    info = bench.make_home(tmp_path / "home", 0, 50)
    log = info.home / "reviews.jsonl"
    before = (log.read_bytes(), dict(History.open(info.home).states))
    times = bench.save_cost(info, n=5)
    assert len(times) == 5 and all(t > 0 for t in times)
    after = History.open(info.home)
    assert (log.read_bytes(), dict(after.states)) == before
    assert after.replayed == 0 and after.warnings == []


def test_make_home_from_the_command_line(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--make-home",
            str(tmp_path / "h"),
            "--cards",
            "5",
            "--reviews",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "20 review events" in out.stdout
    meta = json.loads((tmp_path / "h" / "bench.json").read_text())
    assert meta["reviews"] == 20 and meta["extra_cards"] == 5


def test_the_backup_case_runs_on_a_copy_and_reports_the_ratio(
    bench: ModuleType, tmp_path: Path
) -> None:
    info = bench.make_home(tmp_path / "home", 30, 400)
    before = sorted(p.name for p in info.home.iterdir())
    report = bench.backup_case(info, days=2, per_day=5)
    assert "| study day | check + backup |" in report
    assert report.count("\n| 20") == 3  # the first backup and two study days
    assert "backups take" in report and "target <= 1.2x" in report
    assert sorted(p.name for p in info.home.iterdir()) == before  # the home is untouched
    assert not (tmp_path / "home-backup-case").exists()
