"""``task fuzz``: Schemathesis's CLI, every check, against a live todo-api.

Starts a real PostgreSQL (embedded, data in ``.data/fuzz-postgres``; the database is
recreated each run) unless FUZZ_DATABASE_URL names a superuser URL, migrates it, serves the
app with rate limits off (the fuzzer is one client sending thousands of requests; 429 is
tested elsewhere), signs up a user, and runs ``schemathesis run`` with a larger budget than
the test suite. The JUnit report goes to ``reports/fuzz/junit.xml``; extra arguments are
passed to ``schemathesis run``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tools.embedded_postgres import superuser_url
from tools.image.serve import uvicorn_command
from tools.mailed_token import verified_signup
from tools.processes import free_port, stop

from todo_api.core.provisioning import provision

ROOT = Path(__file__).resolve().parents[2]

DATA_DIR = ROOT / ".data" / "fuzz-postgres"
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "200")
SEED = os.environ.get("FUZZ_SEED", "1")


@contextmanager
def _service(env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    command = uvicorn_command({"HOST": "127.0.0.1", "PORT": str(port)})
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{url}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        stop(process, timeout=30)


def _sign_up(url: str, database_url: str) -> dict[str, str]:
    """A fresh tenant and owner for tools/fuzz/hooks.py to log in as. The password is random,
    not the spec's example, so the fuzzer cannot change it by replaying examples."""
    email = f"fuzz-{uuid.uuid4().hex[:8]}@fuzz.example.com"
    password = secrets.token_urlsafe(24)
    body = {
        "tenant_name": "Fuzz",
        "tenant_slug": f"fuzz-{uuid.uuid4().hex[:8]}",
        "email": email,
        "password": password,
    }
    verified_signup(url, database_url, body)
    return {
        "FUZZ_BASE_URL": url,
        "FUZZ_EMAIL": email,
        "FUZZ_PASSWORD": password,
        "FUZZ_OUTBOX_URL": database_url,
    }


def main(extra: list[str]) -> int:
    reports = ROOT / "reports" / "fuzz"
    reports.mkdir(parents=True, exist_ok=True)
    with superuser_url(DATA_DIR, override_env="FUZZ_DATABASE_URL") as admin:
        database = asyncio.run(provision(admin, database="todo_fuzz", recreate=True))
        env = {
            **os.environ,
            "DATABASE_URL": database.app_url,
            "MIGRATIONS_DATABASE_URL": database.owner_url,
            "DATABASE_APP_ROLE": database.app_role,
            "RATE_LIMIT_ENABLED": "false",
            "METRICS_PORT": "0",
            "LOG_LEVEL": "WARNING",
        }
        migrate = [sys.executable, "-m", "alembic", "upgrade", "head"]
        subprocess.run(migrate, cwd=ROOT, env=env, check=True)
        with _service(env) as url:
            command = [str(Path(sys.executable).parent / "schemathesis"), "run", f"{url}/openapi.json"]
            command += ["--max-examples", MAX_EXAMPLES, "--seed", SEED]
            command += ["--report", "junit", "--report-junit-path", str(reports / "junit.xml"), *extra]
            hooks = {
                "SCHEMATHESIS_HOOKS": "tools.fuzz.hooks",
                "PYTHONPATH": str(ROOT),
                **_sign_up(url, database.app_url),
            }
            return subprocess.call(command, cwd=ROOT, env={**os.environ, **hooks})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
