"""The Helm chart rendered by a real Helm engine (helm-python-sdk: no helm binary needed).

Also ``./tools/task chart -- [VALUES.yaml ...]``: prints the manifests, like ``helm template``.
"""

from __future__ import annotations

import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART_DIR = ROOT / "deploy" / "helm" / "todo-api"
PRODUCTION_VALUES = CHART_DIR / "ci" / "production-values.yaml"
RELEASE = "todo"
NAMESPACE = "todo"

# What an install must give besides the defaults (the chart refuses to render without it).
REQUIRED_SECRETS: dict[str, Any] = {
    "secrets": {
        "databaseUrl": "postgresql://todo_app:app-password@db.example.com:5432/todo",
        "migrationsDatabaseUrl": "postgresql://todo_owner:owner-password@db.example.com:5432/todo",
        "secretKey": secrets.token_hex(32),  # production refuses anything less random
        "dataEncryptionKey": secrets.token_hex(32),
    },
    # Not secrets, but required as well: in production the dispatcher sends e-mail.
    "dispatcher": {"config": {"SMTP_HOST": "smtp.example.com", "SMTP_FROM": "todo@example.com"}},
    # ... and e-mailed links need the web app's address.
    "config": {"PUBLIC_BASE_URL": "https://app.example.com"},
}

Manifest = dict[str, Any]


def load_values(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    return loaded


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge, as Helm merges several values files."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass(frozen=True)
class Rendered:
    manifests: list[Manifest]
    notes: str

    def all(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m["kind"] == kind]

    def one(
        self, kind: str, name: str | None = None, *, dispatcher: bool = False, purge: bool = False
    ) -> Manifest:
        """The one manifest of ``kind`` (and ``name``). The chart deploys three workloads, so a
        kind alone means the API's side; ``dispatcher=True`` asks for the dispatcher's,
        ``purge=True`` for the purge's."""
        side = "dispatcher" if dispatcher else "purge" if purge else None
        found = [
            m
            for m in self.all(kind)
            if (name is None or m["metadata"]["name"] == name) and component(m) == side
        ]
        assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
        return found[0]

    def to_yaml(self) -> str:
        return yaml.safe_dump_all(self.manifests, sort_keys=False)


def render(chart: helm.Chart, values: Mapping[str, Any]) -> Rendered:
    """Render and parse every document: the engine does not check that its output is YAML."""
    templates = chart.render(values=dict(values), name=RELEASE, namespace=NAMESPACE)
    manifests: list[Manifest] = []
    notes = ""
    for template, text in sorted(templates.items()):
        if template.endswith("NOTES.txt"):
            notes = text
            continue
        for document in yaml.safe_load_all(text):
            if document:  # a disabled template renders to nothing
                manifests.append(document)
    return Rendered(manifests, notes)


def lint(values: Mapping[str, Any], *, kube_version: str | None = None) -> list[str]:
    """``helm lint --strict``'s errors (warnings count as errors in strict mode)."""
    report = helm.lint(CHART_DIR, dict(values), strict=True, namespace=NAMESPACE, kube_version=kube_version)
    return [f"{m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2]


def component(manifest: Manifest) -> str | None:
    """``dispatcher`` or ``purge`` for their objects; None for the API's and the release's."""
    labels = manifest["metadata"].get("labels") or {}
    name = labels.get("app.kubernetes.io/component")
    return name if name in {"dispatcher", "purge"} else None


WORKLOADS = {"Deployment", "Job", "CronJob", "Pod"}


def container_environment(
    rendered: Rendered, container: Manifest, existing: Mapping[str, str]
) -> dict[str, str]:
    """A container's variables as the kubelet would set them: its ConfigMaps, then its own
    variables, a secret's read from the chart's Secrets or else ``existing`` (a Secret made
    beforehand); an optional key that is absent is left out."""
    configmaps = {m["metadata"]["name"]: m["data"] for m in rendered.all("ConfigMap")}
    made = {m["metadata"]["name"]: m["stringData"] for m in rendered.all("Secret")}
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(configmaps[source["configMapRef"]["name"]])
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
            continue
        ref = variable["valueFrom"]["secretKeyRef"]
        value = made.get(ref["name"], existing).get(ref["key"])
        if value is not None:
            env[variable["name"]] = value
    return env


def pod_spec(manifest: Manifest) -> Manifest:
    """The pod of a Pod, Deployment, Job or CronJob."""
    if manifest["kind"] == "Pod":
        pod: Manifest = manifest["spec"]
        return pod
    workload = manifest["spec"]["jobTemplate"] if manifest["kind"] == "CronJob" else manifest
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def main(paths: list[str]) -> int:
    values: dict[str, Any] = {}
    for path in paths:
        values = merge(values, load_values(Path(path)))
    with helm.Chart.load(CHART_DIR) as chart:
        try:
            rendered = render(chart, values)
        except helm.HelmError as error:  # refused values: the chart's message is the answer
            print(error, file=sys.stderr)
            return 1
    print(rendered.to_yaml(), end="")
    print(rendered.notes, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
