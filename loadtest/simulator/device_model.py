"""A simulated station's own configuration, and its answers to the CSMS's device-management CALLs (pure).

2.x (`DeviceModel`): a device model of `size` variables across realistic components (OCPPCommCtrlr, SecurityCtrlr,
AuthCtrlr, TxCtrlr, SampledDataCtrlr, DeviceDataCtrlr, ClockCtrlr, ChargingStation, then per EVSE: EVSE,
two Connectors, CPPWMController, TokenReader, OverCurrentProtection, as many EVSEs as the size needs), each variable
with its attributes (Actual, some MaxSet/Target) and characteristics. GetBaseReport is answered Accepted and
followed by NotifyReport parts of `items_per_message` variables (seqNo, tbc); GetVariables/SetVariables are
answered from the model, SetVariables changes it (ReadOnly → Rejected, a value its characteristics refuse →
Rejected, WriteOnly values never reported). 1.6 (`Configuration`): GetConfiguration/ChangeConfiguration from the
station's keys (readonly → Rejected, unknown → NotSupported).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

Payload = dict[str, Any]
Message = tuple[str, Payload]

REPORT_BASES = ("ConfigurationInventory", "FullInventory", "SummaryInventory")
# The variables a SummaryInventory reports (their availability and problems).
_SUMMARY_VARIABLES = frozenset({"AvailabilityState", "Available", "Problem"})

RW, RO, WO = "ReadWrite", "ReadOnly", "WriteOnly"


@dataclass
class Variable:
    component: str
    name: str
    data_type: str
    value: str
    mutability: str = RW
    evse: int | None = None
    connector: int | None = None
    instance: str | None = None
    unit: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    values_list: str | None = None
    # other attribute types than Actual (MaxSet, Target, ...) → value; always ReadWrite
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int | None, int | None, str, str | None]:
        return (self.component, self.evse, self.connector, self.name, self.instance)

    def component_json(self) -> Payload:
        component: Payload = {"name": self.component}
        if self.evse is not None:
            component["evse"] = {"id": self.evse} | ({"connectorId": self.connector} if self.connector else {})
        return component

    def variable_json(self) -> Payload:
        return {"name": self.name} | ({"instance": self.instance} if self.instance else {})

    def mutability_of(self, kind: str) -> str:
        """The Actual value's mutability is the variable's; its limits (MaxSet, Target, ...) are settable."""
        return self.mutability if kind == "Actual" else RW

    def attributes(self) -> dict[str, str]:
        return {"Actual": self.value} | self.extra

    def report_json(self) -> Payload:
        attributes = []
        for kind, value in self.attributes().items():
            mutability = self.mutability_of(kind)
            attribute: Payload = {"type": kind, "mutability": mutability, "persistent": True, "constant": False}
            if mutability != WO:
                attribute["value"] = value
            attributes.append(attribute)
        characteristics: Payload = {"dataType": self.data_type, "supportsMonitoring": self.data_type != "string"}
        limits: tuple[tuple[str, object], ...] = (
            ("unit", self.unit),
            ("minLimit", self.min_limit),
            ("maxLimit", self.max_limit),
        )
        characteristics |= {name: value for name, value in limits if value is not None}
        if self.values_list is not None:
            characteristics["valuesList"] = self.values_list
        return {
            "component": self.component_json(),
            "variable": self.variable_json(),
            "variableAttribute": attributes,
            "variableCharacteristics": characteristics,
        }

    def accepts(self, value: str) -> bool:
        """Whether `value` fits the variable's characteristics."""
        if self.data_type == "boolean":
            return value in ("true", "false")
        if self.data_type in ("integer", "decimal"):
            try:
                number = int(value) if self.data_type == "integer" else float(value)
            except ValueError:
                return False
            return (self.min_limit is None or number >= self.min_limit) and (
                self.max_limit is None or number <= self.max_limit
            )
        if self.data_type == "OptionList" and self.values_list is not None:
            return value in self.values_list.split(",")
        if self.data_type == "MemberList" and self.values_list is not None:
            return set(value.split(",")) <= set(self.values_list.split(","))
        return len(value) <= 1000


def _core(model: str) -> list[Variable]:
    integer, boolean = "integer", "boolean"
    comm, security, auth, tx = "OCPPCommCtrlr", "SecurityCtrlr", "AuthCtrlr", "TxCtrlr"
    sampled, device_data, clock, station = "SampledDataCtrlr", "DeviceDataCtrlr", "ClockCtrlr", "ChargingStation"
    measurands = "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC"
    signed_meter_values = "Never,OncePerTx,EveryMeterValue"
    availability = "Available,Unavailable,Faulted"
    energy = "Energy.Active.Import.Register"
    tx_points = "ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer"
    return [
        Variable(comm, "HeartbeatInterval", integer, "300", unit="s", min_limit=1, max_limit=86400),
        Variable(comm, "MessageTimeout", integer, "30", instance="Default", unit="s", min_limit=1, max_limit=600),
        Variable(comm, "MessageAttempts", integer, "3", instance="TransactionEvent", min_limit=0, max_limit=10),
        Variable(comm, "MessageAttemptInterval", integer, "60", instance="TransactionEvent", unit="s", min_limit=0),
        Variable(comm, "NetworkConfigurationPriority", "SequenceList", "1,0"),
        Variable(comm, "NetworkProfileConnectionAttempts", integer, "3", min_limit=1, max_limit=20),
        Variable(comm, "OfflineThreshold", integer, "600", unit="s", min_limit=0),
        Variable(comm, "QueueAllMessages", boolean, "true"),
        Variable(comm, "ResetRetries", integer, "2", min_limit=0, max_limit=10),
        Variable(comm, "RetryBackOffRandomRange", integer, "10", unit="s", min_limit=0),
        Variable(comm, "RetryBackOffRepeatTimes", integer, "5", min_limit=0),
        Variable(comm, "RetryBackOffWaitMinimum", integer, "5", unit="s", min_limit=0),
        Variable(comm, "UnlockOnEVSideDisconnect", boolean, "true"),
        Variable(comm, "WebSocketPingInterval", integer, "60", unit="s", min_limit=0),
        Variable(comm, "FileTransferProtocols", "MemberList", "HTTPS,FTPS", RO, values_list="HTTP,HTTPS,FTP,FTPS"),
        Variable(comm, "PublicKeyWithSignedMeterValue", "OptionList", "Never", values_list=signed_meter_values),
        Variable(security, "SecurityProfile", integer, "1", RO, min_limit=0, max_limit=3),
        Variable(security, "OrganizationName", "string", "LoadSim Charging"),
        Variable(security, "CertificateEntries", integer, "2", RO),
        Variable(security, "Identity", "string", "", RO),
        Variable(security, "BasicAuthPassword", "string", "", WO),
        Variable(security, "MaxCertificateChainSize", integer, "5600", RO),
        Variable(auth, "Enabled", boolean, "true"),
        Variable(auth, "AuthorizeRemoteStart", boolean, "true"),
        Variable(auth, "LocalAuthorizeOffline", boolean, "true"),
        Variable(auth, "LocalPreAuthorize", boolean, "false"),
        Variable(auth, "OfflineTxForUnknownIdEnabled", boolean, "false"),
        Variable(auth, "DisableRemoteAuthorization", boolean, "false"),
        Variable(auth, "MasterPassGroupId", "string", ""),
        Variable("AuthCacheCtrlr", "Enabled", boolean, "true"),
        Variable("AuthCacheCtrlr", "LifeTime", integer, "86400", unit="s", min_limit=0),
        Variable("AuthCacheCtrlr", "Storage", integer, "65536", RO, unit="B"),
        Variable("LocalAuthListCtrlr", "Enabled", boolean, "true"),
        Variable("LocalAuthListCtrlr", "Entries", integer, "0", RO),
        Variable("LocalAuthListCtrlr", "ItemsPerMessage", integer, "100", RO),
        Variable(tx, "EVConnectionTimeOut", integer, "120", unit="s", min_limit=0),
        Variable(tx, "StopTxOnEVSideDisconnect", boolean, "true"),
        Variable(tx, "StopTxOnInvalidId", boolean, "true"),
        Variable(tx, "TxBeforeAcceptedEnabled", boolean, "false"),
        Variable(tx, "TxStartPoint", "MemberList", "PowerPathClosed", values_list=tx_points),
        Variable(tx, "TxStopPoint", "MemberList", "EVConnected,Authorized", values_list=tx_points),
        Variable(tx, "MaxEnergyOnInvalidId", integer, "0", unit="Wh", min_limit=0),
        Variable(sampled, "Enabled", boolean, "true"),
        Variable(sampled, "SampledDataSignReadings", boolean, "false"),
        Variable(sampled, "TxEndedMeasurands", "MemberList", energy, values_list=measurands),
        Variable(sampled, "TxEndedInterval", integer, "0", unit="s", min_limit=0),
        Variable(sampled, "TxStartedMeasurands", "MemberList", energy, values_list=measurands),
        Variable(sampled, "TxUpdatedMeasurands", "MemberList", energy, values_list=measurands),
        Variable(sampled, "TxUpdatedInterval", integer, "60", unit="s", min_limit=0),
        Variable("AlignedDataCtrlr", "Enabled", boolean, "false"),
        Variable("AlignedDataCtrlr", "Interval", integer, "900", unit="s", min_limit=0),
        Variable("AlignedDataCtrlr", "Measurands", "MemberList", energy, values_list=measurands),
        Variable(device_data, "ItemsPerMessage", integer, "50", RO, instance="GetReport"),
        Variable(device_data, "ItemsPerMessage", integer, "50", RO, instance="GetVariables"),
        Variable(device_data, "ItemsPerMessage", integer, "50", RO, instance="SetVariables"),
        Variable(device_data, "BytesPerMessage", integer, "65536", RO, instance="GetReport"),
        Variable(clock, "DateTime", "dateTime", "2026-01-01T00:00:00Z", RO),
        Variable(clock, "TimeSource", "SequenceList", "NTP,Heartbeat", values_list="Heartbeat,NTP,GPS,RealTimeClock"),
        Variable(clock, "TimeZone", "string", "Europe/Berlin"),
        Variable(station, "AvailabilityState", "OptionList", "Available", RO, values_list=availability),
        Variable(station, "Available", boolean, "true", RO),
        Variable(station, "Model", "string", model, RO),
        Variable(station, "VendorName", "string", "LoadSim", RO),
        Variable(station, "SupplyPhases", integer, "3", RO, min_limit=0, max_limit=3),
        Variable(station, "Problem", boolean, "false", RO),
    ]


def _per_evse(evse: int) -> list[Variable]:
    integer, boolean = "integer", "boolean"
    states = "Available,Occupied,Reserved,Unavailable,Faulted"
    out = [
        Variable("EVSE", "AvailabilityState", "OptionList", "Available", RO, evse=evse, values_list=states),
        Variable("EVSE", "Available", boolean, "true", RO, evse=evse),
        Variable("EVSE", "EvseId", "string", f"DE*SIM*E{evse:04d}", RO, evse=evse),
        Variable("EVSE", "Power", "decimal", "0", RO, evse=evse, unit="W", max_limit=22000, extra={"MaxSet": "22000"}),
        Variable("EVSE", "SupplyPhases", integer, "3", RO, evse=evse, min_limit=0, max_limit=3),
        Variable("EVSE", "ISO15118EvseId", "string", f"DE*SIM*E{evse:04d}", evse=evse),
    ]
    for connector in (1, 2):
        out += [
            Variable(
                "Connector", "AvailabilityState", "OptionList", "Available", RO, evse, connector, values_list=states
            ),
            Variable("Connector", "Available", boolean, "true", RO, evse, connector),
            Variable(
                "Connector", "ConnectorType", "string", "cType2" if connector == 1 else "cCCS2", RO, evse, connector
            ),
            Variable("Connector", "SupplyPhases", integer, "3", RO, evse, connector, min_limit=0, max_limit=3),
            Variable("Connector", "Problem", boolean, "false", RO, evse, connector),
        ]
    return [
        *out,
        Variable("CPPWMController", "State", "OptionList", "A", RO, evse=evse, values_list="A,B,C,D,E,F"),
        Variable("CPPWMController", "Problem", boolean, "false", RO, evse=evse),
        Variable("TokenReader", "Enabled", boolean, "true", evse=evse),
        Variable("TokenReader", "Token", "string", "", RO, evse=evse),
        Variable("TokenReader", "TokenType", "string", "ISO14443", RO, evse=evse),
        Variable("OverCurrentProtection", "Active", boolean, "false", RO, evse=evse),
        Variable(
            "OverCurrentProtection", "OperationMode", "OptionList", "Auto", evse=evse, values_list="Auto,Manual,Off"
        ),
        Variable("OverCurrentProtection", "Current", "decimal", "32", evse=evse, unit="A", min_limit=6, max_limit=32),
    ]


def build_variables(size: int, model: str = "Sim") -> list[Variable]:
    """Exactly `size` variables: the controllers, the station, then EVSEs with their connectors as needed."""
    variables = _core(model)
    evse = 0
    while len(variables) < size:
        evse += 1
        variables += _per_evse(evse)
    return variables[:size]


def _chunks(items: list[Payload], size: int) -> Iterator[list[Payload]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class DeviceModel:
    """A 2.x station's variables, what it reports and what the CSMS may change."""

    def __init__(self, size: int, items_per_message: int = 50, model: str = "Sim") -> None:
        if size < 1 or items_per_message < 1:
            raise ValueError("a device model needs at least one variable and one item per message")
        self.variables = {variable.key: variable for variable in build_variables(size, model)}
        self.items_per_message = items_per_message

    def report(self, request_id: int, report_base: str, generated_at: str) -> list[Message]:
        """The NotifyReport parts answering GetBaseReport(request_id, report_base), in order."""
        chosen = [variable for variable in self.variables.values() if self._in_report(variable, report_base)]
        parts = list(_chunks([variable.report_json() for variable in chosen], self.items_per_message)) or [[]]
        messages: list[Message] = []
        for seq_no, part in enumerate(parts):
            payload: Payload = {
                "requestId": request_id,
                "generatedAt": generated_at,
                "seqNo": seq_no,
                "tbc": seq_no < len(parts) - 1,
            }
            if part:
                payload["reportData"] = part
            messages.append(("NotifyReport", payload))
        return messages

    @staticmethod
    def _in_report(variable: Variable, report_base: str) -> bool:
        if report_base == "ConfigurationInventory":
            return variable.mutability != RO
        if report_base == "SummaryInventory":
            return variable.name in _SUMMARY_VARIABLES
        return True

    def _find(self, component: Payload, variable: Payload) -> Variable | str:
        """The variable, or the status saying why there is none (UnknownComponent / UnknownVariable)."""
        evse = component.get("evse") or {}
        key = (
            component.get("name", ""),
            evse.get("id"),
            evse.get("connectorId"),
            variable.get("name", ""),
            variable.get("instance"),
        )
        found = self.variables.get(key)
        if found is not None:
            return found
        if any(known[:3] == key[:3] for known in self.variables):
            return "UnknownVariable"
        return "UnknownComponent"

    def get_variables(self, payload: Payload) -> Payload:
        results = []
        for wanted in payload.get("getVariableData", []):
            kind = wanted.get("attributeType", "Actual")
            result: Payload = {
                "component": wanted["component"],
                "variable": wanted["variable"],
                "attributeType": kind,
            }
            found = self._find(wanted["component"], wanted["variable"])
            if isinstance(found, str):
                result["attributeStatus"] = found
            elif kind not in found.attributes():
                result["attributeStatus"] = "NotSupportedAttributeType"
            elif found.mutability_of(kind) == WO:
                result["attributeStatus"] = "Rejected"
            else:
                result["attributeStatus"] = "Accepted"
                result["attributeValue"] = found.attributes()[kind]
            results.append(result)
        return {"getVariableResult": results}

    def set_variables(self, payload: Payload) -> Payload:
        results = []
        for change in payload.get("setVariableData", []):
            kind = change.get("attributeType", "Actual")
            result: Payload = {"component": change["component"], "variable": change["variable"], "attributeType": kind}
            found = self._find(change["component"], change["variable"])
            if isinstance(found, str):
                result["attributeStatus"] = found
            elif kind not in found.attributes():
                result["attributeStatus"] = "NotSupportedAttributeType"
            elif found.mutability_of(kind) == RO or not found.accepts(change["attributeValue"]):
                result["attributeStatus"] = "Rejected"
            else:
                if kind == "Actual":
                    found.value = change["attributeValue"]
                else:
                    found.extra[kind] = change["attributeValue"]
                result["attributeStatus"] = "Accepted"
            results.append(result)
        return {"setVariableResult": results}


@dataclass
class ConfigurationKey:
    value: str
    readonly: bool = False
    kind: str = "string"  # integer, boolean, string (a comma-separated list)


def _configuration_keys(connectors: int) -> dict[str, ConfigurationKey]:
    measurands = "Energy.Active.Import.Register"
    return {
        "AllowOfflineTxForUnknownId": ConfigurationKey("false", kind="boolean"),
        "AuthorizationCacheEnabled": ConfigurationKey("true", kind="boolean"),
        "AuthorizeRemoteTxRequests": ConfigurationKey("true", kind="boolean"),
        "ClockAlignedDataInterval": ConfigurationKey("900", kind="integer"),
        "ConnectionTimeOut": ConfigurationKey("120", kind="integer"),
        "ConnectorPhaseRotation": ConfigurationKey(",".join(f"{n}.RST" for n in range(connectors + 1))),
        "GetConfigurationMaxKeys": ConfigurationKey("50", readonly=True, kind="integer"),
        "HeartbeatInterval": ConfigurationKey("300", kind="integer"),
        "LocalAuthorizeOffline": ConfigurationKey("true", kind="boolean"),
        "LocalPreAuthorize": ConfigurationKey("false", kind="boolean"),
        "MeterValuesAlignedData": ConfigurationKey(measurands),
        "MeterValuesSampledData": ConfigurationKey(measurands),
        "MeterValueSampleInterval": ConfigurationKey("60", kind="integer"),
        "NumberOfConnectors": ConfigurationKey(str(connectors), readonly=True, kind="integer"),
        "ResetRetries": ConfigurationKey("2", kind="integer"),
        "StopTransactionOnEVSideDisconnect": ConfigurationKey("true", kind="boolean"),
        "StopTransactionOnInvalidId": ConfigurationKey("true", kind="boolean"),
        "StopTxnAlignedData": ConfigurationKey(measurands),
        "StopTxnSampledData": ConfigurationKey(measurands),
        "SupportedFeatureProfiles": ConfigurationKey(
            "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger", readonly=True
        ),
        "TransactionMessageAttempts": ConfigurationKey("3", kind="integer"),
        "TransactionMessageRetryInterval": ConfigurationKey("60", kind="integer"),
        "UnlockConnectorOnEVSideDisconnect": ConfigurationKey("true", kind="boolean"),
        "WebSocketPingInterval": ConfigurationKey("60", kind="integer"),
        "LocalAuthListEnabled": ConfigurationKey("true", kind="boolean"),
        "LocalAuthListMaxLength": ConfigurationKey("1000", readonly=True, kind="integer"),
        "SendLocalListMaxLength": ConfigurationKey("100", readonly=True, kind="integer"),
        "ChargeProfileMaxStackLevel": ConfigurationKey("10", readonly=True, kind="integer"),
        "ChargingScheduleAllowedChargingRateUnit": ConfigurationKey("Current,Power", readonly=True),
        "ChargingScheduleMaxPeriods": ConfigurationKey("24", readonly=True, kind="integer"),
        "MaxChargingProfilesInstalled": ConfigurationKey("10", readonly=True, kind="integer"),
        "SecurityProfile": ConfigurationKey("1", kind="integer"),
        "CpoName": ConfigurationKey("LoadSim Charging"),
        "AuthorizationKey": ConfigurationKey("", kind="string"),
    }


_WRITE_ONLY_KEYS = frozenset({"AuthorizationKey"})


class Configuration:
    """A 1.6 station's configuration keys (core, local list, smart charging and security keys)."""

    def __init__(self, connectors: int = 2) -> None:
        self.keys = _configuration_keys(connectors)

    def get_configuration(self, payload: Payload) -> Payload:
        wanted = payload.get("key") or [key for key in self.keys if key not in _WRITE_ONLY_KEYS]
        known = [
            {"key": key, "readonly": self.keys[key].readonly, "value": self.keys[key].value}
            for key in wanted
            if key in self.keys and key not in _WRITE_ONLY_KEYS
        ]
        unknown = [key for key in wanted if key not in self.keys or key in _WRITE_ONLY_KEYS]
        return {"configurationKey": known} | ({"unknownKey": unknown} if unknown else {})

    def change_configuration(self, payload: Payload) -> Payload:
        found = self.keys.get(payload["key"])
        if found is None:
            return {"status": "NotSupported"}
        value = payload["value"]
        if found.readonly or not _fits(found.kind, value):
            return {"status": "Rejected"}
        found.value = value
        return {"status": "Accepted"}


def _fits(kind: str, value: str) -> bool:
    if kind == "integer":
        return value.isdigit()
    if kind == "boolean":
        return value in ("true", "false")
    return len(value) <= 500


class Responder:
    """A station's answers to the CSMS's device-management CALLs, from its own state: `answer` gives the
    CALLRESULT payload and the CALLs the station sends after it (NotifyReport parts), or None for an action it
    leaves to the default answers."""

    def __init__(self, device: DeviceModel | None, configuration: Configuration | None) -> None:
        self.device = device
        self.configuration = configuration

    @classmethod
    def for_version(cls, is_16: bool, size: int, items_per_message: int, model: str = "Sim") -> Responder:
        if is_16:
            return cls(None, Configuration())
        return cls(DeviceModel(size, items_per_message, model), None)

    def answer(self, action: str, payload: Payload, at: str) -> tuple[Payload, list[Message]] | None:
        if self.configuration is not None:
            if action == "GetConfiguration":
                return self.configuration.get_configuration(payload), []
            if action == "ChangeConfiguration":
                return self.configuration.change_configuration(payload), []
            return None
        if self.device is None:
            return None
        if action == "GetBaseReport":
            if payload.get("reportBase") not in REPORT_BASES:
                return {"status": "NotSupported"}, []
            return {"status": "Accepted"}, self.device.report(payload["requestId"], payload["reportBase"], at)
        if action == "GetVariables":
            return self.device.get_variables(payload), []
        if action == "SetVariables":
            return self.device.set_variables(payload), []
        return None
