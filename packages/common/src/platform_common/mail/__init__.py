"""E-mail through the transactional outbox: a message is sent if and only if the unit of work
that wrote it committed, and the secrets it carries (a verification link's token) are never
at rest in plain text.

- ``outbox``: the tenant-owned ``mail_message`` table, ``send_mail`` (the message and its
  queue job in one statement of the caller's transaction, its secrets sealed apart from the
  plaintext) and what the dispatcher needs to open and render a message.
The SMTP side (settings, transport, retries) is the dispatcher's.
"""
