"""The one key-value model of `get-configuration` and `set-configuration`: a key names a 1.6 configuration key and,
where the specifications define one, its 2.x component variable (and back).

A key is given as
- a 1.6 key name (`HeartbeatInterval`): sent as such to 1.6 stations; to 2.x stations as its standard variable
  (`STANDARD_KEYS`), refused when it has none;
- a 2.x name `Component.Variable` (`OCPPCommCtrlr.HeartbeatInterval`): sent as such to 2.x stations; to 1.6
  stations as its standard 1.6 key, refused when it has none;
- an object `{component, variable, component_instance?, variable_instance?, evse_id?, connector_id?}`: a 2.x
  variable with the detail the string form cannot carry; mapped to 1.6 like the string form.

`STANDARD_KEYS` is the mapping of OCPP 1.6 (with its security whitepaper) keys to OCPP 2.0.1/2.1 variables for
the keys whose meaning carried over (OCPP 2.0.1 Part 2 referenced components and variables; the same table as
EVerest libocpp's 1.6 → 2.x device model migration). Values are passed as they are: where the two versions spell
a value differently (ChargingScheduleAllowedChargingRateUnit `Current,Power` vs. RateUnit `A,W`) the caller
writes the station's spelling. Pure; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible, Params


@dataclass(frozen=True)
class Variable:
    """A 2.x component variable."""

    component: str
    variable: str
    component_instance: str | None = None
    variable_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None

    @property
    def name(self) -> str:
        return f"{self.component}.{self.variable}"


STANDARD_KEYS: dict[str, Variable] = {
    "AllowOfflineTxForUnknownId": Variable("AuthCtrlr", "OfflineTxForUnknownIdEnabled"),
    "AuthorizationCacheEnabled": Variable("AuthCacheCtrlr", "Enabled"),
    "AuthorizeRemoteTxRequests": Variable("AuthCtrlr", "AuthorizeRemoteStart"),
    "ClockAlignedDataInterval": Variable("AlignedDataCtrlr", "Interval"),
    "ConnectionTimeOut": Variable("TxCtrlr", "EVConnectionTimeOut"),
    "HeartbeatInterval": Variable("OCPPCommCtrlr", "HeartbeatInterval"),
    "LocalAuthorizeOffline": Variable("AuthCtrlr", "LocalAuthorizeOffline"),
    "LocalPreAuthorize": Variable("AuthCtrlr", "LocalPreAuthorize"),
    "MaxEnergyOnInvalidId": Variable("TxCtrlr", "MaxEnergyOnInvalidId"),
    "MeterValuesAlignedData": Variable("AlignedDataCtrlr", "Measurands"),
    "MeterValuesSampledData": Variable("SampledDataCtrlr", "TxUpdatedMeasurands"),
    "MeterValueSampleInterval": Variable("SampledDataCtrlr", "TxUpdatedInterval"),
    "ResetRetries": Variable("OCPPCommCtrlr", "ResetRetries"),
    "StopTransactionOnEVSideDisconnect": Variable("TxCtrlr", "StopTxOnEVSideDisconnect"),
    "StopTransactionOnInvalidId": Variable("TxCtrlr", "StopTxOnInvalidId"),
    "StopTxnAlignedData": Variable("AlignedDataCtrlr", "TxEndedMeasurands"),
    "StopTxnSampledData": Variable("SampledDataCtrlr", "TxEndedMeasurands"),
    "TransactionMessageAttempts": Variable("OCPPCommCtrlr", "MessageAttempts", variable_instance="TransactionEvent"),
    "TransactionMessageRetryInterval": Variable(
        "OCPPCommCtrlr", "MessageAttemptInterval", variable_instance="TransactionEvent"
    ),
    "UnlockConnectorOnEVSideDisconnect": Variable("OCPPCommCtrlr", "UnlockOnEVSideDisconnect"),
    "WebSocketPingInterval": Variable("OCPPCommCtrlr", "WebSocketPingInterval"),
    "LocalAuthListEnabled": Variable("LocalAuthListCtrlr", "Enabled"),
    "SendLocalListMaxLength": Variable("LocalAuthListCtrlr", "ItemsPerMessage"),
    "ChargeProfileMaxStackLevel": Variable("SmartChargingCtrlr", "ProfileStackLevel"),
    "ChargingScheduleAllowedChargingRateUnit": Variable("SmartChargingCtrlr", "RateUnit"),
    "ChargingScheduleMaxPeriods": Variable("SmartChargingCtrlr", "PeriodsPerSchedule"),
    "ConnectorSwitch3to1PhaseSupported": Variable("SmartChargingCtrlr", "Phases3to1"),
    "SupportedFileTransferProtocols": Variable("OCPPCommCtrlr", "FileTransferProtocols"),
    "AdditionalRootCertificateCheck": Variable("SecurityCtrlr", "AdditionalRootCertificateCheck"),
    "AuthorizationKey": Variable("SecurityCtrlr", "BasicAuthPassword"),
    "CertificateSignedMaxChainSize": Variable("SecurityCtrlr", "MaxCertificateChainSize"),
    "CpoName": Variable("SecurityCtrlr", "OrganizationName"),
    "SecurityProfile": Variable("SecurityCtrlr", "SecurityProfile"),
}

V16_KEYS: dict[Variable, str] = {variable: key for key, variable in STANDARD_KEYS.items()}

_OBJECT_FIELDS = ("component", "variable", "component_instance", "variable_instance", "evse_id", "connector_id")


@dataclass(frozen=True)
class ConfigKey:
    """A key as the caller named it (`label`, echoed in results) and what it is in each version."""

    label: Any
    v16_key: str | None
    v2_variable: Variable | None

    def v16(self) -> str:
        """The 1.6 key; NotExpressible when the 2.x variable has none."""
        if self.v16_key is None:
            raise NotExpressible(f"{_shown(self.label)} has no OCPP 1.6 configuration key")
        return self.v16_key

    def v2(self) -> Variable:
        """The 2.x variable; NotExpressible when the 1.6 key has none."""
        if self.v2_variable is None:
            raise NotExpressible(
                f"{_shown(self.label)} is not an OCPP 1.6 key with a standard 2.x variable: "
                "name the variable as Component.Variable"
            )
        return self.v2_variable


def parse_key(value: Any, where: str) -> ConfigKey:
    if isinstance(value, str) and value:
        if value in STANDARD_KEYS:
            return ConfigKey(value, value, STANDARD_KEYS[value])
        if "." not in value:
            return ConfigKey(value, value, None)
        component, _, variable = value.partition(".")
        if not component or not variable:
            raise InvalidParams(where, f"{value!r} is neither a 1.6 key nor Component.Variable")
        named = Variable(component, variable)
        return ConfigKey(value, V16_KEYS.get(named), named)
    if isinstance(value, dict):
        params = Params(value, _OBJECT_FIELDS, where)
        of, name = params.text("component", required=True), params.text("variable", required=True)
        if params.has("connector_id") and not params.has("evse_id"):
            raise InvalidParams(params.field("evse_id"), "is required with connector_id")
        assert of is not None and name is not None
        named = Variable(
            of,
            name,
            params.text("component_instance"),
            params.text("variable_instance"),
            params.integer("evse_id", minimum=0),
            params.integer("connector_id", minimum=0),
        )
        return ConfigKey(value, V16_KEYS.get(named), named)
    raise InvalidParams(where, "must be a key name or an object {component, variable, ...}")


def config_value(value: Any, where: str) -> str:
    """A value to set, as the text both versions carry: strings as they are, numbers in decimal, booleans as
    true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidParams(where, f"must be a string, number or boolean, got {value!r}")


def _shown(label: Any) -> str:
    return repr(label) if isinstance(label, str) else str(label)
