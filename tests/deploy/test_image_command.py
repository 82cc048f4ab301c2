"""The image's serve command builds the production uvicorn command line from the environment."""

from __future__ import annotations

import click
import pytest
from uvicorn.main import main as uvicorn_cli

from tests.deploy.image_command import serve


def test_trusted_proxies_become_uvicorns_forwarded_allow_ips():
    assert serve.forwarded_allow_ips('["10.0.0.0/8", "192.168.1.7"]') == "10.0.0.0/8,192.168.1.7"
    assert serve.forwarded_allow_ips(None) == serve.forwarded_allow_ips("[]") == "127.0.0.1,::1"


@pytest.mark.parametrize("bad", ["10.0.0.0/8", '{"a": 1}', "[1]"])
def test_a_malformed_proxy_list_stops_the_start(bad):
    with pytest.raises(SystemExit, match="TRUSTED_PROXIES"):
        serve.forwarded_allow_ips(bad)


def test_the_command_is_one_uvicorn_understands():
    command = serve.uvicorn_command({"PORT": "8080", "TRUSTED_PROXIES": '["10.0.0.0/8"]'})
    assert command[1:4] == ["-m", "uvicorn", "todo_api.main:create_app"]
    context = uvicorn_cli.make_context("uvicorn", command[3:])
    assert isinstance(context, click.Context)
    params = context.params
    assert (params["factory"], params["proxy_headers"], params["access_log"]) == (True, True, False)
    assert (params["host"], params["port"]) == ("0.0.0.0", 8080)  # noqa: S104  # in its container
    assert params["forwarded_allow_ips"] == "10.0.0.0/8"
    assert params["timeout_graceful_shutdown"] == serve.GRACEFUL_SHUTDOWN_SECONDS
    assert params["lifespan"] == "on"
