"""Dispatcher settings: its own database URL, the platform's rules for secrets and targets."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from dispatcher.config import STANDARD_RETRY_SCHEDULE, DispatcherSettings

URL = "postgresql://todo_app@db.internal:5432/todo"


def test_the_database_url_is_dispatcher_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://pooler.internal:6432/todo")
    monkeypatch.setenv("DISPATCHER_DATABASE_URL", URL)
    settings = DispatcherSettings()
    assert settings.database_url == URL
    assert settings.webhook_retry_schedule_seconds == STANDARD_RETRY_SCHEDULE


def test_without_dispatcher_database_url_it_does_not_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPATCHER_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", URL)
    with pytest.raises(ValidationError, match="DISPATCHER_DATABASE_URL"):
        DispatcherSettings()


@pytest.mark.parametrize(
    ("values", "refused"),
    [
        ({}, "DATA_ENCRYPTION_KEY is a known default"),
        (
            {
                "DATA_ENCRYPTION_KEY": secrets.token_hex(32),
                "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
                "SMTP_HOST": "smtp.example.com",
                "SMTP_FROM": "todo@example.com",
            },
            "refused in production",
        ),
    ],
)
def test_production_holds_the_dispatcher_to_the_platform_rules(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], refused: str
) -> None:
    monkeypatch.setenv("DISPATCHER_DATABASE_URL", URL)
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=refused):
        DispatcherSettings()


def test_negative_retry_delays_are_refused() -> None:
    with pytest.raises(ValidationError, match="cannot be negative"):
        DispatcherSettings(DISPATCHER_DATABASE_URL=URL, webhook_retry_schedule_seconds=[1, -1])


def test_the_api_pooler_setting_does_not_reach_the_direct_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPATCHER_DATABASE_URL", URL)
    monkeypatch.setenv("DATABASE_POOLER", "transaction")
    settings = DispatcherSettings()
    assert settings.database_pooler == "none"
    assert settings.statement_cache_size == settings.database_statement_cache_size > 0


SMTP = {
    "DATA_ENCRYPTION_KEY": secrets.token_hex(32),
    "SMTP_HOST": "smtp.example.com",
    "SMTP_FROM": "todo@example.com",
}


@pytest.mark.parametrize(
    ("values", "refused"),
    [
        ({"SMTP_HOST": ""}, "SMTP_HOST and SMTP_FROM must be set in production"),
        ({"SMTP_FROM": ""}, "SMTP_HOST and SMTP_FROM must be set in production"),
        ({"SMTP_STARTTLS": "false"}, "production refuses SMTP without TLS"),
        ({"SMTP_USERNAME": "todo"}, "SMTP_USERNAME and SMTP_PASSWORD go together"),
        ({"SMTP_FROM": "Todo <todo@example.com>"}, "SMTP_FROM must be one bare address"),
    ],
)
def test_production_refuses_a_missing_or_unsafe_mail_server(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], refused: str
) -> None:
    monkeypatch.setenv("DISPATCHER_DATABASE_URL", URL)
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in {**SMTP, **values}.items():
        if value:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=refused):
        DispatcherSettings()


@pytest.mark.parametrize(
    ("values", "port", "starttls"),
    [
        ({}, 587, True),
        ({"SMTP_TLS": "true"}, 465, False),
        ({"SMTP_TLS": "true", "SMTP_PORT": "2465"}, 2465, False),
    ],
)
def test_production_accepts_a_server_over_tls(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], port: int, starttls: bool
) -> None:
    monkeypatch.setenv("DISPATCHER_DATABASE_URL", URL)
    monkeypatch.setenv("ENVIRONMENT", "production")
    for name, value in {
        **SMTP,
        "SMTP_USERNAME": "todo",
        "SMTP_PASSWORD": "provider-issued",
        **values,
    }.items():
        monkeypatch.setenv(name, value)
    settings = DispatcherSettings()
    assert (settings.port, settings.starttls, settings.sender) == (port, starttls, "todo@example.com")
    assert "provider-issued" not in repr(settings)
