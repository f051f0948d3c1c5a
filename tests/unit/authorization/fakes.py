"""In-memory fakes of the authorization service's ports, for unit tests."""

from __future__ import annotations

from authorization.credentials import InvalidCredentials, check_station_id
from authorization.registry import InvalidPageToken, StationRecord


class InMemoryStationRegistry:
    """Stations in a dict; pages in station id order, the token being the last id of the previous page."""

    def __init__(self) -> None:
        self.records: dict[str, StationRecord] = {}

    async def get(self, station_id: str) -> StationRecord | None:
        return self.records.get(station_id)

    async def save(self, record: StationRecord) -> None:
        self.records[record.station_id] = record

    async def list_page(self, page_size: int, page_token: bytes | None) -> tuple[list[StationRecord], bytes | None]:
        after = ""
        if page_token is not None:
            try:
                after = page_token.decode("utf-8")
                check_station_id(after)
            except (UnicodeDecodeError, InvalidCredentials) as exc:
                raise InvalidPageToken("page token is not one this registry issued") from exc
        ids = sorted(i for i in self.records if i > after)[:page_size]
        next_token = ids[-1].encode() if len(ids) == page_size else None
        return [self.records[i] for i in ids], next_token
