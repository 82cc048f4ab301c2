"""The developer tools' embedded PostgreSQL (``pgserver`` wheel), started one way.

``task run``, ``task fuzz`` and ``task bench`` each keep a server in their own ``.data/``
directory (or use a server named by their own environment variable); this is the one
place that starts it, stops it when the block ends and keeps its data. pgserver stops a
server only at a normal exit, and never again once a process holding it was killed
(the dead pid stays in its handle list), so while the server is up a SIGTERM unwinds
like Ctrl+C and the server is stopped.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """SIGTERM (timeout, kill, a container stop) raises KeyboardInterrupt in the block."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def superuser_url(data_dir: Path, *, override_env: str | None = None) -> Iterator[str]:
    """A superuser URL for the block: the value of ``override_env`` when that variable is
    set (nothing is started), else an embedded server on ``data_dir``, stopped at the end."""
    configured = os.environ.get(override_env) if override_env else None
    if configured:
        yield configured
        return
    import pgserver

    with sigterm_unwinds():
        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()
