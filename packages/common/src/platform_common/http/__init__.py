"""The HTTP edge every service shares: the fused middleware, client addresses, media types,
hardening settings and the OpenAPI conventions."""
