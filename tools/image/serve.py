"""The service's uvicorn command line: the image's CMD, and every other way it is started.

Copied into the image as /app/serve.py (the image's CMD). It only builds uvicorn's argument
list and execs it, so uvicorn is PID 1 and receives SIGTERM itself. The development server,
the benchmark, the fuzzer and the test suite build their command here too, so they run the
service as production does.

uvicorn's proxy handling is off (``--no-proxy-headers``): left on, it believes
``X-Forwarded-For`` from 127.0.0.1 by default and rewrites the client address before the app
sees it. The app alone reads the header, and only from the peers in TRUSTED_PROXIES
(``platform_common.http.client_ip``): one list, one interpreter, no localhost fallback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Seconds uvicorn waits for in-flight requests after SIGTERM. The Helm chart's
# terminationGracePeriodSeconds must cover the preStop pause plus this (tests/deploy checks it).
GRACEFUL_SHUTDOWN_SECONDS = 20
APP = "todo_api.main:create_app"


def uvicorn_command(env: Mapping[str, str], *, app: str = APP) -> list[str]:
    """``python -m uvicorn <app> --factory ...`` listening on HOST:PORT from ``env``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        env.get("HOST", "0.0.0.0"),  # noqa: S104  # a container listens on its own interfaces
        "--port",
        env.get("PORT", "8000"),
        "--no-proxy-headers",  # the app reads X-Forwarded-For itself, from TRUSTED_PROXIES only
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
