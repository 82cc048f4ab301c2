"""The chart and the service agree: probes, ports, settings, shutdown timing."""

from __future__ import annotations

import json
import secrets

import helm_python as helm
import httpx
import pytest

from platform_common.db.settings import MigrationSettings
from tests.deploy.chart import (
    CHART_DIR,
    REQUIRED_SECRETS,
    Rendered,
    container_environment,
    load_values,
    merge,
    pod_spec,
    render,
)
from tests.deploy.image_command import serve
from todo_api.core.config import Settings
from todo_api.main import create_app

# What the production example's existing Secret would hold.
EXISTING_SECRET = {
    "DATABASE_URL": "postgresql://todo_app:pw@db.example.com:5432/todo",
    "SECRET_KEY": secrets.token_hex(32),
    "DATA_ENCRYPTION_KEY": secrets.token_hex(32),
    "RATE_LIMIT_STORAGE_URI": "redis://:pw@redis.example.com:6379/0",
    "MIGRATIONS_DATABASE_URL": "postgresql://todo_owner:pw@db.example.com:5432/todo",
}
# Read by OpenTelemetry's SDK itself, not by Settings.
OTEL_PREFIX = "OTEL_"
# The image sets HOST=0.0.0.0 (a container listens on its own interfaces); the chart need not.
SET_BY_THE_IMAGE = {"HOST"}


def names(settings: type[Settings] | type[MigrationSettings]) -> set[str]:
    return {name.upper() for name in settings.model_fields}


@pytest.fixture(scope="module", params=["default", "production", "openshift"])
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """The renders whose every variable is the chart's own (ci/conventions-values.yaml adds a
    user's extra variables and Secret, which are no settings of the service)."""
    result: Rendered = request.getfixturevalue(f"{request.param}_render")
    return result


def container(rendered: Rendered, kind: str) -> dict:
    return pod_spec(rendered.one(kind))["containers"][0]


def environment(rendered: Rendered, kind: str = "Deployment") -> dict[str, str]:
    """The container's variables as the kubelet would set them (optional keys left out when absent)."""
    return container_environment(rendered, container(rendered, kind), EXISTING_SECRET)


@pytest.fixture
def settings_from(monkeypatch):
    """Settings() exactly as the pod would build them from its environment."""

    def build(env: dict[str, str]) -> Settings:
        for name in names(Settings):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return Settings()  # type: ignore[call-arg]  # from the environment

    return build


def test_the_probes_use_routes_of_the_app(rendered):
    paths = create_app(Settings(database_url="postgresql://x@localhost/x")).openapi()["paths"]
    api = container(rendered, "Deployment")
    probes = [api[p]["httpGet"] for p in ("startupProbe", "livenessProbe", "readinessProbe")]
    assert {probe["path"] for probe in probes} == {"/healthz", "/readyz"} <= paths.keys()
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    ports = {port["name"]: port["containerPort"] for port in api["ports"]}
    assert {probe["port"] for probe in probes} == {"http"}
    assert int(environment(rendered)["PORT"]) == ports["http"]


async def test_the_probes_host_header_passes_the_apps_host_check(rendered, settings_from):
    app = create_app(settings_from(environment(rendered)))
    headers = {
        h["name"]: h["value"]
        for h in container(rendered, "Deployment")["livenessProbe"]["httpGet"]["httpHeaders"]
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pod") as client:
        assert (await client.get("/healthz", headers=headers)).status_code == 200
        assert (await client.get("/healthz", headers={"Host": "evil.example"})).status_code == 400


def test_every_variable_the_chart_sets_is_a_setting(rendered):
    unknown = {n for n in environment(rendered) if n not in names(Settings) and not n.startswith(OTEL_PREFIX)}
    assert unknown == set()
    assert environment(rendered, "Job").keys() <= names(MigrationSettings)


def test_every_required_setting_is_set(rendered):
    required = {name.upper() for name, field in Settings.model_fields.items() if field.is_required()}
    assert required <= environment(rendered).keys()
    # MigrationSettings requires nothing itself (it falls back to DATABASE_URL); the Job must not.
    assert {"MIGRATIONS_DATABASE_URL", "DATABASE_APP_ROLE"} <= environment(rendered, "Job").keys()


def test_the_settings_accept_what_the_chart_renders(rendered, settings_from):
    settings = settings_from(environment(rendered))
    assert settings.is_production
    assert (
        settings.rate_limit_storage_uri.startswith("redis://")
        or rendered.one("Deployment")["spec"]["replicas"] == 1
    )


def test_the_metrics_port_agrees_across_service_monitor_pod_and_settings(production_render):
    assert "metrics_port" in Settings.model_fields, "Settings has no METRICS_PORT field yet"
    default = Settings.model_fields["metrics_port"].default
    service_port = next(
        p for p in production_render.one("Service")["spec"]["ports"] if p["name"] == "metrics"
    )
    pod_ports = {p["name"]: p["containerPort"] for p in container(production_render, "Deployment")["ports"]}
    monitor = production_render.one("ServiceMonitor")["spec"]["endpoints"][0]
    assert monitor["port"] == service_port["name"]
    assert service_port["targetPort"] == "metrics"
    assert (
        service_port["port"]
        == pod_ports["metrics"]
        == int(environment(production_render)["METRICS_PORT"])
        == default
    )


def test_the_values_schema_lists_exactly_the_settings_a_user_may_set(default_render):
    config = json.loads((CHART_DIR / "values.schema.json").read_text())["properties"]["config"]["properties"]
    assert config.keys() <= names(Settings)
    user_config = load_values(CHART_DIR / "values.yaml")["config"].keys()
    set_by_the_chart = {e["name"] for e in container(default_render, "Deployment")["env"]}
    set_by_the_chart |= default_render.one("ConfigMap")["data"].keys() - user_config
    missing = names(Settings) - config.keys() - set_by_the_chart - SET_BY_THE_IMAGE
    assert missing == set(), "add these settings to values.schema.json's config"


def test_the_grace_period_covers_the_prestop_pause_and_the_servers_shutdown(chart, rendered):
    pod = pod_spec(rendered.one("Deployment"))
    pause = int(pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"][1])
    assert pod["terminationGracePeriodSeconds"] >= pause + serve.GRACEFUL_SHUTDOWN_SECONDS
    # The chart's own check uses the same number as the image.
    just_enough = {
        "preStopSleepSeconds": 5,
        "terminationGracePeriodSeconds": 5 + serve.GRACEFUL_SHUTDOWN_SECONDS,
    }
    render(chart, merge(REQUIRED_SECRETS, just_enough))
    just_enough["terminationGracePeriodSeconds"] -= 1
    with pytest.raises(Exception, match="terminationGracePeriodSeconds"):
        render(chart, merge(REQUIRED_SECRETS, just_enough))


def test_the_pods_run_the_images_command_so_trusted_proxies_alone_decide(production_render, settings_from):
    """The image's command turns uvicorn's proxy handling off (tests/deploy/test_image_command.py);
    a command, args or FORWARDED_ALLOW_IPS here could bring back a second list."""
    api = container(production_render, "Deployment")
    assert "command" not in api
    assert "args" not in api
    env = environment(production_render)
    assert "FORWARDED_ALLOW_IPS" not in env
    assert settings_from(env).trusted_proxies == ["10.0.0.0/8"]


def test_by_default_only_the_names_the_chart_serves_are_accepted_hosts(chart, default_render, settings_from):
    service = "todo-todo-api"
    own_names = ["localhost", service, f"{service}.todo", f"{service}.todo.svc"]
    assert settings_from(environment(default_render)).trusted_hosts == own_names
    ingress = {"ingress": {"enabled": True, "hosts": ["shop.example.com"]}}
    with_ingress = settings_from(environment(render(chart, merge(REQUIRED_SECRETS, ingress))))
    assert with_ingress.trusted_hosts == ["shop.example.com", *own_names]


def test_any_host_in_production_must_be_asked_for_by_name(chart, settings_from):
    any_host = merge(REQUIRED_SECRETS, {"config": {"TRUSTED_HOSTS": ["*"]}})
    with pytest.raises(helm.HelmRenderError, match="ALLOW_ANY_HOST"):
        render(chart, any_host)
    rendered = render(chart, merge(any_host, {"config": {"ALLOW_ANY_HOST": True}}))
    settings = settings_from(environment(rendered))
    assert (settings.trusted_hosts, settings.allow_any_host) == (["*"], True)
    render(chart, merge(any_host, {"config": {"ENVIRONMENT": "test"}}))  # refused by production only
