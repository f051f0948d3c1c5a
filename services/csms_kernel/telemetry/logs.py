"""Log set-up of every process: one line per record, whatever a station put in the logged values.

Station-chosen text (message ids, actions, station ids, payload fragments) reaches many log calls; the
`EscapingFormatter` installed by `configure_logging` escapes control characters (newlines, ESC, C1, line
separators) in every record's message and clips overlong string arguments, so no call site can forge a line or
flood the log. A traceback the record carries stays multi-line.

Secrets (docs/adr/0029-internal-surface.md): the websockets library logs every handshake header (the station's
`Authorization: Basic`) and every frame (which may carry a new password, e.g. SetVariables
SecurityCtrlr.BasicAuthPassword) at DEBUG, so its logger is kept at INFO or above whatever the process level;
and the `RedactingFilter` on the handler blanks an `Authorization`/`Proxy-Authorization` header value that any
library logs as a `(name, value)` pair, should that logger be turned up anyway. Side effect: `configure_logging`
configures the root logger.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
MAX_ARG_CHARS = 512
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
REDACTED = "[redacted]"

_CONTROL = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_ESCAPES = {code: chr(code).encode("unicode_escape").decode("ascii") for code in _CONTROL}


def escaped(text: str) -> str:
    """`text` with every control character written as its Python escape (`\\n`, `\\x1b`, `\\u2028`)."""
    return text.translate(_ESCAPES)


def _clipped(value: object) -> object:
    if isinstance(value, str | bytes) and len(value) > MAX_ARG_CHARS:
        return f"{value[:MAX_ARG_CHARS]!s}...[{len(value) - MAX_ARG_CHARS} more]"
    return value


class EscapingFormatter(logging.Formatter):
    """A formatter whose message is one line: control characters escaped, string arguments clipped."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        shown = logging.makeLogRecord(record.__dict__)
        shown.message = escaped(_message(record))
        return super().formatMessage(shown)


def _message(record: logging.LogRecord) -> str:
    args = record.args
    if isinstance(args, tuple):
        args = tuple(_clipped(arg) for arg in args)
    elif isinstance(args, Mapping):
        args = {key: _clipped(value) for key, value in args.items()}
    text = str(record.msg)
    return text % args if args else text


class RedactingFilter(logging.Filter):
    """Blanks the value of a secret HTTP header logged as `"... %s: %s", name, value` (websockets' DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        header = isinstance(record.msg, str) and record.msg.endswith("%s: %s")
        if header and isinstance(args, tuple) and len(args) == 2 and str(args[0]).lower() in SECRET_HEADERS:
            record.args = (args[0], REDACTED)
        return True


def configure_logging(level: str) -> None:
    """Root logger at `level`, one escaped line per record on stderr; the chatty client libraries at WARNING;
    websockets never below INFO (its DEBUG writes credentials)."""
    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter(FORMAT))
    handler.addFilter(RedactingFilter())
    logging.basicConfig(level=level.upper(), handlers=[handler])
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    logging.getLogger("cassandra").setLevel(logging.WARNING)
    logging.getLogger("websockets").setLevel(max(logging.INFO, logging.getLogger().getEffectiveLevel()))
