"""Debian packages the tests and tools run as real parts (PgBouncer, HAProxy, wrk): installed
when missing, as ``.ci/run`` installs Prometheus, so a fresh machine runs the same tests and
benchmark. Here in tools/ because the tools may not import the tests, and both need it."""

from __future__ import annotations

import os
import shutil
import subprocess


def ensure_command(command: str, *, package: str) -> str:
    """The path of ``command``, installing Debian's ``package`` first when it is missing."""
    found = shutil.which(command) or shutil.which(command, path="/usr/sbin:/usr/bin")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(f"{command} is missing: apt-get install {package} (as root)")
    subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL, check=True)  # noqa: S607  # fixed arguments
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],  # noqa: S607
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
        check=True,
    )
    found = shutil.which(command, path="/usr/sbin:/usr/bin")
    if not found:
        raise RuntimeError(f"installing {package} did not provide {command}")
    return found
