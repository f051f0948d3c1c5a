"""The one error of the live events stream a client can cause: a malformed `Last-Event-ID` or filter.

The API maps it to 422 problem+json (RFC 9457) naming `parameter`. No side effects.
"""

from __future__ import annotations


class BadEventsRequest(ValueError):
    """An events request the API refuses: `parameter` names the query parameter or header, `detail` says why."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(f"{parameter}: {detail}")
        self.parameter = parameter
        self.detail = detail
