"""A second service built from platform_common alone: it migrates, serves, isolates tenants
(row-level security and the tenant repository), and its worker logs, counts and traces.

Its table lives in the suite's database for this module only, created by the service's own
revision and removed by its downgrade.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from platform_common.db.posture import coverage_problems
from platform_common.db.provision import ProvisionedDatabase
from tests.database import apply, connected
from tests.integration.apps import serving
from tests.integration.example_service.notes import migration
from tests.integration.example_service.notes.app import NotesRuntime, NotesSettings, create_app
from tests.integration.example_service.notes.models import metadata
from tests.integration.example_service.notes.repository import NoteRepository
from tests.integration.example_service.notes.worker import running_worker
from tests.metrics import scrape
from tests.service_process import ROOT
from tests.spans import recorded_spans

NOTES = "/api/v1/notes"


@pytest.fixture(scope="module")
async def migrated(database: ProvisionedDatabase) -> AsyncIterator[None]:
    await apply(database.owner_url, migration.upgrade, app_role=database.app_role)
    yield
    await apply(database.owner_url, migration.downgrade)


@pytest.fixture
def settings(database: ProvisionedDatabase, migrated: None, clean_database: None) -> NotesSettings:
    return NotesSettings(database_url=database.app_url, environment="test", metrics_port=0, log_format="json")


@pytest.fixture
async def client(settings: NotesSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(create_app(settings)) as client:
        yield client


def bearer(settings: NotesSettings, tenant_id: uuid.UUID) -> dict[str, str]:
    """An access token of the platform's codec for someone of ``tenant_id``."""
    codec = NotesRuntime(settings).codec
    claims = codec.issue(
        subject=uuid.uuid4(), tenant_id=tenant_id, session_id=uuid.uuid4(), role="member", token_version=0
    )
    return {"Authorization": f"Bearer {codec.encode(claims)}"}


async def add_notes(
    client: httpx.AsyncClient, headers: dict[str, str], *bodies: str, done: bool = False
) -> None:
    for body in bodies:
        response = await client.post(NOTES, json={"body": body, "done": done}, headers=headers)
        assert response.status_code == 201, response.text


def test_it_imports_nothing_of_todo_api() -> None:
    """Loaded in a fresh interpreter, the whole service pulls in no module of todo-api."""
    modules = ", ".join(
        f"tests.integration.example_service.notes.{name}" for name in ("app", "worker", "migration")
    )
    check = f"import sys, {modules}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'todo_api'))"
    loaded = subprocess.run(  # noqa: S603
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


async def test_its_migration_covers_its_tenant_table(database: ProvisionedDatabase, migrated: None) -> None:
    async with connected(database.app_url) as connection:
        assert await coverage_problems(connection, metadata) == []


async def test_it_serves_each_tenant_its_own_notes(
    client: httpx.AsyncClient, settings: NotesSettings
) -> None:
    acme, globex = bearer(settings, uuid.uuid4()), bearer(settings, uuid.uuid4())
    await add_notes(client, acme, "acme: ship it", "acme: test it")
    await add_notes(client, globex, "globex: plan it")
    assert [note["body"] for note in (await client.get(NOTES, headers=acme)).json()] == [
        "acme: ship it",
        "acme: test it",
    ]
    assert [note["body"] for note in (await client.get(NOTES, headers=globex)).json()] == ["globex: plan it"]
    assert (await client.get(NOTES)).status_code == 401
    assert (await client.get("/readyz")).status_code == 200


async def test_row_level_security_isolates_tenants_below_the_repository(
    client: httpx.AsyncClient, settings: NotesSettings
) -> None:
    acme, globex = uuid.uuid4(), uuid.uuid4()
    await add_notes(client, bearer(settings, acme), "acme only")
    await add_notes(client, bearer(settings, globex), "globex only")
    async with connected(settings.database_url) as connection, connection.transaction():
        # No WHERE at all: whatever is visible is what the policy lets through.
        await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(acme))
        assert [row["body"] for row in await connection.fetch("SELECT body FROM example_note")] == [
            "acme only"
        ]
        planted = "INSERT INTO example_note (tenant_id, body) VALUES ($1, 'planted')"
        with pytest.raises(Exception, match="row-level security"):
            await connection.execute(planted, globex)


async def test_the_worker_purges_per_tenant_and_logs_counts_and_traces_it(
    client: httpx.AsyncClient, settings: NotesSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    acme, globex = uuid.uuid4(), uuid.uuid4()
    await add_notes(client, bearer(settings, acme), "a1", "a2", done=True)
    await add_notes(client, bearer(settings, acme), "a3")
    await add_notes(client, bearer(settings, globex), "g1", done=True)
    spans = recorded_spans()
    capsys.readouterr()

    async with running_worker(settings) as worker:
        assert await worker.purge_done([acme]) == 2
        assert worker.metrics is not None
        samples = scrape(worker.metrics.port)
        async with worker.database.transaction(globex) as transaction:
            assert [row["body"] for row in await NoteRepository(transaction).all()] == ["g1"]

    assert samples["example_notes_purged_total", ()] >= 2
    assert ("db_pool_size", ()) in samples
    [span] = [span for span in spans.get_finished_spans() if span.name == "purge_done_notes"]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [logged] = [line for line in lines if line["event"] == "notes_purged"]
    assert logged["count"] == 2
    assert logged["trace_id"] == f"{span.context.trace_id:032x}"
