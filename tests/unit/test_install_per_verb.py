"""./tools/task installs per verb: `run` gets the service and an embedded PostgreSQL, and none
of the test, lint or deploy tools (checkov, boto3, schemathesis, pytest, mypy...)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = shutil.which("uv") or str(ROOT / ".tools" / "bin" / "uv")
TOOLS = {"checkov", "boto3", "schemathesis", "pytest", "mypy", "ruff", "helm-python-sdk", "hypothesis"}


def groups_for(verb: str) -> str:
    """The wrapper's own mapping, run by bash from tools/task."""
    script = f"eval \"$(sed -n '/^groups_for() {{/,/^}}/p' tools/task)\"; groups_for {verb!r}"
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603, S607  # fixed script
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("verb", "groups"),
    [
        ("run", "run"),
        ("openapi", ""),
        ("purge", ""),
        ("fmt", "lint"),
        ("chart", "deploy"),
        ("client", "test lint"),
        ("mutate", "run test mutate"),
        ("test", "all"),
        ("lint", "all"),
        ("image:test", "all"),
        ("", "none"),
    ],
)
def test_each_verb_syncs_the_groups_it_needs(verb: str, groups: str) -> None:
    assert groups_for(verb) == groups


def installed_by(*arguments: str) -> set[str]:
    """Package names uv would install from uv.lock with these arguments."""
    command = [UV, "export", "--frozen", "--all-packages", "--no-hashes", "--no-header", *arguments]
    listed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return {m.group(1).lower() for m in re.finditer(r"^([A-Za-z0-9_.-]+)==", listed, re.MULTILINE)}


def test_run_installs_no_test_lint_or_deploy_tool() -> None:
    run = installed_by("--no-default-groups", "--group", "run")
    assert {"pgserver", "uvicorn", "fastapi", "asyncpg", "sentry-sdk", "fastapi-offline"} <= run
    assert run & TOOLS == set()
    everything = installed_by("--all-groups")
    assert everything >= TOOLS  # what the other verbs bring
    assert len(run) * 2 < len(everything)


def test_only_the_mutate_verb_installs_the_mutation_tool() -> None:
    """`all` (test, lint...) is every group but those only their own verb asks for."""
    script = "eval \"$(grep '^ONLY_ON_REQUEST=' tools/task)\"; echo $ONLY_ON_REQUEST"
    only = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603, S607  # fixed script
    assert only.stdout.split() == ["mutate"]
    assert "cosmic-ray" in installed_by("--no-default-groups", "--group", "mutate")
    assert "cosmic-ray" not in installed_by("--all-groups", "--no-group", "mutate")
    assert "cosmic-ray" not in installed_by()  # a plain `uv sync`: the `dev` group
