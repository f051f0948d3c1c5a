"""Every service's station→CSMS routing tables by owner (csms_kernel.ocpp.ownership), for the tests that check
ownership and action coverage against them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms_authorization.ocpp.routing import TABLES as AUTHORIZATION_TABLES
from csms_device_model.ocpp.routing import TABLES as DEVICE_MODEL_TABLES
from csms_firmware.ocpp.routing import TABLES as FIRMWARE_TABLES
from csms_kernel.ocpp.ownership import (
    AUTHORIZATION,
    DEVICE_MODEL,
    FIRMWARE,
    SECURITY,
    SMART_CHARGING,
    TRANSACTIONS,
)
from csms_kernel.ocpp.versions import OcppVersion
from csms_security.ocpp.routing import TABLES as SECURITY_TABLES
from csms_smart_charging.ocpp.routing import TABLES as SMART_CHARGING_TABLES
from csms_transactions.ocpp.routing import TABLES as TRANSACTIONS_TABLES

ROUTED: dict[str, Mapping[OcppVersion, Mapping[str, Any]]] = {
    DEVICE_MODEL: DEVICE_MODEL_TABLES,
    AUTHORIZATION: AUTHORIZATION_TABLES,
    TRANSACTIONS: TRANSACTIONS_TABLES,
    SECURITY: SECURITY_TABLES,
    FIRMWARE: FIRMWARE_TABLES,
    SMART_CHARGING: SMART_CHARGING_TABLES,
}
