"""`publish-firmware` and `unpublish-firmware` (2.x local controllers): the local controller downloads the image
at `location` and serves it to its stations, or stops serving it. Params: `location` (URL), `checksum` (MD5 of
the image, 32 hex digits), optional `retries`, `retry_interval` and `request_id` (from the command id: its
PublishFirmwareStatusNotifications carry it); unpublish-firmware: `checksum` only."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.firmware import RETRY_PARAMS, Retries, location, retries
from csms_device_model.domain.commands.params import InvalidParams, Params

_MD5 = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class PublishFirmware:
    location: str
    checksum: str
    retry: Retries = field(default_factory=Retries)
    request_id: int | None = None


@dataclass(frozen=True)
class UnpublishFirmware:
    checksum: str


def _checksum(params: Params) -> str:
    value = params.text("checksum", required=True)
    assert value is not None
    if not _MD5.fullmatch(value):
        raise InvalidParams(params.field("checksum"), f"must be an MD5 checksum (32 hex digits), got {value!r}")
    return value.lower()


def parse(raw: Any) -> PublishFirmware:
    params = Params(raw, ("location", "checksum", *RETRY_PARAMS, "request_id"))
    url = location(params, "location")
    assert url is not None
    return PublishFirmware(url, _checksum(params), retries(params), params.integer("request_id", minimum=0))


def parse_unpublish(raw: Any) -> UnpublishFirmware:
    return UnpublishFirmware(_checksum(Params(raw, ("checksum",))))
