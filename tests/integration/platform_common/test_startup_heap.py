"""A served app freezes its start-up heap out of the garbage collector (so a full collection,
a pause of every request in flight, walks only what requests allocated since), and collects
its young generation less often than CPython's default."""

from __future__ import annotations

import subprocess
import sys

import pytest

from platform_common.db.provision import ProvisionedDatabase
from platform_common.startup_heap import YOUNG_THRESHOLD
from tests.service_process import ROOT

pytestmark = pytest.mark.integration

# A process of its own: the suite's process may have frozen its heap already.
START = """
import asyncio, gc, sys
from tests.integration.apps import settings_for
from todo_api.main import create_app

async def main() -> None:
    app = create_app(settings_for(sys.argv[1]))
    before = gc.get_freeze_count()
    async with app.router.lifespan_context(app):
        print(gc.get_threshold()[0], before, gc.get_freeze_count())

asyncio.run(main())
"""


def test_the_lifespan_freezes_the_start_up_heap(database: ProvisionedDatabase) -> None:
    started = subprocess.run(  # noqa: S603  # this interpreter, the test's own script
        [sys.executable, "-c", START, database.app_url],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    young, before, frozen = (int(n) for n in started.stdout.split()[-3:])
    assert young == YOUNG_THRESHOLD
    assert before == 0
    # The app's routes, models and metadata: well over a hundred thousand objects.
    assert frozen > 100_000, started.stdout
