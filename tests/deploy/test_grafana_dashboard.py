"""The dashboard: datasource as a variable, no hard-coded targets, only metrics that exist."""

from __future__ import annotations

import importlib
import json
import re

import pytest
import yaml
from prometheus_client import REGISTRY

from tests.deploy.artifacts import DASHBOARD, RULES, Query, dashboard, dashboard_queries, panels, rule_queries

REQUIRED_PANELS = {
    "Request rate by route",
    "Error ratio (5xx) by route",
    "Latency p50 by route",
    "Latency p95 by route",
    "Latency p99 by route",
    "In-flight requests",
    "429 responses",
    "Authentication failures by reason",
    "Database pool saturation",
    "Tasks created and completed",
    "Webhook deliveries by outcome",
    "Webhook delivery latency",
    "Outbox queue depth",
    "Oldest pending event age",
}
METRIC_MODULES = (
    "platform_common.observability.http_metrics",
    "platform_common.observability.pool_metrics",
    "platform_common.observability.security_metrics",
    "todo_api.core.metrics",
    "dispatcher.metrics",
)
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}")


def test_the_data_source_is_a_variable_used_everywhere() -> None:
    board = dashboard()
    [variable] = [v for v in board["templating"]["list"] if v["name"] == "datasource"]
    assert (variable["type"], variable["query"]) == ("datasource", "prometheus")
    expected = {"type": "prometheus", "uid": "${datasource}"}
    for panel in panels(board):
        assert panel["datasource"] == expected, panel["title"]
        assert all(target["datasource"] == expected for target in panel["targets"]), panel["title"]
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            assert variable["datasource"] == expected


def test_the_required_panels_are_there() -> None:
    titles = {panel["title"] for panel in panels(dashboard())}
    assert titles >= REQUIRED_PANELS


def test_nothing_is_hard_coded_to_one_deployment() -> None:
    text = DASHBOARD.read_text()
    assert not re.search(r"\d+\.\d+\.\d+\.\d+|localhost|:\d{4,5}\b|instance=", text)
    assert "uid" in json.loads(text)
    assert '"uid": "${datasource}"' in text


@pytest.mark.parametrize("query", dashboard_queries(), ids=lambda query: query.where)
def test_every_selector_is_scoped_to_the_chosen_job_and_namespace(query: Query) -> None:
    """The API's job, or its dispatcher's (scraped as job "<api job>-dispatcher")."""
    for name, matchers in SELECTOR.findall(query.expr):
        assert 'job=~"$job"' in matchers or 'job=~"$job-dispatcher"' in matchers, name
        assert 'namespace=~"$namespace"' in matchers, name


def series_names() -> set[str]:
    """Every series name the code can export, from each family's type (before any sample exists)."""
    for module in METRIC_MODULES:
        importlib.import_module(module)  # importing registers the metrics
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    return {
        family.name + suffix for family in REGISTRY.collect() for suffix in suffixes.get(family.type, ("",))
    }


def test_every_metric_queried_exists() -> None:
    """A renamed metric breaks the build here, not silently on a dashboard or an alert."""
    groups = yaml.safe_load(RULES.read_text())["groups"]
    recorded = {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}
    known = series_names() | recorded | {"up"}
    queried = {
        name for query in dashboard_queries() + rule_queries() for name, _ in SELECTOR.findall(query.expr)
    }
    assert queried - known == set()
