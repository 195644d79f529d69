"""config.toml: typed keys (whole numbers, a date) and the in-place editor plan uses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flashprep.config import Config, edited_config, load_config, parse_config, write_config
from flashprep.errors import ConfigError

P = Path("config.toml")


def test_date_key_as_toml_date_or_string() -> None:
    assert parse_config("interview_date = 2026-05-04\n", P).interview_date == date(2026, 5, 4)
    assert parse_config('interview_date = "2026-05-04"\n', P).interview_date == date(2026, 5, 4)
    assert parse_config("minutes_per_day = 45\n", P).minutes_per_day == 45
    assert Config().interview_date is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interview_date = 2026-05-04T10:00:00\n", "interview_date must be a date (YYYY-MM-DD)"),
        ('interview_date = "next monday"\n', "interview_date must be a date (YYYY-MM-DD)"),
        ("interview_date = 5\n", "interview_date must be a date (YYYY-MM-DD), got 5"),
        ("minutes_per_day = 0\n", "minutes_per_day must be between 1 and 1440, got 0"),
        ("minutes_per_day = 2026-01-01\n", "minutes_per_day must be a whole number"),
        ("grade_buttons = 5\n", "grade_buttons must be 4 or 6, got 5"),
    ],
)
def test_bad_values_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, P)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_edit_keeps_other_keys_and_comments() -> None:
    text = "# my settings\nnew_per_day = 7  # gentle\n\ninterview_date = 2026-01-01\n"
    new = edited_config(text, P, {"interview_date": date(2026, 6, 1), "minutes_per_day": 40})
    assert new == (
        "# my settings\nnew_per_day = 7  # gentle\n\ninterview_date = 2026-06-01\n"
        "minutes_per_day = 40\n"
    )
    cleared = edited_config(new, P, {"interview_date": None})
    assert "interview_date" not in cleared and "# my settings" in cleared
    assert parse_config(cleared, P) == Config(new_per_day=7, minutes_per_day=40)


def test_edit_falls_back_to_the_values_when_a_line_edit_cannot_work() -> None:
    text = 'new_per_day = 3\n"interview_date" = 2026-01-01 # quoted key\n'
    new = edited_config(text, P, {"interview_date": date(2026, 2, 2)})
    assert parse_config(new, P) == Config(new_per_day=3, interview_date=date(2026, 2, 2))


def test_write_config_leaves_a_bad_file_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"new_per_day = \n# broken\n")
    with pytest.raises(ConfigError):
        write_config(tmp_path, {"interview_date": date(2026, 6, 1)})
    assert path.read_bytes() == b"new_per_day = \n# broken\n"
    path.write_bytes(b"new_per_day = 5\n")
    with pytest.raises(ConfigError):
        write_config(tmp_path, {"minutes_per_day": 0})
    assert path.read_bytes() == b"new_per_day = 5\n"
    cfg = write_config(tmp_path, {"minutes_per_day": 20})
    assert cfg == load_config(tmp_path) == Config(new_per_day=5, minutes_per_day=20)
