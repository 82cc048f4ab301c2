"""Schemathesis, every check, against the live service, from the committed spec.

The spec is the file clients generate code from (openapi.json), so fuzzing it against the
running server proves the two agree. Two fixed seeds and a fixed budget, so CI is
deterministic and still reaches further than one seed would: each operation is fuzzed
under both seeds (the coverage and examples phases, the same whatever the seed, run with
the first), and the stateful workflows run once per seed.
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
from schemathesis.config import SchemathesisConfig

ROOT = Path(__file__).resolve().parents[2]
# The budget keeps tests/contract under about 6 minutes on 2 cores (README, Contract).
SEEDS = (1, 2)
MAX_EXAMPLES = 120  # generated cases per operation and seed
STATEFUL_SCENARIOS = 25  # per seed
STATEFUL_STEPS = 15  # at most, per scenario: long enough to create, update twice and delete


def _config(*, every_phase: bool) -> SchemathesisConfig:
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    if not every_phase:  # coverage and examples give the same cases whatever the seed
        config.projects.default.phases.coverage.enabled = False
        config.projects.default.phases.examples.enabled = False
    return config


schema = schemathesis.openapi.from_path(ROOT / "openapi.json", config=_config(every_phase=True))
generated_only = schemathesis.openapi.from_path(ROOT / "openapi.json", config=_config(every_phase=False))

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
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
@hypothesis.seed(SEEDS[0])
@FUZZ_SETTINGS
def test_every_operation_conforms(case: Case, live_api: str, bearer: CachedBearer) -> None:
    case.call_and_validate(**bearer.kwargs(live_api))


@generated_only.parametrize()
@hypothesis.seed(SEEDS[1])
@FUZZ_SETTINGS
def test_every_operation_conforms_under_the_second_seed(
    case: Case, live_api: str, bearer: CachedBearer
) -> None:
    case.call_and_validate(**bearer.kwargs(live_api))


@pytest.mark.parametrize("seed", SEEDS)
def test_stateful_workflows(
    live_api: str, bearer: CachedBearer, tables_emptier: Callable[[], None], seed: int
) -> None:
    """Follows the spec's links (create → get/update/delete with the ETag as If-Match,
    sign-up → login → refresh/logout) with every check on each step. Each scenario starts
    from empty tables and a new owner, so a replayed scenario meets the same service it met
    the first time."""

    @hypothesis.seed(seed)
    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            tables_emptier()
            bearer.headers = None  # its owner is gone: the next login signs up a new one

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return bearer.kwargs(live_api)

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
