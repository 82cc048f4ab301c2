"""``/metrics`` on its own port, in a daemon thread, never on the public app.

Single process: the default registry is served. Several uvicorn workers: set
``PROMETHEUS_MULTIPROC_DIR`` (an empty, writable directory, wiped before the server starts)
in the environment of the server, so prometheus-client writes every worker's values to
files there. Every worker then binds the metrics port with ``SO_REUSEPORT`` and answers
with the aggregate of all workers' files: whichever worker the kernel hands a scrape to,
the answer is the same, and a worker that dies or restarts leaves no gap. Without the
variable a second worker cannot bind the port and fails loudly instead of serving its own
partial counters.
"""

from __future__ import annotations

import glob
import os
import re
import socket
import threading
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db$")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Scrapes are not worth a log line each."""


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_workers(directory: str) -> None:
    """Drop the live-gauge files of workers that died without cleaning up (a crash, a kill)."""
    for path in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        found = _LIVE_GAUGE_FILE.search(path)
        if found and not _alive(int(found.group(1))):
            mark_process_dead(int(found.group(1)), directory)  # type: ignore[no-untyped-call]


class MetricsServer:
    def __init__(self, host: str, port: int) -> None:
        self._directory = multiprocess_dir()
        if self._directory is not None:
            if not os.path.isdir(self._directory):
                raise RuntimeError(f"PROMETHEUS_MULTIPROC_DIR={self._directory} is not a directory")
            forget_dead_workers(self._directory)
            registry = CollectorRegistry()
            MultiProcessCollector(registry, self._directory)  # type: ignore[no-untyped-call]
        else:
            registry = REGISTRY

        class Server(ThreadingWSGIServer):
            address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
            allow_reuse_port = self._directory is not None

        try:
            self._httpd = make_server(
                host, port, make_wsgi_app(registry), Server, handler_class=_QuietHandler
            )
        except OSError as exc:
            raise RuntimeError(
                _bind_failure(host, port, exc, multiprocess=self._directory is not None)
            ) from exc
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="metrics-server", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        port: int = self._httpd.server_address[1]
        return port

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
        if self._directory is not None:
            mark_process_dead(os.getpid(), self._directory)  # type: ignore[no-untyped-call]


def _bind_failure(host: str, port: int, exc: OSError, *, multiprocess: bool) -> str:
    """Name the settings that chose the address: the person reading this sets those, not a port."""
    advice = "set METRICS_PORT to a free port (0 picks one) or stop what listens there"
    if not multiprocess:
        advice += "; several workers share one port only with PROMETHEUS_MULTIPROC_DIR set"
    reason = exc.strerror or str(exc)
    return f"cannot serve metrics on METRICS_HOST={host} METRICS_PORT={port}: {reason}; {advice}"
