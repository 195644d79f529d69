"""The real outside parts some tests drive: PostgreSQL, Redis, Chromium and Anki's library.

Each `require_*()` returns what a test needs to reach the part (a DSN, a URL, a path
or the imported module) or skips the test when the part is not there. When the
environment variable CI is set, a missing part FAILS the test instead: a green CI
run has then really driven every part. `.ci/run` installs and starts them; the
README ("Real parts in tests") says how to do it by hand.

    FLASHPREP_TEST_PG_DSN     a libpq URI, e.g. postgresql://postgres@127.0.0.1:5433/postgres
    FLASHPREP_TEST_REDIS_URL  e.g. redis://127.0.0.1:6380/0
    chromium                  on PATH (Debian's package `chromium`)
    anki                      the `anki` package from PyPI (in the test extra)
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

PG_ENV = "FLASHPREP_TEST_PG_DSN"
REDIS_ENV = "FLASHPREP_TEST_REDIS_URL"
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def missing(what: str, how: str) -> NoReturn:
    """Skip the calling test, or fail it under CI, because `what` is not there."""
    message = f"{what} is not available ({how})"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set, so the real part is required: {message}", pytrace=False)
    pytest.skip(message)


def require_postgres() -> str:
    """The DSN of a throwaway PostgreSQL server the test may use as it likes."""
    dsn = os.environ.get(PG_ENV, "").strip()
    if not dsn:
        missing("PostgreSQL", f"set {PG_ENV} to a libpq URI")
    return dsn


def require_redis() -> str:
    """The URL of a throwaway Redis server the test may use as it likes."""
    url = os.environ.get(REDIS_ENV, "").strip()
    if not url:
        missing("Redis", f"set {REDIS_ENV} to a redis:// URL")
    return url


def require_chromium() -> str:
    """The path of a Chromium binary that can run headless."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    missing("Chromium", "install Debian's package chromium")


def require_anki(module: str = "anki.collection") -> ModuleType:
    """Anki's own Python library (or one of its modules), imported."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing("Anki's library", f"could not import {module!r}: {exc}; pip install anki")


# ------------------------------------------------------------------ Chromium helpers

HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    # Resolve no host name at all: nothing leaves the machine, and a request the page
    # makes still shows in the net log (as a failed lookup).
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def headless(chromium: str, url: str, workdir: Path, *extra: str, timeout: float = 90) -> str:
    """Run headless Chromium on `url` with a fresh profile in `workdir`; its stdout."""
    profile = workdir / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [chromium, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def page_requests(net_log: Path) -> list[str]:
    """The URLs the page asked the network for, from Chromium's --log-net-log file.

    Chromium's own background requests carry the initiator "not an origin"; a request
    made for a page carries the page's origin ("null" for a file:// page). Every URL
    request of the second kind counts, whatever its scheme or outcome."""
    data = json.loads(net_log.read_text(encoding="utf-8", errors="replace"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    urls: dict[int, str] = {}
    for_page: set[int] = set()
    for event in data.get("events", []):
        params, source = event.get("params") or {}, event["source"]["id"]
        if isinstance(params.get("url"), str):
            urls.setdefault(source, params["url"])
        if (
            names.get(event["type"]) == "URL_REQUEST_START_JOB"
            and params.get("initiator", "not an origin") != "not an origin"
        ):
            for_page.add(source)
    return sorted({urls.get(s, f"<request {s}>") for s in for_page})


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        previous = line
        rgb = bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3)
        rows.append(rgb)
    return width, height, rows


def count_colours(rows: list[bytes], colours: dict[str, str]) -> dict[str, int]:
    """How many pixels are each named #rrggbb colour, exactly."""
    wanted = {bytes.fromhex(v.lstrip("#")): k for k, v in colours.items()}
    counts = dict.fromkeys(colours, 0)
    for row in rows:
        for x in range(0, len(row), 3):
            name = wanted.get(row[x : x + 3])
            if name is not None:
                counts[name] += 1
    return counts
