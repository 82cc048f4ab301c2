"""Suite-wide wiring: markers by folder, so ``-m integration`` selects the database tests."""

from __future__ import annotations

from pathlib import Path

import pytest

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
