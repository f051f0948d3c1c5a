"""Security events as structured log lines (ADR 0021): logger `csms.security`, one line per event,
`security_event=<name> key=value ...` (logfmt; a value with spaces, quotes, `=` or non-ASCII characters is written
as a JSON string, so a station-chosen id cannot forge fields or lines), and the same fields as the record's
`security` attribute (`{"event": name, ...}`) for handlers that write JSON. Writes to the logging system only.
"""

from __future__ import annotations

import json
import logging
import re

log = logging.getLogger("csms.security")

_BARE = re.compile(r"[A-Za-z0-9_.:/@+-]+")


def security_event(name: str, level: int = logging.INFO, **fields: object) -> None:
    """Logs the event `name` with its fields (in the order given; None values left out)."""
    present = {key: value for key, value in fields.items() if value is not None}
    line = " ".join([f"security_event={name}", *(f"{key}={_logfmt(value)}" for key, value in present.items())])
    log.log(level, line, extra={"security": {"event": name, **present}})


def _logfmt(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text)
