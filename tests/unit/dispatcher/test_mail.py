"""Which SMTP failures are worth another attempt: RFC 5321's 4xx and lost connections, not 5xx."""

from __future__ import annotations

import aiosmtplib
import pytest

from dispatcher.mail import Attempt, outcome_of


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            aiosmtplib.SMTPDataError(451, "try again later"),
            Attempt("the SMTP server answered 451 try again later", code=451),
        ),
        (
            aiosmtplib.SMTPDataError(554, "rejected"),
            Attempt("the SMTP server answered 554 rejected", permanent=True, code=554),
        ),
        (
            aiosmtplib.SMTPSenderRefused(550, "no relay", "todo@example.com"),
            Attempt("the SMTP server answered 550 no relay", permanent=True, code=550),
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "unknown", "a@example.com")]
            ),
            Attempt("recipient refused: 550 unknown", permanent=True, code=550),
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "a@example.com")]
            ),
            Attempt("recipient refused: 452 mailbox full", code=452),
        ),
        (aiosmtplib.SMTPConnectError("refused"), Attempt("connection error: SMTPConnectError")),
        (aiosmtplib.SMTPServerDisconnected("gone"), Attempt("connection error: SMTPServerDisconnected")),
        (aiosmtplib.SMTPReadTimeoutError("slow"), Attempt("timed out")),
        (ConnectionRefusedError(), Attempt("connection error: ConnectionRefusedError")),
    ],
)
def test_5xx_is_permanent_and_the_rest_is_retried(error: Exception, expected: Attempt) -> None:
    assert outcome_of(error) == expected
