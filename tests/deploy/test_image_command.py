"""The image's serve command builds the production uvicorn command line from the environment,
and every other way of starting the service uses it."""

from __future__ import annotations

import re
from pathlib import Path

import click
from uvicorn.main import main as uvicorn_cli

from tests.deploy.chart import ROOT
from tests.deploy.image_command import SERVE_PY, serve


def test_the_command_is_one_uvicorn_understands():
    command = serve.uvicorn_command({"PORT": "8080"})
    assert command[1:4] == ["-m", "uvicorn", "todo_api.main:create_app"]
    context = uvicorn_cli.make_context("uvicorn", command[3:])
    assert isinstance(context, click.Context)
    params = context.params
    assert (params["factory"], params["access_log"], params["server_header"]) == (True, False, False)
    assert (params["host"], params["port"]) == ("0.0.0.0", 8080)  # noqa: S104  # in its container
    assert params["timeout_graceful_shutdown"] == serve.GRACEFUL_SHUTDOWN_SECONDS
    assert params["lifespan"] == "on"


def test_uvicorn_never_reads_forwarded_headers_the_app_alone_does():
    """uvicorn's default believes X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS); off, the
    app sees the socket peer and applies TRUSTED_PROXIES itself (tests/integration/todo_api/
    test_client_address.py proves it end to end)."""
    command = serve.uvicorn_command({"TRUSTED_PROXIES": '["10.0.0.0/8"]', "FORWARDED_ALLOW_IPS": "*"})
    params = uvicorn_cli.make_context("uvicorn", command[3:]).params
    assert params["proxy_headers"] is False
    assert params["forwarded_allow_ips"] is None
    assert command == serve.uvicorn_command({})  # nothing proxy-related comes from the environment


def test_every_launcher_builds_its_command_through_the_image_command():
    """The dev server, the benchmark, the fuzzer and the suite's service processes: a command
    line spelled out anywhere else could turn uvicorn's proxy handling back on."""
    spelled_out = re.compile(r"""["']-m["'],\s*["']uvicorn["']|uvicorn\.run\(""")
    checks_the_command = {SERVE_PY, ROOT / "tests/deploy/test_image.py", Path(__file__)}
    launchers = [
        path.relative_to(ROOT)
        for folder in ("tools", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if path not in checks_the_command and spelled_out.search(path.read_text())
    ]
    assert launchers == []
