"""The gRPC clients of the services the API calls: the adapters of `AuthorizationPeer`, `DeviceModelPeer`,
`TransactionsPeer`, `SecurityPeer` and `FirmwarePeer` (csms_api.ports), one channel per service from the kernel's
`channel` (mutual TLS; round robin over every instance named in `CSMS_<PEER>_ADDRESS`). Every error status becomes
`PeerError`; calls that do not wait for a station get the configured deadline, the others the deadline their caller
computed.
Side effects: network I/O to the services.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc

from csms.authorization.v1 import authorization_pb2 as authz
from csms.authorization.v1 import authorization_pb2_grpc
from csms.device_model.v1 import device_model_pb2 as dm
from csms.device_model.v1 import device_model_pb2_grpc
from csms.firmware.v1 import firmware_pb2 as fw
from csms.firmware.v1 import firmware_pb2_grpc
from csms.security.v1 import security_pb2 as sec
from csms.security.v1 import security_pb2_grpc
from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms.smart_charging.v1 import smart_charging_pb2_grpc
from csms.transactions.v1 import transactions_pb2 as tx
from csms.transactions.v1 import transactions_pb2_grpc
from csms_api.ports import PeerError
from csms_kernel.clients.channels import channel
from csms_kernel.infra.grpc_tls import GrpcTls

Request = TypeVar("Request")
Response = TypeVar("Response")

AUTHORIZATION = "authorization"
DEVICE_MODEL = "device-model"
TRANSACTIONS = "transactions"
SECURITY = "security"
FIRMWARE = "firmware"
SMART_CHARGING = "smart-charging"


class GrpcPeer:
    """One service's channel (opened at construction, which connects lazily) and its error translation."""

    def __init__(self, service: str, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        self.service = service
        self.address = address
        self.channel = channel(address, tls)
        self._timeout_s = timeout_s

    async def _call(
        self,
        method: Callable[..., Awaitable[Response]],
        request: Request,
        deadline_s: float | None = None,
    ) -> Response:
        try:
            return await method(request, timeout=deadline_s or self._timeout_s)
        except grpc.aio.AioRpcError as exc:
            raise PeerError(self.service, exc.code(), exc.details() or "") from exc

    async def close(self) -> None:
        await self.channel.close(grace=None)


class GrpcAuthorization(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(AUTHORIZATION, address, timeout_s, tls)
        self._stub = authorization_pb2_grpc.AuthorizationServiceStub(self.channel)

    async def register_station(self, request: authz.RegisterStationRequest) -> authz.RegisterStationResponse:
        return await self._call(self._stub.RegisterStation, request)

    async def get_registered_station(self, station_id: str) -> authz.RegisteredStation:
        request = authz.GetRegisteredStationRequest(station_id=station_id)
        return (await self._call(self._stub.GetRegisteredStation, request)).station

    async def update_station(self, request: authz.UpdateStationRequest) -> authz.RegisteredStation:
        return (await self._call(self._stub.UpdateStation, request)).station

    async def delete_station(self, station_id: str) -> bool:
        request = authz.DeleteStationRequest(station_id=station_id)
        return (await self._call(self._stub.DeleteStation, request)).deleted

    async def list_registered_stations(
        self, request: authz.ListRegisteredStationsRequest
    ) -> authz.ListRegisteredStationsResponse:
        return await self._call(self._stub.ListRegisteredStations, request)

    async def upsert_id_token(self, request: authz.UpsertIdTokenRequest) -> authz.UpsertIdTokenResponse:
        return await self._call(self._stub.UpsertIdToken, request)

    async def get_id_token(self, id_token: str) -> authz.IdTokenRecord:
        return (await self._call(self._stub.GetIdToken, authz.GetIdTokenRequest(id_token=id_token))).token

    async def list_id_tokens(self, request: authz.ListIdTokensRequest) -> authz.ListIdTokensResponse:
        return await self._call(self._stub.ListIdTokens, request)

    async def block_id_token(self, id_token: str) -> authz.IdTokenRecord:
        return (await self._call(self._stub.BlockIdToken, authz.BlockIdTokenRequest(id_token=id_token))).token

    async def delete_id_token(self, id_token: str) -> bool:
        return (await self._call(self._stub.DeleteIdToken, authz.DeleteIdTokenRequest(id_token=id_token))).deleted

    async def push_local_list(
        self, request: authz.PushLocalListRequest, deadline_s: float
    ) -> list[authz.LocalListPushResult]:
        return list((await self._call(self._stub.PushLocalList, request, deadline_s)).results)

    async def reserve_now(self, request: authz.ReserveNowRequest, deadline_s: float) -> authz.ReserveNowResponse:
        return await self._call(self._stub.ReserveNow, request, deadline_s)

    async def cancel_reservation(
        self, request: authz.CancelReservationRequest, deadline_s: float
    ) -> authz.CancelReservationResponse:
        return await self._call(self._stub.CancelReservation, request, deadline_s)

    async def list_reservations(self, request: authz.ListReservationsRequest) -> list[authz.Reservation]:
        return list((await self._call(self._stub.ListReservations, request)).reservations)

    async def get_reservation(self, station_id: str, reservation_id: int) -> authz.Reservation:
        request = authz.GetReservationRequest(station_id=station_id, reservation_id=reservation_id)
        return (await self._call(self._stub.GetReservation, request)).reservation


class GrpcDeviceModel(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(DEVICE_MODEL, address, timeout_s, tls)
        self._stub = device_model_pb2_grpc.DeviceModelServiceStub(self.channel)

    async def get_station(self, station_id: str) -> dm.Station:
        return (await self._call(self._stub.GetStation, dm.GetStationRequest(station_id=station_id))).station

    async def send_command(self, request: dm.SendCommandRequest, deadline_s: float) -> dm.Command:
        return (await self._call(self._stub.SendCommand, request, deadline_s)).command

    async def get_command(self, command_id: str) -> dm.Command:
        return (await self._call(self._stub.GetCommand, dm.GetCommandRequest(command_id=command_id))).command

    async def list_commands(self, request: dm.ListCommandsRequest) -> dm.ListCommandsResponse:
        return await self._call(self._stub.ListCommands, request)

    async def list_periodic_streams(self, station_id: str) -> list[dm.PeriodicStream]:
        request = dm.ListPeriodicStreamsRequest(station_id=station_id)
        return list((await self._call(self._stub.ListPeriodicStreams, request)).streams)

    async def get_periodic_stream_data(self, request: dm.GetPeriodicStreamDataRequest) -> list[dm.PeriodicStreamValue]:
        return list((await self._call(self._stub.GetPeriodicStreamData, request)).values)

    async def list_display_messages(self, station_id: str) -> list[dm.DisplayMessage]:
        request = dm.ListDisplayMessagesRequest(station_id=station_id)
        return list((await self._call(self._stub.ListDisplayMessages, request)).messages)

    async def list_data_transfers(self, request: dm.ListDataTransfersRequest) -> dm.ListDataTransfersResponse:
        return await self._call(self._stub.ListDataTransfers, request)

    async def get_device_model(self, request: dm.GetDeviceModelRequest) -> dm.GetDeviceModelResponse:
        return await self._call(self._stub.GetDeviceModel, request)

    async def list_reports(self, station_id: str) -> list[dm.Report]:
        return list((await self._call(self._stub.ListReports, dm.ListReportsRequest(station_id=station_id))).reports)

    async def get_station_provisioning(self, station_id: str) -> dm.StationProvisioning:
        request = dm.GetStationProvisioningRequest(station_id=station_id)
        return (await self._call(self._stub.GetStationProvisioning, request)).provisioning

    async def set_station_provisioning(
        self, request: dm.SetStationProvisioningRequest
    ) -> dm.SetStationProvisioningResponse:
        return await self._call(self._stub.SetStationProvisioning, request)

    async def list_station_boots(self, request: dm.ListStationBootsRequest) -> dm.ListStationBootsResponse:
        return await self._call(self._stub.ListStationBoots, request)

    async def list_station_events(self, request: dm.ListStationEventsRequest) -> dm.ListStationEventsResponse:
        return await self._call(self._stub.ListStationEvents, request)

    async def list_monitors(self, station_id: str) -> dm.ListMonitorsResponse:
        return await self._call(self._stub.ListMonitors, dm.ListMonitorsRequest(station_id=station_id))

    async def get_customer_information(self, station_id: str, request_id: int) -> dm.GetCustomerInformationResponse:
        request = dm.GetCustomerInformationRequest(station_id=station_id, request_id=request_id)
        return await self._call(self._stub.GetCustomerInformation, request)


class GrpcTransactions(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(TRANSACTIONS, address, timeout_s, tls)
        self._stub = transactions_pb2_grpc.TransactionsServiceStub(self.channel)

    async def get_transaction(self, request: tx.GetTransactionRequest) -> tx.GetTransactionResponse:
        return await self._call(self._stub.GetTransaction, request)

    async def list_transactions(self, request: tx.ListTransactionsRequest) -> tx.ListTransactionsResponse:
        return await self._call(self._stub.ListTransactions, request)

    async def start_session(self, request: tx.StartSessionRequest, deadline_s: float) -> tx.StartSessionResponse:
        return await self._call(self._stub.StartSession, request, deadline_s)

    async def stop_session(self, request: tx.StopSessionRequest, deadline_s: float) -> tx.StopSessionResponse:
        return await self._call(self._stub.StopSession, request, deadline_s)


class GrpcSecurity(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(SECURITY, address, timeout_s, tls)
        self._stub = security_pb2_grpc.SecurityServiceStub(self.channel)

    async def list_security_events(self, request: sec.ListSecurityEventsRequest) -> sec.ListSecurityEventsResponse:
        return await self._call(self._stub.ListSecurityEvents, request)

    async def list_issued_certificates(self, station_id: str) -> list[sec.IssuedCertificate]:
        request = sec.ListIssuedCertificatesRequest(station_id=station_id)
        return list((await self._call(self._stub.ListIssuedCertificates, request)).certificates)


class GrpcFirmware(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(FIRMWARE, address, timeout_s, tls)
        self._stub = firmware_pb2_grpc.FirmwareServiceStub(self.channel)

    async def request_firmware_update(self, request: fw.RequestFirmwareUpdateRequest) -> fw.FirmwareRequested:
        return (await self._call(self._stub.RequestFirmwareUpdate, request)).request

    async def request_log_upload(self, request: fw.RequestLogUploadRequest) -> fw.FirmwareRequested:
        return (await self._call(self._stub.RequestLogUpload, request)).request

    async def station_firmware(self, station_id: str) -> fw.GetStationFirmwareResponse:
        return await self._call(self._stub.GetStationFirmware, fw.GetStationFirmwareRequest(station_id=station_id))

    async def log_requests(self, station_id: str) -> fw.ListLogRequestsResponse:
        return await self._call(self._stub.ListLogRequests, fw.ListLogRequestsRequest(station_id=station_id))

    async def create_campaign(self, request: fw.CreateCampaignRequest) -> fw.CampaignView:
        return await self._call(self._stub.CreateCampaign, request)

    async def list_campaigns(self) -> fw.ListCampaignsResponse:
        return await self._call(self._stub.ListCampaigns, fw.ListCampaignsRequest())

    async def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> fw.CampaignView:
        request = fw.GetCampaignRequest(campaign_id=campaign_id, page_size=page_size, page_token=page_token)
        return await self._call(self._stub.GetCampaign, request)

    async def control_campaign(self, request: fw.ControlCampaignRequest) -> fw.CampaignView:
        return await self._call(self._stub.ControlCampaign, request)


class GrpcSmartCharging(GrpcPeer):
    def __init__(self, address: str, timeout_s: float, tls: GrpcTls | None) -> None:
        super().__init__(SMART_CHARGING, address, timeout_s, tls)
        self._stub = smart_charging_pb2_grpc.SmartChargingServiceStub(self.channel)
        self._rpcs = {
            "set-charging-profile": self._stub.SetChargingProfile,
            "clear-charging-profile": self._stub.ClearChargingProfile,
            "get-composite-schedule": self._stub.GetCompositeSchedule,
            "get-charging-profiles": self._stub.GetChargingProfiles,
        }

    async def profile_command(self, command: str, request: sc.ProfileCommandRequest) -> sc.ProfileRequested:
        return (await self._call(self._rpcs[command], request)).request

    async def station_profiles(self, station_id: str) -> sc.StationChargingProfiles:
        request = sc.GetStationChargingProfilesRequest(station_id=station_id)
        return await self._call(self._stub.GetStationChargingProfiles, request)

    async def put_site(self, site_id: str, definition_json: str) -> sc.SiteResponse:
        request = sc.PutSiteRequest(site_id=site_id, definition_json=definition_json)
        return await self._call(self._stub.PutSite, request)

    async def get_site(self, site_id: str) -> sc.SiteResponse:
        return await self._call(self._stub.GetSite, sc.SiteRequest(site_id=site_id))

    async def list_sites(self, request: sc.ListSitesRequest) -> sc.ListSitesResponse:
        return await self._call(self._stub.ListSites, request)

    async def delete_site(self, site_id: str) -> None:
        await self._call(self._stub.DeleteSite, sc.SiteRequest(site_id=site_id))

    async def set_site_limit(self, request: sc.SetSiteLimitRequest) -> sc.SiteResponse:
        return await self._call(self._stub.SetSiteLimit, request)

    async def site_allocation(self, site_id: str) -> sc.SiteAllocation:
        return await self._call(self._stub.GetSiteAllocation, sc.SiteRequest(site_id=site_id))
