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


def _values_file_fixtures(name: str) -> None:
    """``<name>_values`` and ``<name>_render`` for ci/<name>-values.yaml."""

    @pytest.fixture(scope="session", name=f"{name}_values")
    def values_fixture() -> dict[str, Any]:
        return load_values(CHART_DIR / "ci" / f"{name}-values.yaml")

    @pytest.fixture(scope="session", name=f"{name}_render")
    def render_fixture(chart: helm.Chart, request: pytest.FixtureRequest) -> Rendered:
        return render(chart, request.getfixturevalue(f"{name}_values"))

    globals()[f"{name}_values"], globals()[f"{name}_render"] = values_fixture, render_fixture


_values_file_fixtures("conventions")  # every convention option at once
_values_file_fixtures("openshift")


@pytest.fixture(scope="session")
def default_render(chart: helm.Chart, default_values: dict[str, Any]) -> Rendered:
    return render(chart, default_values)


@pytest.fixture(scope="session")
def production_render(chart: helm.Chart, production_values: dict[str, Any]) -> Rendered:
    return render(chart, production_values)


VALUES_SETS = ["default", "production", "conventions", "openshift"]


@pytest.fixture(scope="session", params=VALUES_SETS)
def values(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each values set in turn (ci/*.yaml: production, every convention option, OpenShift)."""
    result: dict[str, Any] = request.getfixturevalue(f"{request.param}_values")
    return result


@pytest.fixture(scope="session", params=VALUES_SETS)
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """Each render in turn."""
    result: Rendered = request.getfixturevalue(f"{request.param}_render")
    return result
