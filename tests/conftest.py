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
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests_root = Path(__file__).parent
    for item in items:
        folder = Path(item.path).relative_to(tests_root).parts[0]
        marker = _MARKERS_BY_FOLDER.get(folder)
        if marker:
            item.add_marker(getattr(pytest.mark, marker))


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A superuser URL of a real PostgreSQL: TEST_DATABASE_URL, or an embedded server."""
    with admin_url() as url:
        yield url
