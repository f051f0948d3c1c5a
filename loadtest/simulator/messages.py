"""Schema-valid station → CSMS payloads for OCPP 1.6, 2.0.1 and 2.1, and the OCPP-J frames around them (pure).

Every builder returns `(action, payload)`; `call_frame` encodes it. Times are passed in (ISO 8601 UTC strings)
so that the same inputs give the same frames.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from csms_kernel.ocpp.versions import OcppVersion

Payload = dict[str, Any]
Message = tuple[str, Payload]

VENDOR = "LoadSim"
TOKEN_TYPE = "ISO14443"
CONNECTOR = 1


def call_frame(message_id: str, action: str, payload: Payload) -> str:
    return json.dumps([2, message_id, action, payload], separators=(",", ":"))


def call_result_frame(message_id: str, payload: Payload) -> str:
    return json.dumps([3, message_id, payload], separators=(",", ":"))


def call_error_frame(message_id: str, code: str, description: str) -> str:
    return json.dumps([4, message_id, code, description, {}], separators=(",", ":"))


def boot_notification(version: OcppVersion, model: str, firmware_version: str = "", reason: str = "PowerUp") -> Message:
    """`reason`: 2.x only (1.6 has none)."""
    firmware = {"firmwareVersion": firmware_version} if firmware_version else {}
    if version is OcppVersion.V16:
        return "BootNotification", {"chargePointVendor": VENDOR, "chargePointModel": model} | firmware
    station = {"vendorName": VENDOR, "model": model} | firmware
    return "BootNotification", {"chargingStation": station, "reason": reason}


def heartbeat() -> Message:
    return "Heartbeat", {}


def status_notification(version: OcppVersion, available: bool, at: str) -> Message:
    return connector_status(version, 1, "Available" if available else "Unavailable", at)


def connector_status(version: OcppVersion, evse_id: int, status: str, at: str) -> Message:
    """The StatusNotification of EVSE `evse_id`'s connector (1.6: connector `evse_id`); `status` is one both
    versions name alike (Available, Unavailable, Reserved, Occupied, Faulted)."""
    if version is OcppVersion.V16:
        return "StatusNotification", {"connectorId": evse_id, "errorCode": "NoError", "status": status}
    return "StatusNotification", {
        "timestamp": at,
        "connectorStatus": status,
        "evseId": evse_id,
        "connectorId": CONNECTOR,
    }


def authorize(version: OcppVersion, id_token: str) -> Message:
    if version is OcppVersion.V16:
        return "Authorize", {"idTag": id_token}
    return "Authorize", {"idToken": _id_token(id_token)}


@dataclass(frozen=True)
class Draw:
    """What a charging EVSE draws: the power (W), the current per phase (A) on `phases` phases, and the current
    it offers the car (its composite limit, A)."""

    watts: float
    amps: float
    phases: int
    offered_amps: float


def _draw_samples(draw: Draw | None, v16: bool) -> list[Payload]:
    if draw is None:
        return []
    rows: list[tuple[float, str, str, str | None]] = [(draw.watts, "Power.Active.Import", "W", None)]
    rows += [(draw.amps, "Current.Import", "A", f"L{n}") for n in range(1, draw.phases + 1)]
    rows.append((draw.offered_amps, "Current.Offered", "A", None))
    samples: list[Payload] = []
    for value, measurand, unit, phase in rows:
        sample: Payload = {"value": str(round(value, 1)), "measurand": measurand, "unit": unit}
        if not v16:
            sample = {"value": round(value, 1), "measurand": measurand, "unitOfMeasure": {"unit": unit}}
        samples.append(sample | ({"phase": phase} if phase else {}))
    return samples


def start_transaction(id_token: str, meter_wh: int, at: str, reservation_id: int | None = None) -> Message:
    """OCPP 1.6 only; 2.x starts with `transaction_event(..., "Started", ...)`."""
    payload: Payload = {"connectorId": CONNECTOR, "idTag": id_token, "meterStart": meter_wh, "timestamp": at}
    return "StartTransaction", payload | ({"reservationId": reservation_id} if reservation_id is not None else {})


def meter_values(transaction_id: int, meter_wh: int, at: str, draw: Draw | None = None) -> Message:
    """OCPP 1.6 only; 2.x sends `transaction_event(..., "Updated", ...)`. `draw`: power and currents too."""
    sampled = {"value": str(meter_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
    return "MeterValues", {
        "connectorId": CONNECTOR,
        "transactionId": transaction_id,
        "meterValue": [{"timestamp": at, "sampledValue": [sampled, *_draw_samples(draw, True)]}],
    }


def stop_transaction(transaction_id: int, id_token: str, meter_wh: int, at: str) -> Message:
    """OCPP 1.6 only; 2.x ends with `transaction_event(..., "Ended", ...)`."""
    return "StopTransaction", {
        "transactionId": transaction_id,
        "idTag": id_token,
        "meterStop": meter_wh,
        "timestamp": at,
        "reason": "Local",
    }


_TRIGGERS = {"Started": "Authorized", "Updated": "MeterValuePeriodic", "Ended": "StopAuthorized"}


def transaction_event(
    event_type: str,
    transaction_id: str,
    seq_no: int,
    id_token: str,
    meter_wh: int,
    at: str,
    draw: Draw | None = None,
    reservation_id: int | None = None,
) -> Message:
    """OCPP 2.0.1/2.1 TransactionEvent (same shape in both): Started (`reservation_id`: the reservation it
    ends), Updated (meter values; `draw`: power and currents too) or Ended. A draw of 0 W is SuspendedEVSE."""
    payload: Payload = {
        "eventType": event_type,
        "timestamp": at,
        "triggerReason": _TRIGGERS[event_type],
        "seqNo": seq_no,
        "transactionInfo": {
            "transactionId": transaction_id,
            "chargingState": "SuspendedEVSE" if draw is not None and draw.watts <= 0 else "Charging",
        },
        "meterValue": [
            {
                "timestamp": at,
                "sampledValue": [
                    {
                        "value": float(meter_wh),
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh"},
                    },
                    *_draw_samples(draw, False),
                ],
            }
        ],
    }
    if event_type == "Started":
        payload["evse"] = {"id": 1, "connectorId": CONNECTOR}
        payload["idToken"] = _id_token(id_token)
        if reservation_id is not None:
            payload["reservationId"] = reservation_id
    elif event_type == "Ended":
        payload["transactionInfo"] = {"transactionId": transaction_id, "stoppedReason": "Local"}
        payload["idToken"] = _id_token(id_token)
    return "TransactionEvent", payload


FAULT_TECH_CODES = ("OverCurrent", "GroundFailure", "HighTemperature", "PowerMeterFailure", "ReaderFailure")


def notify_event(event_id: int, raised: bool, tech_code: str, at: str) -> Message:
    """OCPP 2.0.1/2.1 NotifyEvent: connector 1's hard-wired Problem monitor raised (actualValue true) or
    cleared."""
    event: Payload = {
        "eventId": event_id,
        "timestamp": at,
        "trigger": "Delta",
        "actualValue": "true" if raised else "false",
        "techCode": tech_code,
        "techInfo": f"simulated {tech_code} fault",
        "component": {"name": "Connector", "evse": {"id": 1, "connectorId": CONNECTOR}},
        "variable": {"name": "Problem"},
        "eventNotificationType": "HardWiredNotification",
    }
    if not raised:
        event["cleared"] = True
    return "NotifyEvent", {"generatedAt": at, "seqNo": 0, "tbc": False, "eventData": [event]}


def _id_token(id_token: str) -> Payload:
    return {"idToken": id_token, "type": TOKEN_TYPE}


# A CSMS-initiated CALL the simulator accepts (answered {"status": "Accepted"}); any other gets NotSupported.
ACCEPTED_CSMS_CALLS = frozenset({"Reset", "TriggerMessage", "ChangeAvailability", "ClearCache"})


def answer_csms_call(message_id: str, action: str) -> str:
    if action in ACCEPTED_CSMS_CALLS:
        return call_result_frame(message_id, {"status": "Accepted"})
    return call_error_frame(message_id, "NotSupported", f"{action} is not supported by the simulator")
