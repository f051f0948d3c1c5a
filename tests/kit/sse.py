"""A Server-Sent Events parser for tests: bytes in, messages out (the WHATWG event stream rules that matter
here: fields, comments, blank line ends a message, `id:` kept across messages)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SseMessage:
    event: str | None = None
    data: str | None = None
    id: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def is_event(self) -> bool:
        """A message that dispatches an event (it has data); comments and id-only messages do not."""
        return self.data is not None


class SseParser:
    def __init__(self) -> None:
        self._buffer = b""
        self._current = SseMessage()
        self.last_event_id: str | None = None

    def feed(self, chunk: bytes) -> list[SseMessage]:
        """The messages completed by `chunk`; `last_event_id` follows every `id:` line, as a browser's does."""
        self._buffer += chunk
        done: list[SseMessage] = []
        while b"\n" in self._buffer:
            raw, self._buffer = self._buffer.split(b"\n", 1)
            line = raw.decode().rstrip("\r")
            if not line:
                done.append(self._current)
                self._current = SseMessage()
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if not name:
                self._current.comments.append(value)
            elif name == "event":
                self._current.event = value
            elif name == "data":
                self._current.data = value if self._current.data is None else f"{self._current.data}\n{value}"
            elif name == "id":
                self._current.id = value
                self.last_event_id = value
        return done


def parse(payload: bytes) -> list[SseMessage]:
    return SseParser().feed(payload)
