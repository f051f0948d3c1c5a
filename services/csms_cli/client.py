"""The gRPC calls behind the CLI: the `CsmsClient` port and its blocking gRPC implementation.

Opens channels lazily to the device-model, authorization, transactions, security and firmware services (an address
may list several instances of a service; mutual TLS with `Addresses.tls`; network I/O only); every failure surfaces
as `ServiceUnreachable` or `RpcFailed`, so the commands never see gRPC types. The raw `SendCall` (any action, any
JSON payload) follows the kernel's station-call deadline rule.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar, cast

import grpc

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms.firmware.v1 import firmware_pb2, firmware_pb2_grpc
from csms.security.v1 import security_pb2, security_pb2_grpc
from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_kernel.clients.channels import blocking_channel
from csms_kernel.clients.station_calls import rpc_deadline_s
from csms_kernel.infra.grpc_tls import GrpcTls

AUTHORIZATION = "authorization"
DEVICE_MODEL = "device-model"
TRANSACTIONS = "transactions"
SECURITY = "security"
FIRMWARE = "firmware"
SMART_CHARGING = "smart-charging"
PAGE_SIZE = 500
PUSH_ROUNDS = 20  # a local list push waits up to this many per-station timeouts


@dataclass(frozen=True)
class Addresses:
    """Where the services are, and the CLI's gRPC mutual TLS (None: plaintext, development only)."""

    device_model: str
    authorization: str
    transactions: str = field(default="", compare=False)
    security: str = field(default="", compare=False)
    firmware: str = field(default="", compare=False)
    smart_charging: str = field(default="", compare=False)
    tls: GrpcTls | None = field(default=None, compare=False)


class ServiceUnreachable(Exception):
    def __init__(self, service: str, address: str, details: str) -> None:
        super().__init__(f"cannot reach the {service} service at {address} ({details})")
        self.service = service
        self.address = address


class RpcFailed(Exception):
    """The service answered with an error status; `message` is the server's own text."""

    def __init__(self, service: str, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{service} {code.name}: {message}")
        self.service = service
        self.code = code
        self.message = message


class CsmsClient(Protocol):
    def register_station(self, station_id: str, password: str, security_profile: int, group: str = "") -> bool:
        """True when the station was created, False when it was registered already (nothing changed)."""

    def list_registered_stations(self, group: str = "") -> list[authorization_pb2.RegisteredStation]:
        """Every registered station (all pages), of `group` only when given."""

    def get_registered_station(self, station_id: str) -> authorization_pb2.RegisteredStation: ...

    def update_station(self, request: authorization_pb2.UpdateStationRequest) -> authorization_pb2.RegisteredStation:
        """The station as changed."""

    def delete_station(self, station_id: str) -> bool:
        """False when there was no such station."""

    def list_stations(self) -> list[device_model_pb2.Station]:
        """Every station of the device-model projection (all pages)."""

    def get_station(self, station_id: str) -> device_model_pb2.Station: ...

    def send_call(
        self, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> device_model_pb2.SendCallResponse: ...

    def send_command(self, request: device_model_pb2.SendCommandRequest) -> device_model_pb2.Command:
        """An operator command, as recorded (waited for when `request.wait`)."""

    def get_command(self, command_id: str) -> device_model_pb2.Command: ...

    def list_commands(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.Command], bool]:
        """Up to `limit` of the station's commands, newest first (following pages), and whether there are more."""

    def list_periodic_streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]: ...

    def get_periodic_stream_data(
        self, request: device_model_pb2.GetPeriodicStreamDataRequest
    ) -> list[device_model_pb2.PeriodicStreamValue]: ...
    def get_device_model(
        self, request: device_model_pb2.GetDeviceModelRequest, limit: int
    ) -> tuple[list[device_model_pb2.DeviceVariable], bool]:
        """At most `limit` variable attributes (and whether there were more)."""

    def list_reports(self, station_id: str) -> list[device_model_pb2.Report]: ...
    def get_station_provisioning(self, station_id: str) -> device_model_pb2.StationProvisioning: ...

    def set_station_provisioning(
        self, request: device_model_pb2.SetStationProvisioningRequest
    ) -> device_model_pb2.SetStationProvisioningResponse: ...

    def list_station_boots(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.StationBoot], bool]:
        """Up to `limit` boots, newest first, and whether there are more."""

    def list_station_events(
        self, request: device_model_pb2.ListStationEventsRequest, limit: int
    ) -> tuple[list[device_model_pb2.StationEvent], bool]: ...

    def list_monitors(self, station_id: str) -> device_model_pb2.ListMonitorsResponse: ...

    def get_customer_information(
        self, station_id: str, request_id: int
    ) -> device_model_pb2.GetCustomerInformationResponse: ...

    def upsert_id_token(
        self, request: authorization_pb2.UpsertIdTokenRequest
    ) -> authorization_pb2.UpsertIdTokenResponse:
        """Creates or replaces an id token."""

    def list_id_tokens(self) -> list[authorization_pb2.IdTokenRecord]:
        """Every id token (all pages)."""

    def get_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord: ...

    def block_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord: ...

    def delete_id_token(self, id_token: str) -> bool:
        """False when there was no such token."""

    def push_local_list(
        self, request: authorization_pb2.PushLocalListRequest, timeout_s: float
    ) -> list[authorization_pb2.LocalListPushResult]:
        """`timeout_s`: per station."""

    def refresh_local_list_version(self, station_id: str, timeout_s: float) -> int:
        """Asks the station for its local list version; the service records it."""

    def local_list_status(self, station_id: str) -> authorization_pb2.GetLocalListStatusResponse: ...

    def reserve_now(self, request: authorization_pb2.ReserveNowRequest) -> authorization_pb2.ReserveNowResponse:
        """Waits up to the request's timeout for the station's answer."""

    def cancel_reservation(
        self, request: authorization_pb2.CancelReservationRequest
    ) -> authorization_pb2.CancelReservationResponse: ...

    def list_reservations(
        self, request: authorization_pb2.ListReservationsRequest
    ) -> list[authorization_pb2.Reservation]: ...

    def get_reservation(self, station_id: str, reservation_id: int) -> authorization_pb2.Reservation: ...

    def get_transaction(self, transaction_id: str, station_id: str) -> transactions_pb2.GetTransactionResponse: ...

    def list_transactions(
        self, request: transactions_pb2.ListTransactionsRequest, limit: int
    ) -> tuple[list[transactions_pb2.Transaction], bool]:
        """Up to `limit` transactions (following pages) and whether there are more."""

    def start_session(
        self, station_id: str, id_token: transactions_pb2.IdToken, evse_id: int | None, timeout_s: float
    ) -> transactions_pb2.StartSessionResponse: ...

    def stop_session(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.StopSessionResponse: ...

    def get_transaction_status(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.GetTransactionStatusResponse: ...

    def list_security_events(self, station_id: str, limit: int) -> tuple[list[security_pb2.SecurityEvent], bool]:
        """Up to `limit` security events, newest first, of one station or (empty) of all, and whether there are
        more."""

    def list_issued_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]: ...

    def list_display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]: ...

    def list_data_transfers(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.DataTransfer], bool]:
        """Up to `limit` of the station's DataTransfers, newest first, and whether there are more."""

    def request_firmware_update(
        self, request: firmware_pb2.RequestFirmwareUpdateRequest
    ) -> firmware_pb2.FirmwareRequested:
        """The request as recorded (a repeat with the same request_key: the same one, nothing sent again)."""

    def request_log_upload(self, request: firmware_pb2.RequestLogUploadRequest) -> firmware_pb2.FirmwareRequested: ...

    def station_firmware(self, station_id: str) -> firmware_pb2.GetStationFirmwareResponse: ...

    def log_requests(self, station_id: str) -> firmware_pb2.ListLogRequestsResponse: ...

    def profile_command(
        self, command: str, request: smart_charging_pb2.ProfileCommandRequest
    ) -> smart_charging_pb2.ProfileRequested:
        """`command`: set-charging-profile, clear-charging-profile, get-composite-schedule, get-charging-profiles;
        the request as recorded (a repeat with the same request_key: the same one, nothing sent again)."""

    def station_profiles(self, station_id: str) -> smart_charging_pb2.StationChargingProfiles: ...

    def put_site(self, site_id: str, definition_json: str) -> smart_charging_pb2.SiteResponse:
        """Creates or replaces a load-management site (docs/adr/0042)."""

    def get_site(self, site_id: str) -> smart_charging_pb2.SiteResponse: ...

    def list_sites(self) -> list[smart_charging_pb2.Site]:
        """Every site (all pages)."""

    def delete_site(self, site_id: str) -> None: ...

    def set_site_limit(self, request: smart_charging_pb2.SetSiteLimitRequest) -> smart_charging_pb2.SiteResponse: ...

    def site_allocation(self, site_id: str) -> smart_charging_pb2.SiteAllocation: ...

    def create_campaign(self, request: firmware_pb2.CreateCampaignRequest) -> firmware_pb2.CampaignView: ...

    def list_campaigns(self) -> list[firmware_pb2.CampaignView]: ...

    def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> firmware_pb2.CampaignView: ...

    def control_campaign(self, request: firmware_pb2.ControlCampaignRequest) -> firmware_pb2.CampaignView: ...

    def close(self) -> None: ...


class GrpcCsmsClient:
    def __init__(self, addresses: Addresses, rpc_timeout_s: float = 10.0) -> None:
        self._addresses = addresses
        self._rpc_timeout_s = rpc_timeout_s
        self._channels: dict[str, grpc.Channel] = {}

    def register_station(self, station_id: str, password: str, security_profile: int, group: str = "") -> bool:
        request = authorization_pb2.RegisterStationRequest(
            station_id=station_id, password=password, security_profile=security_profile, group=group
        )
        with self._errors(AUTHORIZATION):
            return self._authorization().RegisterStation(request, timeout=self._rpc_timeout_s).created

    def list_registered_stations(self, group: str = "") -> list[authorization_pb2.RegisteredStation]:
        with self._errors(AUTHORIZATION):
            return _all_pages(
                lambda token: self._authorization().ListRegisteredStations(
                    authorization_pb2.ListRegisteredStationsRequest(page_size=PAGE_SIZE, page_token=token, group=group),
                    timeout=self._rpc_timeout_s,
                ),
                lambda page: page.stations,
            )

    def get_registered_station(self, station_id: str) -> authorization_pb2.RegisteredStation:
        request = authorization_pb2.GetRegisteredStationRequest(station_id=station_id)
        with self._errors(AUTHORIZATION):
            return self._authorization().GetRegisteredStation(request, timeout=self._rpc_timeout_s).station

    def update_station(self, request: authorization_pb2.UpdateStationRequest) -> authorization_pb2.RegisteredStation:
        with self._errors(AUTHORIZATION):
            return self._authorization().UpdateStation(request, timeout=self._rpc_timeout_s).station

    def delete_station(self, station_id: str) -> bool:
        request = authorization_pb2.DeleteStationRequest(station_id=station_id)
        with self._errors(AUTHORIZATION):
            return self._authorization().DeleteStation(request, timeout=self._rpc_timeout_s).deleted

    def list_stations(self) -> list[device_model_pb2.Station]:
        with self._errors(DEVICE_MODEL):
            return _all_pages(
                lambda token: self._device_model().ListStations(
                    device_model_pb2.ListStationsRequest(page_size=PAGE_SIZE, page_token=token),
                    timeout=self._rpc_timeout_s,
                ),
                lambda page: page.stations,
            )

    def get_station(self, station_id: str) -> device_model_pb2.Station:
        request = device_model_pb2.GetStationRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return self._device_model().GetStation(request, timeout=self._rpc_timeout_s).station

    def send_call(
        self, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> device_model_pb2.SendCallResponse:
        request = device_model_pb2.SendCallRequest(
            station_id=station_id, action=action, payload_json=payload_json, timeout_ms=round(timeout_s * 1000)
        )
        with self._errors(DEVICE_MODEL):
            return self._device_model().SendCall(request, timeout=rpc_deadline_s(timeout_s))

    def send_command(self, request: device_model_pb2.SendCommandRequest) -> device_model_pb2.Command:
        timeout_s = request.timeout_ms / 1000
        deadline = rpc_deadline_s(timeout_s) if request.wait else self._rpc_timeout_s
        with self._errors(DEVICE_MODEL):
            return self._device_model().SendCommand(request, timeout=deadline).command

    def get_command(self, command_id: str) -> device_model_pb2.Command:
        request = device_model_pb2.GetCommandRequest(command_id=command_id)
        with self._errors(DEVICE_MODEL):
            return self._device_model().GetCommand(request, timeout=self._rpc_timeout_s).command

    def list_periodic_streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]:
        request = device_model_pb2.ListPeriodicStreamsRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return list(self._device_model().ListPeriodicStreams(request, timeout=self._rpc_timeout_s).streams)

    def get_periodic_stream_data(
        self, request: device_model_pb2.GetPeriodicStreamDataRequest
    ) -> list[device_model_pb2.PeriodicStreamValue]:
        with self._errors(DEVICE_MODEL):
            return list(self._device_model().GetPeriodicStreamData(request, timeout=self._rpc_timeout_s).values)

    def list_commands(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.Command], bool]:
        request = device_model_pb2.ListCommandsRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return _up_to(
                limit,
                request,
                lambda: self._device_model().ListCommands(request, timeout=self._rpc_timeout_s),
                lambda page: page.commands,
            )

    def list_display_messages(self, station_id: str) -> list[device_model_pb2.DisplayMessage]:
        request = device_model_pb2.ListDisplayMessagesRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return list(self._device_model().ListDisplayMessages(request, timeout=self._rpc_timeout_s).messages)

    def list_data_transfers(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.DataTransfer], bool]:
        request = device_model_pb2.ListDataTransfersRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return _up_to(
                limit,
                request,
                lambda: self._device_model().ListDataTransfers(request, timeout=self._rpc_timeout_s),
                lambda page: page.transfers,
            )

    def get_device_model(
        self, request: device_model_pb2.GetDeviceModelRequest, limit: int
    ) -> tuple[list[device_model_pb2.DeviceVariable], bool]:
        with self._errors(DEVICE_MODEL):
            return _up_to(
                limit,
                request,
                lambda: self._device_model().GetDeviceModel(request, timeout=self._rpc_timeout_s),
                lambda page: page.variables,
            )

    def get_station_provisioning(self, station_id: str) -> device_model_pb2.StationProvisioning:
        request = device_model_pb2.GetStationProvisioningRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return self._device_model().GetStationProvisioning(request, timeout=self._rpc_timeout_s).provisioning

    def set_station_provisioning(
        self, request: device_model_pb2.SetStationProvisioningRequest
    ) -> device_model_pb2.SetStationProvisioningResponse:
        with self._errors(DEVICE_MODEL):
            return self._device_model().SetStationProvisioning(request, timeout=self._rpc_timeout_s)

    def list_station_boots(self, station_id: str, limit: int) -> tuple[list[device_model_pb2.StationBoot], bool]:
        request = device_model_pb2.ListStationBootsRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return _up_to(
                limit,
                request,
                lambda: self._device_model().ListStationBoots(request, timeout=self._rpc_timeout_s),
                lambda page: page.boots,
            )

    def list_reports(self, station_id: str) -> list[device_model_pb2.Report]:
        request = device_model_pb2.ListReportsRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return list(self._device_model().ListReports(request, timeout=self._rpc_timeout_s).reports)

    def list_station_events(
        self, request: device_model_pb2.ListStationEventsRequest, limit: int
    ) -> tuple[list[device_model_pb2.StationEvent], bool]:
        """Up to `limit` events matching the request's filters, newest first, following pages (a filtered page may
        be short), and whether there are more."""
        request = device_model_pb2.ListStationEventsRequest.FromString(request.SerializeToString())
        with self._errors(DEVICE_MODEL):
            return _up_to(
                limit,
                request,
                lambda: self._device_model().ListStationEvents(request, timeout=self._rpc_timeout_s),
                lambda page: page.events,
            )

    def list_monitors(self, station_id: str) -> device_model_pb2.ListMonitorsResponse:
        request = device_model_pb2.ListMonitorsRequest(station_id=station_id)
        with self._errors(DEVICE_MODEL):
            return self._device_model().ListMonitors(request, timeout=self._rpc_timeout_s)

    def get_customer_information(
        self, station_id: str, request_id: int
    ) -> device_model_pb2.GetCustomerInformationResponse:
        request = device_model_pb2.GetCustomerInformationRequest(station_id=station_id, request_id=request_id)
        with self._errors(DEVICE_MODEL):
            return self._device_model().GetCustomerInformation(request, timeout=self._rpc_timeout_s)

    def upsert_id_token(
        self, request: authorization_pb2.UpsertIdTokenRequest
    ) -> authorization_pb2.UpsertIdTokenResponse:
        with self._errors(AUTHORIZATION):
            return self._authorization().UpsertIdToken(request, timeout=self._rpc_timeout_s)

    def list_id_tokens(self) -> list[authorization_pb2.IdTokenRecord]:
        with self._errors(AUTHORIZATION):
            return _all_pages(
                lambda token: self._authorization().ListIdTokens(
                    authorization_pb2.ListIdTokensRequest(page_size=PAGE_SIZE, page_token=token),
                    timeout=self._rpc_timeout_s,
                ),
                lambda page: page.tokens,
            )

    def get_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord:
        request = authorization_pb2.GetIdTokenRequest(id_token=id_token)
        with self._errors(AUTHORIZATION):
            return self._authorization().GetIdToken(request, timeout=self._rpc_timeout_s).token

    def block_id_token(self, id_token: str) -> authorization_pb2.IdTokenRecord:
        request = authorization_pb2.BlockIdTokenRequest(id_token=id_token)
        with self._errors(AUTHORIZATION):
            return self._authorization().BlockIdToken(request, timeout=self._rpc_timeout_s).token

    def delete_id_token(self, id_token: str) -> bool:
        request = authorization_pb2.DeleteIdTokenRequest(id_token=id_token)
        with self._errors(AUTHORIZATION):
            return self._authorization().DeleteIdToken(request, timeout=self._rpc_timeout_s).deleted

    def push_local_list(
        self, request: authorization_pb2.PushLocalListRequest, timeout_s: float
    ) -> list[authorization_pb2.LocalListPushResult]:
        request.timeout_ms = round(timeout_s * 1000)
        with self._errors(AUTHORIZATION):
            # Stations are called a bounded number at a time: a large group takes several rounds.
            response = self._authorization().PushLocalList(
                request, timeout=timeout_s * PUSH_ROUNDS + self._rpc_timeout_s
            )
            return list(response.results)

    def refresh_local_list_version(self, station_id: str, timeout_s: float) -> int:
        request = authorization_pb2.RefreshLocalListVersionRequest(
            station_id=station_id, timeout_ms=round(timeout_s * 1000)
        )
        with self._errors(AUTHORIZATION):
            response = self._authorization().RefreshLocalListVersion(request, timeout=timeout_s + self._rpc_timeout_s)
            return response.version_number

    def local_list_status(self, station_id: str) -> authorization_pb2.GetLocalListStatusResponse:
        request = authorization_pb2.GetLocalListStatusRequest(station_id=station_id)
        with self._errors(AUTHORIZATION):
            return self._authorization().GetLocalListStatus(request, timeout=self._rpc_timeout_s)

    def get_transaction(self, transaction_id: str, station_id: str) -> transactions_pb2.GetTransactionResponse:
        request = transactions_pb2.GetTransactionRequest(transaction_id=transaction_id, station_id=station_id)
        with self._errors(TRANSACTIONS):
            return self._transactions().GetTransaction(request, timeout=self._rpc_timeout_s)

    def list_transactions(
        self, request: transactions_pb2.ListTransactionsRequest, limit: int
    ) -> tuple[list[transactions_pb2.Transaction], bool]:
        page_request = transactions_pb2.ListTransactionsRequest()
        page_request.CopyFrom(request)
        with self._errors(TRANSACTIONS):
            return _up_to(
                limit,
                page_request,
                lambda: self._transactions().ListTransactions(page_request, timeout=self._rpc_timeout_s),
                lambda page: page.transactions,
            )

    def start_session(
        self, station_id: str, id_token: transactions_pb2.IdToken, evse_id: int | None, timeout_s: float
    ) -> transactions_pb2.StartSessionResponse:
        request = transactions_pb2.StartSessionRequest(
            station_id=station_id, id_token=id_token, evse_id=evse_id, timeout_ms=round(timeout_s * 1000)
        )
        with self._errors(TRANSACTIONS):
            return self._transactions().StartSession(request, timeout=timeout_s + self._rpc_timeout_s)

    def stop_session(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.StopSessionResponse:
        request = transactions_pb2.StopSessionRequest(
            station_id=station_id, transaction_id=transaction_id, timeout_ms=round(timeout_s * 1000)
        )
        with self._errors(TRANSACTIONS):
            return self._transactions().StopSession(request, timeout=timeout_s + self._rpc_timeout_s)

    def get_transaction_status(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.GetTransactionStatusResponse:
        request = transactions_pb2.GetTransactionStatusRequest(
            station_id=station_id, transaction_id=transaction_id, timeout_ms=round(timeout_s * 1000)
        )
        with self._errors(TRANSACTIONS):
            return self._transactions().GetTransactionStatus(request, timeout=timeout_s + self._rpc_timeout_s)

    def list_security_events(self, station_id: str, limit: int) -> tuple[list[security_pb2.SecurityEvent], bool]:
        request = security_pb2.ListSecurityEventsRequest(station_id=station_id)
        with self._errors(SECURITY):
            return _up_to(
                limit,
                request,
                lambda: self._security().ListSecurityEvents(request, timeout=self._rpc_timeout_s),
                lambda page: page.events,
            )

    def list_issued_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]:
        request = security_pb2.ListIssuedCertificatesRequest(station_id=station_id)
        with self._errors(SECURITY):
            return list(self._security().ListIssuedCertificates(request, timeout=self._rpc_timeout_s).certificates)

    def request_firmware_update(
        self, request: firmware_pb2.RequestFirmwareUpdateRequest
    ) -> firmware_pb2.FirmwareRequested:
        with self._errors(FIRMWARE):
            return self._firmware().RequestFirmwareUpdate(request, timeout=self._rpc_timeout_s).request

    def request_log_upload(self, request: firmware_pb2.RequestLogUploadRequest) -> firmware_pb2.FirmwareRequested:
        with self._errors(FIRMWARE):
            return self._firmware().RequestLogUpload(request, timeout=self._rpc_timeout_s).request

    def station_firmware(self, station_id: str) -> firmware_pb2.GetStationFirmwareResponse:
        request = firmware_pb2.GetStationFirmwareRequest(station_id=station_id)
        with self._errors(FIRMWARE):
            return self._firmware().GetStationFirmware(request, timeout=self._rpc_timeout_s)

    def log_requests(self, station_id: str) -> firmware_pb2.ListLogRequestsResponse:
        request = firmware_pb2.ListLogRequestsRequest(station_id=station_id)
        with self._errors(FIRMWARE):
            return self._firmware().ListLogRequests(request, timeout=self._rpc_timeout_s)

    def profile_command(
        self, command: str, request: smart_charging_pb2.ProfileCommandRequest
    ) -> smart_charging_pb2.ProfileRequested:
        stub = self._smart_charging()
        rpcs = {
            "set-charging-profile": stub.SetChargingProfile,
            "clear-charging-profile": stub.ClearChargingProfile,
            "get-composite-schedule": stub.GetCompositeSchedule,
            "get-charging-profiles": stub.GetChargingProfiles,
        }
        with self._errors(SMART_CHARGING):
            return rpcs[command](request, timeout=self._rpc_timeout_s).request

    def station_profiles(self, station_id: str) -> smart_charging_pb2.StationChargingProfiles:
        request = smart_charging_pb2.GetStationChargingProfilesRequest(station_id=station_id)
        with self._errors(SMART_CHARGING):
            return self._smart_charging().GetStationChargingProfiles(request, timeout=self._rpc_timeout_s)

    def put_site(self, site_id: str, definition_json: str) -> smart_charging_pb2.SiteResponse:
        request = smart_charging_pb2.PutSiteRequest(site_id=site_id, definition_json=definition_json)
        with self._errors(SMART_CHARGING):
            return self._smart_charging().PutSite(request, timeout=self._rpc_timeout_s)

    def get_site(self, site_id: str) -> smart_charging_pb2.SiteResponse:
        with self._errors(SMART_CHARGING):
            return self._smart_charging().GetSite(
                smart_charging_pb2.SiteRequest(site_id=site_id), timeout=self._rpc_timeout_s
            )

    def list_sites(self) -> list[smart_charging_pb2.Site]:
        with self._errors(SMART_CHARGING):
            return _all_pages(
                lambda token: self._smart_charging().ListSites(
                    smart_charging_pb2.ListSitesRequest(page_size=PAGE_SIZE, page_token=token),
                    timeout=self._rpc_timeout_s,
                ),
                lambda page: page.sites,
            )

    def delete_site(self, site_id: str) -> None:
        with self._errors(SMART_CHARGING):
            self._smart_charging().DeleteSite(
                smart_charging_pb2.SiteRequest(site_id=site_id), timeout=self._rpc_timeout_s
            )

    def set_site_limit(self, request: smart_charging_pb2.SetSiteLimitRequest) -> smart_charging_pb2.SiteResponse:
        with self._errors(SMART_CHARGING):
            return self._smart_charging().SetSiteLimit(request, timeout=self._rpc_timeout_s)

    def site_allocation(self, site_id: str) -> smart_charging_pb2.SiteAllocation:
        with self._errors(SMART_CHARGING):
            return self._smart_charging().GetSiteAllocation(
                smart_charging_pb2.SiteRequest(site_id=site_id), timeout=self._rpc_timeout_s
            )

    def create_campaign(self, request: firmware_pb2.CreateCampaignRequest) -> firmware_pb2.CampaignView:
        with self._errors(FIRMWARE):
            return self._firmware().CreateCampaign(request, timeout=self._rpc_timeout_s)

    def list_campaigns(self) -> list[firmware_pb2.CampaignView]:
        with self._errors(FIRMWARE):
            found = self._firmware().ListCampaigns(firmware_pb2.ListCampaignsRequest(), timeout=self._rpc_timeout_s)
        return list(found.campaigns)

    def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> firmware_pb2.CampaignView:
        request = firmware_pb2.GetCampaignRequest(campaign_id=campaign_id, page_size=page_size, page_token=page_token)
        with self._errors(FIRMWARE):
            return self._firmware().GetCampaign(request, timeout=self._rpc_timeout_s)

    def control_campaign(self, request: firmware_pb2.ControlCampaignRequest) -> firmware_pb2.CampaignView:
        with self._errors(FIRMWARE):
            return self._firmware().ControlCampaign(request, timeout=self._rpc_timeout_s)

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
        self._channels.clear()

    def reserve_now(self, request: authorization_pb2.ReserveNowRequest) -> authorization_pb2.ReserveNowResponse:
        with self._errors(AUTHORIZATION):
            # authorization records it with device-model, which sends it and waits for the station
            deadline_s = request.timeout_ms / 1000 + 2 * self._rpc_timeout_s
            return self._authorization().ReserveNow(request, timeout=deadline_s)

    def cancel_reservation(
        self, request: authorization_pb2.CancelReservationRequest
    ) -> authorization_pb2.CancelReservationResponse:
        with self._errors(AUTHORIZATION):
            deadline_s = request.timeout_ms / 1000 + 2 * self._rpc_timeout_s
            return self._authorization().CancelReservation(request, timeout=deadline_s)

    def list_reservations(
        self, request: authorization_pb2.ListReservationsRequest
    ) -> list[authorization_pb2.Reservation]:
        with self._errors(AUTHORIZATION):
            return list(self._authorization().ListReservations(request, timeout=self._rpc_timeout_s).reservations)

    def get_reservation(self, station_id: str, reservation_id: int) -> authorization_pb2.Reservation:
        request = authorization_pb2.GetReservationRequest(station_id=station_id, reservation_id=reservation_id)
        with self._errors(AUTHORIZATION):
            return self._authorization().GetReservation(request, timeout=self._rpc_timeout_s).reservation

    def _authorization(self) -> authorization_pb2_grpc.AuthorizationServiceStub:
        return authorization_pb2_grpc.AuthorizationServiceStub(self._channel(AUTHORIZATION))

    def _device_model(self) -> device_model_pb2_grpc.DeviceModelServiceStub:
        return device_model_pb2_grpc.DeviceModelServiceStub(self._channel(DEVICE_MODEL))

    def _transactions(self) -> transactions_pb2_grpc.TransactionsServiceStub:
        return transactions_pb2_grpc.TransactionsServiceStub(self._channel(TRANSACTIONS))

    def _security(self) -> security_pb2_grpc.SecurityServiceStub:
        return security_pb2_grpc.SecurityServiceStub(self._channel(SECURITY))

    def _firmware(self) -> firmware_pb2_grpc.FirmwareServiceStub:
        return firmware_pb2_grpc.FirmwareServiceStub(self._channel(FIRMWARE))

    def _smart_charging(self) -> smart_charging_pb2_grpc.SmartChargingServiceStub:
        return smart_charging_pb2_grpc.SmartChargingServiceStub(self._channel(SMART_CHARGING))

    def _channel(self, service: str) -> grpc.Channel:
        if service not in self._channels:
            self._channels[service] = blocking_channel(self._address(service), self._addresses.tls)
        return self._channels[service]

    def _address(self, service: str) -> str:
        if service == TRANSACTIONS:
            return self._addresses.transactions
        if service == SECURITY:
            return self._addresses.security
        if service == FIRMWARE:
            return self._addresses.firmware
        if service == SMART_CHARGING:
            return self._addresses.smart_charging
        return self._addresses.authorization if service == AUTHORIZATION else self._addresses.device_model

    def _errors(self, service: str) -> contextlib.AbstractContextManager[None]:
        return _translated_errors(service, self._address(service))


class _Page(Protocol):
    next_page_token: str


PageT = TypeVar("PageT", bound=_Page)
ItemT = TypeVar("ItemT")


class _PagedRequest(Protocol):
    page_size: int
    page_token: str


def _up_to(
    limit: int, request: _PagedRequest, fetch: Callable[[], PageT], items: Callable[[PageT], Iterable[ItemT]]
) -> tuple[list[ItemT], bool]:
    """At most `limit` items of a paged list RPC (`fetch` sends `request`, whose page size and token this sets),
    and whether there were more: each page asks for one more item than still wanted, to know."""
    found: list[ItemT] = []
    while True:
        request.page_size = min(PAGE_SIZE, limit - len(found) + 1)
        page = fetch()
        found.extend(items(page))
        if len(found) > limit:
            return found[:limit], True
        if not page.next_page_token:
            return found, False
        request.page_token = page.next_page_token


def _all_pages(fetch: Callable[[str], PageT], items: Callable[[PageT], Iterable[ItemT]]) -> list[ItemT]:
    """Every item of a paged list RPC: fetch pages by their token until a page has no next token."""
    collected: list[ItemT] = []
    token = ""
    while True:
        page = fetch(token)
        collected.extend(items(page))
        token = page.next_page_token
        if not token:
            return collected


@contextlib.contextmanager
def _translated_errors(service: str, address: str) -> Iterator[None]:
    """Turns a `grpc.RpcError` raised inside the block into `ServiceUnreachable` or `RpcFailed`."""
    try:
        yield
    except grpc.RpcError as exc:
        call = cast(grpc.Call, exc)
        code, details = call.code(), call.details() or ""
        if code == grpc.StatusCode.UNAVAILABLE:
            raise ServiceUnreachable(service, address, details) from exc
        raise RpcFailed(service, code, details) from exc
