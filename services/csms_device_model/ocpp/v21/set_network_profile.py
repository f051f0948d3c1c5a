"""OCPP 2.1 SetNetworkProfile (CSMS → station), the first step of `set-security-profile`: as 2.0.1
(`v201/set_network_profile.py`) plus the Any interface; no ocppVersion (2.1 leaves the version to the websocket
handshake). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_security_profile import SetSecurityProfile
from csms_device_model.ocpp.v201 import set_network_profile as v201

INTERFACES = {**v201.INTERFACES, "any": "Any"}


def request(command: SetSecurityProfile) -> call.SetNetworkProfile:
    network = v201.required_network(command, "2.1")
    return call.SetNetworkProfile(
        configuration_slot=network.configuration_slot,
        connection_data=v201.connection_data(command, network, INTERFACES, "2.1"),
    )


def outcome(result: call_result.SetNetworkProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
