"""Serving an app under test exactly as production does: the image's uvicorn command line
(tools/image/serve.py), one worker, uvloop, httptools, on a free loopback port, stderr to a
log file; for the pooled rows, with a PgBouncer between it and PostgreSQL."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from tools.image.serve import uvicorn_command
from tools.pgbouncer import running_pgbouncer
from tools.processes import free_port, stop

from platform_common.db.provision import ProvisionedDatabase
from platform_common.db.settings import DatabaseSettings

ROOT = Path(__file__).resolve().parents[2]
TODO_API = "todo_api.main:create_app"
BASELINE = "tools.bench.baseline_app:create_app"
FLOOR = "tools.bench.floor_app:create_app"
UNLIMITED = "1000000/minute"  # rate limits stay on (the check still runs) but never bite
# The task quota likewise: scenario (d) creates more than the default 10,000 tasks in a run
# (warm-up and three runs, all by the benchmark user); the check still counts on every create.
TASK_QUOTA = "10000000"
POOL_SIZE: int = DatabaseSettings.model_fields["database_pool_size"].default  # PgBouncer's, see database_url


@dataclass(frozen=True)
class Served:
    url: str
    pid: int
    pooler_pid: int | None = None  # the PgBouncer between the app and PostgreSQL, if any

    def cpu_seconds(self) -> dict[str, float]:
        """User + system CPU used so far by the ``server`` (its process and every worker it
        started) and, when there is one, the ``pooler`` (PgBouncer runs in the foreground, one
        process; on a small machine it takes from the cores the server and PostgreSQL use).
        CPU per request is steadier than throughput on a shared machine: other load lengthens
        waits, not this figure."""
        ticks = {"server": sum(_cpu_ticks(pid) for pid in _process_tree(self.pid))}
        if self.pooler_pid is not None:
            ticks["pooler"] = _cpu_ticks(self.pooler_pid)
        return {part: count / os.sysconf("SC_CLK_TCK") for part, count in ticks.items()}


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat fields after the command name (which may hold spaces)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _cpu_ticks(pid: int) -> int:
    try:
        fields = _stat(pid)
    except OSError:  # a worker that just exited
        return 0
    return int(fields[11]) + int(fields[12])


def _process_tree(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn --workers N forks N workers under one parent)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat(int(entry.name))[1])
            except OSError:
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += parents.get(pid, [])
    return tree


def todo_api_env(database_url: str, *, pooled: bool) -> dict[str, str]:
    """Production settings, except limits raised and the metrics port picked freely;
    ``pooled``: ``database_url`` is a transaction-pooling PgBouncer."""
    env = {
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATA_ENCRYPTION_KEY": secrets.token_urlsafe(48),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "DOCS_ENABLED": "false",
        "TRUSTED_HOSTS": '["127.0.0.1"]',  # what wrk and httpx send; production lists its names
        "PUBLIC_BASE_URL": "https://todo.example",  # production requires it (e-mailed links); none are sent
        "DATABASE_URL": database_url,
        "DATABASE_POOLER": "transaction" if pooled else "none",
        "RATE_LIMIT_ENABLED": "true",
        "TASK_QUOTA_PER_USER": TASK_QUOTA,
        "METRICS_PORT": "0",
    }
    for name in (
        "AUTHENTICATED",
        "TENANT",
        "ANONYMOUS",
        "LOGIN_IP",
        "LOGIN_FAILURES_ACCOUNT_IP",
        "LOGIN_FAILURES_ACCOUNT",
        "SIGNUP",
        "PASSWORD_CHANGE_FAILURES",
    ):
        env[f"RATE_LIMIT_{name}"] = UNLIMITED
    return env


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the server did not answer {url} within 60 s; see {log}")


@contextmanager
def database_url(
    database: ProvisionedDatabase, *, pooled: bool, workdir: Path
) -> Iterator[tuple[str, int | None]]:
    """The runtime role's URL for the block, and the pid of the PgBouncer it goes through.
    ``pooled``: a PgBouncer in transaction pooling mode started for the block in front of the
    same server (its files in ``workdir``). It keeps ``POOL_SIZE`` server connections, the
    service's own pool size, so the pooled rows differ from the direct ones by the extra hop
    and the lost statement cache, not by fewer server connections."""
    if not pooled:
        yield database.app_url, None
        return
    with running_pgbouncer(database.app_url, [database.app_role], workdir, pool_size=POOL_SIZE) as pooler:
        yield pooler.route(database.app_url), pooler.pid


@contextmanager
def serve(
    target: str,
    ready_path: str,
    log: Path,
    env: dict[str, str] | None = None,
    *,
    workers: int = 1,
    pooler_pid: int | None = None,
) -> Iterator[Served]:
    """Run ``target`` (an app factory) with ``workers`` uvicorn workers until the block ends;
    ``pooler_pid``: the PgBouncer it reaches the database through, whose CPU is read too."""
    port = free_port()
    command = uvicorn_command({"HOST": "127.0.0.1", "PORT": str(port)}, app=target)
    command += ["--loop", "uvloop", "--http", "httptools", "--workers", str(workers)]
    # Only the variables set here configure the app; nothing leaks in from the caller's shell.
    inherited = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**inherited, **(env or {})}, stdout=stderr, stderr=stderr
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url + ready_path, log)
        yield Served(url, process.pid, pooler_pid)
    finally:
        stop(process, timeout=30)
