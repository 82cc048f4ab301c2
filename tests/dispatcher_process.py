"""The dispatcher as it runs in production: ``python -m dispatcher`` in a subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.processes import stop

from tests.service_process import ROOT, wait_until

# Short enough for a test to watch retries and a killed worker's job being picked again.
FAST = {
    "DISPATCHER_POLL_SECONDS": "0.5",
    "DISPATCHER_HEARTBEAT_SECONDS": "2",
    "WEBHOOK_RETRY_SCHEDULE_SECONDS": "[0.2, 0.2, 0.2]",
    "WEBHOOK_RETRY_JITTER": "0",
    "WEBHOOK_CONNECT_TIMEOUT_SECONDS": "2",
    "WEBHOOK_READ_TIMEOUT_SECONDS": "10",
    # A few connections each: test runs share one PostgreSQL server and its max_connections.
    "DATABASE_POOL_SIZE": "2",
    "DATABASE_MAX_OVERFLOW": "2",
}


@dataclass
class DispatcherProcess:
    process: subprocess.Popen[bytes]
    stderr: Path

    def log_lines(self) -> list[dict[str, Any]]:
        lines = self.stderr.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [line for line in self.log_lines() if line.get("event") == name]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout: float = 30) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


@contextmanager
def running_dispatcher(
    database_url: str, workdir: Path, *, env: Mapping[str, str] | None = None, name: str = "dispatcher"
) -> Iterator[DispatcherProcess]:
    stderr = workdir / f"{name}.stderr"
    environment = {
        **os.environ,
        "DISPATCHER_DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "LOG_FORMAT": "json",
        "METRICS_PORT": "0",
        "MAIL_DIRECTORY": str(workdir / f"{name}-mail"),  # development mail: not the checkout's .data
        **FAST,
        **(env or {}),
    }
    with stderr.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "dispatcher"], cwd=ROOT, env=environment, stderr=errors
        )
    dispatcher = DispatcherProcess(process, stderr)

    def started() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the dispatcher exited:\n{stderr.read_text()}")
        return bool(dispatcher.events("dispatcher_started"))

    try:
        wait_until(started, what="the dispatcher to start")
        yield dispatcher
    finally:
        stop(process, timeout=30)
