"""Signatures a receiver verifies with the Standard Webhooks reference library."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from platform_common.webhooks.signing import new_secret, signed_headers


def test_a_signed_message_verifies_with_the_standard_library() -> None:
    secret, body = new_secret(), b'{"type": "task.created"}'
    headers = signed_headers([secret], "evt_1", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "task.created"}


def test_during_a_rotation_either_secret_verifies() -> None:
    new, old, body = new_secret(), new_secret(), b"{}"
    headers = signed_headers([new, old], "evt_2", int(time.time()), body)
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)


@pytest.mark.parametrize("tamper", ["body", "id", "secret"])
def test_anything_changed_fails_verification(tamper: str) -> None:
    secret, body = new_secret(), b'{"n": 1}'
    headers = signed_headers([secret], "evt_3", int(time.time()), body)
    if tamper == "body":
        body = b'{"n": 2}'
    elif tamper == "id":
        headers["webhook-id"] = "evt_4"
    else:
        secret = new_secret()
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_secrets_are_random_and_in_the_whsec_format() -> None:
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(first) == len("whsec_") + 44  # base64 of 32 bytes
