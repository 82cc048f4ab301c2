"""The chart, loaded once and rendered once per session for the default and production values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import helm_python as helm
import pytest

from tests.deploy.chart import CHART_DIR, PRODUCTION_VALUES, REQUIRED_SECRETS, Rendered, load_values, render


@pytest.fixture(scope="session")
def chart() -> Iterator[helm.Chart]:
    with helm.Chart.load(CHART_DIR) as loaded:
        yield loaded


@pytest.fixture(scope="session")
def default_values() -> dict[str, Any]:
    return REQUIRED_SECRETS


@pytest.fixture(scope="session")
def production_values() -> dict[str, Any]:
    return load_values(PRODUCTION_VALUES)


@pytest.fixture(scope="session")
def default_render(chart: helm.Chart, default_values: dict[str, Any]) -> Rendered:
    return render(chart, default_values)


@pytest.fixture(scope="session")
def production_render(chart: helm.Chart, production_values: dict[str, Any]) -> Rendered:
    return render(chart, production_values)


@pytest.fixture(scope="session", params=["default", "production"])
def values(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each of the two values sets in turn."""
    result: dict[str, Any] = request.getfixturevalue(f"{request.param}_values")
    return result


@pytest.fixture(scope="session", params=["default", "production"])
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """Each of the two renders in turn."""
    result: Rendered = request.getfixturevalue(f"{request.param}_render")
    return result
