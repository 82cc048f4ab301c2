"""The retention purge's CronJob: on by default, the same image and pod conventions as the
other workloads, the runtime role's URL and nothing more, its settings from values."""

from __future__ import annotations

import helm_python as helm
import pytest

from tests.deploy.chart import REQUIRED_SECRETS, Rendered, container_environment, merge, pod_spec, render
from todo_api.core.config import PurgeJobSettings

PURGE = {"app.kubernetes.io/component": "purge"}


def cron_job(rendered: Rendered) -> dict:
    return rendered.one("CronJob", purge=True)


def container(rendered: Rendered) -> dict:
    [purge] = pod_spec(cron_job(rendered))["containers"]
    return purge


# What a Secret made beforehand would hold.
EXISTING_SECRET = {"DATABASE_URL": "postgresql://todo_app:pw@db.example.com:5432/todo"}


def environment(rendered: Rendered) -> dict[str, str]:
    """The purge's variables as the kubelet would set them."""
    return container_environment(rendered, container(rendered), EXISTING_SECRET)


def test_it_runs_by_default_with_the_same_image_and_the_purge_command(rendered):
    job = cron_job(rendered)
    api = pod_spec(rendered.one("Deployment"))["containers"][0]
    purge = container(rendered)
    assert purge["image"] == api["image"]
    assert purge["command"] == ["python", "-m", "todo_api.purge"]
    assert job["spec"]["schedule"] == "17 * * * *"
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    assert pod_spec(job)["restartPolicy"] == "Never"


def test_the_settings_accept_what_the_chart_renders(rendered, monkeypatch):
    for name in PurgeJobSettings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in environment(rendered).items():
        monkeypatch.setenv(name, value)
    settings = PurgeJobSettings()
    assert settings.is_production
    assert settings.metrics_enabled is False
    assert settings.database_url.startswith("postgresql://todo_app:")


def test_it_connects_as_the_runtime_role_and_holds_no_other_secret(rendered):
    """Least privilege: the runtime role's URL (the purge functions need nothing more); no
    owner credentials, no signing or encryption key, no Redis."""
    refs = {
        variable["name"]: variable["valueFrom"]["secretKeyRef"]["key"]
        for variable in container(rendered)["env"]
        if "valueFrom" in variable
    }
    assert refs == {"DATABASE_URL": "DATABASE_URL"}


def test_schedule_and_settings_come_from_values(chart):
    values = {
        "purge": {
            "schedule": "0 4 * * *",
            "timeZone": "Europe/Berlin",
            "config": {"PURGE_BATCH_SIZE": 500, "EVENT_RETENTION_DAYS": 7, "AUDIT_RETENTION_DAYS": 90},
        }
    }
    rendered = render(chart, merge(REQUIRED_SECRETS, values))
    spec = cron_job(rendered)["spec"]
    assert (spec["schedule"], spec["timeZone"]) == ("0 4 * * *", "Europe/Berlin")
    env = environment(rendered)
    assert (env["PURGE_BATCH_SIZE"], env["EVENT_RETENTION_DAYS"], env["AUDIT_RETENTION_DAYS"]) == (
        "500",
        "7",
        "90",
    )


def test_it_can_be_turned_off(chart):
    rendered = render(chart, merge(REQUIRED_SECRETS, {"purge": {"enabled": False}}))
    assert rendered.all("CronJob") == []


@pytest.mark.parametrize(
    "purge",
    [
        {"config": {"PURGE_BATCH_SIZE": 0}},
        {"config": {"AUDIT_RETENTION_DAYS": 0}},
        {"config": {"TRASH_DAYS": 1}},
        {"schedule": ""},
    ],
)
def test_bad_values_are_refused(chart, purge):
    with pytest.raises(helm.HelmValuesError):
        render(chart, merge(REQUIRED_SECRETS, {"purge": purge}))


def test_with_network_policies_it_may_reach_only_dns_postgres_and_the_collector(production_render):
    policy = production_render.one("NetworkPolicy", purge=True)
    assert policy["spec"]["podSelector"]["matchLabels"].items() >= PURGE.items()
    assert policy["spec"]["ingress"] == []
    ports = {port["port"] for rule in policy["spec"]["egress"] for port in rule["ports"]}
    assert ports == {53, 5432, 4318}
