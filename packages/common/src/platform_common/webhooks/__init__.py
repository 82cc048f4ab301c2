"""Webhooks, the platform's way for a user to hear about their own data.

- ``tables``: the subscriptions (``webhook_endpoint``) and delivery attempts (``webhook_delivery``),
  tenant-owned; the API manages them, the dispatcher reads and updates them.
- ``signing``: Standard Webhooks signatures and secrets (``whsec_...``).
- ``secrets``: signing secrets encrypted at rest (recoverable, to sign; rotatable key).
- ``settings``: what both sides configure (encryption keys, which targets are allowed).
The egress rules that keep deliveries off internal networks are ``platform_common.http.egress``.
"""
