"""The stack (``tests/cluster/stack.py``), started once for the ``cluster`` tests, and the
summary ``./tools/task cluster`` prints at the end: replicas, requests, failures, lost writes,
duplicate deliveries."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.stack import Cluster, running_cluster

SUMMARY: dict[str, Any] = {}


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="todo-cluster-") as workdir,
        running_cluster(Path(workdir)) as stack,
    ):
        SUMMARY["replicas"] = f"{len(stack.apis)} API, {len(stack.dispatchers)} dispatcher, HAProxy"
        SUMMARY["stack start (s)"] = round(time.monotonic() - started, 1)
        yield stack


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not SUMMARY:
        return
    terminalreporter.section("cluster summary")
    for name, value in SUMMARY.items():
        terminalreporter.write_line(f"{name:>32}: {value}")
