"""Error responses shared by many routes, documented once."""

from __future__ import annotations

from platform_common.errors import ServiceUnavailable, TooManyRequests, Unauthorized, error_responses

# Any route behind a bearer token may refuse it, limit the caller, or lose its database.
AUTHENTICATED = error_responses(Unauthorized, TooManyRequests, ServiceUnavailable)
