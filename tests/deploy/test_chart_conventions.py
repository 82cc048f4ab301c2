"""The conventions of widely used charts, option by option: each changes what it should.
(ci/conventions-values.yaml and ci/openshift-values.yaml also go through the lint, the
Kubernetes validation and checkov in test_chart.py.)"""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest

from tests.deploy.chart import REQUIRED_SECRETS, WORKLOADS, Rendered, merge, pod_spec, render

DIGEST = "sha256:" + "0" * 64


def api_container(rendered: Rendered) -> dict[str, Any]:
    [container] = [c for c in pod_spec(rendered.one("Deployment"))["containers"] if c["name"] == "api"]
    return container


def pods(rendered: Rendered) -> list[dict[str, Any]]:
    return [pod_spec(m) for m in rendered.manifests if m["kind"] in WORKLOADS]


def chart_images(rendered: Rendered) -> set[str]:
    return {
        c["image"]
        for pod in pods(rendered)
        for c in pod["containers"]
        if c["name"] in {"api", "migrate", "readyz", "purge"}
    }


@pytest.mark.parametrize(
    ("image", "global_values", "expected"),
    [
        ({}, {}, "todo-api:0.2.0"),
        ({"registry": "registry.example.com"}, {}, "registry.example.com/todo-api:0.2.0"),
        (
            {"registry": "registry.example.com"},
            {"imageRegistry": "mirror.example.com:5000"},
            "mirror.example.com:5000/todo-api:0.2.0",
        ),
        (
            {"registry": "registry.example.com", "digest": DIGEST},
            {},
            f"registry.example.com/todo-api@{DIGEST}",
        ),
    ],
)
def test_image_registry_and_the_global_one(chart, image, global_values, expected) -> None:
    rendered = render(chart, merge(REQUIRED_SECRETS, {"image": image, "global": global_values}))
    assert chart_images(rendered) == {expected}  # the API, the migration Job, the purge and the helm test


def test_extra_environment_volumes_init_containers_and_sidecars(conventions_render) -> None:
    pod = pod_spec(conventions_render.one("Deployment"))
    api = api_container(conventions_render)
    env = {e["name"]: e for e in api["env"]}
    assert env["HTTP_PROXY"]["value"] == "http://proxy.example.com:3128"
    assert env["POD_NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert "DATABASE_URL" in env  # the chart's own stay
    assert {"secretRef": {"name": "todo-api-extra"}} in api["envFrom"]
    assert {"name": "ca-bundle", "configMap": {"name": "corporate-ca"}} in pod["volumes"]
    assert {"name": "ca-bundle", "mountPath": "/etc/ssl/corporate", "readOnly": True} in api["volumeMounts"]
    assert [c["name"] for c in pod["initContainers"]] == ["wait-for-db"]
    assert [c["name"] for c in pod["containers"]] == ["api", "log-shipper"]


def test_extras_are_off_by_default(default_render) -> None:
    pod = pod_spec(default_render.one("Deployment"))
    assert "initContainers" not in pod
    assert [c["name"] for c in pod["containers"]] == ["api"]
    assert [v["name"] for v in pod["volumes"]] == ["tmp"]
    assert len(api_container(default_render)["envFrom"]) == 1


def test_security_contexts_can_be_changed_or_left_out(chart, conventions_render) -> None:
    pod = pod_spec(conventions_render.one("Deployment"))
    assert pod["securityContext"]["fsGroup"] == 20001
    assert pod["securityContext"]["supplementalGroups"] == [30001]
    assert api_container(conventions_render)["securityContext"]["runAsGroup"] == 20001
    without = render(chart, merge(REQUIRED_SECRETS, {"podSecurityContext": {"enabled": False}}))
    assert all(pod["securityContext"] == {} for pod in pods(without))
    unset = render(chart, merge(REQUIRED_SECRETS, {"containerSecurityContext": {"runAsUser": None}}))
    assert "runAsUser" not in api_container(unset)["securityContext"]  # null leaves one field out
    assert api_container(unset)["securityContext"]["runAsNonRoot"] is True


def test_openshift_leaves_the_uid_gid_and_fs_group_to_the_cluster(openshift_render, default_render) -> None:
    for pod in pods(openshift_render):
        assert not {"runAsUser", "runAsGroup", "fsGroup"} & pod["securityContext"].keys()
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert not {"runAsUser", "runAsGroup"} & container["securityContext"].keys()
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
    # auto (the default) adapts only where the cluster serves security.openshift.io/v1
    assert pod_spec(default_render.one("Deployment"))["securityContext"]["runAsUser"] == 10001


def test_probes_are_tunable_replaceable_and_optional(conventions_render, default_render) -> None:
    api = api_container(conventions_render)
    assert "startupProbe" not in api  # enabled: false
    assert (api["livenessProbe"]["periodSeconds"], api["livenessProbe"]["failureThreshold"]) == (20, 6)
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert api["readinessProbe"] == {
        "httpGet": {
            "path": "/readyz",
            "port": "http",
            "httpHeaders": [{"name": "Host", "value": "localhost"}],
        },
        "periodSeconds": 3,
    }
    default = api_container(default_render)
    assert default["startupProbe"]["failureThreshold"] == 30
    assert default["readinessProbe"]["httpGet"]["path"] == "/readyz"


def test_ingress_class_paths_and_tls(conventions_render) -> None:
    spec = conventions_render.one("Ingress")["spec"]
    assert spec["ingressClassName"] == "nginx"
    [rule] = spec["rules"]
    assert [(p["path"], p["pathType"]) for p in rule["http"]["paths"]] == [
        ("/api", "Prefix"),
        ("/healthz", "Exact"),
    ]
    assert spec["tls"] == [{"secretName": "todo-api-tls", "hosts": ["api.example.com"]}]


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"image": {"registry": "https://registry.example.com"}}, "/image/registry"),
        (
            {"global": {"compatibility": {"openshift": {"adaptSecurityContext": "yes"}}}},
            "adaptSecurityContext",
        ),
        ({"podSecurityContext": {"runAsUsr": 1}}, "additional properties 'runAsUsr' not allowed"),
        ({"livenessProbe": {"periodSecond": 5}}, "additional properties 'periodSecond' not allowed"),
        ({"extraEnvVars": [{"value": "no name"}]}, "/extraEnvVars/0"),
        ({"ingress": {"paths": [{"path": "api", "pathType": "Prefix"}]}}, "/ingress/paths/0/path"),
        ({"sidecars": [{"name": "no-image"}]}, "/sidecars/0"),
    ],
)
def test_the_schema_refuses_malformed_convention_values(chart, override, complaint) -> None:
    with pytest.raises(helm.HelmValuesError, match=complaint):
        render(chart, merge(REQUIRED_SECRETS, override))
