"""`update-firmware`: the station downloads and installs a firmware image. Params: `location` (URL),
`retrieve_date_time` (when to start the download), optional `install_date_time`, `retries`, `retry_interval`,
`signing_certificate` (PEM) and `signature` (base64) for a signed image, and `request_id` (from the command id:
the station's FirmwareStatusNotifications carry it on 2.x and 1.6 SignedUpdateFirmware). 1.6 sends
SignedUpdateFirmware when the image is signed, UpdateFirmware otherwise (ocpp/<version>/update_firmware.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.firmware import RETRY_PARAMS, Retries, date_time, location, retries
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class UpdateFirmware:
    location: str
    retrieve_date_time: str
    install_date_time: str | None = None
    signing_certificate: str | None = None
    signature: str | None = None
    retry: Retries = field(default_factory=Retries)
    request_id: int | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None or self.signing_certificate is not None


def parse(raw: Any) -> UpdateFirmware:
    params = Params(
        raw,
        (
            "location",
            "retrieve_date_time",
            "install_date_time",
            "signing_certificate",
            "signature",
            *RETRY_PARAMS,
            "request_id",
        ),
    )
    url = location(params, "location")
    retrieve = date_time(params, "retrieve_date_time", required=True)
    assert url is not None and retrieve is not None
    certificate = params.text("signing_certificate")
    if certificate is not None and "-----BEGIN CERTIFICATE-----" not in certificate:
        raise InvalidParams(params.field("signing_certificate"), "must be a PEM certificate")
    return UpdateFirmware(
        url,
        retrieve,
        date_time(params, "install_date_time"),
        certificate,
        params.text("signature"),
        retries(params),
        params.integer("request_id", minimum=0),
    )
