"""A real SMTP server (aiosmtpd) on 127.0.0.1 and an ephemeral port, in the test's event loop:
what the dispatcher sends e-mail to in the tests. It answers each DATA from a script (e.g.
``["451 4.3.0 try again later"]``, then 250), and keeps every message it accepted, parsed.

With a ``Certificate`` (``tests.certificates``: self-signed for 127.0.0.1, made in the test) it
speaks TLS as production servers do: STARTTLS on the plain port, required before MAIL, or
implicit TLS from the first byte; with ``credentials`` it requires SMTP AUTH (over TLS). The
dispatcher trusts the certificate only when the test says so (``SSL_CERT_FILE``)."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.certificates import Certificate

ACCEPTED = "250 2.0.0 OK"


class Mailbox:
    def __init__(self, script: Sequence[str] = (), *, credentials: tuple[str, str] | None = None) -> None:
        self.script = list(script)
        self.credentials = credentials  # SMTP AUTH required, with this login and password
        self.attempts = 0  # DATA commands received, accepted or not
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.encrypted: list[bool] = []  # of each accepted message: did it come over TLS?
        self.logins: list[str] = []  # the logins of successful SMTP AUTH
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        self.attempts += 1
        reply = self.script.pop(0) if self.script else ACCEPTED
        if reply.startswith("2"):
            content = cast(bytes, envelope.content)
            self.messages.append(cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(content)))
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
            transport = server.transport
            self.encrypted.append(
                transport is not None and transport.get_extra_info("ssl_object") is not None
            )
        return reply

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """aiosmtpd's authenticator: only ``credentials`` pass."""
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        if (login, password) != self.credentials:
            return AuthResult(success=False)
        self.logins.append(login)
        return AuthResult(success=True)

    async def wait_for(
        self, count: int, *, attempts: int | None = None, within: float = 30.0
    ) -> list[EmailMessage]:
        """The first ``count`` accepted messages, once there are (and ``attempts`` DATA commands)."""
        deadline = time.monotonic() + within
        while len(self.messages) < count or (attempts is not None and self.attempts < attempts):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.messages)} messages, {self.attempts} attempts")
            await asyncio.sleep(0.1)
        return self.messages[:count]

    def environment(self) -> dict[str, str]:
        """The dispatcher's settings for sending here (plain SMTP: the test server has no TLS)."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_STARTTLS": "false",
            "SMTP_FROM": "todo@example.com",
        }


def body(message: EmailMessage, subtype: str = "plain") -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"no text/{subtype} part"
    content: Any = part.get_content()
    return str(content)


@asynccontextmanager
async def serving(
    mailbox: Mailbox, *, certificate: Certificate | None = None, implicit_tls: bool = False
) -> AsyncIterator[Mailbox]:
    """``mailbox`` on an ephemeral port: plain SMTP; with ``certificate``, STARTTLS required
    before MAIL, or with ``implicit_tls`` TLS from the first byte."""
    loop = asyncio.get_running_loop()
    context = certificate.server_context() if certificate else None
    starttls = context if context is not None and not implicit_tls else None

    def session() -> SMTP:
        with warnings.catch_warnings():
            # Over implicit TLS aiosmtpd does not see the TLS (it wrapped no STARTTLS), so AUTH
            # must not require it, which it warns about: the connection is TLS all the same.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS", UserWarning)
            return SMTP(
                mailbox,
                hostname="mail.test",
                tls_context=starttls,
                require_starttls=starttls is not None,
                authenticator=mailbox.authenticate if mailbox.credentials else None,
                auth_required=mailbox.credentials is not None,
                auth_require_tls=not implicit_tls,
            )

    server = await loop.create_server(session, "127.0.0.1", 0, ssl=context if implicit_tls else None)
    mailbox.port = server.sockets[0].getsockname()[1]
    try:
        yield mailbox
    finally:
        server.close()
        await server.wait_closed()
