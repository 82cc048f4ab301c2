"""E-mail addresses: one normal form, wherever an address enters.

Sign-up, a new member, login and the login's per-account rate limit all go through
``normalize_email``, so an address has one spelling in the database, in the lookup and in
the limiter's key: ``P1@XN--BCHER-KVA.example``, ``p1@bücher.example`` and the NFD spelling
of the same characters are one account, counted as one.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field

# RFC 5321's limit on a path (4.5.3.1.3), which email-validator applies in UTF-8 octets.
MAX_EMAIL_LENGTH = 254
# What the server accepts, as far as a pattern can say it (the same in JSON Schema's dialect
# and the server's): one @, no quoted local part ("), no IP-literal domain ([...]), and a
# dotted domain whose last character is a letter (an ASCII letter or any non-ASCII one).
_ADDRESS_CHARACTER = r'[^@"\[\]\\]'
_LETTER = r"[^\x00-\x40\x5b-\x60\x7b-\x7f]"
EMAIL_PATTERN = rf"^{_ADDRESS_CHARACTER}+@{_ADDRESS_CHARACTER}+\.{_ADDRESS_CHARACTER}*{_LETTER}$"


def normalize_email(address: str) -> str:
    """The one spelling of ``address``: email-validator's normal form (local part in NFC,
    domain in Unicode, so ``xn--bcher-kva`` is ``bücher``), lower-cased so that uniqueness
    ignores case. ``ValueError`` for anything that is not an address the service accepts
    (quoted local parts, IP-literal domains, a local part over 64 characters, ...).

    Syntax only: deliverability is the sign-up flow's business. ``test_environment`` lets
    ``.test`` addresses through (staging, tests); the other special-use names (``.local``,
    ``.localhost``, ``.invalid``, ``.onion``, ``.arpa``) cannot receive mail and stay
    refused. Options per call: the library's module-level lists are left as every other
    user of it expects them."""
    try:
        checked = validate_email(address, check_deliverability=False, strict=True, test_environment=True)
    except EmailNotValidError as exc:
        raise ValueError(f"value is not a valid email address: {exc}") from exc
    return unicodedata.normalize("NFC", checked.normalized.lower())


def login_email(username: str) -> str:
    """The account a login form names, in the one spelling (the lookup and the per-account
    rate-limit key both use it). What is not an address has no account; it keeps a spelling
    of its own (NFC, lower-case), so its attempts are still counted, and fail like any other."""
    try:
        return normalize_email(username)
    except ValueError:
        return unicodedata.normalize("NFC", username.lower())


Email = Annotated[
    str,
    Field(
        max_length=MAX_EMAIL_LENGTH,
        pattern=EMAIL_PATTERN,
        json_schema_extra={"format": "idn-email"},
        description=(
            f"An address of RFC 6531 (Unicode allowed), at most {MAX_EMAIL_LENGTH} octets in UTF-8,"
            " with a local part of at most 64; no quoted local part, no IP-literal domain."
            " Stored and compared in one normal form (NFC, Unicode domain, lower case)."
        ),
        examples=["ada@example.com"],
    ),
    AfterValidator(normalize_email),
]
