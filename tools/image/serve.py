"""The container's serve command: uvicorn as in production, configured from the environment.

Copied into the image as /app/serve.py (the image's CMD). It only builds uvicorn's argument
list and execs it, so uvicorn is PID 1 and receives SIGTERM itself. The proxy addresses come
from TRUSTED_PROXIES (the setting the app uses for client IPs), so uvicorn and the app trust
the same peers: one list, not two.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping

# Seconds uvicorn waits for in-flight requests after SIGTERM. The Helm chart's
# terminationGracePeriodSeconds must cover the preStop pause plus this (tests/deploy checks it).
GRACEFUL_SHUTDOWN_SECONDS = 20
# uvicorn's own default when no proxy is configured.
DEFAULT_FORWARDED_ALLOW_IPS = "127.0.0.1,::1"


def forwarded_allow_ips(trusted_proxies: str | None) -> str:
    """TRUSTED_PROXIES (a JSON list of IPs or CIDRs) as uvicorn's comma-separated list."""
    if not trusted_proxies:
        return DEFAULT_FORWARDED_ALLOW_IPS
    try:
        proxies = json.loads(trusted_proxies)
    except ValueError:
        proxies = None
    if not isinstance(proxies, list) or not all(isinstance(p, str) for p in proxies):
        raise SystemExit(
            f'TRUSTED_PROXIES must be a JSON list of strings, e.g. ["10.0.0.0/8"], not {trusted_proxies}'
        )
    return ",".join(proxies) or DEFAULT_FORWARDED_ALLOW_IPS


def uvicorn_command(env: Mapping[str, str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "todo_api.main:create_app",
        "--factory",
        "--host",
        env.get("HOST", "0.0.0.0"),  # noqa: S104  # a container listens on its own interfaces
        "--port",
        env.get("PORT", "8000"),
        "--proxy-headers",
        "--forwarded-allow-ips",
        forwarded_allow_ips(env.get("TRUSTED_PROXIES")),
        "--no-access-log",  # the app writes its own access line (route, ids, duration)
        "--no-server-header",
        "--lifespan",
        "on",  # a failing startup (e.g. the production posture check) must stop the process
        "--timeout-graceful-shutdown",
        str(GRACEFUL_SHUTDOWN_SECONDS),
    ]


def main() -> None:
    command = uvicorn_command(os.environ)
    os.execv(command[0], command)  # noqa: S606  # a fixed program, no shell


if __name__ == "__main__":
    main()
