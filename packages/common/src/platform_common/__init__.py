"""Shared platform library for the services of this repository.

It owns cross-cutting mechanisms (settings, the error envelope, pagination,
structured logging, request ids) and knows nothing about any one domain.
"""
