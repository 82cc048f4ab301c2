"""The Helm chart: it lints, renders valid Kubernetes objects, passes checkov, and refuses bad values."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from tests.deploy.artifacts import DASHBOARD, JOB, RULES
from tests.deploy.chart import (
    CHART_DIR,
    REQUIRED_SECRETS,
    ROOT,
    WORKLOADS,
    Rendered,
    lint,
    merge,
    pod_spec,
    render,
)
from tests.deploy.conftest import VALUES_SETS

KUBERNETES_VERSIONS = ("1.29", "1.33")
# Prometheus Operator CRDs: kubernetes-validate has no schema for them; checked by content below.
CRD_KINDS = {"ServiceMonitor", "PrometheusRule"}
HOOK = "helm.sh/hook"
TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}  # noqa: S108  # the pod's emptyDir


@pytest.mark.parametrize("kube_version", [None, *(f"v{v}.0" for v in KUBERNETES_VERSIONS)])
def test_lint_strict_has_no_errors(values, kube_version):
    assert lint(values, kube_version=kube_version) == []


def test_production_values_render_every_optional_resource(production_render):
    kinds = {m["kind"] for m in production_render.manifests}
    assert kinds >= {
        "HorizontalPodAutoscaler",
        "Ingress",
        "NetworkPolicy",
        "ServiceMonitor",
        "PrometheusRule",
    }
    assert production_render.one("Ingress")["spec"]["tls"], "the production example serves TLS"


def test_every_manifest_is_a_named_kubernetes_object(rendered):
    for manifest in rendered.manifests:
        assert {"apiVersion", "kind", "metadata"} <= manifest.keys(), manifest
        assert manifest["metadata"]["name"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_strictly_against_kubernetes(rendered, version):
    problems = []
    for manifest in rendered.manifests:
        if manifest["kind"] in CRD_KINDS:
            continue
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{manifest['kind']}/{manifest['metadata']['name']}: {error.message}")
    assert problems == []


@pytest.fixture(scope="module")
def checkov_reports(request, tmp_path_factory) -> dict[str, dict[str, Any]]:
    """checkov on every render, in one process (its start-up takes seconds): {which: report}."""
    folder = tmp_path_factory.mktemp("checkov")
    files = {}
    for which in VALUES_SETS:
        rendered = request.getfixturevalue(f"{which}_render")
        files[which] = folder / f"{which}.yaml"
        files[which].write_text(rendered.to_yaml())
    command = [sys.executable, "-m", "tests.deploy.checkov_scan", *map(str, files.values())]
    reports = json.loads(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout)  # noqa: S603
    return {which: reports[str(path)] for which, path in files.items()}


@pytest.mark.parametrize("which", VALUES_SETS)
def test_checkov_finds_nothing_and_every_skip_gives_its_reason(checkov_reports, which):
    report = checkov_reports[which]
    assert report["failed"] == []
    assert report["parsing_errors"] == []
    assert report["passed"] > 0
    assert [skip["id"] for skip in report["skipped"] if not skip["reason"]] == []


# ---------------------------------------------------------------- values the chart refuses


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"replicas": 3}, "additional properties 'replicas' not allowed"),
        ({"replicaCount": "3"}, "/replicaCount"),
        ({"config": {"LOG_LEVL": "DEBUG"}}, "additional properties 'LOG_LEVL' not allowed"),
        ({"config": {"HSTS_SECONDS": "one year"}}, "/config/HSTS_SECONDS"),
        ({"config": {"TRUSTED_PROXIES": "10.0.0.0/8"}}, "/config/TRUSTED_PROXIES"),
        ({"ingress": {"enabled": "yes"}}, "/ingress/enabled"),
        ({"secrets": {"secretKey": "too-short"}}, "/secrets/secretKey"),
    ],
)
def test_schema_rejects_unknown_keys_and_wrong_types(chart, override, complaint):
    with pytest.raises(helm.HelmValuesError, match=complaint):
        render(chart, merge(REQUIRED_SECRETS, override))


@pytest.mark.parametrize("key", ["databaseUrl", "secretKey", "dataEncryptionKey"])
def test_the_secrets_are_required_unless_an_existing_secret_is_named(chart, key):
    without = {
        **REQUIRED_SECRETS,
        "secrets": {k: v for k, v in REQUIRED_SECRETS["secrets"].items() if k != key},
    }
    with pytest.raises(helm.HelmRenderError, match=rf"secrets\.{key} is required"):
        render(chart, without)
    rendered = render(chart, {**REQUIRED_SECRETS, "secrets": {"existingSecret": "made-before"}})
    assert rendered.all("Secret") == []


def test_production_needs_the_public_base_url_of_the_links(chart):
    without = {k: v for k, v in REQUIRED_SECRETS.items() if k != "config"}
    with pytest.raises(helm.HelmRenderError, match=r"PUBLIC_BASE_URL .* is required in production"):
        render(chart, without)
    render(chart, {**without, "config": {"ENVIRONMENT": "development"}})


def test_production_needs_a_mail_server_for_the_dispatcher(chart):
    for missing in ("SMTP_HOST", "SMTP_FROM"):
        config = {k: v for k, v in REQUIRED_SECRETS["dispatcher"]["config"].items() if k != missing}
        with pytest.raises(helm.HelmRenderError, match="SMTP_HOST and SMTP_FROM are required in production"):
            render(chart, {**REQUIRED_SECRETS, "dispatcher": {"config": config}})
    outside_production = {
        **REQUIRED_SECRETS,
        "dispatcher": {"config": {}},
        "config": {"ENVIRONMENT": "development"},
    }
    render(chart, outside_production)
    render(chart, {**REQUIRED_SECRETS, "dispatcher": {"enabled": False, "config": {}}})


def test_production_refuses_a_mail_server_without_tls(chart):
    """The dispatcher refuses it at start-up (MailSettings); the chart at install time."""
    server = REQUIRED_SECRETS["dispatcher"]["config"]
    plain = {**REQUIRED_SECRETS, "dispatcher": {"config": {**server, "SMTP_STARTTLS": False}}}
    with pytest.raises(helm.HelmRenderError, match="production refuses SMTP without TLS"):
        render(chart, plain)
    implicit = {"SMTP_STARTTLS": False, "SMTP_TLS": True, "SMTP_PORT": 465}
    render(chart, {**REQUIRED_SECRETS, "dispatcher": {"config": {**server, **implicit}}})
    render(chart, {**plain, "config": {"ENVIRONMENT": "development"}})


@pytest.mark.parametrize("scale_out", [{"replicaCount": 2}, {"autoscaling": {"enabled": True}}])
def test_several_replicas_need_shared_rate_limit_counters(chart, scale_out):
    values = merge(REQUIRED_SECRETS, scale_out)
    with pytest.raises(helm.HelmRenderError, match="rateLimitStorageUri"):
        render(chart, values)
    with pytest.raises(helm.HelmRenderError, match="rateLimitStorageUri"):
        render(chart, merge(values, {"secrets": {"rateLimitStorageUri": "memory://"}}))
    render(chart, merge(values, {"secrets": {"rateLimitStorageUri": "redis://:pw@redis:6379/0"}}))
    render(chart, merge(values, {"config": {"RATE_LIMIT_ENABLED": False}}))


def test_with_an_existing_secret_several_replicas_make_its_redis_url_mandatory(production_render):
    env = {e["name"]: e for e in pod_spec(production_render.one("Deployment"))["containers"][0]["env"]}
    assert env["RATE_LIMIT_STORAGE_URI"]["valueFrom"]["secretKeyRef"]["optional"] is False


def test_a_grace_period_shorter_than_the_shutdown_is_refused(chart):
    with pytest.raises(helm.HelmRenderError, match="terminationGracePeriodSeconds"):
        render(chart, merge(REQUIRED_SECRETS, {"terminationGracePeriodSeconds": 10}))


def test_a_changed_setting_rolls_the_pods(chart, default_render):
    changed = render(chart, merge(REQUIRED_SECRETS, {"config": {"LOG_LEVEL": "DEBUG"}}))

    def checksum(rendered: Rendered) -> str:
        return rendered.one("Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    assert checksum(changed) != checksum(default_render)


# ---------------------------------------------------------------- pods


def test_every_pod_meets_the_restricted_pod_security_profile(rendered):
    for manifest in rendered.manifests:
        if manifest["kind"] not in WORKLOADS:
            continue
        pod = pod_spec(manifest)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert TMP_MOUNT in container["volumeMounts"]
            assert container["resources"].keys() == {"limits", "requests"}


def test_pods_are_spread_across_nodes(rendered):
    spread = pod_spec(rendered.one("Deployment"))["topologySpreadConstraints"]
    assert "kubernetes.io/hostname" in {c["topologyKey"] for c in spread}


# ---------------------------------------------------------------- the migration hook


def test_the_migration_hook_depends_on_no_ordinary_resource(rendered):
    """Hooks run before the release's ordinary resources exist: the Job may read only a hook
    Secret of lower weight, or a Secret made before the install (secrets.existingSecret)."""
    resources = {(m["kind"], m["metadata"]["name"]): m for m in rendered.manifests}
    job = rendered.one("Job")
    annotations = job["metadata"]["annotations"]
    assert annotations[HOOK] == "pre-install,pre-upgrade"
    pod = pod_spec(job)
    assert pod.get("serviceAccountName", "default") == "default"
    refs = [e["valueFrom"]["secretKeyRef"] for e in pod["containers"][0]["env"] if "valueFrom" in e]
    assert [ref["key"] for ref in refs] == ["MIGRATIONS_DATABASE_URL"]
    secret = resources.get(("Secret", refs[0]["name"]))
    if secret is not None:  # else made beforehand
        assert HOOK in secret["metadata"]["annotations"], "an ordinary Secret does not exist yet"
        assert int(secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
            annotations["helm.sh/hook-weight"]
        )


def test_the_serving_pods_never_see_the_owner_credentials(rendered):
    deployment = rendered.one("Deployment")
    assert "MIGRATIONS_DATABASE_URL" not in yaml.safe_dump(deployment)
    for secret in rendered.all("Secret"):
        if HOOK not in secret["metadata"].get("annotations", {}):
            assert "MIGRATIONS_DATABASE_URL" not in secret["stringData"]


def test_helm_test_calls_readyz_through_the_service(rendered):
    pod = rendered.one("Pod")
    assert pod["metadata"]["annotations"][HOOK] == "test"
    service = rendered.one("Service")
    assert f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}/readyz" in str(pod)


# ---------------------------------------------------------------- monitoring, from one source


def test_the_chart_reads_the_rules_and_the_dashboard_from_deploy_itself():
    """Symlinks, which Helm follows: one file each, for promtool, Grafana and the chart."""
    assert (CHART_DIR / "files" / "todo-api-alerts.yml").resolve() == RULES.resolve()
    assert (CHART_DIR / "files" / "todo-api-dashboard.json").resolve() == DASHBOARD.resolve()


def test_prometheus_rule_and_dashboard_carry_the_deploy_files(production_render):
    rule = production_render.one("PrometheusRule")
    assert rule["spec"] == yaml.safe_load(RULES.read_text())
    dashboards = [
        m for m in production_render.all("ConfigMap") if m["metadata"]["labels"].get("grafana_dashboard")
    ]
    assert [d["metadata"]["labels"]["grafana_dashboard"] for d in dashboards] == ["1"]
    assert json.loads(dashboards[0]["data"]["todo-api-dashboard.json"]) == json.loads(DASHBOARD.read_text())


def test_scrapes_are_labelled_with_the_job_the_rules_select(production_render):
    endpoint = production_render.one("ServiceMonitor")["spec"]["endpoints"][0]
    assert {"action": "replace", "targetLabel": "job", "replacement": JOB} in endpoint["relabelings"]
    assert f'job="{JOB}"' in RULES.read_text()


def test_service_monitor_selects_the_service(production_render):
    monitor = production_render.one("ServiceMonitor")["spec"]
    service = production_render.one("Service")
    assert monitor["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    assert monitor["namespaceSelector"]["matchNames"] == [service["metadata"]["namespace"]]


def test_monitoring_resources_are_off_by_default(default_render):
    kinds = {m["kind"] for m in default_render.manifests}
    assert not kinds & {
        "ServiceMonitor",
        "PrometheusRule",
        "NetworkPolicy",
        "Ingress",
        "HorizontalPodAutoscaler",
    }


# ---------------------------------------------------------------- network policy


def test_network_policy_admits_only_the_ingress_controller_prometheus_and_the_helm_test(production_render):
    policy = production_render.one("NetworkPolicy")["spec"]
    sources = {
        (
            peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name"),
            port["port"],
        )
        for rule in policy["ingress"]
        for peer in rule["from"]
        for port in rule["ports"]
    }
    assert sources == {("ingress-nginx", "http"), (None, "http"), ("monitoring", "metrics")}
    egress_ports = {port["port"] for rule in policy["egress"] for port in rule["ports"]}
    assert egress_ports == {53, 5432, 6379, 4318}  # DNS, PostgreSQL, Redis, OTLP/HTTP
