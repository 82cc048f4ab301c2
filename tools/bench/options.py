"""Run options: defaults, then BENCH_* environment variables, then command-line flags.

The full run (3 x 10 s per scenario) is what the targets are judged on; ``--quick`` only
proves the harness works end to end (numbers from it are not meaningful).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from tools.bench.scenarios import VARIANTS, Variant

SCENARIO_KEYS = ("a", "a-pat", "b", "c", "d", "e", "f", "g", "h")


@dataclass(frozen=True)
class Options:
    runs: int
    duration_s: int
    warmup_s: int
    connections: int
    threads: int
    login_rate: float
    scenarios: tuple[str, ...]
    reseed: bool
    check_targets: bool
    quick: bool
    variants: tuple[Variant, ...]  # those not switched off with --no-<name>


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def parse_options(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="task bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 x 2 s runs, 1 s warm-up: proves the harness")
    parser.add_argument("--runs", type=int, help="measured runs per scenario (BENCH_RUNS, 3)")
    parser.add_argument("--duration", type=int, help="seconds per run (BENCH_DURATION, 10)")
    parser.add_argument("--warmup", type=int, help="seconds of unmeasured warm-up (BENCH_WARMUP, 5)")
    parser.add_argument("--connections", type=int, help="wrk connections (BENCH_CONNECTIONS, 32)")
    parser.add_argument("--threads", type=int, help="wrk threads (BENCH_THREADS, 1)")
    parser.add_argument("--login-rate", type=float, help="logins/s during scenario g (BENCH_LOGIN_RATE, 5)")
    parser.add_argument(
        "--scenarios", help=f"comma-separated subset of {','.join(SCENARIO_KEYS)} (BENCH_SCENARIOS, all)"
    )
    parser.add_argument("--reseed", action="store_true", help="drop and seed the databases again")
    parser.add_argument("--check-targets", action="store_true", help="exit non-zero when a target fails")
    for name, variant in VARIANTS.items():
        rows = ", ".join(key + variant.suffix for key in variant.scenarios)
        parser.add_argument(f"--no-{name}", action="store_true", help=f"skip the rows {rows}")
    args = parser.parse_args(argv)

    quick = args.quick or os.environ.get("BENCH_QUICK", "") in {"1", "true"}
    runs = args.runs or _env_int("BENCH_RUNS", 3)
    duration = args.duration or _env_int("BENCH_DURATION", 2 if quick else 10)
    warmup = args.warmup if args.warmup is not None else _env_int("BENCH_WARMUP", 1 if quick else 5)
    chosen = args.scenarios or os.environ.get("BENCH_SCENARIOS") or ",".join(SCENARIO_KEYS)
    scenarios = tuple(key.strip() for key in chosen.split(",") if key.strip())
    unknown = set(scenarios) - set(SCENARIO_KEYS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    options = Options(
        runs=runs,
        duration_s=duration,
        warmup_s=warmup,
        connections=args.connections or _env_int("BENCH_CONNECTIONS", 32),
        threads=args.threads or _env_int("BENCH_THREADS", 1),
        login_rate=args.login_rate or float(os.environ.get("BENCH_LOGIN_RATE", "5")),
        scenarios=scenarios,
        reseed=args.reseed,
        check_targets=args.check_targets,
        quick=quick,
        variants=tuple(
            variant for name, variant in VARIANTS.items() if not getattr(args, f"no_{name.replace('-', '_')}")
        ),
    )
    if min(options.runs, options.duration_s, options.connections, options.threads) < 1 or warmup < 0:
        parser.error("runs, duration, connections and threads must be >= 1; warm-up >= 0")
    if options.threads > options.connections:
        parser.error("wrk needs at least one connection per thread")
    return options
