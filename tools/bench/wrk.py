"""Driving wrk: one timed run, and reading its result line.

wrk is the load generator that costs the least CPU on a small machine, which matters
when client and server share two cores. Latency figures come from wrk's own histogram
(``--latency``); the numbers are read from the JSON line ``lua/result.lua`` prints.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_DIR = Path(__file__).resolve().parent / "lua"
RESULT_MARKER = "BENCH_RESULT "


def wrk_version(binary: str) -> str:
    # wrk prints its version in the usage text (exit code 1) and has no --version flag.
    output = subprocess.run([binary, "-v"], capture_output=True, text=True, check=False)
    first = (output.stdout or output.stderr).splitlines()[0]
    return first.split(" [", 1)[0].strip()  # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..."


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int  # wrk's "Non-2xx or 3xx responses": every status >= 400
    socket_errors: int  # connect, read and write errors and timeouts

    @property
    def clean(self) -> bool:
        return self.non_2xx == 0 and self.socket_errors == 0


@dataclass(frozen=True)
class Load:
    """What one wrk invocation sends: a URL, a script, the headers of every request."""

    url: str
    script: str = "result.lua"
    headers: tuple[str, ...] = ()
    task_ids_file: Path | None = None


def run_wrk(
    binary: str, load: Load, *, seconds: int, connections: int, threads: int, transcript: Path
) -> WrkRun:
    command = [binary, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    command += ["--timeout", "10s", "-s", str(LUA_DIR / load.script)]
    for header in load.headers:
        command += ["-H", header]
    command.append(load.url)
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA_DIR), "BENCH_WRK_THREADS": str(threads)}
    if load.task_ids_file is not None:
        env["BENCH_TASK_IDS"] = str(load.task_ids_file)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    transcript.parent.mkdir(parents=True, exist_ok=True)
    with transcript.open("a") as out:
        out.write(completed.stdout + completed.stderr + "\n")
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith(RESULT_MARKER)), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}): {completed.stderr.strip()}; see {transcript}"
        )
    data = json.loads(line.removeprefix(RESULT_MARKER))
    elapsed = data["duration_us"] / 1e6
    return WrkRun(
        requests=data["requests"],
        seconds=elapsed,
        requests_per_second=data["requests"] / elapsed if elapsed else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        non_2xx=data["non_2xx_3xx"],
        socket_errors=sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
    )
