"""Test stations for end-to-end tests: the `ocpp` package's ChargePoint classes over real WebSockets.

Each version's station answers Reset and TriggerMessage, ChangeAvailability, UnlockConnector, ClearCache,
DataTransfer (echoing its data), its configuration (1.6 GetConfiguration/ChangeConfiguration, 2.x
GetVariables/SetVariables over a few standard keys it keeps), 2.x GetBaseReport/GetReport (answered with
`report_status`; the test sends the NotifyReport parts), SendLocalList and GetLocalListVersion (keeping a local
list), accepts remote start/stop (1.6 RemoteStart/StopTransaction, 2.x RequestStart/StopTransaction; the test then
drives the transaction) and 2.x GetTransactionStatus, and records the CSMS-initiated calls it received.
2.x stations keep the display messages they are given (SetDisplayMessage, ClearDisplayMessage) and report them in
NotifyDisplayMessages parts after GetDisplayMessages.
Security (docs/adr/0027): it keeps installed root certificates (InstallCertificate, GetInstalledCertificateIds with
hash data computed here from each certificate, DeleteCertificate), takes CertificateSigned chains, answers 1.6
ExtendedTriggerMessage, and keeps the credentials it would reconnect with (`credentials`: a new 1.6
AuthorizationKey / 2.x SecurityCtrlr.BasicAuthPassword, security profile, network profiles), accepting them unless
`credentials.accept` is False. Firmware and logs (docs/adr/0037): it accepts UpdateFirmware (1.6 also
SignedUpdateFirmware), GetLog and 1.6 GetDiagnostics and records them; the test sends the status notifications.
Charging profiles (docs/adr/0041): it accepts SetChargingProfile and records it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as ChargePoint16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v21 import ChargePoint as ChargePoint21
from ocpp.v21 import call as call21
from ocpp.v21 import call_result as result21
from ocpp.v201 import ChargePoint as ChargePoint201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from websockets.typing import Subprotocol

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.station_socket import basic_auth


@dataclass
class Received:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class LocalList:
    """A station's local authorization list: id → info as sent (snake_case), and its version."""

    version: int = 0
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def update(self, version: int, update_type: str, items: list[tuple[str, dict[str, Any] | None]]) -> str:
        """Applies a SendLocalList; answers its status (a differential update must move the version on)."""
        if update_type == "Differential" and version <= self.version:
            return "VersionMismatch"
        if update_type == "Full":
            self.entries = {}
        for id_token, info in items:
            if info is None:
                self.entries.pop(id_token, None)
            else:
                self.entries[id_token] = info
        self.version = version
        return "Accepted"


@dataclass
class Credentials:
    """What the station connects with; the CSMS's password and profile changes land here (refused when `accept`
    is False)."""

    password: str | None
    security_profile: int = 1
    network_profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    network_priority: str = "1"
    accept: bool = True

    def take(self, name: str, value: str) -> str:
        """A change of the password (`password`) or profile (`security_profile`): its status."""
        if not self.accept:
            return "Rejected"
        if name == "password":
            self.password = value
        elif name == "security_profile":
            self.security_profile = int(value)
        else:
            self.network_priority = value
        return "Accepted"


def hash_data(pem: str, algorithm: str = "SHA256") -> dict[str, str]:
    """OCPP CertificateHashData of a self-signed certificate (snake_case, as the `ocpp` package takes it):
    SHA-2 of the issuer's DER name and of its public key bits, serial number in hex."""
    certificate = x509.load_pem_x509_certificate(pem.encode())
    key = certificate.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        bits = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    else:
        bits = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)  # type: ignore[call-arg]
    digest = {"SHA256": hashes.SHA256, "SHA384": hashes.SHA384, "SHA512": hashes.SHA512}[algorithm]

    def hashed(data: bytes) -> str:
        h = hashes.Hash(digest())
        h.update(data)
        return h.finalize().hex()

    return {
        "hash_algorithm": algorithm,
        "issuer_name_hash": hashed(certificate.issuer.public_bytes()),
        "issuer_key_hash": hashed(bits),
        "serial_number": format(certificate.serial_number, "x"),
    }


@dataclass
class Certificates:
    """Installed certificates by OCPP type name (PEM), and the chains CertificateSigned gave (type, chain)."""

    installed: dict[str, list[str]] = field(default_factory=dict)
    signed: list[tuple[str | None, str]] = field(default_factory=list)

    def install(self, certificate_type: str, pem: str) -> str:
        self.installed.setdefault(certificate_type, []).append(pem)
        return "Accepted"

    def listed(self, types: list[str] | None) -> list[tuple[str, dict[str, str]]]:
        return [
            (kind, hash_data(pem))
            for kind, pems in self.installed.items()
            if types is None or kind in types
            for pem in pems
        ]

    def delete(self, wanted: dict[str, Any]) -> str:
        for pems in self.installed.values():
            for pem in pems:
                found = hash_data(pem, wanted["hash_algorithm"])
                if all(found[k].lower() == str(wanted[k]).lower() for k in found):
                    pems.remove(pem)
                    return "Accepted"
        return "NotFound"


CONFIGURATION_16 = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60", "NumberOfConnectors": "2"}
READ_ONLY_16 = {"NumberOfConnectors"}
SECURITY_KEYS_16 = {"AuthorizationKey": "password", "SecurityProfile": "security_profile"}
SECURITY_VARIABLES_2X = {
    ("SecurityCtrlr", "BasicAuthPassword"): "password",
    ("OCPPCommCtrlr", "NetworkConfigurationPriority"): "network_priority",
}
VARIABLES_2X = {("OCPPCommCtrlr", "HeartbeatInterval"): "300", ("SampledDataCtrlr", "TxUpdatedInterval"): "60"}


class Station16(ChargePoint16):  # type: ignore[misc]
    received: Received
    local_list: LocalList
    configuration: dict[str, str]
    credentials: Credentials
    certificates: Certificates

    @on("ChangeAvailability")
    def on_change_availability(self, connector_id: int, type: str) -> result16.ChangeAvailability:
        self.received.calls.append(("ChangeAvailability", {"connectorId": connector_id, "type": type}))
        return result16.ChangeAvailability(status="Accepted")

    @on("UnlockConnector")
    def on_unlock_connector(self, connector_id: int) -> result16.UnlockConnector:
        self.received.calls.append(("UnlockConnector", {"connectorId": connector_id}))
        return result16.UnlockConnector(status="Unlocked")

    @on("ReserveNow")
    def on_reserve_now(
        self, connector_id: int, expiry_date: str, id_tag: str, reservation_id: int, **kwargs: Any
    ) -> Any:
        self.received.calls.append(
            ("ReserveNow", {"connectorId": connector_id, "idTag": id_tag, "reservationId": reservation_id})
        )
        return result16.ReserveNow(status=self.reserve_status)

    @on("CancelReservation")
    def on_cancel_reservation(self, reservation_id: int) -> result16.CancelReservation:
        self.received.calls.append(("CancelReservation", {"reservationId": reservation_id}))
        return result16.CancelReservation(status="Accepted")

    @on("ClearCache")
    def on_clear_cache(self) -> result16.ClearCache:
        self.received.calls.append(("ClearCache", {}))
        return result16.ClearCache(status="Accepted")

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> result16.DataTransfer:
        self.received.calls.append(("DataTransfer", {"vendorId": vendor_id, **kwargs}))
        return result16.DataTransfer(status="Accepted", data=kwargs.get("data"))

    @on("GetConfiguration")
    def on_get_configuration(self, key: list[str] | None = None) -> result16.GetConfiguration:
        self.received.calls.append(("GetConfiguration", {"key": key}))
        asked = key if key is not None else list(self.configuration)
        known = [
            {"key": k, "readonly": k in READ_ONLY_16, "value": self.configuration[k]}
            for k in asked
            if k in self.configuration
        ]
        unknown = [k for k in asked if k not in self.configuration]
        return result16.GetConfiguration(configuration_key=known, unknown_key=unknown or None)

    @on("ChangeConfiguration")
    def on_change_configuration(self, key: str, value: str) -> result16.ChangeConfiguration:
        self.received.calls.append(("ChangeConfiguration", {"key": key, "value": value}))
        if key in SECURITY_KEYS_16:
            return result16.ChangeConfiguration(status=self.credentials.take(SECURITY_KEYS_16[key], value))
        if key not in self.configuration:
            return result16.ChangeConfiguration(status="NotSupported")
        if key in READ_ONLY_16:
            return result16.ChangeConfiguration(status="Rejected")
        self.configuration[key] = value
        return result16.ChangeConfiguration(status="Accepted")

    @on("Reset")
    def on_reset(self, type: str) -> result16.Reset:
        self.received.calls.append(("Reset", {"type": type}))
        return result16.Reset(status="Accepted")

    @on("TriggerMessage")
    def on_trigger(self, requested_message: str, connector_id: int | None = None) -> result16.TriggerMessage:
        self.received.calls.append(("TriggerMessage", {"requestedMessage": requested_message}))
        return result16.TriggerMessage(status="Accepted")

    @on("RemoteStartTransaction")
    def on_remote_start(self, id_tag: str, **kwargs: Any) -> result16.RemoteStartTransaction:
        self.received.calls.append(("RemoteStartTransaction", {"idTag": id_tag, **kwargs}))
        return result16.RemoteStartTransaction(status="Accepted")

    @on("RemoteStopTransaction")
    def on_remote_stop(self, transaction_id: int) -> result16.RemoteStopTransaction:
        self.received.calls.append(("RemoteStopTransaction", {"transactionId": transaction_id}))
        return result16.RemoteStopTransaction(status="Accepted")

    @on("SendLocalList")
    def on_send_local_list(
        self, list_version: int, update_type: str, local_authorization_list: list[dict[str, Any]] | None = None
    ) -> result16.SendLocalList:
        items = [(i["id_tag"], i.get("id_tag_info")) for i in local_authorization_list or []]
        self.received.calls.append(("SendLocalList", {"listVersion": list_version, "updateType": update_type}))
        return result16.SendLocalList(status=self.local_list.update(list_version, update_type, items))

    @on("GetLocalListVersion")
    def on_get_local_list_version(self) -> result16.GetLocalListVersion:
        return result16.GetLocalListVersion(list_version=self.local_list.version)

    @on("ExtendedTriggerMessage")
    def on_extended_trigger(
        self, requested_message: str, connector_id: int | None = None
    ) -> result16.ExtendedTriggerMessage:
        self.received.calls.append(("ExtendedTriggerMessage", {"requestedMessage": requested_message}))
        return result16.ExtendedTriggerMessage(status="Accepted")

    @on("CertificateSigned")
    def on_certificate_signed(self, certificate_chain: str) -> result16.CertificateSigned:
        self.received.calls.append(("CertificateSigned", {}))
        self.certificates.signed.append((None, certificate_chain))
        return result16.CertificateSigned(status="Accepted")

    @on("InstallCertificate")
    def on_install_certificate(self, certificate_type: str, certificate: str) -> result16.InstallCertificate:
        self.received.calls.append(("InstallCertificate", {"certificateType": certificate_type}))
        return result16.InstallCertificate(status=self.certificates.install(certificate_type, certificate))

    @on("GetInstalledCertificateIds")
    def on_get_installed(self, certificate_type: str) -> result16.GetInstalledCertificateIds:
        self.received.calls.append(("GetInstalledCertificateIds", {"certificateType": certificate_type}))
        found = [data for _, data in self.certificates.listed([certificate_type])]
        if not found:
            return result16.GetInstalledCertificateIds(status="NotFound")
        return result16.GetInstalledCertificateIds(status="Accepted", certificate_hash_data=found)

    @on("DeleteCertificate")
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any]) -> result16.DeleteCertificate:
        self.received.calls.append(("DeleteCertificate", {"certificateHashData": certificate_hash_data}))
        return result16.DeleteCertificate(status=self.certificates.delete(certificate_hash_data))

    @on("UpdateFirmware")
    def on_update_firmware(self, location: str, retrieve_date: str, **kwargs: Any) -> result16.UpdateFirmware:
        self.received.calls.append(("UpdateFirmware", {"location": location, "retrieveDate": retrieve_date}))
        return result16.UpdateFirmware()

    @on("SignedUpdateFirmware")
    def on_signed_update_firmware(
        self, request_id: int, firmware: dict[str, Any], **kwargs: Any
    ) -> result16.SignedUpdateFirmware:
        self.received.calls.append(("SignedUpdateFirmware", {"requestId": request_id, "firmware": firmware}))
        return result16.SignedUpdateFirmware(status="Accepted")

    @on("GetDiagnostics")
    def on_get_diagnostics(self, location: str, **kwargs: Any) -> result16.GetDiagnostics:
        self.received.calls.append(("GetDiagnostics", {"location": location}))
        return result16.GetDiagnostics(file_name="diagnostics.zip")

    @on("GetLog")
    def on_get_log(self, log: dict[str, Any], log_type: str, request_id: int, **kwargs: Any) -> result16.GetLog:
        self.received.calls.append(("GetLog", {"log": log, "logType": log_type, "requestId": request_id}))
        return result16.GetLog(status="Accepted", filename="log.txt")

    @on("SetChargingProfile")
    def on_set_charging_profile(
        self, connector_id: int, cs_charging_profiles: dict[str, Any], **kwargs: Any
    ) -> result16.SetChargingProfile:
        self.received.calls.append(
            ("SetChargingProfile", {"connectorId": connector_id, "profile": cs_charging_profiles})
        )
        return result16.SetChargingProfile(status="Accepted")

    async def authorize(self, id_tag: str) -> Any:
        return await self.call(call16.Authorize(id_tag=id_tag))

    async def boot(self) -> Any:
        return await self.call(call16.BootNotification(charge_point_vendor="ACME", charge_point_model="AC-16"))

    async def heartbeat(self) -> Any:
        return await self.call(call16.Heartbeat())

    async def status(self, connector: int, status: str) -> Any:
        return await self.call(call16.StatusNotification(connector_id=connector, error_code="NoError", status=status))


class _Station2x:
    received: Received
    # The answer to GetBaseReport / GetReport; the test sends the NotifyReport parts itself (`station.call`).
    report_status: str
    local_list: LocalList
    variables: dict[tuple[str, str], str]
    credentials: Credentials
    certificates: Certificates
    display_messages: dict[int, dict[str, Any]]

    @on("SetDisplayMessage")
    def on_set_display_message(self, message: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("SetDisplayMessage", {"message": message}))
        self.display_messages[message["id"]] = message
        return self.results.SetDisplayMessage(status="Accepted")  # type: ignore[attr-defined]

    @on("ClearDisplayMessage")
    def on_clear_display_message(self, id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("ClearDisplayMessage", {"id": id}))
        found = self.display_messages.pop(id, None)
        return self.results.ClearDisplayMessage(status="Accepted" if found else "Unknown")  # type: ignore[attr-defined]

    @on("GetDisplayMessages")
    def on_get_display_messages(self, request_id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("GetDisplayMessages", {"requestId": request_id, **kwargs}))
        return self.results.GetDisplayMessages(status="Accepted" if self.display_messages else "Unknown")  # type: ignore[attr-defined]

    @after("GetDisplayMessages")
    async def report_display_messages(self, request_id: int, **kwargs: Any) -> None:
        """NotifyDisplayMessages, one message per part (tbc on all but the last)."""
        messages = list(self.display_messages.values())
        for i, message in enumerate(messages):
            request = self.calls.NotifyDisplayMessages(  # type: ignore[attr-defined]
                request_id=request_id, message_info=[message], tbc=i < len(messages) - 1
            )
            await self.call(request)  # type: ignore[attr-defined]

    @on("ChangeAvailability")
    def on_change_availability(self, operational_status: str, **kwargs: Any) -> Any:
        self.received.calls.append(("ChangeAvailability", {"operationalStatus": operational_status, **kwargs}))
        return self.results.ChangeAvailability(status="Accepted")  # type: ignore[attr-defined]

    @on("UnlockConnector")
    def on_unlock_connector(self, evse_id: int, connector_id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("UnlockConnector", {"evseId": evse_id, "connectorId": connector_id}))
        return self.results.UnlockConnector(status="Unlocked")  # type: ignore[attr-defined]

    @on("SetChargingProfile")
    def on_set_charging_profile(self, evse_id: int, charging_profile: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("SetChargingProfile", {"evseId": evse_id, "profile": charging_profile}))
        return self.results.SetChargingProfile(status="Accepted")  # type: ignore[attr-defined]

    @on("ReserveNow")
    def on_reserve_now(self, id: int, expiry_date_time: str, id_token: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("ReserveNow", {"id": id, "idToken": id_token, **kwargs}))
        return self.results.ReserveNow(status=self.reserve_status)  # type: ignore[attr-defined]

    @on("CancelReservation")
    def on_cancel_reservation(self, reservation_id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("CancelReservation", {"reservationId": reservation_id}))
        return self.results.CancelReservation(status="Accepted")  # type: ignore[attr-defined]

    @on("ClearCache")
    def on_clear_cache(self, **kwargs: Any) -> Any:
        self.received.calls.append(("ClearCache", {}))
        return self.results.ClearCache(status="Accepted")  # type: ignore[attr-defined]

    @on("DataTransfer")
    def on_data_transfer(self, vendor_id: str, **kwargs: Any) -> Any:
        self.received.calls.append(("DataTransfer", {"vendorId": vendor_id, **kwargs}))
        return self.results.DataTransfer(status="Accepted", data=kwargs.get("data"))  # type: ignore[attr-defined]

    @on("GetVariables")
    def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        self.received.calls.append(("GetVariables", {"getVariableData": get_variable_data}))
        found = []
        for asked in get_variable_data:
            name = (asked["component"]["name"], asked["variable"]["name"])
            value = self.variables.get(name)
            status = "Accepted" if value is not None else "UnknownVariable"
            found.append(
                {"attribute_status": status, "component": asked["component"], "variable": asked["variable"]}
                | ({"attribute_value": value} if value is not None else {})
            )
        return self.results.GetVariables(get_variable_result=found)  # type: ignore[attr-defined]

    @on("SetVariables")
    def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        self.received.calls.append(("SetVariables", {"setVariableData": set_variable_data}))
        found = []
        for asked in set_variable_data:
            name = (asked["component"]["name"], asked["variable"]["name"])
            if name in SECURITY_VARIABLES_2X:
                status = self.credentials.take(SECURITY_VARIABLES_2X[name], asked["attribute_value"])
                found.append(
                    {"attribute_status": status, "component": asked["component"], "variable": asked["variable"]}
                )
                continue
            status = "Accepted" if name in self.variables else "UnknownVariable"
            if status == "Accepted":
                self.variables[name] = asked["attribute_value"]
            found.append({"attribute_status": status, "component": asked["component"], "variable": asked["variable"]})
        return self.results.SetVariables(set_variable_result=found)  # type: ignore[attr-defined]

    @on("GetBaseReport")
    def on_get_base_report(self, request_id: int, report_base: str, **kwargs: Any) -> Any:
        self.received.calls.append(("GetBaseReport", {"requestId": request_id, "reportBase": report_base}))
        return self.results.GetBaseReport(status=self.report_status)  # type: ignore[attr-defined]

    @on("GetReport")
    def on_get_report(self, request_id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("GetReport", {"requestId": request_id, **kwargs}))
        return self.results.GetReport(status=self.report_status)  # type: ignore[attr-defined]

    @on("Reset")
    def on_reset(self, type: str, **kwargs: Any) -> Any:
        self.received.calls.append(("Reset", {"type": type}))
        return self.results.Reset(status="Accepted")  # type: ignore[attr-defined]

    @on("TriggerMessage")
    def on_trigger(self, requested_message: str, **kwargs: Any) -> Any:
        self.received.calls.append(("TriggerMessage", {"requestedMessage": requested_message}))
        return self.results.TriggerMessage(status="Accepted")  # type: ignore[attr-defined]

    @on("RequestStartTransaction")
    def on_request_start(self, id_token: dict[str, Any], remote_start_id: int, **kwargs: Any) -> Any:
        request = {"idToken": id_token, "remoteStartId": remote_start_id, **kwargs}
        self.received.calls.append(("RequestStartTransaction", request))
        return self.results.RequestStartTransaction(status="Accepted")  # type: ignore[attr-defined]

    @on("RequestStopTransaction")
    def on_request_stop(self, transaction_id: str, **kwargs: Any) -> Any:
        self.received.calls.append(("RequestStopTransaction", {"transactionId": transaction_id}))
        return self.results.RequestStopTransaction(status="Accepted")  # type: ignore[attr-defined]

    @on("GetTransactionStatus")
    def on_get_transaction_status(self, transaction_id: str | None = None, **kwargs: Any) -> Any:
        self.received.calls.append(("GetTransactionStatus", {"transactionId": transaction_id}))
        ongoing = {"ongoing_indicator": True} if transaction_id else {}
        return self.results.GetTransactionStatus(messages_in_queue=False, **ongoing)  # type: ignore[attr-defined]

    @on("SendLocalList")
    def on_send_local_list(
        self, version_number: int, update_type: str, local_authorization_list: list[Any] | None = None, **kwargs: Any
    ) -> Any:
        items = [(i["id_token"]["id_token"], i.get("id_token_info")) for i in local_authorization_list or []]
        self.received.calls.append(("SendLocalList", {"versionNumber": version_number, "updateType": update_type}))
        status = self.local_list.update(version_number, update_type, items)
        return self.results.SendLocalList(status=status)  # type: ignore[attr-defined]

    @on("GetLocalListVersion")
    def on_get_local_list_version(self, **kwargs: Any) -> Any:
        return self.results.GetLocalListVersion(version_number=self.local_list.version)  # type: ignore[attr-defined]

    @on("SetNetworkProfile")
    def on_set_network_profile(self, configuration_slot: int, connection_data: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("SetNetworkProfile", {"configurationSlot": configuration_slot}))
        status = "Accepted" if self.credentials.accept else "Rejected"
        if status == "Accepted":
            self.credentials.network_profiles[configuration_slot] = connection_data
        return self.results.SetNetworkProfile(status=status)  # type: ignore[attr-defined]

    @on("CertificateSigned")
    def on_certificate_signed(self, certificate_chain: str, certificate_type: str | None = None, **kwargs: Any) -> Any:
        self.received.calls.append(("CertificateSigned", {"certificateType": certificate_type}))
        self.certificates.signed.append((certificate_type, certificate_chain))
        return self.results.CertificateSigned(status="Accepted")  # type: ignore[attr-defined]

    @on("InstallCertificate")
    def on_install_certificate(self, certificate_type: str, certificate: str, **kwargs: Any) -> Any:
        self.received.calls.append(("InstallCertificate", {"certificateType": certificate_type}))
        status = self.certificates.install(certificate_type, certificate)
        return self.results.InstallCertificate(status=status)  # type: ignore[attr-defined]

    @on("GetInstalledCertificateIds")
    def on_get_installed(self, certificate_type: list[str] | None = None, **kwargs: Any) -> Any:
        self.received.calls.append(("GetInstalledCertificateIds", {"certificateType": certificate_type}))
        found = [
            {"certificate_type": kind, "certificate_hash_data": data}
            for kind, data in self.certificates.listed(certificate_type)
        ]
        if not found:
            return self.results.GetInstalledCertificateIds(status="NotFound")  # type: ignore[attr-defined]
        return self.results.GetInstalledCertificateIds(status="Accepted", certificate_hash_data_chain=found)  # type: ignore[attr-defined]

    @on("DeleteCertificate")
    def on_delete_certificate(self, certificate_hash_data: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("DeleteCertificate", {"certificateHashData": certificate_hash_data}))
        status = self.certificates.delete(certificate_hash_data)
        return self.results.DeleteCertificate(status=status)  # type: ignore[attr-defined]

    @on("SetVariableMonitoring")
    def on_set_variable_monitoring(self, set_monitoring_data: list[dict[str, Any]], **kwargs: Any) -> Any:
        """Accepts every monitor, giving it its own id or 100 + its place in the request."""
        self.received.calls.append(("SetVariableMonitoring", {"setMonitoringData": set_monitoring_data}))
        found = [
            {key: asked[key] for key in ("type", "severity", "component", "variable")}
            | {"id": asked.get("id", 100 + i), "status": "Accepted"}
            for i, asked in enumerate(set_monitoring_data)
        ]
        return self.results.SetVariableMonitoring(set_monitoring_result=found)  # type: ignore[attr-defined]

    @on("ClearVariableMonitoring")
    def on_clear_variable_monitoring(self, id: list[int], **kwargs: Any) -> Any:
        self.received.calls.append(("ClearVariableMonitoring", {"id": id}))
        found = [{"id": monitor, "status": "Accepted"} for monitor in id]
        return self.results.ClearVariableMonitoring(clear_monitoring_result=found)  # type: ignore[attr-defined]

    @on("SetMonitoringBase")
    def on_set_monitoring_base(self, monitoring_base: str, **kwargs: Any) -> Any:
        self.received.calls.append(("SetMonitoringBase", {"monitoringBase": monitoring_base}))
        return self.results.SetMonitoringBase(status="Accepted")  # type: ignore[attr-defined]

    @on("SetMonitoringLevel")
    def on_set_monitoring_level(self, severity: int, **kwargs: Any) -> Any:
        self.received.calls.append(("SetMonitoringLevel", {"severity": severity}))
        return self.results.SetMonitoringLevel(status="Accepted")  # type: ignore[attr-defined]

    @on("GetMonitoringReport")
    def on_get_monitoring_report(self, request_id: int, **kwargs: Any) -> Any:
        """Accepts; the test sends the NotifyMonitoringReport parts itself (with the recorded requestId)."""
        self.received.calls.append(("GetMonitoringReport", {"requestId": request_id, **kwargs}))
        return self.results.GetMonitoringReport(status="Accepted")  # type: ignore[attr-defined]

    @on("CustomerInformation")
    def on_customer_information(self, request_id: int, report: bool, clear: bool, **kwargs: Any) -> Any:
        """Accepts; the test sends the NotifyCustomerInformation parts itself (with the recorded requestId)."""
        self.received.calls.append(("CustomerInformation", {"requestId": request_id, "report": report, "clear": clear}))
        return self.results.CustomerInformation(status="Accepted")  # type: ignore[attr-defined]

    @on("UpdateFirmware")
    def on_update_firmware(self, request_id: int, firmware: dict[str, Any], **kwargs: Any) -> Any:
        self.received.calls.append(("UpdateFirmware", {"requestId": request_id, "firmware": firmware}))
        return self.results.UpdateFirmware(status="Accepted")  # type: ignore[attr-defined]

    @on("GetLog")
    def on_get_log(self, log: dict[str, Any], log_type: str, request_id: int, **kwargs: Any) -> Any:
        self.received.calls.append(("GetLog", {"log": log, "logType": log_type, "requestId": request_id}))
        return self.results.GetLog(status="Accepted", filename="log.txt")  # type: ignore[attr-defined]

    async def authorize(self, id_token: str, token_type: str) -> Any:
        request = self.calls.Authorize(id_token={"id_token": id_token, "type": token_type})  # type: ignore[attr-defined]
        return await self.call(request)  # type: ignore[attr-defined]

    async def boot(self) -> Any:
        station = {"vendor_name": "ACME", "model": "DC-2"}
        return await self.call(self.calls.BootNotification(charging_station=station, reason="PowerUp"))  # type: ignore[attr-defined]

    async def heartbeat(self) -> Any:
        return await self.call(self.calls.Heartbeat())  # type: ignore[attr-defined]

    async def status(self, connector: int, status: str) -> Any:
        request = self.calls.StatusNotification(  # type: ignore[attr-defined]
            timestamp="2026-11-21T12:00:00Z", connector_status=status, evse_id=1, connector_id=connector
        )
        return await self.call(request)  # type: ignore[attr-defined]


class Station201(_Station2x, ChargePoint201):  # type: ignore[misc]
    calls = call201
    results = result201


class Station21(_Station2x, ChargePoint21):  # type: ignore[misc]
    calls = call21
    results = result21


STATION_CLASSES: dict[OcppVersion, type[Any]] = {
    OcppVersion.V16: Station16,
    OcppVersion.V201: Station201,
    OcppVersion.V21: Station21,
}


@contextlib.asynccontextmanager
async def connected_station(
    url: str, station_id: str, password: str | None, version: OcppVersion, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[Any]:
    """A started station of `version` connected to `url`/`station_id` (its WebSocket is `station.socket`);
    closed on exit. `password` None: no Basic header (security profile 3); `tls`: the context of a wss:// url."""
    headers = {"Authorization": basic_auth(station_id, password)} if password is not None else {}
    async with websockets.connect(
        f"{url}/{station_id}",
        subprotocols=[Subprotocol(version.subprotocol)],
        additional_headers=headers,
        **({"ssl": tls} if tls is not None else {}),
    ) as ws:
        station = STATION_CLASSES[version](station_id, ws, response_timeout=15)
        station.received = Received()
        station.local_list = LocalList()
        station.socket = ws
        station.configuration = dict(CONFIGURATION_16)
        station.variables = dict(VARIABLES_2X)
        station.report_status = "Accepted"
        # how ReserveNow is answered (e.g. Occupied)
        station.reserve_status = "Accepted"
        station.credentials = Credentials(password)
        station.certificates = Certificates()
        station.display_messages = {}
        task = asyncio.create_task(station.start())
        try:
            yield station
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task
