"""The committed openapi.json is the app's spec: every API change shows up in review."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The envelope, and its extension with RFC 6749 §5.2's members (the OAuth token endpoint).
ENVELOPES = {"#/components/schemas/ErrorEnvelope", "#/components/schemas/OAuthErrorEnvelope"}


def test_committed_spec_matches_the_app() -> None:
    check = subprocess.run(  # our own script
        [sys.executable, "tools/export_openapi.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_every_operation_is_named_tagged_and_summarised() -> None:
    spec = json.loads((ROOT / "openapi.json").read_text())
    operation_ids = []
    for operations in spec["paths"].values():
        for operation in operations.values():
            operation_ids.append(operation["operationId"])
            assert operation["tags"], operation["operationId"]
            assert operation["summary"], operation["operationId"]
            for status, response in operation["responses"].items():
                if status[0] in "45":
                    assert response["content"]["application/json"]["schema"]["$ref"] in ENVELOPES, (
                        operation["operationId"],
                        status,
                    )
    assert len(operation_ids) == len(set(operation_ids))
    assert spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"]
