"""Schemathesis hooks: a bearer token that survives the fuzzer's own ``/auth/logout`` calls.

Logout revokes the access token it is called with, and the fuzzer calls it, so a fixed
``Authorization`` header would turn every later request into a 401 and test nothing. This
provider logs in as FUZZ_EMAIL / FUZZ_PASSWORD at FUZZ_BASE_URL and, on a 401, logs in
again (schemathesis refetches on 401). Loaded by ``task fuzz`` through SCHEMATHESIS_HOOKS.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis
from schemathesis import AuthContext, Case


@schemathesis.auth()
class FreshBearerToken:
    def get(self, case: Case[Any], ctx: AuthContext) -> str:
        response = httpx.post(
            f"{os.environ['FUZZ_BASE_URL']}/api/v1/auth/token",
            data={"username": os.environ["FUZZ_EMAIL"], "password": os.environ["FUZZ_PASSWORD"]},
        )
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def set(self, case: Case[Any], data: str, ctx: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"
