"""Schemathesis, every check, against the live service, from the committed spec.

The spec is the file clients generate code from (openapi.json), so fuzzing it against the
running server proves the two agree. Seed and budget are fixed so CI is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from schemathesis import Case

ROOT = Path(__file__).resolve().parents[2]
schema = schemathesis.openapi.from_path(ROOT / "openapi.json")

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation_conforms(
    case: Case, live_api: str, fresh_bearer: Callable[[], dict[str, str]]
) -> None:
    case.call_and_validate(base_url=live_api, headers=fresh_bearer())


def test_stateful_workflows(live_api: str, fresh_bearer: Callable[[], dict[str, str]]) -> None:
    """Follows the spec's links (create → get/update/delete) with every check on each step."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"base_url": live_api, "headers": fresh_bearer()}

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=15,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
