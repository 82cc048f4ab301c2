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
    assert not re.search(r"\d+\.\d+\.\d+\.\d+|localhost|:\d{4,5}\b|instance=\\?\"", text)
    assert "uid" in json.loads(text)
    assert '"uid": "${datasource}"' in text


@pytest.mark.parametrize("query", dashboard_queries(), ids=lambda query: query.where)
def test_every_selector_is_scoped_to_the_chosen_job_namespace_route_and_instance(query: Query) -> None:
    """Every series follows $job (the API's, or its dispatcher's: scraped as job
    "<api job>-dispatcher") and $namespace. Recorded SLO series are per namespace and job only;
    every raw series of the API also follows $instance (whose values are the API's), and the
    HTTP ones $route."""
    for name, matchers in SELECTOR.findall(query.expr):
        assert 'job=~"$job"' in matchers or 'job=~"$job-dispatcher"' in matchers, name
        assert 'namespace=~"$namespace"' in matchers, name
        if not name.startswith("todo_api:") and "$job-dispatcher" not in matchers:
            assert 'instance=~"$instance"' in matchers, name
        if name.startswith("http_request"):
            assert 'route=~"$route"' in matchers, name


def test_route_and_instance_variables_offer_all_and_each_value() -> None:
    variables = {v["name"]: v for v in dashboard()["templating"]["list"]}
    for name in ("route", "instance"):
        variable = variables[name]
        assert variable["type"] == "query"
        assert (variable["multi"], variable["includeAll"], variable["allValue"]) == (True, True, ".*")
        query = variable["query"]["query"]
        assert query == f'label_values(http_requests_total{{job=~"$job",namespace=~"$namespace"}}, {name})'
    assert (variables["tracing"]["type"], variables["tracing"]["query"]) == ("datasource", "tempo")


HEADLINES = {
    "Request rate": "http_requests_total",
    "Error ratio (5xx)": "http_requests_total",
    "Latency p99": "http_request_duration_seconds_bucket",
    "Error budget remaining (30 d)": "todo_api:slo_errors:ratio_rate30d",
}


def test_the_headline_stats_open_the_dashboard() -> None:
    board = dashboard()
    first_row = board["panels"][0]
    assert (first_row["type"], first_row["gridPos"]["y"]) == ("row", 0)
    stats = [p for p in board["panels"] if p["type"] == "stat"]
    assert [p["title"] for p in stats] == list(HEADLINES)
    for panel in stats:
        assert panel["gridPos"]["y"] == 1, panel["title"]  # right under the first row
        [target] = panel["targets"]
        assert HEADLINES[panel["title"]] in target["expr"]


def test_the_budget_panel_reads_a_recording_rule_shipped_with_the_alerts() -> None:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    recorded = {rule["record"] for group in groups for rule in group["rules"] if "record" in rule}
    assert {"todo_api:slo_errors:ratio_rate30d", "todo_api:slo_slow_requests:ratio_rate30d"} <= recorded
    used = {
        name
        for q in dashboard_queries()
        for name, _ in SELECTOR.findall(q.expr)
        if name.startswith("todo_api:")
    }
    assert used <= recorded


def test_latency_panels_link_exemplars_to_their_traces() -> None:
    latency = [p for p in panels(dashboard()) if p["title"].startswith("Latency p")]
    assert len(latency) == 4  # the headline p99 and the three by route
    for panel in latency:
        assert all(target.get("exemplar") is True for target in panel["targets"]), panel["title"]
        [link] = panel["fieldConfig"]["defaults"]["links"]
        assert "${__data.fields.trace_id}" in link["url"], panel["title"]
        assert "${tracing}" in link["url"], panel["title"]


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
