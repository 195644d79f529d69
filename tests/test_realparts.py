"""The PostgreSQL and Redis servers .ci/run starts are there and answer (tests/realparts.py).

Other tests (SQL exercises, deck code blocks) use the same two variables; these prove
the plumbing, and that a missing part fails under CI instead of being skipped.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import realparts


def test_postgres_answers_a_query() -> None:
    import psycopg

    dsn = realparts.require_postgres()
    with psycopg.connect(dsn, connect_timeout=10) as conn:
        row = conn.execute("SELECT 40 + %s, current_setting('server_version_num')::int", (2,))
        answer, version = row.fetchone()  # type: ignore[misc]
    assert answer == 42
    assert version >= 120000


def test_redis_answers_a_command() -> None:
    import redis

    client = redis.Redis.from_url(realparts.require_redis(), socket_timeout=10)
    try:
        assert client.ping() is True
        assert client.set("flashprep-test:key", "v", ex=60)
        assert client.get("flashprep-test:key") == b"v"
    finally:
        client.delete("flashprep-test:key")
        client.close()


def test_a_missing_part_fails_under_ci_and_skips_otherwise(tmp_path) -> None:  # type: ignore[no-untyped-def]
    test = tmp_path / "test_missing.py"
    test.write_text(
        textwrap.dedent("""
        import realparts

        def test_needs_postgres():
            realparts.require_postgres()
    """)
    )
    tests_dir = str(realparts.__file__).rsplit("/", 1)[0]

    def run(ci: str | None) -> subprocess.CompletedProcess[str]:
        import os

        env = {k: v for k, v in os.environ.items() if k not in ("CI", realparts.PG_ENV)}
        env["PYTHONPATH"] = tests_dir
        if ci is not None:
            env["CI"] = ci
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
                "--rootdir",
                str(tmp_path),
                str(test),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=tmp_path,
        )

    skipped = run(None)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout
    failed = run("true")
    assert failed.returncode == 1 and "1 failed" in failed.stdout, failed.stdout
    assert "CI is set, so the real part is required" in failed.stdout
