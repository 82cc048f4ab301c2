"""structlog processors that keep what clients send from bloating or forging log lines.

``cap_long_values`` cuts every string field longer than ``MAX_LOGGED_CHARS`` (a request path,
a header, a message quoting either) to that many characters and records how many it
dropped in ``<field>_truncated``, so a 64 KiB path costs the logging pipeline no more than a
1 KiB one. It runs before redaction, and redacts the end of what it keeps itself when a
secret was cut in half there (see ``redaction.redact_cut_tail``), because the redaction
patterns only recognise a whole one. Tracebacks are exempt: they are ours, the fields
inside them are redacted in linear time anyway, and a cut traceback loses what matters.

``escape_control_characters`` is for the console renderer, which writes values as they
are: a NUL, an ANSI escape sequence or a carriage return in a path would otherwise reach
the developer's terminal and could rewrite or hide what it shows. JSON escapes them itself.
"""

from __future__ import annotations

from structlog.types import EventDict, WrappedLogger

from platform_common.observability.redaction import redact_cut_tail

MAX_LOGGED_CHARS = 1024
TRUNCATED_SUFFIX = "_truncated"
# Multi-line text that we lay out ourselves: kept whole, and its line breaks kept.
_BLOCKS = frozenset({"exception", "stack"})


def cap_long_values(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    long = [
        key
        for key, value in event_dict.items()
        if isinstance(value, str) and len(value) > MAX_LOGGED_CHARS and key not in _BLOCKS
    ]
    for key in long:
        value = event_dict[key]
        event_dict[key] = redact_cut_tail(value[:MAX_LOGGED_CHARS])
        event_dict[f"{key}{TRUNCATED_SUFFIX}"] = len(value) - MAX_LOGGED_CHARS
    return event_dict


# C0 controls, DEL and C1 controls, as \xNN.
_CONTROLS = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
_ESCAPE_ALL = {code: f"\\x{code:02x}" for code in _CONTROLS}
_ESCAPE_BUT_LAYOUT = {code: escape for code, escape in _ESCAPE_ALL.items() if chr(code) != "\n"}


def escape_control_characters(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    for key, value in event_dict.items():
        if isinstance(value, str):
            event_dict[key] = value.translate(_ESCAPE_BUT_LAYOUT if key in _BLOCKS else _ESCAPE_ALL)
    return event_dict
