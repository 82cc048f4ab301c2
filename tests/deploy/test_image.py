"""The container image against a real PostgreSQL: migrate as the owner, serve as the runtime role,
uid 10001, read-only root filesystem, graceful stop.

Built and run by ``./tools/task image:test`` (which sets TODO_API_IMAGE); skipped otherwise, so a
plain ``./tools/task test`` builds no image. The container shares the host's network (see
tools/image/build.sh), so the database URL must be a TCP one that the host can reach.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest

from platform_common.db.provision import ProvisionedDatabase, drop_database
from tests.deploy.chart import ROOT
from tests.service_process import free_port
from todo_api.core.provisioning import provision

IMAGE = os.environ.get("TODO_API_IMAGE", "")
ADMIN_URL = os.environ.get("IMAGE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
UID = 10001

pytestmark = pytest.mark.skipif(not IMAGE, reason="builds no image: run ./tools/task image:test")


def podman(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CONTAINERS_CONF": os.environ.get("CONTAINERS_CONF", str(ROOT / "tools/image/containers.conf")),
    }
    command = ["podman", *args]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, check=False)  # noqa: S603
    if check and result.returncode != 0:
        raise AssertionError(
            f"podman {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


# As in the pod: nothing writable but /tmp (podman's --read-only would otherwise add /run, /var/tmp).
READ_ONLY = ("--read-only", "--read-only-tmpfs=false", "--tmpfs", "/tmp:rw,size=64m,mode=1777")  # noqa: S108
COMMON = ("--network", "host", *READ_ONLY)


@pytest.fixture(scope="module")
def database() -> Iterator[ProvisionedDatabase]:
    name = f"todo_image_{uuid.uuid4().hex[:8]}"
    provisioned = asyncio.run(provision(ADMIN_URL, database=name, recreate=True))
    yield provisioned
    asyncio.run(drop_database(ADMIN_URL, name))


@pytest.fixture(scope="module")
def migrated(database: ProvisionedDatabase) -> subprocess.CompletedProcess[str]:
    return podman(
        "run", "--rm", *COMMON,
        "-e", f"MIGRATIONS_DATABASE_URL={database.owner_url}",
        "-e", f"DATABASE_APP_ROLE={database.app_role}",
        IMAGE, "alembic", "upgrade", "head",
    )  # fmt: skip


@dataclass(frozen=True)
class Container:
    name: str
    url: str

    def logs(self) -> str:
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr


@pytest.fixture(scope="module")
def service(database: ProvisionedDatabase, migrated: subprocess.CompletedProcess[str]) -> Iterator[Container]:
    name, port = f"todo-api-test-{uuid.uuid4().hex[:8]}", free_port()
    podman(
        "run", "--detach", "--name", name, *COMMON,
        "-e", f"DATABASE_URL={database.app_url}",
        "-e", f"SECRET_KEY={secrets.token_urlsafe(48)}",
        "-e", f"DATA_ENCRYPTION_KEY={secrets.token_urlsafe(48)}",
        "-e", 'TRUSTED_HOSTS=["127.0.0.1"]',
        "-e", "PUBLIC_BASE_URL=https://app.example.com",
        "-e", f"PORT={port}",
        "-e", f"METRICS_PORT={free_port()}",
        "-e", "METRICS_HOST=127.0.0.1",
        IMAGE,
    )  # fmt: skip
    container = Container(name, f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{container.url}/healthz"):
            running = podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
            assert running == "true", f"the server stopped:\n{container.logs()}"
            assert time.monotonic() < deadline, f"no answer in 30 s:\n{container.logs()}"
            time.sleep(0.2)
        yield container
    finally:
        podman("rm", "--force", name, check=False)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_the_migration_command_creates_the_schema_as_the_owner(database, migrated):
    async def inspect() -> tuple[set[str], int]:
        conn = await asyncpg.connect(database.app_url)
        try:
            owners = await conn.fetch("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
            tasks = await conn.fetchval("SELECT count(*) FROM task")  # the runtime role was granted access
            return {row["tableowner"] for row in owners}, tasks
        finally:
            await conn.close()

    owners, tasks = asyncio.run(inspect())
    assert owners == {"todo_owner"}
    assert tasks == 0


def test_the_image_is_labelled_with_the_version_of_its_packages(service):
    labels = json.loads(podman("image", "inspect", "--format", "{{json .Labels}}", IMAGE).stdout)
    assert labels["org.opencontainers.image.version"] == (ROOT / "VERSION").read_text().strip()
    served = httpx.get(f"{service.url}/openapi.json", timeout=5).json()["info"]["version"]
    assert served == labels["org.opencontainers.image.version"]


def test_readyz_answers_as_the_runtime_role(service):
    response = httpx.get(f"{service.url}/readyz", timeout=5)
    assert response.status_code == 200, service.logs()
    assert response.json() == {"status": "ok"}


def test_the_image_runs_in_production_and_refuses_the_development_key(database, migrated):
    """No ENVIRONMENT given: the image's own is production, so the default key stops the start."""
    refused = podman(
        "run", "--rm", *COMMON,
        "-e", f"DATABASE_URL={database.app_url}",
        "-e", 'TRUSTED_HOSTS=["127.0.0.1"]',
        "-e", "PUBLIC_BASE_URL=https://app.example.com",
        "-e", f"PORT={free_port()}",
        "-e", f"METRICS_PORT={free_port()}",
        "-e", "METRICS_HOST=127.0.0.1",
        IMAGE, check=False, timeout=60,
    )  # fmt: skip
    assert refused.returncode != 0
    assert "SECRET_KEY is a known default value" in refused.stdout + refused.stderr


def test_a_forwarded_for_from_an_untrusted_peer_is_not_believed(service):
    """TRUSTED_PROXIES is empty and uvicorn reads no forwarded headers: the peer is the client."""
    forged = httpx.get(f"{service.url}/readyz", headers={"X-Forwarded-For": "198.51.100.7"}, timeout=5)
    assert forged.status_code == 200
    lines = [json.loads(line) for line in service.logs().splitlines() if line.startswith("{")]
    readyz = [line for line in lines if line.get("event") == "http_request" and line["path"] == "/readyz"]
    assert readyz
    assert {line["client_ip"] for line in readyz} == {"127.0.0.1"}


def test_the_server_runs_as_uid_10001_as_pid_1(service):
    pid = podman("inspect", "--format", "{{.State.Pid}}", service.name).stdout.strip()
    with open(f"/proc/{pid}/status") as status:
        uids = next(line.split()[1:] for line in status if line.startswith("Uid:"))
    assert uids == [str(UID)] * 4
    assert podman("exec", service.name, "cat", "/proc/1/cmdline").stdout.split("\0")[1:4] == [
        "-m",
        "uvicorn",
        "todo_api.main:create_app",
    ]


def test_only_tmp_is_writable(service):
    probe = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_text('x')"
    assert podman("exec", service.name, "python", "-c", probe, "/tmp/probe").returncode == 0  # noqa: S108
    for path in ("/app/probe", "/probe", "/app/.venv/probe"):
        refused = podman("exec", service.name, "python", "-c", probe, path, check=False)
        assert "Read-only file system" in refused.stderr, path


def test_the_dispatcher_command_runs_as_uid_10001_and_stops_on_sigterm(database, migrated):
    """The image's second command: the dispatcher, on a direct connection, in production."""
    name = f"todo-dispatcher-test-{uuid.uuid4().hex[:8]}"
    podman(
        "run", "--detach", "--name", name, *COMMON,
        "-e", f"DISPATCHER_DATABASE_URL={database.app_url}",
        "-e", f"DATA_ENCRYPTION_KEY={secrets.token_urlsafe(48)}",
        # Production requires a mail server and a sender; none is reached before a mail is due.
        "-e", "SMTP_HOST=127.0.0.1",
        "-e", "SMTP_FROM=todo@example.com",
        "-e", f"METRICS_PORT={free_port()}",
        "-e", "METRICS_HOST=127.0.0.1",
        IMAGE, "python", "-m", "dispatcher",
    )  # fmt: skip
    dispatcher = Container(name, "")
    try:
        deadline = time.monotonic() + 30
        while "dispatcher_started" not in dispatcher.logs():
            running = podman("inspect", "--format", "{{.State.Running}}", name).stdout.strip()
            assert running == "true", dispatcher.logs()
            assert time.monotonic() < deadline, dispatcher.logs()
            time.sleep(0.2)
        assert podman("exec", name, "id", "-u").stdout.strip() == str(UID)
        podman("stop", "--time", "25", name)
        assert podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip() == "0"
        assert "dispatcher_stopped" in dispatcher.logs()
    finally:
        podman("rm", "--force", name, check=False)


def test_sigterm_stops_it_gracefully(service):
    """Last in this module: it stops the container the other tests share."""
    podman("stop", "--time", "25", service.name)
    assert podman("inspect", "--format", "{{.State.ExitCode}}", service.name).stdout.strip() == "0"
    assert "Application shutdown complete" in service.logs()
