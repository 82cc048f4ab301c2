"""Suite-wide wiring: markers by folder, so ``-m integration`` selects the database tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.database import admin_url

_MARKERS_BY_FOLDER = {
    "unit": "unit",
    "integration": "integration",
    "contract": "contract",
    "deploy": "deploy",
    "cluster": "cluster",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests_root = Path(__file__).parent
    for item in items:
        folder = Path(item.path).relative_to(tests_root).parts[0]
        marker = _MARKERS_BY_FOLDER.get(folder)
        if marker:
            item.add_marker(getattr(pytest.mark, marker))
    # The cluster tests start a multi-replica stack of their own (minutes): they run only when
    # asked for by marker (`./tools/task cluster`, `-m cluster`), never as part of a whole run.
    if "cluster" not in (config.option.markexpr or ""):
        skipped = [item for item in items if item.get_closest_marker("cluster")]
        if skipped:
            config.hook.pytest_deselected(items=skipped)
            items[:] = [item for item in items if not item.get_closest_marker("cluster")]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A superuser URL of a real PostgreSQL: TEST_DATABASE_URL, or an embedded server."""
    with admin_url() as url:
        yield url
