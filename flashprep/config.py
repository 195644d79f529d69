"""The user's home folder and `<home>/config.toml`.

The home is, in order: `--home DIR`, `$FLASHPREP_HOME`, platformdirs' user data
dir for "flashprep". Config is a handful of scalar keys, so it is checked by
hand here (one checker per key, in KEYS) rather than through pydantic: every
command reads it, and keeping pydantic off the start-up path saves ~40 ms a run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

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
    sql_engine: str = "sqlite"  # where SQL exercises run: "sqlite" or "postgresql"
    postgres_dsn: str | None = None  # a libpq connection string or URI

    def with_overrides(self, **values: Any) -> Config:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


# ---------------------------------------------------------------- the keys
#
# One entry per key: a checker that takes the TOML value and returns the Config
# value or raises ValueError with what is wrong ("must be ..."). A new key is a
# field above plus one line here.


def whole(low: int, high: int, allowed: tuple[int, ...] = ()) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}, got {value}")
        if allowed and value not in allowed:
            raise ValueError(f"must be {' or '.join(map(str, allowed))}, got {value}")
        return value

    return check


def choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(
                f"must be {' or '.join(repr(o) for o in options)}, got {value!r}"
            )
        return str(value)

    return check


def nonempty(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, got {value!r}")
    return value


KEYS: dict[str, Callable[[Any], Any]] = {
    "new_per_day": whole(0, 10_000),
    "reviews_per_day": whole(0, 100_000),
    "day_starts_at": whole(0, 23),
    "grade_buttons": whole(4, 6, allowed=(4, 6)),
    "leech_threshold": whole(1, 1_000),
    "sql_engine": choice("sqlite", "postgresql"),
    "postgres_dsn": nonempty,
}

CONFIG_KEYS = tuple(f.name for f in fields(Config))
assert set(KEYS) == set(CONFIG_KEYS), "every Config field needs a checker in KEYS"


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
    values: dict[str, Any] = {}
    for key, value in data.items():
        check = KEYS.get(key)
        if check is None:
            known = ", ".join(CONFIG_KEYS)
            raise ConfigError(f"{path}: unknown key {key!r} (known keys: {known})")
        try:
            values[key] = check(value)
        except ValueError as exc:
            raise ConfigError(f"{path}: {key} {exc}") from None
    if values.get("sql_engine") == "postgresql" and not values.get("postgres_dsn"):
        raise ConfigError(
            f"{path}: sql_engine = \"postgresql\" needs postgres_dsn "
            "(e.g. \"postgresql://me@localhost/flashprep\")"
        )
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
