"""Child servers of the tools and the tests: a free loopback port, and a clean stop."""

from __future__ import annotations

import socket
import subprocess
from typing import Any


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick): never a fixed one, which a
    developer's own server or a parallel run may hold."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[Any], *, timeout: float) -> None:
    """SIGTERM, so the server drains and exits; SIGKILL if it is still there after ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
