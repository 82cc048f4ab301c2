"""The previous release serves on the new schema: what a rolling deploy relies on.

During a rolling deploy the migrations run first (the chart's pre-upgrade hook), and the old
pods keep serving on the migrated schema until they are replaced. So every migration must
expand, never contract, what the release before it uses (README: Migrations). This test
takes the previous release from git (the code at the first parent of the last commit on
this line of history that changed ``migrations/``), builds its own environment with uv (from
uv's cache), migrates a fresh database to the **new** head, starts the old API on it with its
own image command, and runs its core flows: sign-up, login, and a task created, listed,
updated and deleted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import asyncpg
import httpx
import pytest
from tools.mailed_token import mailed_token
from tools.processes import free_port, stop

from platform_common.db.provision import ProvisionedDatabase
from tests.service_process import ROOT, answers, wait_until

pytestmark = pytest.mark.slow


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", *args],  # noqa: S607  # git on PATH, fixed arguments
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def previous_release() -> str:
    """The commit before the newest schema change reached this line of history."""
    last_change = _git("log", "--first-parent", "-1", "--format=%H", "--", "migrations/")
    return _git("rev-parse", f"{last_change}^1")


@pytest.fixture(scope="module")
def previous_code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous release's tree (``git archive``) with its own environment (uv, --frozen:
    its own lock file; packages come from uv's cache, which the current lock mostly shares)."""
    commit = previous_release()
    tree = tmp_path_factory.mktemp("previous-release")
    archive = subprocess.run(  # noqa: S603
        ["git", "archive", "--format=tar", commit],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    uv = shutil.which("uv")
    assert uv, "uv is on PATH under ./tools/task"
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    subprocess.run(  # noqa: S603
        [uv, "sync", "--frozen", "--no-default-groups", "--package", "todo-api", "--quiet"],
        cwd=tree,
        env={**environment, "UV_PROJECT_ENVIRONMENT": str(tree / ".venv")},
        check=True,
    )
    return tree


@pytest.fixture
def previous_api(previous_code: Path, database: ProvisionedDatabase, clean_database: None) -> Iterator[str]:
    """The old API, started with its own image command, on the database at the new head."""
    port, metrics_port = free_port(), free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}},
        "DATABASE_URL": database.app_url,
        "ENVIRONMENT": "test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "METRICS_HOST": "127.0.0.1",
        "METRICS_PORT": str(metrics_port),
    }
    log = previous_code / f"api-{port}.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [previous_code / ".venv" / "bin" / "python", previous_code / "tools" / "image" / "serve.py"],
            cwd=previous_code,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"the previous release exited:\n{log.read_text()[-3000:]}")
        return answers(f"{url}/readyz")

    try:
        wait_until(ready, timeout=90, what="the previous release to be ready")
        yield url
    finally:
        stop(process, timeout=20)


async def test_the_previous_release_serves_its_core_flows_on_the_new_schema(
    previous_api: str, database: ProvisionedDatabase
) -> None:
    async with httpx.AsyncClient(base_url=previous_api, timeout=30) as http:
        body = {
            "tenant_name": "Acme",
            "tenant_slug": "acme",
            "email": "owner@acme.example.com",
            "password": "correct horse battery staple",
        }
        signed_up = await http.post("/api/v1/auth/signup", json=body)
        if signed_up.status_code == 202:  # a release with verified sign-up: the mailed link
            connection = await asyncpg.connect(database.owner_url)
            try:
                token = await mailed_token(connection, body["email"])
            finally:
                await connection.close()
            signed_up = await http.post("/api/v1/auth/signup/verify", json={"token": token})
        assert signed_up.status_code == 201, signed_up.text
        token = await http.post(
            "/api/v1/auth/token", data={"username": body["email"], "password": body["password"]}
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

        created = await http.post("/api/v1/tasks", json={"title": "Old code, new schema"}, headers=headers)
        assert created.status_code == 201, created.text
        location = created.headers["location"]
        listed = await http.get("/api/v1/tasks", headers=headers)
        assert [task["id"] for task in listed.json()["items"]] == [created.json()["id"]]
        updated = await http.patch(location, json={"completed": True}, headers=headers)
        assert (updated.status_code, updated.json()["completed"]) == (200, True), updated.text
        assert (await http.delete(location, headers=headers)).status_code == 204
        assert (await http.get(location, headers=headers)).status_code == 404


def test_the_previous_release_is_older_than_the_newest_schema_change() -> None:
    """The commit chosen has not seen the newest migration: its migrations/ differs from ours."""
    commit = previous_release()
    changed = _git("diff", "--name-only", commit, "HEAD", "--", "migrations/versions/")
    assert changed, "the previous release already has every migration of HEAD"
