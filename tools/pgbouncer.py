"""A real PgBouncer (Debian's, 1.18: no prepared-statement support) in transaction pooling
mode, in front of a PostgreSQL server, on a free port, with a configuration of its own: for
the tests that run the API through a pooler and for the benchmark's pooled rows (here in
tools/ because the tools may not import the tests).

It runs in the foreground as a child process; as root (CI) it switches to another user, since
PgBouncer refuses to run as root. Clients log in with trust and the server connections use
the client's role, so the runtime role stays under row-level security through the pooler.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from tools.processes import free_port, stop
from tools.system_packages import ensure_command


@dataclass(frozen=True)
class PgBouncer:
    port: int
    log: Path
    pid: int  # PgBouncer itself (it runs in the foreground, so its CPU can be read from /proc)

    def route(self, url: str) -> str:
        """``url`` (same role and database) through this pooler instead of directly."""
        parsed = make_url(url)
        query = {key: value for key, value in parsed.query.items() if key != "host"}
        routed = parsed.set(host="127.0.0.1", port=self.port, query=query)
        return routed.render_as_string(hide_password=False)


def _server_host(url: str) -> str:
    """The server's address in a libpq URL: a TCP host, or a Unix socket directory given as
    ``?host=/dir`` (the embedded server)."""
    parsed = make_url(url)
    host = parsed.host or parsed.query.get("host") or "127.0.0.1"
    return host[0] if isinstance(host, tuple) else host


def _run_as(host: str) -> list[str]:
    """PgBouncer refuses to run as root: as root, it runs as the owner of the server's socket
    directory (who can reach the socket), or ``nobody`` for a TCP server."""
    if os.geteuid() != 0:
        return []
    return ["-u", Path(host).owner() if host.startswith("/") else "nobody"]


@contextmanager
def running_pgbouncer(
    server_url: str, roles: Iterable[str], workdir: Path, *, pool_size: int
) -> Iterator[PgBouncer]:
    """PgBouncer on a free port in front of ``server_url``'s server, for ``roles``, keeping at
    most ``pool_size`` server connections per role and database (up to 500 clients)."""
    executable = ensure_command("pgbouncer", package="pgbouncer")
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # readable by nobody
    port, host = free_port(), _server_host(server_url)
    users = workdir / "users.txt"
    users.write_text("".join(f'"{role}" ""\n' for role in roles))
    config = workdir / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        f"* = host={host} port={make_url(server_url).port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        "pool_mode = transaction\n"
        f"default_pool_size = {pool_size}\nmin_pool_size = 0\nreserve_pool_size = 0\n"
        "max_client_conn = 500\n"
        "server_reset_query =\n"
    )
    for path in (users, config):
        path.chmod(0o644)
    log = workdir / "pgbouncer.log"
    command = [executable, *_run_as(host), str(config)]
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_port(port, process, log)
        yield PgBouncer(port, log, process.pid)
    finally:
        stop(process, timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"pgbouncer did not listen on {port}:\n{log.read_text()}")
