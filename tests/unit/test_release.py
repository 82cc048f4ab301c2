"""Release basics: one version everywhere, an Apache-2.0 licence, a Keep a Changelog file."""

from __future__ import annotations

import json
import re
from importlib.metadata import metadata, version
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
VERSION = (ROOT / "VERSION").read_text().strip()
PACKAGES = ("platform-common", "todo-api", "todo-client")


def test_the_version_file_holds_one_pep_440_version() -> None:
    assert (ROOT / "VERSION").read_text() == f"{VERSION}\n"
    assert str(Version(VERSION)) == VERSION


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_carries_the_version_and_the_licence(package: str) -> None:
    assert version(package) == VERSION
    assert metadata(package)["License-Expression"] == "Apache-2.0"


def test_the_api_spec_and_the_chart_carry_the_version() -> None:
    import todo_api

    assert todo_api.__version__ == VERSION  # create_app passes it as the OpenAPI info.version
    assert json.loads((ROOT / "openapi.json").read_text())["info"]["version"] == VERSION
    chart = yaml.safe_load((ROOT / "deploy" / "helm" / "todo-api" / "Chart.yaml").read_text())
    assert chart["appVersion"] == VERSION  # the default image tag


def test_the_image_label_is_built_from_the_version_file() -> None:
    """The Dockerfile refuses a VERSION build argument that is not the file's, and the build
    script passes the file's; tests/deploy/test_image.py reads the label off a built image."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile
    assert 'test "${VERSION}" = "$(cat VERSION)"' in dockerfile
    assert '--build-arg VERSION="$(tr -d' in (ROOT / "tools" / "image" / "build.sh").read_text()


def test_the_licence_is_the_full_apache_2_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text.splitlines()[1]
    assert "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text
    assert len(re.findall(r"^\s+\d\. [A-Z]", text, re.MULTILINE)) == 9  # sections 1..9


def test_the_changelog_keeps_a_changelog() -> None:
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n")
    assert "keepachangelog.com/en/1.1.0" in text
    headings = re.findall(r"^## \[(.+?)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.MULTILINE)
    assert headings[0] == ("Unreleased", "")
    released = [Version(name) for name, _ in headings[1:]]
    assert released == sorted(released, reverse=True), "newest release first"
    assert str(released[0]) == VERSION, "the current version has its section"
    assert all(date for _, date in headings[1:])
    kinds = set(re.findall(r"^### (.+)$", text, re.MULTILINE))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
