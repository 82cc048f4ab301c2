"""``./tools/task bench [-- --quick ...]``: seed, serve as production would, load with wrk, report.

Order: the databases (seeded once, then reused), the baseline app, the floor, every
scenario against the full database, (a) and (b) again under each variant (two workers;
through PgBouncer), then (b) and (c) against the empty one. Each app runs in
its own uvicorn process; the benchmark user logs in afresh before each scenario.
Exit status: 1 when a scenario saw errors; with --check-targets, 2 when a target failed.
"""

from __future__ import annotations

import asyncio
import sys
import time
from functools import partial
from pathlib import Path

from tools.bench.logins import LoginLoad, login, personal_token, revoke_personal_token
from tools.bench.measure import Measurement, measure
from tools.bench.options import Options, parse_options
from tools.bench.postgres import BenchDatabase, admin_url, prepare, reset, server_facts
from tools.bench.report import RunInfo, machine_facts, write
from tools.bench.scenarios import (
    BASELINE,
    DIRECT,
    FLOOR,
    FLOOR_CREATE,
    SCENARIOS,
    SIZE_SENSITIVE,
    Scenario,
    Variant,
)
from tools.bench.seed import BENCH_EMAIL, BENCH_PASSWORD, EMPTY, FULL, SHARED_PASSWORD, other_user_email
from tools.bench.service import BASELINE as BASELINE_APP
from tools.bench.service import FLOOR as FLOOR_APP
from tools.bench.service import TODO_API, Served, database_url, serve, todo_api_env
from tools.bench.targets import evaluate
from tools.bench.wrk import wrk_version
from tools.system_packages import ensure_command

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "reports" / "bench"
LOGIN_TENANTS = 20  # scenario g logs in as the users of this many tenants, in turn


def _login_accounts(database: BenchDatabase) -> list[tuple[str, str]]:
    spec = database.spec
    tenants = range(1, min(spec.tenants, LOGIN_TENANTS + 1))
    accounts = [
        (other_user_email(t, u), SHARED_PASSWORD)
        for t in tenants
        for u in range(1, spec.users_per_tenant + 1)
    ]
    return accounts or [(BENCH_EMAIL, BENCH_PASSWORD)]


def _scenario(
    wrk: str,
    options: Options,
    scenario: Scenario,
    server: Served,
    database: BenchDatabase,
    label: str,
    variant: Variant,
) -> Measurement:
    asyncio.run(reset(database.urls.owner_url, database.bench))  # undo earlier scenarios' writes
    token = login(server.url, BENCH_EMAIL, BENCH_PASSWORD)  # fresh: a full run outlasts a token
    ids_file = OUT_DIR / f"task-ids-{label}.txt"
    ids_file.write_text("".join(f"{task_id}\n" for task_id in database.task_ids))
    run = partial(
        measure,
        wrk,
        options,
        scenario,
        server,
        database=label,
        token=token,
        task_ids_file=ids_file,
        out_dir=OUT_DIR,
        variant=variant,
    )
    if scenario.personal_token:  # (a-pat): the same request, with a token of the user's
        token_id, personal = personal_token(server.url, token)
        try:
            return run(token=personal)
        finally:
            revoke_personal_token(server.url, token, token_id)
    if not scenario.logins:
        return run()
    with LoginLoad(server.url, _login_accounts(database), options.login_rate) as stats:
        result = run()
    result.details["logins"] = stats.summary()
    if stats.failed:
        result.failures.append(f"{stats.failed} logins failed: {dict(stats.statuses)}")
    return result


def _run_app(
    wrk: str,
    options: Options,
    database: BenchDatabase,
    label: str,
    scenarios: list[Scenario],
    variant: Variant = DIRECT,
) -> list[Measurement]:
    log = OUT_DIR / f"app-{label}{variant.suffix.replace('@', '-')}.log"
    connect = database_url(database.urls, pooled=variant.pooled, workdir=OUT_DIR / "pgbouncer")
    with connect as (url, pooler_pid):
        env = todo_api_env(url, pooled=variant.pooled)
        with serve(TODO_API, "/readyz", log, env, workers=variant.workers, pooler_pid=pooler_pid) as server:
            results = [
                _scenario(wrk, options, scenario, server, database, label, variant) for scenario in scenarios
            ]
    asyncio.run(reset(database.urls.owner_url, database.bench))
    return results


def _describe(database: BenchDatabase) -> str:
    how = f"seeded in {database.seed_seconds:.1f} s" if database.seeded else "reused from an earlier seed"
    return f"{database.spec.label}; {how}"


def main(argv: list[str]) -> int:
    options = parse_options(argv)
    clock = time.monotonic()
    wrk = ensure_command("wrk", package="wrk")  # apt-get install (as root) on a fresh machine
    run = RunInfo(options=options)
    results: dict[str, Measurement] = {}
    wanted = [SCENARIOS[key] for key in options.scenarios]
    on_empty = [SCENARIOS[key] for key in SIZE_SENSITIVE if key in options.scenarios]
    with admin_url() as admin:
        full = asyncio.run(prepare(admin, "todo_bench", FULL, reseed=options.reseed))
        empty = (
            asyncio.run(prepare(admin, "todo_bench_empty", EMPTY, reseed=options.reseed))
            if on_empty
            else None
        )
        run.timings_s["preparing the databases"] = time.monotonic() - clock
        for database in (full, empty):
            if database is not None:
                run.databases[database.name] = _describe(database)
        facts = machine_facts(wrk_version(wrk), asyncio.run(server_facts(full.urls.owner_url)))
        with serve(BASELINE_APP, "/ping", OUT_DIR / "app-baseline.log") as server:
            results["baseline"] = measure(
                wrk, options, BASELINE, server, database="-", token=None, task_ids_file=None, out_dir=OUT_DIR
            )
        bench = full.bench
        floor_env = {
            "FLOOR_DATABASE_URL": full.urls.app_url,
            "FLOOR_TENANT_ID": str(bench.tenant_id),
            "FLOOR_USER_ID": str(bench.user_id),
        }
        with serve(FLOOR_APP, "/floor", OUT_DIR / "app-floor.log", floor_env) as server:
            results["floor"] = measure(
                wrk, options, FLOOR, server, database="full", token=None, task_ids_file=None, out_dir=OUT_DIR
            )
            if "d" in options.scenarios:
                results[FLOOR_CREATE.key] = measure(
                    wrk,
                    options,
                    FLOOR_CREATE,
                    server,
                    database="full",
                    token=None,
                    task_ids_file=None,
                    out_dir=OUT_DIR,
                )
        for measured in _run_app(wrk, options, full, "full", wanted):
            results[measured.key] = measured
        for variant in options.variants:
            again = [SCENARIOS[key] for key in variant.scenarios if key in options.scenarios]
            if again:
                for measured in _run_app(wrk, options, full, "full", again, variant):
                    results[measured.key] = measured
        if empty is not None:
            for measured in _run_app(wrk, options, empty, "empty", on_empty):
                results[measured.key] = measured
    run.timings_s["the whole run"] = time.monotonic() - clock
    verdicts = evaluate(results, options.connections)
    out_dir, text = write(OUT_DIR, results, verdicts, facts, run)
    print(text)
    print(f"bench: results in {out_dir}/results.md and results.json", file=sys.stderr)
    if any(not m.ok for m in results.values()):
        print("bench: FAILED: some scenarios saw errors (see Failures above)", file=sys.stderr)
        return 1
    if options.check_targets and any(v.passed is False for v in verdicts):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
