"""Run todo-api and the dispatcher for development: embedded PostgreSQL unless DATABASE_URL is set.

Without DATABASE_URL, a real PostgreSQL from the ``pgserver`` wheel runs on a Unix
socket with its data in ``.data/postgres`` (kept across restarts, git-ignored); the
owner and runtime roles are created, migrations applied as the owner, and the app
served as the runtime role. With DATABASE_URL set, nothing is started: migrations
run against MIGRATIONS_DATABASE_URL (or DATABASE_URL) and the app is served.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.embedded_postgres import sigterm_unwinds, superuser_url
from tools.image.serve import uvicorn_command

ROOT = Path(__file__).resolve().parent.parent

DATA_DIR = ROOT / ".data" / "postgres"


@contextmanager
def _database() -> Iterator[None]:
    """Unless DATABASE_URL is set, the embedded server for the block, provisioned, with
    its URLs in the environment."""
    if os.environ.get("DATABASE_URL"):
        yield
        return
    from todo_api.core.provisioning import APP_ROLE, provision

    with superuser_url(DATA_DIR) as admin:  # stopped when the block ends; its data stays
        provisioned = asyncio.run(provision(admin))
        os.environ.update(
            {
                "DATABASE_URL": provisioned.app_url,
                "MIGRATIONS_DATABASE_URL": provisioned.owner_url,
                "DATABASE_APP_ROLE": APP_ROLE,
            }
        )
        print(f"embedded PostgreSQL at {DATA_DIR}", file=sys.stderr)
        yield


def _dispatcher_environment() -> dict[str, str]:
    """The dispatcher next to the API: the same database (the embedded one is direct, no
    pooler in between) and its own metrics port (DISPATCHER_METRICS_PORT, default 9101)."""
    return {
        **os.environ,
        "DISPATCHER_DATABASE_URL": os.environ.get("DISPATCHER_DATABASE_URL") or os.environ["DATABASE_URL"],
        "METRICS_PORT": os.environ.get("DISPATCHER_METRICS_PORT", "9101"),
    }


def main() -> int:
    # Webhooks to a receiver on this machine (127.0.0.1) work out of the box in development;
    # production refuses this setting.
    os.environ.setdefault("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    # SIGTERM unwinds like Ctrl+C, so uvicorn and the dispatcher are shut down below and the
    # embedded server stopped rather than left running without its owner.
    with sigterm_unwinds(), _database():
        subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], cwd=ROOT, check=True)
        # The image's command line (no uvicorn proxy handling, see tools/image/serve.py), on
        # loopback unless HOST says otherwise; extra arguments (e.g. --reload) reach uvicorn.
        listen = {"HOST": os.environ.get("HOST", "127.0.0.1"), "PORT": os.environ.get("PORT", "8000")}
        command = [*uvicorn_command(listen), *sys.argv[1:]]
        dispatcher = subprocess.Popen(
            [sys.executable, "-m", "dispatcher"], cwd=ROOT, env=_dispatcher_environment()
        )
        uvicorn = subprocess.Popen(command, cwd=ROOT)
        try:
            return uvicorn.wait()
        except KeyboardInterrupt:
            # Ctrl+C reaches both children too; a SIGTERM sent to this process alone does not.
            # One SIGTERM lets each shut down gracefully either way.
            uvicorn.terminate()
            uvicorn.wait()
            return 0
        finally:
            dispatcher.terminate()
            dispatcher.wait()


if __name__ == "__main__":
    sys.exit(main())
