"""`set-security-profile`: upgrade the security profile the station connects at (2.0.1 A05, 1.6 security
whitepaper "Upgrade Charge Point Security Profile"), without a window in which it can connect at neither: the new
profile is registered as pending first (`credentials`), and the station becomes registered at it when it first
connects at it. Downgrades are refused (docs/adr/0027).

Params: `security_profile` (2 or 3). 2.x stations also take the connection they switch to, a configuration slot
of their network profiles: `csms_url` (wss://...), `configuration_slot`, optional `fallback_slots` (the slots
tried after it, e.g. the current one: NetworkConfigurationPriority becomes `slot,fallback...`),
`ocpp_interface` (wired0 default, wired1..3, wireless0..3, 2.1 also any), `message_timeout_s` (30 default) and
`reset` (on_idle default, or immediate: the reset that makes the station reconnect). 1.6 has no network profiles:
it takes the profile only and reconnects to its configured URL.
Result: `{status, status_info?, steps?}`: the status of the first step the station did not accept, or of the last
(`steps`: each call's status, when there are several)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params
from csms_device_model.domain.commands.reset import ResetType

PROFILES = (2, 3)
INTERFACES = (*(f"{kind}{n}" for kind in ("wired", "wireless") for n in range(4)), "any")
RESETS = (ResetType.ON_IDLE, ResetType.IMMEDIATE)
NETWORK_FIELDS = ("csms_url", "configuration_slot", "fallback_slots", "ocpp_interface", "message_timeout_s", "reset")


@dataclass(frozen=True)
class NetworkProfile:
    csms_url: str
    configuration_slot: int
    fallback_slots: tuple[int, ...] = ()
    ocpp_interface: str = "wired0"
    message_timeout_s: int = 30
    reset: ResetType = ResetType.ON_IDLE

    @property
    def priority(self) -> str:
        """NetworkConfigurationPriority: the new slot first, then the fallbacks."""
        return ",".join(str(slot) for slot in (self.configuration_slot, *self.fallback_slots))


@dataclass(frozen=True)
class SetSecurityProfile:
    security_profile: int
    network: NetworkProfile | None = None  # None: none given (1.6)
    given: tuple[str, ...] = ()  # the network fields given, for 1.6's refusal


def parse(raw: Any) -> SetSecurityProfile:
    params = Params(raw, ("security_profile", *NETWORK_FIELDS))
    profile = params.integer("security_profile", required=True)
    if profile not in PROFILES:
        raise InvalidParams(params.field("security_profile"), f"must be 2 or 3 (an upgrade), got {profile}")
    given = tuple(name for name in NETWORK_FIELDS if params.has(name))
    if not given:
        return SetSecurityProfile(profile)
    url = params.text("csms_url", required=True)
    slot = params.integer("configuration_slot", required=True, minimum=0)
    assert url is not None and slot is not None
    if not url.startswith("wss://"):
        raise InvalidParams(params.field("csms_url"), "security profiles 2 and 3 connect over TLS: give a wss:// URL")
    fallbacks = _slots(params, slot)
    interface = params.text("ocpp_interface") or "wired0"
    if interface not in INTERFACES:
        raise InvalidParams(
            params.field("ocpp_interface"), f"must be one of {', '.join(INTERFACES)}, got {interface!r}"
        )
    timeout = params.integer("message_timeout_s", minimum=1)
    reset = params.choice("reset", ResetType) or ResetType.ON_IDLE
    if reset not in RESETS:
        raise InvalidParams(params.field("reset"), f"must be on_idle or immediate, got {reset.value!r}")
    network = NetworkProfile(url, slot, fallbacks, interface, 30 if timeout is None else timeout, reset)
    return SetSecurityProfile(profile, network, given)


def _slots(params: Params, slot: int) -> tuple[int, ...]:
    listed = params.items("fallback_slots") or []
    found: list[int] = []
    for i, value in enumerate(listed):
        where = f"{params.field('fallback_slots')}[{i}]"
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidParams(where, f"must be a slot number (an integer >= 0), got {value!r}")
        if value == slot or value in found:
            raise InvalidParams(where, f"slot {value} is already in the priority")
        found.append(value)
    return tuple(found)
