"""One scenario against one running server: probe, warm up, measure N runs, take medians.

A scenario with any non-2xx response or socket error is marked failed: a benchmark of
errors measures the wrong thing (a 401 or 429 is far cheaper than a real answer).
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tools.bench.options import Options
from tools.bench.scenarios import DIRECT, Probe, Scenario, Variant
from tools.bench.service import Served
from tools.bench.wrk import Load, WrkRun, run_wrk


@dataclass
class Measurement:
    key: str
    title: str
    database: str  # "full", "empty", or "-" for the baseline app
    runs: list[WrkRun] = field(default_factory=list)
    cpu_ms_per_request: list[float] = field(default_factory=list)  # the server's, one per run
    pooler_cpu_ms_per_request: list[float] = field(default_factory=list)  # PgBouncer's, when pooled
    warmup: WrkRun | None = None
    failures: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def _median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs) if self.runs else 0.0

    @property
    def requests_per_second(self) -> float:
        return self._median("requests_per_second")

    @property
    def p50_ms(self) -> float:
        return self._median("p50_ms")

    @property
    def p99_ms(self) -> float:
        return self._median("p99_ms")

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu_ms_per_request) if self.cpu_ms_per_request else 0.0

    @property
    def pooler_cpu_ms(self) -> float | None:
        return statistics.median(self.pooler_cpu_ms_per_request) if self.pooler_cpu_ms_per_request else None

    @property
    def non_2xx(self) -> int:
        return sum(run.non_2xx for run in self.measured_and_warmup())

    @property
    def socket_errors(self) -> int:
        return sum(run.socket_errors for run in self.measured_and_warmup())

    @property
    def ok(self) -> bool:
        return not self.failures and bool(self.runs)

    def measured_and_warmup(self) -> list[WrkRun]:
        return [*self.runs, *([self.warmup] if self.warmup else [])]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "database": self.database,
            "ok": self.ok,
            "failures": self.failures,
            "median_requests_per_second": round(self.requests_per_second, 1),
            "median_p50_ms": round(self.p50_ms, 2),
            "median_p99_ms": round(self.p99_ms, 2),
            "median_server_cpu_ms_per_request": round(self.cpu_ms, 3),
            "median_pooler_cpu_ms_per_request": None
            if self.pooler_cpu_ms is None
            else round(self.pooler_cpu_ms, 3),
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "runs": [
                {**asdict(run), "server_cpu_ms_per_request": round(cpu, 3)}
                for run, cpu in zip(self.runs, self.cpu_ms_per_request, strict=True)
            ],
            "pooler_cpu_ms_per_request": [round(cpu, 3) for cpu in self.pooler_cpu_ms_per_request],
            "warmup": asdict(self.warmup) if self.warmup else None,
            **self.details,
        }


def probe(base_url: str, check: Probe, headers: dict[str, str], task_id: str | None) -> dict[str, Any]:
    """One request as wrk will send it; raises with the response when it is not a success."""
    path = check.path.replace("{id}", task_id or "")
    response = httpx.request(check.method, base_url + path, headers=headers, json=check.body, timeout=30)
    if not response.is_success:
        raise RuntimeError(f"{check.method} {path} answered {response.status_code}: {response.text[:500]}")
    body = response.json()
    return {"probe_total": body["total"]} if isinstance(body, dict) and "total" in body else {}


def measure(
    wrk: str,
    options: Options,
    scenario: Scenario,
    server: Served,
    *,
    database: str,
    token: str | None,
    task_ids_file: Path | None,
    out_dir: Path,
    variant: Variant = DIRECT,
) -> Measurement:
    on = "" if database in {"full", "-"} else f"@{database}"
    result = Measurement(scenario.key + on + variant.suffix, scenario.title + variant.detail, database)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    first_id = task_ids_file.read_text().split()[0] if task_ids_file else None
    try:
        result.details.update(probe(server.url, scenario.probe, headers, first_id))
    except (RuntimeError, httpx.HTTPError) as exc:
        result.failures.append(f"probe failed: {exc}")
        _shout(result)
        return result
    load = Load(
        url=server.url + scenario.path,
        script=scenario.script,
        headers=tuple(f"{name}: {value}" for name, value in headers.items()),
        task_ids_file=task_ids_file,
    )
    transcript = out_dir / "wrk" / f"{result.key}.txt"
    transcript.unlink(missing_ok=True)

    def run(seconds: int) -> tuple[WrkRun, dict[str, float]]:
        before = server.cpu_seconds()
        done = run_wrk(
            wrk,
            load,
            seconds=seconds,
            connections=options.connections,
            threads=options.threads,
            transcript=transcript,
        )
        after = server.cpu_seconds()
        return done, {part: (after[part] - before[part]) * 1000 / max(done.requests, 1) for part in after}

    if options.warmup_s:
        result.warmup, _ = run(options.warmup_s)
    for _ in range(options.runs):
        done, cpu_ms = run(options.duration_s)
        result.runs.append(done)
        result.cpu_ms_per_request.append(cpu_ms["server"])
        if "pooler" in cpu_ms:
            result.pooler_cpu_ms_per_request.append(cpu_ms["pooler"])
    if result.non_2xx:
        result.failures.append(f"{result.non_2xx} responses with status >= 400 (see the app log)")
    if result.socket_errors:
        result.failures.append(f"{result.socket_errors} socket errors or timeouts (see {transcript})")
    _shout(result)
    return result


def _shout(result: Measurement) -> None:
    if result.failures:
        banner = "!" * 78
        print(
            f"{banner}\nbench: SCENARIO {result.key} FAILED: {'; '.join(result.failures)}\n{banner}",
            file=sys.stderr,
        )
    else:
        print(
            f"bench: {result.key:<12} {result.requests_per_second:9.1f} req/s  p50 {result.p50_ms:7.2f} ms"
            f"  p99 {result.p99_ms:7.2f} ms  server CPU {result.cpu_ms:6.3f} ms/request"
            + (
                ""
                if result.pooler_cpu_ms is None
                else f"  PgBouncer CPU {result.pooler_cpu_ms:6.3f} ms/request"
            ),
            file=sys.stderr,
            flush=True,
        )
