"""The ports of the api service: its key store, the four services it calls over gRPC and the checks behind
/readyz, as Protocols, plus the errors they raise. Implemented by the adapters (Cassandra, gRPC) and by the fakes
of the unit tests (tests/kit/fakes/api.py). No I/O.

The service ports take and return the services' own protobuf messages (the contracts in proto/), so the routes
translate between HTTP and gRPC and nothing in between re-models them. A service's error status arrives as
`PeerError`, which the HTTP layer maps to a problem response in one place (`api/problems.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Protocol, TypeVar

import grpc

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms.firmware.v1 import firmware_pb2 as fw
from csms.security.v1 import security_pb2 as sec
from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.domain.keys import ApiKey


class PeerError(Exception):
    """A service answered with an error status (or could not be reached: UNAVAILABLE, DEADLINE_EXCEEDED)."""

    def __init__(self, service: str, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{service}: {code.name} {message}")
        self.service = service
        self.code = code
        self.message = message


T = TypeVar("T")


async def unless_not_found(lookup: Awaitable[T]) -> T | None:
    """The lookup's answer; None when the service answered NOT_FOUND."""
    try:
        return await lookup
    except PeerError as exc:
        if exc.code == grpc.StatusCode.NOT_FOUND:
            return None
        raise


class StoreUnavailable(Exception):
    """The key store did not answer, even after retries."""


class ApiKeyStore(Protocol):
    async def get(self, key_id: str) -> ApiKey | None: ...

    async def add(self, key: ApiKey) -> bool:
        """Stores a new key; False when its id is taken (nothing written)."""

    async def set_revoked(self, key: ApiKey) -> None:
        """Stores the key's revocation time."""

    async def list_page(self, limit: int, after: str | None) -> tuple[list[ApiKey], str | None]:
        """Up to `limit` keys following the key id `after` (a stable order), and the id to continue after
        (None on the last page)."""


class AuthorizationPeer(Protocol):
    """AuthorizationService (proto/csms/authorization/v1): station registry, id tokens, local lists, reservations."""

    async def register_station(self, request: authz.RegisterStationRequest) -> authz.RegisterStationResponse: ...

    async def get_registered_station(self, station_id: str) -> authz.RegisteredStation: ...

    async def update_station(self, request: authz.UpdateStationRequest) -> authz.RegisteredStation: ...

    async def delete_station(self, station_id: str) -> bool: ...

    async def list_registered_stations(
        self, request: authz.ListRegisteredStationsRequest
    ) -> authz.ListRegisteredStationsResponse: ...

    async def upsert_id_token(self, request: authz.UpsertIdTokenRequest) -> authz.UpsertIdTokenResponse: ...

    async def get_id_token(self, id_token: str) -> authz.IdTokenRecord: ...

    async def list_id_tokens(self, request: authz.ListIdTokensRequest) -> authz.ListIdTokensResponse: ...

    async def block_id_token(self, id_token: str) -> authz.IdTokenRecord: ...

    async def delete_id_token(self, id_token: str) -> bool: ...

    async def push_local_list(
        self, request: authz.PushLocalListRequest, deadline_s: float
    ) -> list[authz.LocalListPushResult]: ...

    async def reserve_now(self, request: authz.ReserveNowRequest, deadline_s: float) -> authz.ReserveNowResponse: ...

    async def cancel_reservation(
        self, request: authz.CancelReservationRequest, deadline_s: float
    ) -> authz.CancelReservationResponse: ...

    async def list_reservations(self, request: authz.ListReservationsRequest) -> list[authz.Reservation]: ...

    async def get_reservation(self, station_id: str, reservation_id: int) -> authz.Reservation: ...


class DeviceModelPeer(Protocol):
    """DeviceModelService (proto/csms/device_model/v1): station projections and operator commands."""

    async def get_station(self, station_id: str) -> dm.Station: ...

    async def send_command(self, request: dm.SendCommandRequest, deadline_s: float) -> dm.Command: ...

    async def get_command(self, command_id: str) -> dm.Command: ...

    async def list_commands(self, request: dm.ListCommandsRequest) -> dm.ListCommandsResponse: ...

    async def list_periodic_streams(self, station_id: str) -> list[dm.PeriodicStream]: ...

    async def get_periodic_stream_data(self, request: dm.GetPeriodicStreamDataRequest) -> list[dm.PeriodicStreamValue]:
        """INVALID_ARGUMENT (a 422) for a limit or time span out of bounds."""
        ...

    async def list_display_messages(self, station_id: str) -> list[dm.DisplayMessage]: ...

    async def list_data_transfers(self, request: dm.ListDataTransfersRequest) -> dm.ListDataTransfersResponse: ...
    async def get_device_model(self, request: dm.GetDeviceModelRequest) -> dm.GetDeviceModelResponse: ...

    async def list_reports(self, station_id: str) -> list[dm.Report]: ...
    async def get_station_provisioning(self, station_id: str) -> dm.StationProvisioning: ...

    async def set_station_provisioning(
        self, request: dm.SetStationProvisioningRequest
    ) -> dm.SetStationProvisioningResponse: ...

    async def list_station_boots(self, request: dm.ListStationBootsRequest) -> dm.ListStationBootsResponse: ...

    async def list_station_events(self, request: dm.ListStationEventsRequest) -> dm.ListStationEventsResponse: ...

    async def list_monitors(self, station_id: str) -> dm.ListMonitorsResponse: ...

    async def get_customer_information(self, station_id: str, request_id: int) -> dm.GetCustomerInformationResponse: ...


class TransactionsPeer(Protocol):
    """TransactionsService (proto/csms/transactions/v1): transactions and remote start/stop."""

    async def get_transaction(self, request: tx.GetTransactionRequest) -> tx.GetTransactionResponse: ...

    async def list_transactions(self, request: tx.ListTransactionsRequest) -> tx.ListTransactionsResponse: ...

    async def start_session(self, request: tx.StartSessionRequest, deadline_s: float) -> tx.StartSessionResponse: ...

    async def stop_session(self, request: tx.StopSessionRequest, deadline_s: float) -> tx.StopSessionResponse: ...


class SecurityPeer(Protocol):
    """SecurityService (proto/csms/security/v1): the security event log and the certificates issued to stations."""

    async def list_security_events(self, request: sec.ListSecurityEventsRequest) -> sec.ListSecurityEventsResponse: ...

    async def list_issued_certificates(self, station_id: str) -> list[sec.IssuedCertificate]: ...


class FirmwarePeer(Protocol):
    """FirmwareService (proto/csms/firmware/v1): firmware updates and log uploads of stations, and their history."""

    async def request_firmware_update(self, request: fw.RequestFirmwareUpdateRequest) -> fw.FirmwareRequested: ...

    async def request_log_upload(self, request: fw.RequestLogUploadRequest) -> fw.FirmwareRequested: ...

    async def station_firmware(self, station_id: str) -> fw.GetStationFirmwareResponse: ...

    async def log_requests(self, station_id: str) -> fw.ListLogRequestsResponse: ...

    async def create_campaign(self, request: fw.CreateCampaignRequest) -> fw.CampaignView: ...

    async def list_campaigns(self) -> fw.ListCampaignsResponse: ...

    async def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> fw.CampaignView: ...

    async def control_campaign(self, request: fw.ControlCampaignRequest) -> fw.CampaignView: ...


class SmartChargingPeer(Protocol):
    """SmartChargingService (proto/csms/smart_charging/v1): charging profile commands, each station's profiles, and
    load-management sites."""

    async def profile_command(self, command: str, request: sc.ProfileCommandRequest) -> sc.ProfileRequested:
        """`command`: set-charging-profile, clear-charging-profile, get-composite-schedule, get-charging-profiles."""

    async def station_profiles(self, station_id: str) -> sc.StationChargingProfiles: ...

    async def put_site(self, site_id: str, definition_json: str) -> sc.SiteResponse:
        """Creates or replaces a load-management site (docs/adr/0042)."""

    async def get_site(self, site_id: str) -> sc.SiteResponse: ...

    async def list_sites(self, request: sc.ListSitesRequest) -> sc.ListSitesResponse: ...

    async def delete_site(self, site_id: str) -> None: ...

    async def set_site_limit(self, request: sc.SetSiteLimitRequest) -> sc.SiteResponse: ...

    async def site_allocation(self, site_id: str) -> sc.SiteAllocation: ...


class DependencyCheck(Protocol):
    """One dependency /readyz asks: returns when it answers as ready, raises otherwise."""

    name: str

    async def check(self, timeout_s: float) -> None: ...
