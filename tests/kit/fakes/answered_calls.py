"""An in-memory `AnsweredCalls` (csms_kernel.handling.answered_calls) that counts its reads. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms_kernel.handling.answered_calls import AnsweredCall, LatestAnswer


@dataclass
class InMemoryAnsweredCalls:
    rows: dict[tuple[str, str, str], AnsweredCall] = field(default_factory=dict)
    reads: int = 0

    async def get(self, station_id: str, connection_id: str, message_id: str) -> AnsweredCall | None:
        self.reads += 1
        return self.rows.get((station_id, connection_id, message_id))

    async def put(self, station_id: str, connection_id: str, message_id: str, answer: AnsweredCall) -> None:
        self.rows.pop((station_id, connection_id, message_id), None)
        self.rows[(station_id, connection_id, message_id)] = answer

    async def latest(self, station_id: str) -> LatestAnswer | None:
        self.reads += 1
        found = [(key, answer) for key, answer in self.rows.items() if key[0] == station_id]
        if not found:
            return None
        (_, connection_id, message_id), answer = found[-1]
        return LatestAnswer(connection_id, message_id, answer)
