"""A `CsmsClient` fake for the CLI tests: canned answers, optional errors, recorded calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms.authorization.v1 import authorization_pb2
from csms.cli.client import Addresses
from csms.device_model.v1 import device_model_pb2


@dataclass
class FakeClient:
    registered: list[authorization_pb2.RegisteredStation] = field(default_factory=list)
    stations: list[device_model_pb2.Station] = field(default_factory=list)
    created: bool = True
    call_response: device_model_pb2.SendCallResponse = field(default_factory=device_model_pb2.SendCallResponse)
    # method name -> exception it raises
    errors: dict[str, Exception] = field(default_factory=dict)
    calls: list[tuple[object, ...]] = field(default_factory=list)
    addresses: Addresses | None = None
    closed: bool = False

    def __call__(self, addresses: Addresses) -> FakeClient:
        """Used as the client factory."""
        self.addresses = addresses
        return self

    def _record(self, *call: object) -> None:
        self.calls.append(call)
        error = self.errors.get(str(call[0]))
        if error is not None:
            raise error

    def register_station(self, station_id: str, password: str, security_profile: int) -> bool:
        self._record("register_station", station_id, password, security_profile)
        return self.created

    def list_registered_stations(self) -> list[authorization_pb2.RegisteredStation]:
        self._record("list_registered_stations")
        return self.registered

    def list_stations(self) -> list[device_model_pb2.Station]:
        self._record("list_stations")
        return self.stations

    def get_station(self, station_id: str) -> device_model_pb2.Station:
        self._record("get_station", station_id)
        return next(s for s in self.stations if s.station_id == station_id)

    def send_call(
        self, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> device_model_pb2.SendCallResponse:
        self._record("send_call", station_id, action, payload_json, timeout_s)
        return self.call_response

    def close(self) -> None:
        self.closed = True
