"""A dispatcher subprocess next to the in-process API (its webhook fixtures: receivers on
127.0.0.1 allowed as targets), on the same test database as the runtime role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from platform_common.db.provision import ProvisionedDatabase
from tests.dispatcher_process import DispatcherProcess, running_dispatcher
from tests.integration.todo_api.webhooks.conftest import (  # noqa: F401  # fixtures, shared
    client,
    names,
    owner_connection,
    webhook_settings,
)

LOOPBACK_ALLOWED = {"WEBHOOK_ALLOWED_TARGETS": '["127.0.0.0/8"]'}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def dispatcher(
    database: ProvisionedDatabase, workdir: Path, clean_database: None
) -> Iterator[DispatcherProcess]:
    """One dispatcher per test; the tables are emptied after the test, as it stops."""
    with running_dispatcher(database.app_url, workdir, env=LOOPBACK_ALLOWED) as process:
        yield process
