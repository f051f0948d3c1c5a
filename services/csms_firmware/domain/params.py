"""The device-model command and version-neutral params of an operator's firmware request (update-firmware,
get-log, get-diagnostics). Device-model checks the params against the station's version and refuses what it
cannot send, naming the field. An update of an uploaded image also claims the image id (`CLAIM_ONLY`: kept with
the request key, never sent). Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.firmware.v1 import firmware_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.timestamps import ocpp_datetime

UPDATE_FIRMWARE = "update-firmware"
GET_LOG = "get-log"
GET_DIAGNOSTICS = "get-diagnostics"
LOG_COMMANDS = (GET_LOG, GET_DIAGNOSTICS)
LOG_TYPES = ("diagnostics", "security")
IMAGE_ID = "image_id"
CLAIM_ONLY = frozenset({IMAGE_ID})
"""Params claimed with the request key but not part of the command (`to_send` drops them)."""


class BadRequest(ValueError):
    """The request cannot become a command; the message names the field."""


@dataclass(frozen=True)
class CommandParams:
    """`defaulted`: the params the service filled in (not given by the caller), which a repeat of the request may
    fill differently (the retrieve time "now")."""

    kind: firmware_pb2.RequestKind.ValueType
    command: str
    params: dict[str, Any]
    defaulted: frozenset[str] = frozenset()

    def same_request(self, command: str, params: dict[str, Any]) -> bool:
        """Whether `command` and `params` (a first claim's) ask for what these ask for, defaults aside."""

        def given(found: dict[str, Any]) -> dict[str, Any]:
            return {name: value for name, value in found.items() if name not in self.defaulted}

        return command == self.command and given(params) == given(self.params)


def to_send(params: dict[str, Any]) -> dict[str, Any]:
    """The command's params out of claimed ones."""
    return {name: value for name, value in params.items() if name not in CLAIM_ONLY}


def _when(message: Any, name: str) -> str | None:
    return ocpp_datetime(to_datetime(getattr(message, name))) if message.HasField(name) else None


def _retries(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if message.has_retries:
        found["retries"] = message.retries
    if message.retry_interval_s:
        found["retry_interval"] = message.retry_interval_s
    return found


def _present(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value not in (None, "")}


def update_params(request: firmware_pb2.RequestFirmwareUpdateRequest, now: datetime) -> CommandParams:
    """update-firmware; no retrieve time: now."""
    if not request.location:
        raise BadRequest("location is required")
    retrieve = _when(request, "retrieve_at")
    params = {
        "location": request.location,
        "retrieve_date_time": retrieve or ocpp_datetime(now),
        "install_date_time": _when(request, "install_at"),
        "signing_certificate": request.signing_certificate,
        "signature": request.signature,
        **_retries(request),
    }
    defaulted = frozenset() if retrieve else frozenset({"retrieve_date_time"})
    return CommandParams(firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE, UPDATE_FIRMWARE, _present(params), defaulted)


def image_update_params(
    request: firmware_pb2.RequestFirmwareUpdateRequest, location: str, signature: str, certificate: str, now: datetime
) -> CommandParams:
    """update-firmware of the uploaded image `request.image_id`: `location` is its signed URL, `signature` and
    `certificate` the image's unless the request names its own. The URL differs on every call (its expiry), so
    it is `defaulted`: a repeat under the key sends the first claim's URL; the image id tells requests apart."""
    if request.location:
        raise BadRequest("give either location or image_id, not both")
    with_location = firmware_pb2.RequestFirmwareUpdateRequest()
    with_location.CopyFrom(request)
    with_location.location = location
    with_location.signature = request.signature or signature
    with_location.signing_certificate = request.signing_certificate or certificate
    made = update_params(with_location, now)
    return CommandParams(
        made.kind,
        made.command,
        {**made.params, IMAGE_ID: request.image_id},
        made.defaulted | {"location"},
    )


def log_params(request: firmware_pb2.RequestLogUploadRequest) -> CommandParams:
    """get-log (DiagnosticsLog by default) or 1.6 get-diagnostics."""
    command = request.command or GET_LOG
    if command not in LOG_COMMANDS:
        raise BadRequest(f"command must be one of {', '.join(LOG_COMMANDS)}, got {command!r}")
    if not request.remote_location:
        raise BadRequest("remote_location is required")
    if command == GET_DIAGNOSTICS:
        if request.log_type and request.log_type != "diagnostics":
            raise BadRequest("get-diagnostics uploads diagnostics only: leave log_type out")
        params = {
            "location": request.remote_location,
            "start_time": _when(request, "oldest"),
            "stop_time": _when(request, "latest"),
        }
    else:
        log_type = request.log_type or "diagnostics"
        if log_type not in LOG_TYPES:
            raise BadRequest(f"log_type must be one of {', '.join(LOG_TYPES)}, got {log_type!r}")
        params = {
            "log_type": log_type,
            "remote_location": request.remote_location,
            "oldest_timestamp": _when(request, "oldest"),
            "latest_timestamp": _when(request, "latest"),
        }
    return CommandParams(firmware_pb2.REQUEST_KIND_LOG_UPLOAD, command, _present({**params, **_retries(request)}))
