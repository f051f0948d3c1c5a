"""In-memory fakes of the api service's ports (csms_api.ports): the key store, the three services it calls and
the readiness checks. The service fakes keep just enough state to answer like the real services (NOT_FOUND,
page tokens, created flags) and record the requests and deadlines they got; `fail(method, code)` makes a method
answer an error status. No I/O."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms.firmware.v1 import firmware_pb2 as fw
from csms.security.v1 import security_pb2 as sec
from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.domain.keys import ApiKey, check_key_id
from csms_api.ports import PeerError

COMMANDS = frozenset({"reset", "trigger-message", "clear-cache", "raw"})


class InMemoryApiKeyStore:
    """Keys in a dict; pages in key id order, continuing after the last id of the previous page."""

    def __init__(self) -> None:
        self.keys: dict[str, ApiKey] = {}
        self.reads = 0

    async def get(self, key_id: str) -> ApiKey | None:
        self.reads += 1
        return self.keys.get(key_id)

    async def add(self, key: ApiKey) -> bool:
        if key.key_id in self.keys:
            return False
        self.keys[key.key_id] = key
        return True

    async def set_revoked(self, key: ApiKey) -> None:
        self.keys[key.key_id] = key

    async def list_page(self, limit: int, after: str | None) -> tuple[list[ApiKey], str | None]:
        if after is not None:
            check_key_id(after)
        ids = sorted(key_id for key_id in self.keys if after is None or key_id > after)[:limit]
        return [self.keys[key_id] for key_id in ids], ids[-1] if len(ids) == limit else None


@dataclass
class _Recording:
    service: str = ""
    calls: list[tuple[str, Any]] = field(default_factory=list)
    deadlines: list[float] = field(default_factory=list)
    errors: dict[str, PeerError] = field(default_factory=dict)

    def fail(self, method: str, code: grpc.StatusCode, message: str = "") -> None:
        self.errors[method] = PeerError(self.service, code, message or f"{method} failed")

    def _called(self, method: str, request: Any, deadline_s: float | None = None) -> None:
        self.calls.append((method, request))
        if deadline_s is not None:
            self.deadlines.append(deadline_s)
        if method in self.errors:
            raise self.errors[method]

    def requests(self, method: str) -> list[Any]:
        return [request for name, request in self.calls if name == method]

    def _not_found(self, what: str) -> PeerError:
        return PeerError(self.service, grpc.StatusCode.NOT_FOUND, f"no {what}")


def _page(ids: Sequence[str], size: int, token: str) -> tuple[list[str], str]:
    """Keyset paging over sorted ids: the token is the last id of the previous page."""
    following = [i for i in sorted(ids) if i > token][:size]
    return following, following[-1] if len(following) == size else ""


@dataclass
class FakeAuthorization(_Recording):
    service: str = "authorization"
    stations: dict[str, authz.RegisteredStation] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, authz.IdTokenRecord] = field(default_factory=dict)
    push_results: list[authz.LocalListPushResult] = field(default_factory=list)
    # Whether ListRegisteredStations applies its group filter (main before the station-lifecycle work did not).
    filters_groups: bool = True
    # (station id, reservation id) → the reservation, status as of now; ReserveNow answers `reserve_answer`
    reservations: dict[tuple[str, int], authz.Reservation] = field(default_factory=dict)
    reserve_answer: str = "accepted"

    def register(self, station_id: str, group: str = "", enabled: bool = True, profile: int = 1) -> None:
        self.stations[station_id] = authz.RegisteredStation(
            station_id=station_id, security_profile=profile, group=group, enabled=enabled
        )

    async def register_station(self, request: authz.RegisterStationRequest) -> authz.RegisterStationResponse:
        self._called("register_station", request)
        if not 16 <= len(request.password) <= 40 and not (request.security_profile == 3 and not request.password):
            raise PeerError(self.service, grpc.StatusCode.INVALID_ARGUMENT, "password must be 16..64 characters")
        created = request.station_id not in self.stations
        self.register(request.station_id, request.group, profile=request.security_profile)
        self.passwords[request.station_id] = request.password
        return authz.RegisterStationResponse(created=created)

    async def get_registered_station(self, station_id: str) -> authz.RegisteredStation:
        self._called("get_registered_station", station_id)
        if station_id not in self.stations:
            raise self._not_found(f"station {station_id}")
        return self.stations[station_id]

    async def update_station(self, request: authz.UpdateStationRequest) -> authz.RegisteredStation:
        self._called("update_station", request)
        station = self.stations.get(request.station_id)
        if station is None:
            raise self._not_found(f"station {request.station_id}")
        if request.HasField("password"):
            self.passwords[request.station_id] = request.password
        if request.HasField("security_profile"):
            station.security_profile = request.security_profile
        if request.HasField("group"):
            station.group = request.group
        if request.HasField("enabled"):
            station.enabled = request.enabled
        return station

    async def delete_station(self, station_id: str) -> bool:
        self._called("delete_station", station_id)
        return self.stations.pop(station_id, None) is not None

    async def list_registered_stations(
        self, request: authz.ListRegisteredStationsRequest
    ) -> authz.ListRegisteredStationsResponse:
        self._called("list_registered_stations", request)
        ids = [
            i
            for i, s in self.stations.items()
            if not (request.group and self.filters_groups) or s.group == request.group
        ]
        page, token = _page(ids, request.page_size or 100, request.page_token)
        return authz.ListRegisteredStationsResponse(stations=[self.stations[i] for i in page], next_page_token=token)

    async def upsert_id_token(self, request: authz.UpsertIdTokenRequest) -> authz.UpsertIdTokenResponse:
        self._called("upsert_id_token", request)
        key = request.id_token.upper()
        created = key not in self.tokens
        record = authz.IdTokenRecord(
            id_token=request.id_token if created else self.tokens[key].id_token,
            type=request.type,
            status=request.status or authz.ID_TOKEN_STATUS_ACCEPTED,
            group_id_token=request.group_id_token,
            station_ids=request.station_ids,
            local_list=request.local_list,
        )
        if request.HasField("expires_at"):
            record.expires_at.CopyFrom(request.expires_at)
        self.tokens[key] = record
        return authz.UpsertIdTokenResponse(created=created, token=record)

    async def get_id_token(self, id_token: str) -> authz.IdTokenRecord:
        self._called("get_id_token", id_token)
        if id_token.upper() not in self.tokens:
            raise self._not_found(f"id token {id_token}")
        return self.tokens[id_token.upper()]

    async def list_id_tokens(self, request: authz.ListIdTokensRequest) -> authz.ListIdTokensResponse:
        self._called("list_id_tokens", request)
        page, token = _page(list(self.tokens), request.page_size or 100, request.page_token)
        return authz.ListIdTokensResponse(tokens=[self.tokens[k] for k in page], next_page_token=token)

    async def block_id_token(self, id_token: str) -> authz.IdTokenRecord:
        record = await self.get_id_token(id_token)
        self._called("block_id_token", id_token)
        record.status = authz.ID_TOKEN_STATUS_BLOCKED
        return record

    async def delete_id_token(self, id_token: str) -> bool:
        self._called("delete_id_token", id_token)
        return self.tokens.pop(id_token.upper(), None) is not None

    async def push_local_list(
        self, request: authz.PushLocalListRequest, deadline_s: float
    ) -> list[authz.LocalListPushResult]:
        self._called("push_local_list", request, deadline_s)
        if request.WhichOneof("target") == "station_group":
            if not any(s.group == request.station_group for s in self.stations.values()):
                raise self._not_found(f"station in group {request.station_group}")
        return self.push_results

    async def reserve_now(self, request: authz.ReserveNowRequest, deadline_s: float) -> authz.ReserveNowResponse:
        self._called("reserve_now", request, deadline_s)
        taken = [rid for (sid, rid) in self.reservations if sid == request.station_id]
        reservation = authz.Reservation(
            station_id=request.station_id,
            reservation_id=max(taken, default=0) + 1,
            id_token=request.id_token,
            token_type=request.token_type or "Central",
            group_id_token=request.group_id_token,
            evse_id=request.evse_id,
            connector_type=request.connector_type,
            expires_at=request.expires_at,
            status="Accepted" if self.reserve_answer == "accepted" else "Refused",
        )
        self.reservations[request.station_id, reservation.reservation_id] = reservation
        return authz.ReserveNowResponse(reservation=reservation, station_status=self.reserve_answer)

    async def cancel_reservation(
        self, request: authz.CancelReservationRequest, deadline_s: float
    ) -> authz.CancelReservationResponse:
        self._called("cancel_reservation", request, deadline_s)
        reservation = self.reservations.get((request.station_id, request.reservation_id))
        if reservation is None:
            raise self._not_found(f"reservation {request.reservation_id} of {request.station_id}")
        if reservation.status != "Accepted":
            return authz.CancelReservationResponse(reservation=reservation)
        reservation.status = "Cancelled"
        return authz.CancelReservationResponse(reservation=reservation, station_status="accepted")

    async def list_reservations(self, request: authz.ListReservationsRequest) -> list[authz.Reservation]:
        self._called("list_reservations", request)
        return [
            r
            for (sid, _), r in sorted(self.reservations.items())
            if (not request.station_id or sid == request.station_id)
            and (not request.status or r.status.lower() == request.status.lower())
            and (not request.active or r.status == "Accepted")
        ]

    async def get_reservation(self, station_id: str, reservation_id: int) -> authz.Reservation:
        self._called("get_reservation", (station_id, reservation_id))
        if (station_id, reservation_id) not in self.reservations:
            raise self._not_found(f"reservation {reservation_id} of {station_id}")
        return self.reservations[station_id, reservation_id]


@dataclass
class FakeDeviceModel(_Recording):
    service: str = "device-model"
    stations: dict[str, dm.Station] = field(default_factory=dict)
    commands: dict[str, dm.Command] = field(default_factory=dict)
    variables: dict[str, list[dm.DeviceVariable]] = field(default_factory=dict)
    reports: dict[str, list[dm.Report]] = field(default_factory=dict)
    provisioning: dict[str, dm.StationProvisioning] = field(default_factory=dict)
    boots: dict[str, list[dm.StationBoot]] = field(default_factory=dict)
    # The result every answered command gets.
    answer: dict[str, Any] = field(default_factory=lambda: {"status": "Accepted"})
    periodic_streams: list[dm.PeriodicStream] = field(default_factory=list)
    stream_values: list[dm.PeriodicStreamValue] = field(default_factory=list)
    display_messages: dict[str, list[dm.DisplayMessage]] = field(default_factory=dict)
    data_transfers: list[dm.DataTransfer] = field(default_factory=list)
    station_events: dict[str, list[dm.StationEvent]] = field(default_factory=dict)
    monitors: dict[str, dm.ListMonitorsResponse] = field(default_factory=dict)
    customer_information: dict[tuple[str, int], dm.GetCustomerInformationResponse] = field(default_factory=dict)

    def connect(self, station_id: str, **fields: Any) -> dm.Station:
        station = dm.Station(station_id=station_id, connected=True, **fields)
        self.stations[station_id] = station
        return station

    async def get_station(self, station_id: str) -> dm.Station:
        self._called("get_station", station_id)
        if station_id not in self.stations:
            raise self._not_found(f"station {station_id}")
        return self.stations[station_id]

    async def send_command(self, request: dm.SendCommandRequest, deadline_s: float) -> dm.Command:
        self._called("send_command", request, deadline_s)
        station = self.stations.get(request.station_id)
        if request.command not in COMMANDS:
            raise self._not_found(f"command {request.command}")
        if station is None:
            raise self._not_found(f"station {request.station_id}")
        if not station.connected and not request.queue_if_offline:
            raise PeerError(
                self.service, grpc.StatusCode.FAILED_PRECONDITION, f"station {station.station_id} is offline"
            )
        command = dm.Command(
            command_id=f"cmd-{len(self.commands) + 1:04d}",
            station_id=request.station_id,
            command=request.command,
            params_json=request.params_json,
            ocpp_version=station.ocpp_version,
            timeout_ms=request.timeout_ms,
        )
        if request.HasField("expires_at"):
            command.expires_at.CopyFrom(request.expires_at)
        if not station.connected:
            command.state = dm.COMMAND_STATE_QUEUED
        elif not request.wait:
            command.state = dm.COMMAND_STATE_SENT
        else:
            command.state = dm.COMMAND_STATE_ANSWERED
            command.request_json = json.dumps([{"action": "Reset", "payload": {"type": "Soft"}}])
            command.result_json = json.dumps(self.answer)
            command.response_json = json.dumps([[3, "m-1", self.answer]])
        self.commands[command.command_id] = command
        return command

    async def get_command(self, command_id: str) -> dm.Command:
        self._called("get_command", command_id)
        if command_id not in self.commands:
            raise self._not_found(f"command {command_id}")
        return self.commands[command_id]

    async def list_commands(self, request: dm.ListCommandsRequest) -> dm.ListCommandsResponse:
        self._called("list_commands", request)
        ids = [i for i, c in self.commands.items() if c.station_id == request.station_id]
        page, token = _page(ids, request.page_size or 100, request.page_token)
        return dm.ListCommandsResponse(commands=[self.commands[i] for i in page], next_page_token=token)

    async def list_periodic_streams(self, station_id: str) -> list[dm.PeriodicStream]:
        self._called("list_periodic_streams", station_id)
        return [found for found in self.periodic_streams if found.station_id == station_id]

    async def get_periodic_stream_data(self, request: dm.GetPeriodicStreamDataRequest) -> list[dm.PeriodicStreamValue]:
        self._called("get_periodic_stream_data", request)
        return self.stream_values[: request.limit]

    async def list_display_messages(self, station_id: str) -> list[dm.DisplayMessage]:
        self._called("list_display_messages", station_id)
        return self.display_messages.get(station_id, [])

    async def list_data_transfers(self, request: dm.ListDataTransfersRequest) -> dm.ListDataTransfersResponse:
        self._called("list_data_transfers", request)
        found = {t.transfer_id: t for t in self.data_transfers if t.station_id == request.station_id}
        page, token = _page(list(found), request.page_size or 100, request.page_token)
        return dm.ListDataTransfersResponse(transfers=[found[i] for i in page], next_page_token=token)

    async def get_device_model(self, request: dm.GetDeviceModelRequest) -> dm.GetDeviceModelResponse:
        self._called("get_device_model", request)
        found = [
            v
            for v in self.variables.get(request.station_id, [])
            if (not request.component or v.component == request.component)
            and (not request.variable or v.variable == request.variable)
        ]
        page, token = _page([f"{i:06d}" for i in range(len(found))], request.page_size or 100, request.page_token)
        return dm.GetDeviceModelResponse(variables=[found[int(i)] for i in page], next_page_token=token)

    async def list_reports(self, station_id: str) -> list[dm.Report]:
        self._called("list_reports", station_id)
        return self.reports.get(station_id, [])

    async def get_station_provisioning(self, station_id: str) -> dm.StationProvisioning:
        self._called("get_station_provisioning", station_id)
        return self.provisioning.get(station_id) or dm.StationProvisioning(
            station_id=station_id, boot_policy="Accepted"
        )

    async def set_station_provisioning(
        self, request: dm.SetStationProvisioningRequest
    ) -> dm.SetStationProvisioningResponse:
        """Stores the policy as given; a trigger_boot for a connected station answers a sent trigger command."""
        self._called("set_station_provisioning", request)
        if request.boot_policy not in ("Accepted", "Pending", "Rejected"):
            raise PeerError(self.service, grpc.StatusCode.INVALID_ARGUMENT, "boot policy must be one of ...")
        found = self.provisioning.setdefault(request.station_id, dm.StationProvisioning(station_id=request.station_id))
        found.boot_policy, found.explicit = request.boot_policy, True
        response = dm.SetStationProvisioningResponse(provisioning=found)
        station = self.stations.get(request.station_id)
        if request.trigger_boot and station is not None and station.connected:
            response.trigger_command.CopyFrom(
                dm.Command(
                    command_id="cmd-boot",
                    station_id=request.station_id,
                    command="trigger-message",
                    params_json='{"message":"boot_notification"}',
                    state=dm.COMMAND_STATE_SENT,
                )
            )
        return response

    async def list_station_boots(self, request: dm.ListStationBootsRequest) -> dm.ListStationBootsResponse:
        self._called("list_station_boots", request)
        boots = self.boots.get(request.station_id, [])
        ids = [f"{i:06d}" for i in range(len(boots))]
        page, token = _page(ids, request.page_size or 100, request.page_token)
        return dm.ListStationBootsResponse(boots=[boots[int(i)] for i in page], next_page_token=token)

    async def list_station_events(self, request: dm.ListStationEventsRequest) -> dm.ListStationEventsResponse:
        """The station's `station_events` (newest first as given), paged; filters are the service's (recorded)."""
        self._called("list_station_events", request)
        events = self.station_events.get(request.station_id, [])
        page, token = _page([f"{i:06d}" for i in range(len(events))], request.page_size or 100, request.page_token)
        return dm.ListStationEventsResponse(events=[events[int(i)] for i in page], next_page_token=token)

    async def list_monitors(self, station_id: str) -> dm.ListMonitorsResponse:
        self._called("list_monitors", station_id)
        return self.monitors.get(station_id, dm.ListMonitorsResponse())

    async def get_customer_information(self, station_id: str, request_id: int) -> dm.GetCustomerInformationResponse:
        self._called("get_customer_information", station_id, request_id)
        if (station_id, request_id) not in self.customer_information:
            raise self._not_found(f"customer information {request_id} of station {station_id}")
        return self.customer_information[(station_id, request_id)]


@dataclass
class FakeTransactions(_Recording):
    service: str = "transactions"
    transactions: list[tx.Transaction] = field(default_factory=list)
    samples: dict[tuple[str, str], list[tx.SampledValue]] = field(default_factory=dict)
    start_answer: tx.StartSessionResponse = field(
        default_factory=lambda: tx.StartSessionResponse(
            status="Accepted", message_id="m-start", result_json='{"status": "Accepted"}', remote_start_id=7
        )
    )
    stop_answer: tx.StopSessionResponse = field(
        default_factory=lambda: tx.StopSessionResponse(
            status="Accepted", message_id="m-stop", result_json='{"status": "Accepted"}'
        )
    )

    async def get_transaction(self, request: tx.GetTransactionRequest) -> tx.GetTransactionResponse:
        self._called("get_transaction", request)
        found = [
            t
            for t in self.transactions
            if t.transaction_id == request.transaction_id and request.station_id in ("", t.station_id)
        ]
        if len(found) > 1:
            raise PeerError(self.service, grpc.StatusCode.FAILED_PRECONDITION, "give the station")
        if not found:
            raise self._not_found(f"transaction {request.transaction_id}")
        key = (found[0].station_id, found[0].transaction_id)
        return tx.GetTransactionResponse(transaction=found[0], samples=self.samples.get(key, []))

    async def list_transactions(self, request: tx.ListTransactionsRequest) -> tx.ListTransactionsResponse:
        """Every filtered transaction in list order; the page token is the index to continue at."""
        self._called("list_transactions", request)
        matching = [
            t
            for t in self.transactions
            if request.station_id in ("", t.station_id)
            and request.id_token.upper() in ("", t.id_token.id_token.upper())
            and (not request.active_only or t.state == tx.TRANSACTION_STATE_ACTIVE)
        ]
        start = int(request.page_token or 0)
        end = start + (request.page_size or 100)
        token = str(end) if end < len(matching) else ""
        return tx.ListTransactionsResponse(transactions=matching[start:end], next_page_token=token)

    async def start_session(self, request: tx.StartSessionRequest, deadline_s: float) -> tx.StartSessionResponse:
        self._called("start_session", request, deadline_s)
        return self.start_answer

    async def stop_session(self, request: tx.StopSessionRequest, deadline_s: float) -> tx.StopSessionResponse:
        self._called("stop_session", request, deadline_s)
        return self.stop_answer


@dataclass
class FakeSecurity(_Recording):
    service: str = "security"
    events: list[sec.SecurityEvent] = field(default_factory=list)
    certificates: list[sec.IssuedCertificate] = field(default_factory=list)

    async def list_security_events(self, request: sec.ListSecurityEventsRequest) -> sec.ListSecurityEventsResponse:
        """The (station's) events in list order; the page token is the index to continue at."""
        self._called("list_security_events", request)
        matching = [e for e in self.events if request.station_id in ("", e.station_id)]
        start = int(request.page_token or 0)
        end = start + (request.page_size or 100)
        token = str(end) if end < len(matching) else ""
        return sec.ListSecurityEventsResponse(events=matching[start:end], next_page_token=token)

    async def list_issued_certificates(self, station_id: str) -> list[sec.IssuedCertificate]:
        self._called("list_issued_certificates", station_id)
        return [c for c in self.certificates if c.station_id == station_id]


@dataclass
class FakeFirmware(_Recording):
    """FirmwareService: requests answered with `requested` (its station and key taken from the request), the
    histories given per station, campaigns kept as created (controls change their status or settings)."""

    service: str = "firmware"
    requested: fw.FirmwareRequested = field(
        default_factory=lambda: fw.FirmwareRequested(command_id="cmd-1", ocpp_request_id=7, params_json="{}")
    )
    firmware: dict[str, fw.GetStationFirmwareResponse] = field(default_factory=dict)
    logs: dict[str, fw.ListLogRequestsResponse] = field(default_factory=dict)
    campaigns: dict[str, fw.CampaignView] = field(default_factory=dict)

    async def request_firmware_update(self, request: fw.RequestFirmwareUpdateRequest) -> fw.FirmwareRequested:
        self._called("request_firmware_update", request)
        made = fw.FirmwareRequested()
        made.CopyFrom(self.requested)
        made.request_key = request.request_key or "new-key"
        made.kind, made.command = fw.REQUEST_KIND_FIRMWARE_UPDATE, "update-firmware"
        return made

    async def request_log_upload(self, request: fw.RequestLogUploadRequest) -> fw.FirmwareRequested:
        self._called("request_log_upload", request)
        made = fw.FirmwareRequested()
        made.CopyFrom(self.requested)
        made.request_key = request.request_key or "new-key"
        made.kind, made.command = fw.REQUEST_KIND_LOG_UPLOAD, request.command
        return made

    async def station_firmware(self, station_id: str) -> fw.GetStationFirmwareResponse:
        self._called("station_firmware", station_id)
        return self.firmware.get(station_id, fw.GetStationFirmwareResponse())

    async def log_requests(self, station_id: str) -> fw.ListLogRequestsResponse:
        self._called("log_requests", station_id)
        return self.logs.get(station_id, fw.ListLogRequestsResponse())

    async def create_campaign(self, request: fw.CreateCampaignRequest) -> fw.CampaignView:
        self._called("create_campaign", request)
        made = fw.CampaignView(campaign_id=request.campaign_id or "new-campaign", name=request.name, status="running")
        made.target.CopyFrom(request.target)
        made.settings.CopyFrom(request.settings)
        self.campaigns[made.campaign_id] = made
        return made

    async def list_campaigns(self) -> fw.ListCampaignsResponse:
        self._called("list_campaigns", None)
        return fw.ListCampaignsResponse(campaigns=list(self.campaigns.values()))

    async def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> fw.CampaignView:
        self._called("get_campaign", campaign_id)
        if campaign_id not in self.campaigns:
            raise PeerError(self.service, grpc.StatusCode.NOT_FOUND, f"no campaign {campaign_id!r}")
        return self.campaigns[campaign_id]

    async def control_campaign(self, request: fw.ControlCampaignRequest) -> fw.CampaignView:
        self._called("control_campaign", request)
        found = self.campaigns.get(request.campaign_id)
        if found is None:
            raise PeerError(self.service, grpc.StatusCode.NOT_FOUND, f"no campaign {request.campaign_id!r}")
        if request.action == "settings":
            found.settings.CopyFrom(request.settings)
        else:
            found.status = {"pause": "paused", "resume": "running", "abort": "aborted"}[request.action]
        return found


@dataclass
class FakeSmartCharging(_Recording):
    """SmartChargingService: profile commands answered as recorded under their key (command id `cmd-1`), the views
    given per station; sites stored as put (no validation: the service's, tested in tests/unit/smart_charging),
    answered with `shortfall`, allocations given per site."""

    service: str = "smart-charging"
    views: dict[str, sc.StationChargingProfiles] = field(default_factory=dict)
    sites: dict[str, sc.Site] = field(default_factory=dict)
    allocations: dict[str, sc.SiteAllocation] = field(default_factory=dict)
    shortfall: sc.SiteShortfall = field(default_factory=sc.SiteShortfall)

    async def profile_command(self, command: str, request: sc.ProfileCommandRequest) -> sc.ProfileRequested:
        self._called(command, request)
        return sc.ProfileRequested(
            request_key=request.request_key or "new-key",
            command=command,
            command_id="cmd-1",
            params_json=request.params_json,
            origin=sc.REQUEST_ORIGIN_OPERATOR,
            queued_if_offline=request.queue_if_offline,
        )

    async def station_profiles(self, station_id: str) -> sc.StationChargingProfiles:
        self._called("station_profiles", station_id)
        return self.views.get(station_id, sc.StationChargingProfiles(station_id=station_id))

    async def put_site(self, site_id: str, definition_json: str) -> sc.SiteResponse:
        self._called("put_site", (site_id, definition_json))
        body = json.loads(definition_json)
        evses = [sc.SiteEvse(**evse) for evse in body.pop("evses")]
        found = sc.Site(site_id=site_id, evses=evses, **body)
        self.sites[site_id] = found
        return sc.SiteResponse(site=found, shortfall=self.shortfall)

    async def get_site(self, site_id: str) -> sc.SiteResponse:
        self._called("get_site", site_id)
        if site_id not in self.sites:
            raise self._not_found(f"site {site_id!r}")
        return sc.SiteResponse(site=self.sites[site_id], shortfall=self.shortfall)

    async def list_sites(self, request: sc.ListSitesRequest) -> sc.ListSitesResponse:
        self._called("list_sites", request)
        ids, token = _page(list(self.sites), request.page_size, request.page_token)
        return sc.ListSitesResponse(sites=[self.sites[i] for i in ids], next_page_token=token)

    async def delete_site(self, site_id: str) -> None:
        self._called("delete_site", site_id)
        if self.sites.pop(site_id, None) is None:
            raise self._not_found(f"site {site_id!r}")

    async def set_site_limit(self, request: sc.SetSiteLimitRequest) -> sc.SiteResponse:
        self._called("set_site_limit", request)
        if request.site_id not in self.sites:
            raise self._not_found(f"site {request.site_id!r}")
        self.sites[request.site_id].limit = request.limit
        return sc.SiteResponse(site=self.sites[request.site_id], shortfall=self.shortfall)

    async def site_allocation(self, site_id: str) -> sc.SiteAllocation:
        self._called("site_allocation", site_id)
        if site_id not in self.allocations:
            raise self._not_found(f"site {site_id!r}")
        return self.allocations[site_id]


@dataclass
class FakeCheck:
    name: str
    failure: Exception | None = None

    async def check(self, timeout_s: float) -> None:
        if self.failure is not None:
            raise self.failure
