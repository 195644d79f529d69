"""The user's home folder and `<home>/config.toml`.

The home is, in order: `--home DIR`, `$FLASHPREP_HOME`, platformdirs' user data
dir for "flashprep". Config is a handful of scalar keys, so it is checked by
hand here rather than through pydantic: every command reads it, and keeping
pydantic off the start-up path saves ~40 ms a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from flashprep.errors import ConfigError


def default_home() -> Path:
    env = os.environ.get("FLASHPREP_HOME")
    if env:
        home = Path(env).expanduser()
        if home.is_file():  # --home gets this check from typer (file_okay=False)
            raise ConfigError(
                f"FLASHPREP_HOME={env!r} is a file, not a folder: point it at a folder"
            )
        return home
    import platformdirs

    return Path(platformdirs.user_data_dir("flashprep", appauthor=False))


@dataclass(frozen=True)
class Config:
    new_per_day: int = 20
    reviews_per_day: int = 200
    day_starts_at: int = 4
    grade_buttons: int = 6
    leech_threshold: int = 8

    def with_overrides(self, **values: int | None) -> Config:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_RANGES: dict[str, tuple[int, int]] = {
    "new_per_day": (0, 10_000),
    "reviews_per_day": (0, 100_000),
    "day_starts_at": (0, 23),
    "grade_buttons": (4, 6),
    "leech_threshold": (1, 1_000),
}

CONFIG_KEYS = tuple(f.name for f in fields(Config))


def parse_config(text: str, path: Path) -> Config:
    import tomllib

    try:
        # A byte-order mark (some Windows editors write one) is not TOML; skip it.
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: arrays or tables nested too deeply") from None
    except ValueError:
        # tomllib raises a plain ValueError for an integer of more than 4300 digits.
        raise ConfigError(f"{path}: invalid TOML: a number is too long") from None
    values: dict[str, int] = {}
    for key, value in data.items():
        if key not in _RANGES:
            known = ", ".join(CONFIG_KEYS)
            raise ConfigError(f"{path}: unknown key {key!r} (known keys: {known})")
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: {key} must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(f"{path}: {key} must be between {low} and {high}, got {value}")
        if key == "grade_buttons" and value not in (4, 6):
            raise ConfigError(f"{path}: grade_buttons must be 4 or 6, got {value}")
        values[key] = value
    return Config(**values)


def load_config(home: Path) -> Config:
    path = home / "config.toml"
    from flashprep.fsutil import UnreadableFile, read_utf8

    if not path.exists():
        return Config()
    try:
        text = read_utf8(path)
    except UnreadableFile as exc:
        raise ConfigError(str(exc)) from None
    return parse_config(text, path)
