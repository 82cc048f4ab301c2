from __future__ import annotations

import pytest
from pydantic import ValidationError

from platform_common.observability.settings import ObservabilitySettings


class ServiceSettings(ObservabilitySettings):
    """How a service uses it: in place of ``PlatformSettings``."""

    service_name: str = "svc"


def test_defaults_keep_metrics_off_the_public_interface(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("METRICS_ENABLED", "METRICS_HOST", "METRICS_PORT", "TRACING_ENABLED"):
        monkeypatch.delenv(name, raising=False)
    settings = ServiceSettings()
    assert (settings.metrics_enabled, settings.metrics_host, settings.metrics_port) == (
        True,
        "127.0.0.1",
        9100,
    )
    assert settings.tracing_enabled


def test_environment_variables_configure_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_PORT", "9464")
    monkeypatch.setenv("METRICS_ENABLED", "false")
    monkeypatch.setenv("TRACING_ENABLED", "0")
    settings = ServiceSettings()
    assert (settings.metrics_port, settings.metrics_enabled, settings.tracing_enabled) == (9464, False, False)


@pytest.mark.parametrize("port", [-1, 65536])
def test_port_out_of_range_is_refused(port: int) -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(metrics_port=port)


def test_the_platform_model_config_survives() -> None:
    """Frozen and tolerant of unknown variables, like every ``PlatformSettings``."""
    settings = ServiceSettings(unknown_field="x")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        settings.metrics_port = 1  # type: ignore[misc]
