"""The run's record: machine facts, a Markdown table (printed too) and the same data as JSON,
in reports/bench/. Machine facts come first because numbers mean little without them."""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.bench.measure import Measurement
from tools.bench.options import Options
from tools.bench.scenarios import FLOORS
from tools.bench.service import POOL_SIZE
from tools.bench.targets import Verdict

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunInfo:
    options: Options
    started: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    databases: dict[str, str] = field(default_factory=dict)  # name: what it holds, how it was prepared
    timings_s: dict[str, float] = field(default_factory=dict)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    found = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return found.stdout.strip() or "unknown"


def machine_facts(wrk_version: str, postgres: dict[str, str]) -> dict[str, Any]:
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "postgresql": postgres.get("server_version", "unknown"),
        "postgresql_settings": {k: v for k, v in postgres.items() if k != "server_version"},
        "wrk": wrk_version,
        "load_average_at_start": [round(x, 2) for x in load],
        "git_commit": _git_commit(),
    }


def _share(m: Measurement, of: Measurement | None) -> str:
    """``m``'s throughput as a share of ``of``'s, measured in the same run."""
    if of is None or not of.ok or m.key == of.key:
        return "-"
    return f"{m.requests_per_second / of.requests_per_second:.1%}"


def _floor_of(m: Measurement, results: dict[str, Measurement]) -> Measurement | None:
    """The floor of the same kind of work as ``m`` (``FLOORS``), else the read floor; none
    for a floor."""
    scenario = m.key.split("@")[0]
    if scenario.startswith("floor"):
        return None
    return results.get(FLOORS.get(scenario, "floor")) or results.get("floor")


def _row(m: Measurement, baseline: Measurement | None, floor: Measurement | None) -> str:
    if not m.runs:
        return f"| {m.key} | {m.title} | {m.database} | - | - | - | - | - | - | - | - | FAILED |"
    status = "ok" if m.ok else "FAILED"
    return (
        f"| {m.key} | {m.title} | {m.database} | {m.requests_per_second:,.0f} | {_share(m, baseline)} "
        f"| {_share(m, floor) if m.key != 'baseline' else '-'} | {m.p50_ms:.2f} | {m.p99_ms:.2f} "
        f"| {m.cpu_ms:.2f} | {m.non_2xx} | {m.socket_errors} | {status} |"
    )


def markdown(
    results: dict[str, Measurement], verdicts: list[Verdict], facts: dict[str, Any], run: RunInfo
) -> str:
    options = run.options
    mode = "QUICK mode: proves the harness only, numbers are not meaningful" if options.quick else "full run"
    lines = [
        f"# todo-api benchmark, {run.started} ({mode})",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['python']}, PostgreSQL "
        f"{facts['postgresql']}, {facts['wrk']}; load average at start "
        f"{', '.join(map(str, facts['load_average_at_start']))}; commit {facts['git_commit']}.",
        "",
        f"Load: wrk, {options.connections} connections, {options.threads} thread(s), {options.runs} runs x "
        f"{options.duration_s} s after a {options.warmup_s} s warm-up; medians of the runs. Server: one uvicorn "
        "worker (uvloop, httptools; `@2w` rows: two workers), ENVIRONMENT=production, JSON logs at INFO, "
        "rate limits on but raised, tracing on (ids, no exporter), metrics on; a direct database connection "
        f"(`@pgbouncer` rows: through PgBouncer in transaction pooling mode, {POOL_SIZE} server connections, "
        "DATABASE_POOLER=transaction).",
        "",
    ]
    lines += [f"- database `{name}`: {info}" for name, info in run.databases.items()]
    lines += [f"- {name.replace('_', ' ')}: {seconds:.1f} s" for name, seconds in run.timings_s.items()]
    lines += [
        "",
        "| key | scenario | database | req/s | of baseline | of floor | p50 ms | p99 ms | server CPU ms/req "
        "| non-2xx | socket errors | status |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [_row(m, results.get("baseline"), _floor_of(m, results)) for m in results.values()]
    logins = results["g"].details.get("logins") if "g" in results else None
    if logins:
        lines += [
            "",
            f"Logins during (g): {logins['achieved_rate_per_s']}/s achieved of {logins['target_rate_per_s']}/s, "
            f"{logins['attempted']} attempted, {logins['failed']} failed, login p50 {logins['p50_ms']} ms, "
            f"p99 {logins['p99_ms']} ms.",
        ]
    pooled = [m for m in results.values() if m.pooler_cpu_ms is not None]
    if pooled:
        lines += [
            "",
            "PgBouncer's own CPU per request (not in the server column; it shares the cores): "
            + ", ".join(f"{m.key} {m.pooler_cpu_ms:.3f} ms" for m in pooled)
            + ".",
        ]
    failed = [m for m in results.values() if m.failures]
    if failed:
        lines += ["", "Failures:", *[f"- {m.key}: {'; '.join(m.failures)}" for m in failed]]
    lines += ["", "Targets:", "", "```", *[v.line for v in verdicts], "```", ""]
    return "\n".join(lines)


def write(
    out_dir: Path,
    results: dict[str, Measurement],
    verdicts: list[Verdict],
    facts: dict[str, Any],
    run: RunInfo,
) -> tuple[Path, str]:
    """Write results.md and results.json; return the directory and the Markdown."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text = markdown(results, verdicts, facts, run)
    md_path, json_path = out_dir / "results.md", out_dir / "results.json"
    md_path.write_text(text)
    document = {
        **dataclasses.asdict(run),
        "machine": facts,
        "results": {key: m.as_dict() for key, m in results.items()},
        "targets": [{"target": v.target, "measured": v.measured, "passed": v.passed} for v in verdicts],
    }
    json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return out_dir, text
