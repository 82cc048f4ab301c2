"""Schemathesis, every check, against the live service, from the committed spec.

The spec is the file clients generate code from (openapi.json), so fuzzing it against the
running server proves the two agree. Seed and budget are fixed so CI is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import Case

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "openapi.json")

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


class CachedBearer:
    """One login, reused until the service answers 401 to it; then the next case logs in again.
    The fuzzer's own logout (or its demoting the owner) legitimately ends a token, so one fixed
    token would test nothing after that; a login per case would cost an argon2 hash each, most
    of the run, since the coverage phase sends each of the ~600 time zones to /tasks/stats.
    A 401 to a token that has just been revoked is documented, so it passes every check."""

    def __init__(self, login: Callable[[], dict[str, str]]) -> None:
        self.login = login
        self.headers: dict[str, str] | None = None
        self.session = requests.Session()
        self.session.hooks["response"].append(self._forget_on_401)

    def kwargs(self, base_url: str) -> dict[str, Any]:
        if self.headers is None:
            self.headers = self.login()
        return {"base_url": base_url, "headers": self.headers, "session": self.session}

    def _forget_on_401(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        sent = response.request.headers.get("Authorization")
        if response.status_code == 401 and self.headers and sent == self.headers["Authorization"]:
            self.headers = None


@pytest.fixture(scope="module")
def bearer(fresh_bearer: Callable[[], dict[str, str]]) -> CachedBearer:
    return CachedBearer(fresh_bearer)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_conforms(case: Case, live_api: str, bearer: CachedBearer) -> None:
    case.call_and_validate(**bearer.kwargs(live_api))


def test_stateful_workflows(live_api: str, bearer: CachedBearer, tables_emptier: Callable[[], None]) -> None:
    """Follows the spec's links (create → get/update/delete, sign-up → login → refresh/logout)
    with every check on each step. Each scenario starts from empty tables and a new owner, so
    a replayed scenario meets the same service it met the first time."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            tables_emptier()
            bearer.headers = None  # its owner is gone: the next login signs up a new one

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return bearer.kwargs(live_api)

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=40,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
