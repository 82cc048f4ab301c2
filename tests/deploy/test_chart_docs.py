"""The chart README's values table is generated from values.yaml and kept in step with it."""

from __future__ import annotations

import json
import subprocess
import sys

import yaml
from tools.chart_values_table import rows, table, with_table

from tests.deploy.chart import CHART_DIR, ROOT

VALUES_TEXT = (CHART_DIR / "values.yaml").read_text()


def test_the_readme_table_is_what_values_yaml_generates() -> None:
    check = subprocess.run(  # our own script
        [sys.executable, "tools/chart_values_table.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_changed_comment_or_default_makes_the_table_stale() -> None:
    readme = (CHART_DIR / "README.md").read_text()
    changed = VALUES_TEXT.replace("tmpSizeLimit: 64Mi", "tmpSizeLimit: 128Mi")
    assert with_table(readme, table(changed)) != readme


def test_every_top_level_value_is_documented_and_in_the_schema() -> None:
    values = yaml.safe_load(VALUES_TEXT)
    documented = {key.split(".")[0] for key, *_ in rows(VALUES_TEXT)}
    assert documented == set(values)
    schema = json.loads((CHART_DIR / "values.schema.json").read_text())
    assert set(schema["properties"]) == set(values)


def test_defaults_and_descriptions_come_from_the_file() -> None:
    found = {key: (kind, default, description) for key, kind, default, description in rows(VALUES_TEXT)}
    assert found["image.registry"][:2] == ("string", '`""`')
    assert "global.imageRegistry wins" in found["image.registry"][2]
    assert found["image.tag"][2] == "default: the chart's appVersion"  # an end-of-line comment
    assert found["ingress.paths"][1] == '`[{"path": "/", "pathType": "Prefix"}]`'
    assert found["resources.requests"][1] == '`{"cpu": "250m", "memory": "256Mi"}`'  # an inline mapping
