"""Rate limits: fixed-window counters in process or in Redis, checked from FastAPI dependencies.

- ``settings``: ``RateLimitSettings`` (RATE_LIMIT_ENABLED, RATE_LIMIT_STORAGE_URI, RATE_LIMIT_FAIL_OPEN).
- ``counters``: where counts live; in-process, or Redis shared by every replica.
- ``limiter``: ``Policy`` (a limit in ``limits``' notation, e.g. ``5/minute``) and ``RateLimiter``.
"""
