"""A real SMTP server (aiosmtpd) on 127.0.0.1 and an ephemeral port, in the test's event loop:
what the dispatcher sends e-mail to in the tests. It answers each DATA from a script (e.g.
``["451 4.3.0 try again later"]``, then 250), and keeps every message it accepted, parsed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

from aiosmtpd.smtp import SMTP, Envelope, Session

ACCEPTED = "250 2.0.0 OK"


class Mailbox:
    def __init__(self, script: Sequence[str] = ()) -> None:
        self.script = list(script)
        self.attempts = 0  # DATA commands received, accepted or not
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        self.attempts += 1
        reply = self.script.pop(0) if self.script else ACCEPTED
        if reply.startswith("2"):
            content = cast(bytes, envelope.content)
            self.messages.append(cast(EmailMessage, BytesParser(policy=policy.default).parsebytes(content)))
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return reply

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
async def serving(mailbox: Mailbox) -> AsyncIterator[Mailbox]:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(mailbox, hostname="mail.test"), "127.0.0.1", 0)
    mailbox.port = server.sockets[0].getsockname()[1]
    try:
        yield mailbox
    finally:
        server.close()
        await server.wait_closed()
