"""Structured logging: one structlog pipeline for our own, stdlib and uvicorn records.

JSON lines in production (or when asked), a readable console otherwise. Every record
made during a request carries its ``request_id``, the current ``trace_id``/``span_id`` and,
once the caller is authenticated, ``tenant_id``/``user_id``. Tracebacks never include local
variables (they hold passwords and tokens) and every line goes through secret redaction.

Our own loggers (``structlog.get_logger(name)``) go straight from the processors to
stderr: a level check that costs nothing below the level, JSON rendered by orjson, one
write. Only records from the standard library's ``logging`` (uvicorn, libraries) take the
``logging`` path, through the same processors. The stream is looked up at each write, so a
swapped ``sys.stderr`` (tests) is never stale.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
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


class StderrLogger:
    """structlog's output end: writes a rendered line (``bytes`` or ``str``) to the current
    ``sys.stderr``. ``name`` is what ``add_logger_name`` puts in the ``logger`` field."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or ""

    def msg(self, message: str | bytes) -> None:
        stream = sys.stderr
        if isinstance(message, bytes):
            stream.flush()
            stream.buffer.write(message + b"\n")
            stream.buffer.flush()
        else:
            stream.write(message + "\n")
            stream.flush()

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _logger_factory(name: str | None = None, *_: Any) -> StderrLogger:
    return StderrLogger(name)


def _json_bytes(event: object, **_: Any) -> bytes:
    return orjson.dumps(event, default=str)


def _json_text(event: object, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def _renderers(json_output: bool, *, text: bool) -> list[Processor]:
    """Exception rendering, capping, redaction, output. ``text``: the stdlib path needs ``str``."""
    if json_output:
        structured = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
        return [
            structlog.processors.ExceptionRenderer(structured),
            cap_long_values,
            redact_secrets,
            structlog.processors.JSONRenderer(serializer=_json_text if text else _json_bytes),
        ]
    # Plain text traceback first, so redaction sees it; the console renderer prints it as is.
    return [
        structlog.processors.format_exc_info,
        cap_long_values,
        redact_secrets,
        escape_control_characters,
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty()),
    ]


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is now, so a swapped stream (tests) is never stale."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


class _Current:
    """What ``configure_logging`` last chose. Our loggers are cached on first use (structlog's
    ``cache_logger_on_first_use``), so the level and the output chain are read from here at
    each event rather than baked into them: configuring again (tests do) takes effect."""

    level = logging.INFO
    output: list[Processor] = []  # noqa: RUF012  # replaced whole, never mutated


def _drop_below_level(_: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
    if _LEVELS.get(method, logging.INFO) < _Current.level:
        raise structlog.DropEvent
    return event_dict


def _render(logger: WrappedLogger, method: str, event_dict: EventDict) -> Any:  # noqa: ANN401  # bytes or str
    result: Any = event_dict
    for processor in _Current.output:
        result = processor(logger, method, result)
    return result


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
    "critical": logging.CRITICAL,
    "fatal": logging.CRITICAL,
}


def configure_logging(level: str = "INFO", *, json_output: bool) -> None:
    """Configure structlog and the stdlib root logger: at start-up, or again (tests)."""
    _Current.level = logging.getLevelNamesMapping()[level]
    _Current.output = _renderers(json_output, text=False)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_request_id,
        add_trace_context,
        add_request_identity,
    ]
    structlog.configure(
        processors=[_drop_below_level, *shared, _render],
        logger_factory=_logger_factory,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.ExtraAdder(), *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_renderers(json_output, text=True),
        ],
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
