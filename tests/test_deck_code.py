"""Every fenced code block of every bundled deck proves itself.

The conventions (README, "The bundled decks"); the first word of a block's info string is
its language, the words after it say how the block is checked:

- ```python            runs alone in a fresh `python -I` subprocess (timeout TIMEOUT s) and
                        must exit 0. A statement `print(...)  # text` states what it prints:
                        the comment's text after "# " must equal a whole printed line
                        (trailing spaces aside), and these lines must come out in the order
                        the comments appear in the block (other lines may come in between).
                        FastAPI apps shown with requests call them with TestClient inside
                        the block.
- ```python redis       the same, with REDIS_URL set to a real server's URL (the block reads
                        it); run one at a time on a flushed database.
- ```python fragment    cannot run alone (a signature, a piece of a larger app): only
                        compiled.
- ```sql sqlite         runs as a script on a fresh in-memory SQLite database (stdlib).
- ```sql postgresql     runs on the PostgreSQL server at FLASHPREP_TEST_PG_DSN, inside a
                        transaction that is rolled back.
- ```sql fragment       not run.
- ```redis              redis-cli commands, one a line (`#` starts a comment), run in order
                        on a flushed database of the server at FLASHPREP_TEST_REDIS_URL.
- ```redis fragment     not run.
- other languages (bash, dockerfile, yaml, http, json, text) are shown, not run; json
  must parse.

A block that needs a server runs when its env var names a reachable one. Without it the
test skips with the reason, unless `CI` is set: then it fails. Blocks run in parallel
(one lane for the Redis blocks, which share a server); the summary test prints how many
blocks of each kind there are.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import tokenize
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

DECKS = Path(__file__).resolve().parents[1] / "decks"
README = Path(__file__).resolve().parents[1] / "README.md"
FENCE_RE = re.compile(r"^```([^\n`]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TIMEOUT = 30
TXN_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|START\s+TRANSACTION|END)\b", re.I | re.M)
PG_ENV = "FLASHPREP_TEST_PG_DSN"
REDIS_ENV = "FLASHPREP_TEST_REDIS_URL"
# language -> the words allowed after it (None: the block is not run)
KINDS: dict[str, set[str]] = {
    "python": {"", "redis", "fragment"},
    "sql": {"sqlite", "postgresql", "fragment"},
    "redis": {"", "fragment"},
    "bash": {""},
    "dockerfile": {""},
    "yaml": {""},
    "http": {""},
    "json": {""},
    "text": {""},
}


@dataclass(frozen=True)
class Block:
    card: str
    field: str
    n: int  # its place among the card's blocks, from 1
    lang: str
    mode: str  # the words after the language ("" for none)
    code: str

    @property
    def name(self) -> str:
        return f"{self.card}#{self.n}"

    @property
    def runs(self) -> bool:
        return self.mode != "fragment" and self.lang in {"python", "sql", "redis"}


def _markdown_fields(card: dict) -> list[tuple[str, str]]:
    out = []
    for key, value in card.items():
        if isinstance(value, str):
            out.append((key, value))
        elif isinstance(value, list):
            out.extend((key, v) for v in value if isinstance(v, str))
    return out


@cache
def all_blocks() -> tuple[Block, ...]:
    blocks = []
    for path in sorted(DECKS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for card in [data.get("deck", {}), *data.get("cards", []), *data.get("checklist", [])]:
            n = 0
            for field, text in _markdown_fields(card):
                for m in FENCE_RE.finditer(text):
                    n += 1
                    lang, _, mode = m.group(1).strip().partition(" ")
                    ident = card.get("id", path.stem)
                    blocks.append(Block(ident, field, n, lang, mode.strip(), m.group(2)))
    return tuple(blocks)


def blocks_of(lang: str, *modes: str) -> list[Block]:
    return [b for b in all_blocks() if b.lang == lang and b.mode in modes]


def ids(blocks: list[Block]) -> list[str]:
    return [b.name for b in blocks]


# ------------------------------------------------------------ expected output


def expected_lines(code: str) -> list[str]:
    """The comment texts of the statements `print(...)  # text`, in block order."""
    out: list[str] = []
    first: tokenize.TokenInfo | None = None  # first token of the logical line
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type in (tokenize.NEWLINE, tokenize.NL):
            if tok.type == tokenize.NEWLINE:
                first = None
            continue
        if tok.type == tokenize.COMMENT:
            if first is not None and first.type == tokenize.NAME and first.string == "print":
                text = tok.string[1:]
                out.append(text[1:] if text.startswith(" ") else text)
            continue
        if tok.type in (tokenize.INDENT, tokenize.DEDENT):
            continue
        if first is None:
            first = tok
    return [t.rstrip() for t in out]


def check_output(expected: list[str], stdout: str) -> str | None:
    """None if `expected` is an ordered subsequence of stdout's lines, else the problem."""
    lines = [line.rstrip() for line in stdout.splitlines()]
    at = 0
    for want in expected:
        try:
            at = lines.index(want, at) + 1
        except ValueError:
            return f"no printed line {want!r} (in order); printed:\n{stdout}"
    return None


def test_expected_lines_reads_print_comments_only() -> None:
    code = (
        "x = 1  # not a print\n"
        "print(x)  # 1\n"
        "for i in range(2):\n"
        "    print(i, 'a # b')   # 0 a # b\n"
        "print(\n    x,\n)  # 1\n"
        "print(x)\n"
    )
    assert expected_lines(code) == ["1", "0 a # b", "1"]
    assert check_output(["1", "2"], "1\nnoise\n2\n") is None
    assert check_output(["2", "1"], "1\n2\n") is not None
    assert check_output(["1"], "10\n") is not None


# ------------------------------------------------------------ servers


def _need(env: str, what: str) -> str:
    """The server address from env, or skip (fail under CI) saying why."""
    value = os.environ.get(env, "")
    if not value:
        reason = f"{what} blocks need a server: set {env}"
    else:
        reason = _reachable(env, value)
        if reason is None:
            return value
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}")
    pytest.skip(reason)


@cache
def _reachable(env: str, value: str) -> str | None:
    try:
        if env == PG_ENV:
            import psycopg

            psycopg.connect(value, connect_timeout=5).close()
        else:
            import redis

            redis.Redis.from_url(value, socket_connect_timeout=5).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{env}={value} is not reachable: {exc}"
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    return _need(REDIS_ENV, "Redis")


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    return _need(PG_ENV, "PostgreSQL")


# ------------------------------------------------------------ running python


@dataclass
class Run:
    returncode: int | None
    stdout: str
    stderr: str


def _run_python(block: Block, tmp: Path, env: dict[str, str]) -> Run:
    script = tmp / f"{block.name.replace('#', '_')}.py"
    script.write_text(block.code, encoding="utf-8")
    try:
        p = subprocess.run(
            [sys.executable, "-I", str(script)],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        return Run(None, str(exc.stdout or ""), f"timed out after {TIMEOUT} s")
    return Run(p.returncode, p.stdout, p.stderr)


def _base_env(tmp: Path) -> dict[str, str]:
    """A small environment: no PYTHON* variables reach the block anyway (-I), nor the user's
    home (HOME is the block's temporary folder)."""
    keep = ("PATH", "SYSTEMROOT", "TMPDIR", "LANG", "LC_ALL")
    return {k: os.environ[k] for k in keep if k in os.environ} | {"HOME": str(tmp)}


@pytest.fixture(scope="module")
def python_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    plain = blocks_of("python", "")
    tmp = tmp_path_factory.mktemp("blocks")
    workers = max(2, (os.cpu_count() or 2) * 2)
    with ThreadPoolExecutor(workers) as pool:
        runs = dict(
            zip(
                ids(plain),
                pool.map(lambda b: _run_python(b, tmp, _base_env(tmp)), plain),
                strict=True,
            )
        )
    return runs


def _assert_ran(block: Block, run: Run) -> None:
    assert run.returncode == 0, f"{block.name} failed:\n{run.stdout}\n{run.stderr}"
    problem = check_output(expected_lines(block.code), run.stdout)
    assert problem is None, f"{block.name}: {problem}"


@pytest.mark.parametrize("block", blocks_of("python", ""), ids=lambda b: b.name)
def test_python_block_runs(block: Block, python_runs: dict[str, Run]) -> None:
    _assert_ran(block, python_runs[block.name])


@pytest.mark.parametrize("block", blocks_of("python", "redis"), ids=lambda b: b.name)
def test_python_redis_block_runs(block: Block, redis_url: str, tmp_path: Path) -> None:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    env = _base_env(tmp_path) | {"REDIS_URL": redis_url}
    _assert_ran(block, _run_python(block, tmp_path, env))


@pytest.mark.parametrize("block", blocks_of("python", "fragment"), ids=lambda b: b.name)
def test_python_fragment_compiles(block: Block) -> None:
    compile(block.code, block.name, "exec")


def test_python_blocks_that_use_redis_say_so() -> None:
    wrong = [
        b.name
        for b in blocks_of("python", "")
        if re.search(r"^\s*(import|from) redis\b", b.code, re.MULTILINE)
    ]
    assert wrong == []


# ------------------------------------------------------------ SQL and Redis


@pytest.mark.parametrize("block", blocks_of("sql", "sqlite"), ids=lambda b: b.name)
def test_sqlite_block_runs(block: Block) -> None:
    con = sqlite3.connect(":memory:")
    try:
        con.executescript(block.code)
    finally:
        con.close()


@pytest.mark.parametrize("block", blocks_of("sql", "postgresql"), ids=lambda b: b.name)
def test_postgresql_block_runs(block: Block, pg_dsn: str) -> None:
    import psycopg

    # the block's own COMMIT would end the transaction that keeps the server clean
    assert not TXN_CONTROL.search(block.code), f"{block.name}: make it `sql sqlite`"
    with psycopg.connect(pg_dsn) as con:
        try:
            con.execute("SET LOCAL statement_timeout = '10s'")
            con.execute(block.code.encode())  # several statements, no parameters
        finally:
            con.rollback()


@pytest.mark.parametrize("block", blocks_of("redis", ""), ids=lambda b: b.name)
def test_redis_block_runs(block: Block, redis_url: str) -> None:
    import redis

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    r.flushdb()
    for line in block.code.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            r.execute_command(*words)


@pytest.mark.parametrize("block", blocks_of("json", ""), ids=lambda b: b.name)
def test_json_block_parses(block: Block) -> None:
    json.loads(block.code)


# ------------------------------------------------------------ conventions


def test_every_block_has_a_known_language_and_mode() -> None:
    bad = [
        f"{b.name}: {b.lang} {b.mode}".strip()
        for b in all_blocks()
        if b.mode not in KINDS.get(b.lang, set())
    ]
    assert bad == []


def counts() -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for b in all_blocks():
        if b.lang in ("python", "sql", "redis"):
            out.setdefault(b.lang, Counter())["fragment" if b.mode == "fragment" else "run"] += 1
    return out


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary() -> str:
    c = counts()
    sql = Counter(b.mode for b in blocks_of("sql", "sqlite", "postgresql", "fragment"))
    redis = c.get("redis", Counter())
    return (
        f"python: {c['python']['run']} run ({len(blocks_of('python', 'redis'))} of them on"
        f" Redis), {_n(c['python']['fragment'], 'fragment')}; "
        f"sql: {sql['sqlite']} on SQLite, {sql['postgresql']} on PostgreSQL,"
        f" {_n(sql['fragment'], 'fragment')}; "
        f"redis: {redis['run']} run, {_n(redis['fragment'], 'fragment')}"
    )


def test_summary_is_printed_and_matches_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    line = summary()
    with capsys.disabled():
        print(f"\ndeck code blocks: {line}")
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert line in readme
    c = counts()
    assert c["python"]["run"] > 3 * c["python"]["fragment"]


# ------------------------------------------------------------ renderers


@pytest.mark.parametrize("info", ["python fragment", "python redis", "sql sqlite"])
def test_renderers_highlight_by_the_first_word(info: str) -> None:
    from rich.console import Console

    from flashprep.ankirender import Renderer
    from flashprep.ui.card import markdown

    lang = info.split()[0]
    code = "SELECT 1 FROM t WHERE x = 'a';" if lang == "sql" else "def f(x):\n    return 'a'"

    def terminal(text: str) -> str:
        console = Console(record=True, force_terminal=True, color_system="truecolor", width=60)
        console.print(markdown(text))
        return console.export_text(styles=True)

    plain = terminal(f"```{lang}\n{code}\n```")
    assert "\x1b[" in plain
    assert terminal(f"```{info}\n{code}\n```") == plain
    html = Renderer().block(f"```{info}\n{code}\n```")
    assert html == Renderer().block(f"```{lang}\n{code}\n```")
    assert f'<code class="language-{lang}"><span class="k' in html
