"""Schemathesis hooks: a bearer token that survives the fuzzer ending its own access.

The fuzzer legitimately takes its caller's access away: ``/auth/logout`` revokes the access
token it is called with, and as owner it may promote a user it created and then demote or
deactivate itself (allowed while another active owner remains); a made-up password sent to
``/users/me/password`` or ``/users/me/deletion`` is a 403 that counts toward the lockout,
which ends every session of the account (the password never changes: the fuzzer cannot know
it, so it never deletes its own account; were it gone, the sign-up below takes over; the
only owner is refused deletion with 409 anyway). A fixed ``Authorization``
header would turn every later request into a 401 and test nothing. This provider logs in as
FUZZ_EMAIL / FUZZ_PASSWORD at FUZZ_BASE_URL; when that account can no longer log in, it
signs up a fresh tenant and owner (random password, never the spec's example; verified with
the token of the queued e-mail, read from the outbox at FUZZ_OUTBOX_URL) and carries on as them. Schemathesis refetches on 401. Loaded by ``task fuzz`` through SCHEMATHESIS_HOOKS.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import httpx
import schemathesis
from schemathesis import AuthContext, Case
from tools.mailed_token import verified_signup


@schemathesis.auth()
class FreshBearerToken:
    def __init__(self) -> None:
        self.base_url = os.environ["FUZZ_BASE_URL"]
        self.account = {"username": os.environ["FUZZ_EMAIL"], "password": os.environ["FUZZ_PASSWORD"]}

    def _login(self) -> httpx.Response:
        return httpx.post(f"{self.base_url}/api/v1/auth/token", data=self.account)

    def _sign_up(self) -> None:
        suffix = secrets.token_hex(4)
        email, password = f"fuzz-{suffix}@fuzz.example.com", secrets.token_urlsafe(24)
        body = {"tenant_name": "Fuzz", "tenant_slug": f"fuzz-{suffix}", "email": email, "password": password}
        verified_signup(self.base_url, os.environ["FUZZ_OUTBOX_URL"], body)
        self.account = {"username": email, "password": password}

    def get(self, case: Case[Any], ctx: AuthContext) -> str:
        response = self._login()
        if response.status_code == 400:  # invalid_grant: demoted, deactivated or removed by the fuzzer itself
            self._sign_up()
            response = self._login()
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def set(self, case: Case[Any], data: str, ctx: AuthContext) -> None:
        case.headers["Authorization"] = f"Bearer {data}"
