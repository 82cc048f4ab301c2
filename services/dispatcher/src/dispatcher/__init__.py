"""dispatcher: the platform's second service. It drains the transactional outbox (pgqueuer
jobs written with each committed event), fans each event out to its owner's webhooks and
delivers them, signed, at least once; and sends the e-mails services queue (over SMTP, their
sealed secrets deleted once sent). Built on ``platform_common`` alone."""

__version__ = "0.1.0"
