"""E-mails from template files (``todo_api/templates/mail/<name>.{subject,txt,html}``),
rendered with ``string.Template``: ``$name`` placeholders, no logic, ready to be translated
file by file. Values go into the HTML part escaped."""

from __future__ import annotations

import html
import uuid
from functools import cache
from importlib.resources import files
from string import Template

from platform_common.db.database import Transaction
from platform_common.mail.outbox import InvalidMail, Mail, send_mail
from platform_common.webhooks.secrets import SecretBox
from todo_api.services.errors import UnmailableAddress


@cache
def _template(name: str, part: str) -> Template:
    return Template(files("todo_api").joinpath("templates", "mail", f"{name}.{part}").read_text("utf-8"))


def render_mail(name: str, *, to: str, values: dict[str, str], secrets: dict[str, str]) -> Mail:
    """The message ``name`` to ``to``; every placeholder must have a value (KeyError otherwise)."""
    escaped = {key: html.escape(value) for key, value in values.items()}
    return Mail(
        to=to,
        subject=_template(name, "subject").substitute(values).strip(),
        text=_template(name, "txt").substitute(values),
        html=_template(name, "html").substitute(escaped),
        secrets=secrets,
    )


async def queue_mail(transaction: Transaction, box: SecretBox, message: Mail) -> uuid.UUID:
    """``send_mail`` for a message to an address a client gave: one the outbox cannot send to
    is the client's 400 ``unmailable_address``, not a 500."""
    try:
        return await send_mail(transaction, box, message)
    except InvalidMail as refused:
        raise UnmailableAddress from refused
