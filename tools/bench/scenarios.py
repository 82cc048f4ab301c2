"""The scenarios of the Performance issue: what each one requests, and how it is checked
with one ordinary request before wrk hammers it (a wrong token or body fails in a second,
with the response in the error, instead of as a wall of non-2xx counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.bench.seed import BENCH_LIST_ID, CREATED_TITLE_PREFIX, SEARCH_WORD

TASKS = "/api/v1/tasks"
SEARCH = f"{TASKS}?q={SEARCH_WORD}&priority=high&sort=-due_at"
IN_LIST = f"{TASKS}?list_id={BENCH_LIST_ID}"  # sorted by position, the default with a list


@dataclass(frozen=True)
class Probe:
    method: str
    path: str  # "{id}" is replaced by one of the benchmark user's task ids
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str  # wrk's URL path (its static request, unless the script builds requests)
    script: str = "result.lua"
    probe: Probe = field(default_factory=lambda: Probe("GET", "/api/v1/users/me"))
    writes: bool = False
    logins: bool = False  # a fixed rate of logins runs alongside (scenario g)
    personal_token: bool = False  # requests carry a personal access token, not a session's JWT


BASELINE = Scenario("baseline", "baseline: bare FastAPI GET /ping", "/ping", probe=Probe("GET", "/ping"))
FLOOR = Scenario(
    "floor",
    "floor: FastAPI + asyncpg, the 4 round trips of an RLS read",
    "/floor",
    probe=Probe("GET", "/floor"),
)

FLOOR_CREATE = Scenario(
    "floor-d",
    "floor of (d): asyncpg alone, one user's creations in turn (event, creation statement, COMMIT)",
    "/floor/tasks",
    "create_task.lua",
    Probe("POST", "/floor/tasks", {}),
    writes=True,
)
# Each row's "of floor" share: against the floor of the same kind of work, where there is one.
FLOORS = {"d": FLOOR_CREATE.key}

SCENARIOS = {
    s.key: s
    for s in (
        Scenario("a", "GET /users/me", "/api/v1/users/me"),
        Scenario(
            "a-pat", "GET /users/me with a personal access token", "/api/v1/users/me", personal_token=True
        ),
        Scenario("b", "GET /tasks (page of 20)", TASKS, probe=Probe("GET", TASKS)),
        Scenario("c", "GET /tasks search+filter+sort", SEARCH, probe=Probe("GET", SEARCH)),
        Scenario(
            "d",
            "POST /tasks",
            TASKS,
            "create_task.lua",
            Probe("POST", TASKS, {"title": f"{CREATED_TITLE_PREFIX} probe"}),
            writes=True,
        ),
        Scenario(
            "e",
            "PATCH /tasks/{id}",
            TASKS,
            "update_task.lua",
            Probe("PATCH", TASKS + "/{id}", {"description": "Edited by the benchmark probe."}),
            writes=True,
        ),
        Scenario("f", "mixed 80% read / 20% write", TASKS, "mixed.lua", Probe("GET", TASKS), writes=True),
        Scenario("g", "GET /tasks while logins run", TASKS, probe=Probe("GET", TASKS), logins=True),
        Scenario(
            "h",
            "GET /tasks?list_id= (a list's page of 20, by position)",
            IN_LIST,
            probe=Probe("GET", IN_LIST),
        ),
    )
}

# Measured on both databases: their latency must not grow with other tenants' rows.
SIZE_SENSITIVE = ("b", "c")


@dataclass(frozen=True)
class Variant:
    """One change to how the service runs, against the full database: its rows are the
    scenario's key with ``suffix`` (``b@2w``). The default, ``DIRECT``, is what the targets
    are judged on: one uvicorn worker on a direct database connection."""

    suffix: str = ""
    detail: str = ""  # added to the scenario's title
    scenarios: tuple[str, ...] = ()  # measured again under this variant, when selected
    workers: int = 1
    pooled: bool = False  # through a transaction-pooling PgBouncer, DATABASE_POOLER=transaction


DIRECT = Variant()
# By the name of their --no-<name> flag: two workers show how the service scales on this
# machine; the pooled rows what a PgBouncer in front (as most Kubernetes deployments run one)
# costs beside the direct rows.
VARIANTS = {
    "two-workers": Variant("@2w", ", 2 workers", ("a", "b"), workers=2),
    "pgbouncer": Variant("@pgbouncer", ", through PgBouncer", ("a", "b"), pooled=True),
}
