"""The wheel carries the bundled decks, and an installed copy finds them from any folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_decks_and_runs_from_anywhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("flashprep-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).name for n in names if n.startswith("flashprep/decks/")}
    assert {p.name for p in (ROOT / "decks").glob("*.toml")} <= shipped
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "FLASHPREP_HOME": str(tmp_path / "h")}
    code = (
        "import flashprep, sys; from flashprep.main import main;"
        "print(flashprep.__file__, file=sys.stderr); main()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "status", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(target) in out.stderr  # the installed copy, not the source tree
    assert json.loads(out.stdout)["new"] == 20
