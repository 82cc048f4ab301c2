"""dispatcher: the platform's second service. It drains the transactional outbox (pgqueuer
jobs written with each committed event), fans each event out to its owner's webhooks and
delivers them, signed, at least once. Built on ``platform_common`` alone."""

__version__ = "0.1.0"
