"""OCPP 2.0.1 SetNetworkProfile (CSMS → station), the first step of `set-security-profile` (A05): the connection
at the new profile in a configuration slot (OCPP 2.0 over JSON, the wss:// URL, the interface, the message
timeout). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.set_security_profile import NetworkProfile, SetSecurityProfile

INTERFACES = {f"{kind}{n}": f"{kind.capitalize()}{n}" for kind in ("wired", "wireless") for n in range(4)}


def request(command: SetSecurityProfile) -> call.SetNetworkProfile:
    network = required_network(command, "2.0.1")
    return call.SetNetworkProfile(
        configuration_slot=network.configuration_slot,
        connection_data={"ocpp_version": "OCPP20", **connection_data(command, network, INTERFACES, "2.0.1")},
    )


def outcome(result: call_result.SetNetworkProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)


def required_network(command: SetSecurityProfile, version: str) -> NetworkProfile:
    if command.network is None:
        raise NotExpressible(
            f"OCPP {version} stations switch profiles through a network profile: give csms_url (wss://...) and "
            "configuration_slot (and fallback_slots, e.g. the slot in use now)"
        )
    return command.network


def connection_data(
    command: SetSecurityProfile, network: NetworkProfile, interfaces: dict[str, str], version: str
) -> dict[str, Any]:
    """NetworkConnectionProfileType (snake_case) without the version (2.0.1 and 2.1 have their own `INTERFACES`)."""
    if network.ocpp_interface not in interfaces:
        raise NotExpressible(f"OCPP {version} has no {network.ocpp_interface} interface: name one (wired0, ...)")
    return {
        "ocpp_transport": "JSON",
        "ocpp_csms_url": network.csms_url,
        "message_timeout": network.message_timeout_s,
        "security_profile": command.security_profile,
        "ocpp_interface": interfaces[network.ocpp_interface],
    }
