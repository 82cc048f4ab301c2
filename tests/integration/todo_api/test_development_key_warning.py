"""Outside production the published development key is accepted, and every start says so."""

from __future__ import annotations

import json
import secrets

import pytest
from pydantic import SecretStr

from todo_api.core.config import Settings
from todo_api.main import create_app


async def start_up_warnings(settings: Settings, capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    app = create_app(settings.model_copy(update={"log_format": "json"}))
    async with app.router.lifespan_context(app):
        pass
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    return [line for line in lines if line["event"] == "development_secret_in_use"]


async def test_the_development_key_is_announced_at_start_up(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    warnings = await start_up_warnings(settings, capsys)
    assert [(warning["level"], warning["setting"]) for warning in warnings] == [
        ("warning", "SECRET_KEY"),
        ("warning", "DATA_ENCRYPTION_KEY"),
    ]


async def test_a_key_of_ones_own_is_not(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    own_key = settings.model_copy(
        update={
            "secret_key": SecretStr(secrets.token_hex(32)),
            "data_encryption_key": SecretStr(secrets.token_hex(32)),
        }
    )
    assert await start_up_warnings(own_key, capsys) == []
