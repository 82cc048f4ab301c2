"""The Performance issue's targets, judged on the medians of one run of the harness.

Throughput as a share of the bare FastAPI baseline measured in the same run, and the server's
CPU per request (steadier than throughput on a shared machine), for one worker on a direct
database connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tools.bench.measure import Measurement


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    passed: bool | None  # None: not measured (scenario skipped or failed)

    @property
    def line(self) -> str:
        word = "SKIP" if self.passed is None else "PASS" if self.passed else "FAIL"
        return f"{word}  {self.target}: {self.measured}"


def evaluate(results: dict[str, Measurement], connections: int) -> list[Verdict]:
    def usable(*keys: str) -> bool:
        return all(key in results and results[key].ok for key in keys)

    def share(key: str, minimum: float, what: str) -> Verdict:
        target = f"({key}) {what} >= {minimum:.0%} of baseline"
        if not usable(key, "baseline"):
            return Verdict(target, "not measured", None)
        ratio = results[key].requests_per_second / results["baseline"].requests_per_second
        return Verdict(target, f"{ratio:.1%}", ratio >= minimum)

    def compare(
        target: str, keys: tuple[str, str], value: Callable[[Measurement], float], limit: float, unit: str
    ) -> Verdict:
        if not usable(*keys):
            return Verdict(target, "not measured", None)
        base, other = (value(results[k]) for k in keys)
        ratio = other / base if base else float("inf")
        return Verdict(target, f"{ratio:.2f}x ({base:.2f} -> {other:.2f} {unit})", ratio <= limit)

    def cpu(key: str, maximum_ms: float, what: str) -> Verdict:
        target = f"({key}) {what} <= {maximum_ms} ms of server CPU per request"
        if not usable(key):
            return Verdict(target, "not measured", None)
        return Verdict(target, f"{results[key].cpu_ms:.3f} ms", results[key].cpu_ms <= maximum_ms)

    verdicts = [
        share("a", 0.15, "GET /users/me"),
        cpu("a", 0.7, "GET /users/me"),
        # A personal access token is verified in the query that loads the caller: (a)'s targets.
        share("a-pat", 0.15, "GET /users/me with a personal access token"),
        cpu("a-pat", 0.7, "GET /users/me with a personal access token"),
        share("b", 0.08, "GET /tasks"),
        cpu("b", 1.1, "GET /tasks"),
        share("d", 0.06, "POST /tasks"),
        cpu("d", 1.5, "POST /tasks"),
    ]
    p99_target = "(b) p99 < 60 ms at 32 connections"
    if connections != 32:
        verdicts.append(Verdict(p99_target, f"not judged: measured at {connections} connections", None))
    elif usable("b"):
        verdicts.append(Verdict(p99_target, f"{results['b'].p99_ms:.2f} ms", results["b"].p99_ms < 60))
    else:
        verdicts.append(Verdict(p99_target, "not measured", None))
    for key in ("b", "c"):
        verdicts.append(
            compare(
                f"({key}) p50 on 1M tasks within 1.5x of the empty database",
                (f"{key}@empty", key),
                lambda m: m.p50_ms,
                1.5,
                "ms",
            )
        )
    verdicts.append(
        compare(
            "(g) p99 of (b) during logins at most 2x of (b) alone", ("b", "g"), lambda m: m.p99_ms, 2.0, "ms"
        )
    )
    return verdicts
