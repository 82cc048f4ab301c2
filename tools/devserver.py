"""Run todo-api for development: embedded PostgreSQL unless DATABASE_URL is set.

Without DATABASE_URL, a real PostgreSQL from the ``pgserver`` wheel runs on a Unix
socket with its data in ``.data/postgres`` (kept across restarts, git-ignored); the
owner and runtime roles are created, migrations applied as the owner, and the app
served as the runtime role. With DATABASE_URL set, nothing is started: migrations
run against MIGRATIONS_DATABASE_URL (or DATABASE_URL) and the app is served.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".data" / "postgres"


def _embedded_database() -> tuple[object, dict[str, str]]:
    import pgserver

    from todo_api.db.provision import DEFAULT_APP_ROLE, provision_database

    DATA_DIR.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(DATA_DIR, cleanup_mode="stop")
    provisioned = asyncio.run(provision_database(server.get_uri()))
    env = {
        "DATABASE_URL": provisioned.app_url,
        "MIGRATIONS_DATABASE_URL": provisioned.owner_url,
        "DATABASE_APP_ROLE": DEFAULT_APP_ROLE,
    }
    print(f"embedded PostgreSQL at {DATA_DIR}", file=sys.stderr)
    return server, env


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # SIGTERM (timeout, kill, a container stop) unwinds like Ctrl+C, so the embedded
    # server is stopped rather than left running without its owner.
    signal.signal(signal.SIGTERM, _interrupt)
    server = None
    if not os.environ.get("DATABASE_URL"):
        server, extra = _embedded_database()
        os.environ.update(extra)
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True)
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    command = [sys.executable, "-m", "uvicorn", "todo_api.main:create_app", "--factory"]
    command += ["--host", host, "--port", port, *sys.argv[1:]]
    uvicorn = subprocess.Popen(command, cwd=ROOT)
    try:
        return uvicorn.wait()
    except KeyboardInterrupt:
        # Ctrl+C reaches uvicorn too; a SIGTERM sent to this process alone does not.
        # One SIGTERM lets it shut down gracefully either way.
        uvicorn.terminate()
        uvicorn.wait()
        return 0
    finally:
        del server  # the last handle stops the embedded server; its data stays


if __name__ == "__main__":
    sys.exit(main())
