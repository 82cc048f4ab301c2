"""The real service in a uvicorn subprocess, on free loopback ports, as it runs in production."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tools.image.serve import uvicorn_command
from tools.processes import free_port, stop

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ServiceProcess:
    api_url: str
    metrics_port: int
    stderr: Path

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def log_lines(self) -> list[dict[str, Any]]:
        """The JSON log lines written so far (LOG_FORMAT=json)."""
        lines = self.stderr.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


def wait_until(condition: Any, *, timeout: float = 60.0, what: str) -> None:
    """Poll until ``condition()``; the deadline is generous because a cold start imports the
    whole app in every worker, which takes seconds on a loaded 2-core machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise TimeoutError(f"gave up waiting for {what}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def running_service(
    database_url: str, workdir: Path, *, workers: int = 1, env: Mapping[str, str] | None = None
) -> Iterator[ServiceProcess]:
    """The image's uvicorn command (tools/image/serve.py) until every worker has started."""
    port, metrics_port = free_port(), free_port()
    stderr = workdir / "service.stderr"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "LOG_FORMAT": "json",
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(metrics_port),
        **(env or {}),
    }
    command = [*uvicorn_command({"HOST": "127.0.0.1", "PORT": str(port)}), "--workers", str(workers)]
    with stderr.open("w") as errors:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=errors)  # noqa: S603
    service = ServiceProcess(f"http://127.0.0.1:{port}", metrics_port, stderr)

    def started() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the service exited:\n{stderr.read_text()}")
        complete = [
            line for line in service.log_lines() if line.get("event") == "Application startup complete."
        ]
        return len(complete) == workers

    try:
        wait_until(started, what=f"{workers} worker(s) to start")
        wait_until(lambda: answers(service.metrics_url), what="the metrics port")
        yield service
    finally:
        stop(process, timeout=15)
