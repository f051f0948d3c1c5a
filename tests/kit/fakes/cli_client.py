"""A `CsmsClient` fake for the CLI tests: canned answers, optional errors, recorded calls."""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc

from csms.authorization.v1 import authorization_pb2
from csms.device_model.v1 import device_model_pb2
from csms_cli.client import AUTHORIZATION, Addresses, RpcFailed


@dataclass
class FakeClient:
    registered: list[authorization_pb2.RegisteredStation] = field(default_factory=list)
    stations: list[device_model_pb2.Station] = field(default_factory=list)
    created: bool = True
    call_response: device_model_pb2.SendCallResponse = field(default_factory=device_model_pb2.SendCallResponse)
    tokens: list[authorization_pb2.IdTokenRecord] = field(default_factory=list)
    push_results: list[authorization_pb2.LocalListPushResult] = field(default_factory=list)
    station_list_version: int = 0
    list_status: authorization_pb2.GetLocalListStatusResponse = field(
        default_factory=authorization_pb2.GetLocalListStatusResponse
    )
    command: device_model_pb2.Command = field(default_factory=device_model_pb2.Command)
    commands: list[device_model_pb2.Command] = field(default_factory=list)
    periodic_streams: list[device_model_pb2.PeriodicStream] = field(default_factory=list)
    stream_values: list[device_model_pb2.PeriodicStreamValue] = field(default_factory=list)
    display_messages: list[device_model_pb2.DisplayMessage] = field(default_factory=list)
    data_transfers: list[device_model_pb2.DataTransfer] = field(default_factory=list)
    variables: list[device_model_pb2.DeviceVariable] = field(default_factory=list)
    reports: list[device_model_pb2.Report] = field(default_factory=list)
    reservations: list[authorization_pb2.Reservation] = field(default_factory=list)
    reserve_answer: authorization_pb2.ReserveNowResponse = field(default_factory=authorization_pb2.ReserveNowResponse)
    cancel_answer: authorization_pb2.CancelReservationResponse = field(
        default_factory=authorization_pb2.CancelReservationResponse
    )
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

    def register_station(self, station_id: str, password: str, security_profile: int, group: str = "") -> bool:
        self._record("register_station", station_id, password, security_profile, group)
        return self.created

    def list_registered_stations(self, group: str = "") -> list[authorization_pb2.RegisteredStation]:
        self._record("list_registered_stations", group)
        return [s for s in self.registered if not group or s.group == group]

    def get_registered_station(self, station_id: str) -> authorization_pb2.RegisteredStation:
        self._record("get_registered_station", station_id)
        return self._registration(station_id)

    def update_station(self, request: authorization_pb2.UpdateStationRequest) -> authorization_pb2.RegisteredStation:
        self._record("update_station", request)
        return self._registration(request.station_id)

    def delete_station(self, station_id: str) -> bool:
        self._record("delete_station", station_id)
        return any(s.station_id == station_id for s in self.registered)

    def _registration(self, station_id: str) -> authorization_pb2.RegisteredStation:
        found = [s for s in self.registered if s.station_id == station_id]
        if not found:
            raise RpcFailed(AUTHORIZATION, grpc.StatusCode.NOT_FOUND, f"no registered station {station_id}")
        return found[0]

    def list_stations(self) -> list[device_model_pb2.Station]:
        self._record("list_stations")
        return self.stations

    def get_station(self, station_id: str) -> device_model_pb2.Station:
        self._record("get_station", station_id)
        found = [s for s in self.stations if s.station_id == station_id]
        if not found:
            raise RpcFailed("device-model", grpc.StatusCode.NOT_FOUND, f"no station {station_id}")
        return found[0]

    def send_call(
        self, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> device_model_pb2.SendCallResponse:
        self._record("send_call", station_id, action, payload_json, timeout_s)
        return self.call_response

    def send_command(self, request: device_model_pb2.SendCommandRequest) -> device_model_pb2.Command:
        self._record("send_command", request)
        return self.command

    def get_command(self, command_id: str) -> device_model_pb2.Command:
        """The command in `commands` with this id, NOT_FOUND like the service otherwise."""
        self._record("get_command", command_id)
        found = [c for c in self.commands if c.command_id == command_id]
        if not found:
            raise RpcFailed("device-model", grpc.StatusCode.NOT_FOUND, f"no command {command_id}")
        return found[0]

    def list_periodic_streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]:
        self._record("list_periodic_streams", station_id)
        return [stream for stream in self.periodic_streams if stream.station_id == station_id]

    def get_periodic_stream_data(
        self, request: device_model_pb2.GetPeriodicStreamDataRequest
    ) -> list[device_model_pb2.PeriodicStreamValue]:
        self._record("get_periodic_stream_data", request)
        return self.stream_values[: request.limit]

    def list_display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]:
        self._record("list_display_messages", station_id)
        return list(self.display_messages)

    def list_data_transfers(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.DataTransfer], bool]:
        self._record("list_data_transfers", station_id, limit)
        ours = [t for t in self.data_transfers if t.station_id == station_id]
        return ours[:limit], len(ours) > limit

    def list_commands(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.Command], bool]:
        self._record("list_commands", station_id, limit)
        ours = [c for c in self.commands if c.station_id == station_id]
        return ours[:limit], len(ours) > limit

    def get_device_model(
        self, request: device_model_pb2.GetDeviceModelRequest, limit: int
    ) -> tuple[list[device_model_pb2.DeviceVariable], bool]:
        self._record("get_device_model", request, limit)
        return self.variables[:limit], len(self.variables) > limit

    def list_reports(self, station_id: str) -> list[device_model_pb2.Report]:
        self._record("list_reports", station_id)
        return self.reports

    def upsert_id_token(
        self, request: authorization_pb2.UpsertIdTokenRequest
    ) -> authorization_pb2.UpsertIdTokenResponse:
        self._record("upsert_id_token", request)
        return authorization_pb2.UpsertIdTokenResponse(
            created=self.created, token=authorization_pb2.IdTokenRecord(id_token=request.id_token)
        )

    def list_id_tokens(self) -> list[authorization_pb2.IdTokenRecord]:
        self._record("list_id_tokens")
        return self.tokens

    def get_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord:
        """The token in `tokens` with this id (case-insensitive), NOT_FOUND like the service otherwise."""
        self._record("get_id_token", id_token)
        found = [t for t in self.tokens if t.id_token.upper() == id_token.upper()]
        if not found:
            raise RpcFailed(AUTHORIZATION, grpc.StatusCode.NOT_FOUND, f"no id token {id_token}")
        return found[0]

    def block_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord:
        self._record("block_id_token", id_token)
        return authorization_pb2.IdTokenRecord(id_token=id_token, status=authorization_pb2.ID_TOKEN_STATUS_BLOCKED)

    def delete_id_token(self, id_token: str) -> bool:
        """True when `tokens` holds a token with this id (case-insensitive), which it then drops."""
        self._record("delete_id_token", id_token)
        kept = [t for t in self.tokens if t.id_token.upper() != id_token.upper()]
        deleted = len(kept) < len(self.tokens)
        self.tokens = kept
        return deleted

    def push_local_list(
        self, request: authorization_pb2.PushLocalListRequest, timeout_s: float
    ) -> list[authorization_pb2.LocalListPushResult]:
        self._record("push_local_list", request, timeout_s)
        return self.push_results

    def refresh_local_list_version(self, station_id: str, timeout_s: float) -> int:
        self._record("refresh_local_list_version", station_id, timeout_s)
        return self.station_list_version

    def local_list_status(self, station_id: str) -> authorization_pb2.GetLocalListStatusResponse:
        self._record("local_list_status", station_id)
        return self.list_status

    def reserve_now(self, request: authorization_pb2.ReserveNowRequest) -> authorization_pb2.ReserveNowResponse:
        self._record("reserve_now", request)
        return self.reserve_answer

    def cancel_reservation(
        self, request: authorization_pb2.CancelReservationRequest
    ) -> authorization_pb2.CancelReservationResponse:
        self._record("cancel_reservation", request)
        return self.cancel_answer

    def list_reservations(
        self, request: authorization_pb2.ListReservationsRequest
    ) -> list[authorization_pb2.Reservation]:
        self._record("list_reservations", request)
        return self.reservations

    def get_reservation(self, station_id: str, reservation_id: int) -> authorization_pb2.Reservation:
        self._record("get_reservation", station_id, reservation_id)
        for reservation in self.reservations:
            if (reservation.station_id, reservation.reservation_id) == (station_id, reservation_id):
                return reservation
        raise RpcFailed(AUTHORIZATION, grpc.StatusCode.NOT_FOUND, f"no reservation {reservation_id}")

    def close(self) -> None:
        self.closed = True
