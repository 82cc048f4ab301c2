"""The dispatcher's Deployment: the image's second command, its own settings, least privilege,
probes, disruption budget, egress for deliveries, and a scrape job the alert selects."""

from __future__ import annotations

import json
import secrets

import helm_python as helm
import pytest

from dispatcher.config import DispatcherSettings
from tests.deploy.chart import (
    CHART_DIR,
    REQUIRED_SECRETS,
    Rendered,
    container_environment,
    merge,
    pod_spec,
    render,
)
from todo_api.core.config import Settings

EXISTING_SECRET = {
    "DISPATCHER_DATABASE_URL": "postgresql://todo_app:pw@db-direct.example.com:5432/todo",
    "DATA_ENCRYPTION_KEY": secrets.token_hex(32),
    "SMTP_PASSWORD": "issued-by-the-mail-provider",
}


def container(rendered: Rendered) -> dict:
    return pod_spec(rendered.one("Deployment", dispatcher=True))["containers"][0]


def environment(rendered: Rendered) -> dict[str, str]:
    """The dispatcher's variables as the kubelet would set them."""
    return container_environment(rendered, container(rendered), EXISTING_SECRET)


def test_it_runs_the_same_image_with_the_dispatcher_command(rendered):
    api = pod_spec(rendered.one("Deployment"))["containers"][0]
    dispatcher = container(rendered)
    assert dispatcher["image"] == api["image"]
    assert dispatcher["command"] == ["python", "-m", "dispatcher"]
    assert {
        probe["httpGet"]["port"] for probe in (dispatcher["startupProbe"], dispatcher["livenessProbe"])
    } == {"metrics"}


def test_the_settings_accept_what_the_chart_renders(rendered, monkeypatch):
    for name in {*DispatcherSettings.model_fields, "dispatcher_database_url"}:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in environment(rendered).items():
        monkeypatch.setenv(name, value)
    settings = DispatcherSettings()
    assert settings.is_production
    assert settings.service_name == "dispatcher"
    assert settings.database_url.startswith("postgresql://")


def test_without_a_url_of_its_own_it_uses_the_runtime_roles(default_render, chart):
    assert (
        environment(default_render)["DISPATCHER_DATABASE_URL"] == REQUIRED_SECRETS["secrets"]["databaseUrl"]
    )
    direct = "postgresql://todo_app:pw@postgres-direct.example.com:5432/todo"
    own = render(chart, merge(REQUIRED_SECRETS, {"dispatcher": {"databaseUrl": direct}}))
    assert environment(own)["DISPATCHER_DATABASE_URL"] == direct


def test_it_holds_no_key_it_does_not_need(rendered):
    """Least privilege: no token-signing key, no owner credentials, no Redis."""
    env = {variable["name"] for variable in container(rendered)["env"]}
    assert env.isdisjoint(
        {"SECRET_KEY", "JWT_PREVIOUS_KEYS", "MIGRATIONS_DATABASE_URL", "RATE_LIMIT_STORAGE_URI"}
    )


def test_the_values_schema_lists_exactly_its_own_settings():
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    listed = schema["properties"]["dispatcher"]["properties"]["config"]["properties"].keys()
    shared = {name.upper() for name in Settings.model_fields}  # set through the API's `config`
    own = {name.upper() for name in DispatcherSettings.model_fields} - shared
    # The URL and the SMTP password: dispatcher.databaseUrl and dispatcher.smtpPassword, secrets.
    assert listed == own - {"DATABASE_URL", "SMTP_PASSWORD"}


def test_a_grace_period_shorter_than_a_delivery_is_refused(chart):
    too_short = merge(REQUIRED_SECRETS, {"dispatcher": {"terminationGracePeriodSeconds": 19}})
    with pytest.raises(helm.HelmRenderError, match="at least 20"):
        render(chart, too_short)
    slower = {
        "config": {"WEBHOOK_READ_TIMEOUT_SECONDS": 30},
        "dispatcher": {"terminationGracePeriodSeconds": 30},
    }
    with pytest.raises(helm.HelmRenderError, match="at least 40"):
        render(chart, merge(REQUIRED_SECRETS, slower))
    render(chart, merge(REQUIRED_SECRETS, {"dispatcher": {"terminationGracePeriodSeconds": 20}}))


def test_its_disruption_budget_selects_only_its_pods(rendered):
    budget = rendered.one("PodDisruptionBudget", dispatcher=True)
    labels = rendered.one("Deployment", dispatcher=True)["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    api_labels = rendered.one("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert not budget["spec"]["selector"]["matchLabels"].items() <= api_labels.items()


def test_its_network_policy_lets_deliveries_out_but_not_into_private_ranges(production_render):
    policy = production_render.one("NetworkPolicy", dispatcher=True)["spec"]
    assert [rule["ports"] for rule in policy["ingress"]] == [[{"port": "metrics", "protocol": "TCP"}]]
    [deliveries] = [rule for rule in policy["egress"] if "ports" not in rule]
    v4, v6 = (peer["ipBlock"] for peer in deliveries["to"])
    assert v4["cidr"] == "0.0.0.0/0"
    assert {"10.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8"} <= set(v4["except"])
    assert (v6["cidr"], "fc00::/7" in v6["except"]) == ("::/0", True)
    # Its mail server, wherever it is (a relay inside the cluster included).
    assert {"ports": [{"port": 587, "protocol": "TCP"}]} in policy["egress"]


def test_it_is_scraped_as_the_job_the_events_alert_selects(production_render):
    monitor = production_render.one("ServiceMonitor", dispatcher=True)
    [endpoint] = monitor["spec"]["endpoints"]
    assert endpoint["relabelings"] == [
        {"action": "replace", "targetLabel": "job", "replacement": "todo-api-dispatcher"}
    ]
    service = production_render.one("Service", dispatcher=True)
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


def test_it_can_be_left_out(chart):
    without = render(chart, merge(REQUIRED_SECRETS, {"dispatcher": {"enabled": False}}))
    assert [m for m in without.manifests if m["metadata"]["name"].endswith("-dispatcher")] == []
