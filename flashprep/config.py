"""The user's home folder and `<home>/config.toml`.

The home is, in order: `--home DIR`, `$FLASHPREP_HOME`, platformdirs' user data
dir for "flashprep". Config is a handful of scalar keys, so it is checked by
hand here rather than through pydantic: every command reads it, and keeping
pydantic off the start-up path saves ~40 ms a run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
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
    interview_date: date | None = None  # flashprep plan --interview: pacing and capped dues
    minutes_per_day: int = 30  # the daily study budget the interview plan keeps to
    sql_engine: str = "sqlite"  # where SQL exercises run: "sqlite" or "postgresql"
    postgres_dsn: str | None = None  # a libpq connection string or URI

    def with_overrides(self, **values: Any) -> Config:
        return replace(self, **{k: v for k, v in values.items() if v is not None})


# One checker per key: it gets (path, key, value) and returns the value to keep or raises
# a ConfigError whose message is one line. A new key is one line here, a field above.
Check = Callable[[Path, str, Any], Any]


def whole(low: int, high: int, choices: tuple[int, ...] = ()) -> Check:
    def check(path: Path, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: {key} must be a whole number, got {value!r}")
        if not low <= value <= high:
            raise ConfigError(f"{path}: {key} must be between {low} and {high}, got {value}")
        if choices and value not in choices:
            allowed = " or ".join(str(c) for c in choices)
            raise ConfigError(f"{path}: {key} must be {allowed}, got {value}")
        return value

    return check


def day(path: Path, key: str, value: Any) -> date:
    """A TOML date (interview_date = 2026-05-04) or the same written as a string."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{path}: {key} must be a date (YYYY-MM-DD), got {value!r}") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ConfigError(f"{path}: {key} must be a date (YYYY-MM-DD), got {value!r}")
    return value


def choice(*options: str) -> Check:
    def check(path: Path, key: str, value: Any) -> str:
        if value not in options:
            allowed = " or ".join(repr(o) for o in options)
            raise ConfigError(f"{path}: {key} must be {allowed}, got {value!r}")
        return str(value)

    return check


def nonempty(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{path}: {key} must be a non-empty string, got {value!r}")
    return value


KEYS: dict[str, Check] = {
    "new_per_day": whole(0, 10_000),
    "reviews_per_day": whole(0, 100_000),
    "day_starts_at": whole(0, 23),
    "grade_buttons": whole(4, 6, choices=(4, 6)),
    "leech_threshold": whole(1, 1_000),
    "interview_date": day,
    "minutes_per_day": whole(1, 1_440),
    "sql_engine": choice("sqlite", "postgresql"),
    "postgres_dsn": nonempty,
}

CONFIG_KEYS = tuple(f.name for f in fields(Config))


def parse_config(text: str, path: Path) -> Config:
    return Config(**parse_values(text, path))


def parse_values(text: str, path: Path) -> dict[str, Any]:
    """The keys `text` sets, checked (what parse_config builds a Config from)."""
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
        if key not in KEYS:
            known = ", ".join(CONFIG_KEYS)
            raise ConfigError(f"{path}: unknown key {key!r} (known keys: {known})")
        values[key] = KEYS[key](path, key, value)
    if values.get("sql_engine") == "postgresql" and not values.get("postgres_dsn"):
        raise ConfigError(
            f'{path}: sql_engine = "postgresql" needs postgres_dsn '
            '(e.g. "postgresql://me@localhost/flashprep")'
        )
    return values


def load_config(home: Path) -> Config:
    path = config_path(home)
    from flashprep.fsutil import UnreadableFile, read_utf8

    if not path.exists():
        return Config()
    try:
        text = read_utf8(path)
    except UnreadableFile as exc:
        raise ConfigError(str(exc)) from None
    return parse_config(text, path)


def config_path(home: Path) -> Path:
    return home / "config.toml"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    import json

    return json.dumps(value, ensure_ascii=False)  # a TOML basic string


def edited_config(text: str, path: Path, changes: Mapping[str, Any]) -> str:
    """`text` with each key of `changes` set to its value (None: removed).

    The user's other lines -- keys, comments, blank lines -- are kept as they are: a
    changed key's line is rewritten in place and a new key goes at the end. Should that
    not give exactly the expected keys (a key spelled in a way this line edit misses),
    the file is written anew from the values, which keeps every value but not comments.
    Raises ConfigError if `text` or a new value is not a valid config.
    """
    old = parse_values(text, path)
    want = {**old, **{k: v for k, v in changes.items() if v is not None}}
    for k, v in changes.items():
        if v is None:
            want.pop(k, None)
        else:
            want[k] = KEYS[k](path, k, v)
    lines = text.splitlines(keepends=True)
    done: set[str] = set()
    out: list[str] = []
    for line in lines:
        key = _line_key(line)
        if key is not None and key in changes:
            if changes[key] is not None and key not in done:
                out.append(f"{key} = {_toml_value(want[key])}\n")
                done.add(key)
            continue
        out.append(line)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    for key, value in changes.items():
        if value is not None and key not in done:
            out.append(f"{key} = {_toml_value(want[key])}\n")
    new = "".join(out)
    try:
        ok = parse_values(new, path) == want
    except ConfigError:
        ok = False
    if not ok:
        new = "".join(f"{k} = {_toml_value(v)}\n" for k, v in want.items())
    return new


def _line_key(line: str) -> str | None:
    head, sep, _ = line.partition("=")
    if not sep:
        return None
    key = head.strip().strip('"').strip("'")
    return key if key in KEYS else None


def write_config(home: Path, changes: Mapping[str, Any]) -> Config:
    """Set (or, with None, remove) keys in `<home>/config.toml`, atomically.

    The file is read and checked first: if it or a new value is bad, a ConfigError is
    raised and the file is left byte for byte as it was."""
    from flashprep.fsutil import UnreadableFile, atomic_write_text, read_utf8

    path = config_path(home)
    text = ""
    if path.exists():
        try:
            text = read_utf8(path)
        except UnreadableFile as exc:
            raise ConfigError(str(exc)) from None
    new = edited_config(text, path, changes)
    if new != text:
        home.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, new, error=ConfigError)
    return parse_config(new, path)
