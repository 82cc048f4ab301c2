"""Authentication primitives: access tokens, refresh-token secrets, password hashing."""
