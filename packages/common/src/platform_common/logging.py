"""Structured logging: one structlog pipeline for our own, stdlib and uvicorn records.

JSON lines in production (or when asked), a readable console otherwise. Every record
made during a request carries its ``request_id``, the current ``trace_id``/``span_id`` and,
once the caller is authenticated, ``tenant_id``/``user_id``. Tracebacks never include local
variables (they hold passwords and tokens) and every line goes through secret redaction.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

from platform_common.observability.log_processors import add_request_identity, add_trace_context
from platform_common.observability.log_safety import cap_long_values, escape_control_characters
from platform_common.observability.redaction import redact_secrets
from platform_common.request_id import current_request_id

# Third-party loggers that install their own handlers; we take their records instead.
_ROUTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "asyncio")


def add_request_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    request_id = current_request_id()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is now, so a swapped stream (tests) is never stale."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def _renderers(json_output: bool) -> list[Processor]:
    """Exception rendering, capping, redaction, output: per handler, so a cached logger never keeps a stale chain."""
    if json_output:
        structured = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        return [
            structlog.processors.ExceptionRenderer(structured),
            cap_long_values,
            redact_secrets,
            structlog.processors.JSONRenderer(),
        ]
    # Plain text traceback first, so redaction sees it; the console renderer prints it as is.
    return [
        structlog.processors.format_exc_info,
        cap_long_values,
        redact_secrets,
        escape_control_characters,
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()),
    ]


def configure_logging(level: str = "INFO", *, json_output: bool) -> None:
    """Configure structlog and the stdlib root logger once, at start-up."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
        add_trace_context,
        add_request_identity,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_renderers(json_output)],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _ROUTED_LOGGERS:
        routed = logging.getLogger(name)
        routed.handlers.clear()
        routed.propagate = True


def get_logger(name: str | None = None, **initial: Any) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name, **initial)
    return logger
