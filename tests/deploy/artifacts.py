"""The deploy files under test, and the PromQL they contain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "todo-api-dashboard.json"
RULES = ROOT / "deploy" / "prometheus" / "todo-api-alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "todo-api-alerts.test.yml"
JOB = "todo-api"


@dataclass(frozen=True)
class Query:
    where: str  # "panel 'Request rate by route' A" or "rule TodoApiRateLimitSurge"
    expr: str


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel (a collapsed row keeps its panels inside it), rows themselves excluded."""
    for panel in board.get("panels", []):
        if panel.get("type") == "row":
            yield from panels(panel)
        else:
            yield panel


def dashboard_queries() -> list[Query]:
    return [
        Query(f"panel {panel['title']!r} {target['refId']}", target["expr"])
        for panel in panels(dashboard())
        for target in panel.get("targets", [])
    ]


def rule_queries() -> list[Query]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [
        Query(f"rule {rule.get('alert') or rule['record']}", rule["expr"])
        for group in groups
        for rule in group["rules"]
    ]


def grafana_to_promql(expr: str, *, rate_interval: str = "1m") -> str:
    """What Grafana would send for job=todo-api and all namespaces, routes and instances."""
    for variable, value in (("$__rate_interval", rate_interval), ("$job", JOB)):
        expr = expr.replace(variable, value)
    for variable in ("$namespace", "$route", "$instance"):
        expr = expr.replace(variable, ".*")
    return expr
