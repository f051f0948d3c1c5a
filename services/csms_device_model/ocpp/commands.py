"""The operator commands and their translation to each OCPP version (docs/adr/0020-operator-commands.md): for
every command, how its neutral parameters are read (`domain.commands.<command>.parse`) and, per version, the
CALLs that carry it and how the station's answers read back as one neutral result, through the action modules
in `v16/`, `v201/`, `v21/`. Pure; no I/O.

`translate` refuses what a version cannot express (NotExpressible) and checks every CALL it makes against the
version's schema and direction (`domain.calls`), so a translated command can be sent as it is.

A plan may stop early (`proceed`: the calls after a step the station did not take are not sent), change the
station's credentials first (`credentials`: set-password, set-security-profile; `domain.commands.credentials`)
and hold secrets the record must not keep (`secrets`, shown redacted by `shown`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from csms_device_model.domain.calls import ActionNotSendable, PayloadNotValid, check_call
from csms_device_model.domain.commands import (
    certificate_signed,
    change_availability,
    clear_cache,
    clear_charging_profile,
    clear_variable_monitoring,
    customer_information,
    data_transfer,
    delete_certificate,
    display_messages,
    get_base_report,
    get_charging_profiles,
    get_composite_schedule,
    get_configuration,
    get_diagnostics,
    get_installed_certificate_ids,
    get_log,
    get_monitoring_report,
    get_report,
    install_certificate,
    publish_firmware,
    raw,
    reservations,
    reset,
    set_charging_profile,
    set_configuration,
    set_monitoring_base,
    set_monitoring_level,
    set_password,
    set_security_profile,
    set_variable_monitoring,
    trigger_message,
    unlock_connector,
    update_firmware,
)
from csms_device_model.domain.commands.configuration import parse_key
from csms_device_model.domain.commands.credentials import CredentialChange, redact
from csms_device_model.domain.commands.get_configuration import GetConfiguration
from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.domain.commands.record import OcppCall
from csms_device_model.domain.commands.set_configuration import SetConfiguration, Setting
from csms_device_model.domain.commands.set_password import SetPassword
from csms_device_model.domain.commands.set_security_profile import SetSecurityProfile
from csms_device_model.domain.commands.trigger_message import TriggerMessage
from csms_device_model.domain.commands.update_firmware import UpdateFirmware
from csms_device_model.ocpp.v16 import cancel_reservation as v16_cancel_reservation
from csms_device_model.ocpp.v16 import certificate_signed as v16_certificate_signed
from csms_device_model.ocpp.v16 import change_availability as v16_change_availability
from csms_device_model.ocpp.v16 import change_configuration as v16_change_configuration
from csms_device_model.ocpp.v16 import clear_cache as v16_clear_cache
from csms_device_model.ocpp.v16 import clear_charging_profile as v16_clear_charging_profile
from csms_device_model.ocpp.v16 import data_transfer as v16_data_transfer
from csms_device_model.ocpp.v16 import delete_certificate as v16_delete_certificate
from csms_device_model.ocpp.v16 import extended_trigger_message as v16_extended_trigger_message
from csms_device_model.ocpp.v16 import get_composite_schedule as v16_get_composite_schedule
from csms_device_model.ocpp.v16 import get_configuration as v16_get_configuration
from csms_device_model.ocpp.v16 import get_diagnostics as v16_get_diagnostics
from csms_device_model.ocpp.v16 import get_installed_certificate_ids as v16_get_installed_certificate_ids
from csms_device_model.ocpp.v16 import get_log as v16_get_log
from csms_device_model.ocpp.v16 import install_certificate as v16_install_certificate
from csms_device_model.ocpp.v16 import reserve_now as v16_reserve_now
from csms_device_model.ocpp.v16 import reset as v16_reset
from csms_device_model.ocpp.v16 import set_charging_profile as v16_set_charging_profile
from csms_device_model.ocpp.v16 import signed_update_firmware as v16_signed_update_firmware
from csms_device_model.ocpp.v16 import trigger_message as v16_trigger_message
from csms_device_model.ocpp.v16 import unlock_connector as v16_unlock_connector
from csms_device_model.ocpp.v16 import update_firmware as v16_update_firmware
from csms_device_model.ocpp.v21 import cancel_reservation as v21_cancel_reservation
from csms_device_model.ocpp.v21 import certificate_signed as v21_certificate_signed
from csms_device_model.ocpp.v21 import change_availability as v21_change_availability
from csms_device_model.ocpp.v21 import clear_cache as v21_clear_cache
from csms_device_model.ocpp.v21 import clear_charging_profile as v21_clear_charging_profile
from csms_device_model.ocpp.v21 import clear_display_message as v21_clear_display_message
from csms_device_model.ocpp.v21 import clear_variable_monitoring as v21_clear_variable_monitoring
from csms_device_model.ocpp.v21 import customer_information as v21_customer_information
from csms_device_model.ocpp.v21 import data_transfer as v21_data_transfer
from csms_device_model.ocpp.v21 import delete_certificate as v21_delete_certificate
from csms_device_model.ocpp.v21 import get_base_report as v21_get_base_report
from csms_device_model.ocpp.v21 import get_charging_profiles as v21_get_charging_profiles
from csms_device_model.ocpp.v21 import get_composite_schedule as v21_get_composite_schedule
from csms_device_model.ocpp.v21 import get_display_messages as v21_get_display_messages
from csms_device_model.ocpp.v21 import get_installed_certificate_ids as v21_get_installed_certificate_ids
from csms_device_model.ocpp.v21 import get_log as v21_get_log
from csms_device_model.ocpp.v21 import get_monitoring_report as v21_get_monitoring_report
from csms_device_model.ocpp.v21 import get_report as v21_get_report
from csms_device_model.ocpp.v21 import get_variables as v21_get_variables
from csms_device_model.ocpp.v21 import install_certificate as v21_install_certificate
from csms_device_model.ocpp.v21 import publish_firmware as v21_publish_firmware
from csms_device_model.ocpp.v21 import reserve_now as v21_reserve_now
from csms_device_model.ocpp.v21 import reset as v21_reset
from csms_device_model.ocpp.v21 import set_charging_profile as v21_set_charging_profile
from csms_device_model.ocpp.v21 import set_display_message as v21_set_display_message
from csms_device_model.ocpp.v21 import set_monitoring_base as v21_set_monitoring_base
from csms_device_model.ocpp.v21 import set_monitoring_level as v21_set_monitoring_level
from csms_device_model.ocpp.v21 import set_network_profile as v21_set_network_profile
from csms_device_model.ocpp.v21 import set_variable_monitoring as v21_set_variable_monitoring
from csms_device_model.ocpp.v21 import set_variables as v21_set_variables
from csms_device_model.ocpp.v21 import trigger_message as v21_trigger_message
from csms_device_model.ocpp.v21 import unlock_connector as v21_unlock_connector
from csms_device_model.ocpp.v21 import unpublish_firmware as v21_unpublish_firmware
from csms_device_model.ocpp.v21 import update_firmware as v21_update_firmware
from csms_device_model.ocpp.v201 import cancel_reservation as v201_cancel_reservation
from csms_device_model.ocpp.v201 import certificate_signed as v201_certificate_signed
from csms_device_model.ocpp.v201 import change_availability as v201_change_availability
from csms_device_model.ocpp.v201 import clear_cache as v201_clear_cache
from csms_device_model.ocpp.v201 import clear_charging_profile as v201_clear_charging_profile
from csms_device_model.ocpp.v201 import clear_display_message as v201_clear_display_message
from csms_device_model.ocpp.v201 import clear_variable_monitoring as v201_clear_variable_monitoring
from csms_device_model.ocpp.v201 import customer_information as v201_customer_information
from csms_device_model.ocpp.v201 import data_transfer as v201_data_transfer
from csms_device_model.ocpp.v201 import delete_certificate as v201_delete_certificate
from csms_device_model.ocpp.v201 import get_base_report as v201_get_base_report
from csms_device_model.ocpp.v201 import get_charging_profiles as v201_get_charging_profiles
from csms_device_model.ocpp.v201 import get_composite_schedule as v201_get_composite_schedule
from csms_device_model.ocpp.v201 import get_display_messages as v201_get_display_messages
from csms_device_model.ocpp.v201 import get_installed_certificate_ids as v201_get_installed_certificate_ids
from csms_device_model.ocpp.v201 import get_log as v201_get_log
from csms_device_model.ocpp.v201 import get_monitoring_report as v201_get_monitoring_report
from csms_device_model.ocpp.v201 import get_report as v201_get_report
from csms_device_model.ocpp.v201 import get_variables as v201_get_variables
from csms_device_model.ocpp.v201 import install_certificate as v201_install_certificate
from csms_device_model.ocpp.v201 import publish_firmware as v201_publish_firmware
from csms_device_model.ocpp.v201 import reserve_now as v201_reserve_now
from csms_device_model.ocpp.v201 import reset as v201_reset
from csms_device_model.ocpp.v201 import set_charging_profile as v201_set_charging_profile
from csms_device_model.ocpp.v201 import set_display_message as v201_set_display_message
from csms_device_model.ocpp.v201 import set_monitoring_base as v201_set_monitoring_base
from csms_device_model.ocpp.v201 import set_monitoring_level as v201_set_monitoring_level
from csms_device_model.ocpp.v201 import set_network_profile as v201_set_network_profile
from csms_device_model.ocpp.v201 import set_variable_monitoring as v201_set_variable_monitoring
from csms_device_model.ocpp.v201 import set_variables as v201_set_variables
from csms_device_model.ocpp.v201 import trigger_message as v201_trigger_message
from csms_device_model.ocpp.v201 import unlock_connector as v201_unlock_connector
from csms_device_model.ocpp.v201 import unpublish_firmware as v201_unpublish_firmware
from csms_device_model.ocpp.v201 import update_firmware as v201_update_firmware
from csms_kernel.clients.station_calls import action_of, result_type_of
from csms_kernel.ocpp.errors import OcppCallError
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


class AnswerNotUnderstood(ValueError):
    """A CALLRESULT payload that is not what the version's response schema allows."""


def _always(index: int, payload: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Plan:
    """A command in one version: the CALLs to send in order, and how their CALLRESULT payloads (in the same
    order) read as the neutral result (raises AnswerNotUnderstood). `proceed(i, payload)`: whether the calls after
    call i are sent once it was answered with that CALLRESULT (raises AnswerNotUnderstood)."""

    calls: tuple[OcppCall, ...]
    read: Callable[[Sequence[dict[str, Any]]], dict[str, Any]]
    proceed: Callable[[int, dict[str, Any]], bool] = _always
    credentials: CredentialChange | None = None
    secrets: tuple[str, ...] = ()

    def shown(self) -> tuple[OcppCall, ...]:
        """The calls as the record keeps and shows them: every secret replaced by `<redacted>`."""
        if not self.secrets:
            return self.calls
        return tuple(OcppCall(call.action, redact(call.payload, self.secrets)) for call in self.calls)


@dataclass(frozen=True)
class Command:
    parse: Callable[[Any], Any]
    versions: dict[OcppVersion, Callable[[Any], Plan]]
    # The command starts a request the station answers with later CALLs carrying a requestId: the params get
    # `request_id` from the command id unless given (`domain.commands.request_ids`).
    takes_request_id: bool = False


def answer(request: Any, payload: dict[str, Any]) -> Any:
    """The `ocpp` call_result dataclass of `request`'s answer, checked against the response schema."""
    version = next(v for v in OcppVersion if type(request) is getattr(v.call_module, type(request).__name__, None))
    try:
        validate(version, action_of(request), MessageKind.RESPONSE, payload)
        return to_request(result_type_of(request), payload)
    except OcppCallError as exc:
        raise AnswerNotUnderstood(f"the station's {action_of(request)} answer: {exc.description}") from exc


def calls(requests: Sequence[Any], combine: Callable[[list[Any]], dict[str, Any]]) -> Plan:
    """The plan of `ocpp` call dataclasses whose call_results `combine` reads."""

    def read(payloads: Sequence[dict[str, Any]]) -> dict[str, Any]:
        return combine([answer(r, p) for r, p in zip(requests, payloads, strict=True)])

    return Plan(tuple(OcppCall(action_of(r), to_payload(r)) for r in requests), read)


def single(build: Callable[[Any], Any], outcome: Callable[[Any], dict[str, Any]]) -> Callable[[Any], Plan]:
    """The plan of a command sent as one CALL built by `build`, read by `outcome`."""
    return lambda command: calls([build(command)], lambda results: outcome(results[0]))


def with_command(
    build: Callable[[Any], Any], outcome: Callable[[Any, Any], dict[str, Any]], *, every_key: bool = False
) -> Callable[[Any], Plan]:
    """`single` for an outcome that needs the command (its keys); `every_key`: a 2.x get-configuration without
    keys asks for every standard key."""

    def plan(command: Any) -> Plan:
        if every_key and not command.keys:
            command = GetConfiguration(get_configuration.standard_keys())
        return calls([build(command)], lambda results: outcome(results[0], command))

    return plan


def v16_set_configuration(command: SetConfiguration) -> Plan:
    """One ChangeConfiguration per key, in the order given."""

    def combine(results: list[Any]) -> dict[str, Any]:
        return {
            "results": [
                {"key": s.key.label, **v16_change_configuration.outcome(r)}
                for s, r in zip(command.settings, results, strict=True)
            ]
        }

    return calls([v16_change_configuration.request(s) for s in command.settings], combine)


def no_device_model_report(command: Any) -> Plan:
    raise NotExpressible(
        "OCPP 1.6 has no device model report: get-configuration reads the station's keys into the same inventory"
    )


def v16_trigger(command: TriggerMessage) -> Plan:
    """TriggerMessage, or for the security whitepaper's messages (SignChargePointCertificate,
    LogStatusNotification) ExtendedTriggerMessage."""
    if command.message in v16_extended_trigger_message.MESSAGES:
        return single(v16_extended_trigger_message.request, v16_extended_trigger_message.outcome)(command)
    return single(v16_trigger_message.request, v16_trigger_message.outcome)(command)


def v16_installed_certificates(command: get_installed_certificate_ids.GetInstalledCertificateIds) -> Plan:
    """One GetInstalledCertificateIds per certificate type."""
    uses = v16_get_installed_certificate_ids.uses(command)
    return calls(
        [v16_get_installed_certificate_ids.request(use) for use in uses],
        lambda results: v16_get_installed_certificate_ids.combined(
            [v16_get_installed_certificate_ids.outcome(r, use) for r, use in zip(results, uses, strict=True)]
        ),
    )


def not_expressible(why: str) -> Callable[[Any], Plan]:
    """The plan of a version that has no such command: refused with the reason."""

    def plan(command: Any) -> Plan:
        raise NotExpressible(why)

    return plan


def v16_firmware_update(command: UpdateFirmware) -> Plan:
    """SignedUpdateFirmware (security whitepaper) for a signed image, UpdateFirmware otherwise."""
    if command.signed:
        return single(v16_signed_update_firmware.request, v16_signed_update_firmware.outcome)(command)
    return single(v16_update_firmware.request, v16_update_firmware.outcome)(command)


TAKEN = ("accepted", "reboot_required", "scheduled")
"""The statuses of a step the station took (it applies the change now, after a reboot, or when idle)."""

Step = tuple[Any, Callable[[Any], dict[str, Any]]]
"""One CALL of a stepwise command: the `ocpp` request and how its call_result reads as `{status, status_info?}`."""


def steps(requests: Sequence[Step], credentials: CredentialChange | None = None, secrets: tuple[str, ...] = ()) -> Plan:
    """A command whose CALLs are steps: the calls after a step the station did not take are not sent; the result
    is the status of the first step not taken (or of the last), with `steps` (each answered call's action and
    status) when there are several."""

    def status(index: int, payload: dict[str, Any]) -> dict[str, Any]:
        request, reader = requests[index]
        return reader(answer(request, payload))

    def read(payloads: Sequence[dict[str, Any]]) -> dict[str, Any]:
        found = [{"action": action_of(requests[i][0]), **status(i, p)} for i, p in enumerate(payloads)]
        deciding = next((step for step in found if step["status"] not in TAKEN), found[-1])
        result = {name: value for name, value in deciding.items() if name != "action"}
        if len(requests) > 1:
            result["steps"] = found
        return result

    return Plan(
        tuple(OcppCall(action_of(r), to_payload(r)) for r, _ in requests),
        read,
        lambda index, payload: status(index, payload)["status"] in TAKEN,
        credentials,
        secrets,
    )


def only_result(
    outcome: Callable[[Any, SetConfiguration], dict[str, Any]], command: SetConfiguration
) -> Callable[[Any], dict[str, Any]]:
    """A SetVariables of one variable read as a step: that variable's status."""

    def read(result: Any) -> dict[str, Any]:
        (found,) = outcome(result, command)["results"]
        return {name: value for name, value in found.items() if name != "key"}

    return read


AUTHORIZATION_KEY = parse_key("AuthorizationKey", "params")
BASIC_AUTH_PASSWORD = parse_key("SecurityCtrlr.BasicAuthPassword", "params")
SECURITY_PROFILE = parse_key("SecurityProfile", "params")
NETWORK_PRIORITY = parse_key("OCPPCommCtrlr.NetworkConfigurationPriority", "params")


def v16_set_password(command: SetPassword) -> Plan:
    """ChangeConfiguration AuthorizationKey (the key in lowercase hex, as registered)."""
    key = set_password.authorization_key(command)
    setting = Setting(AUTHORIZATION_KEY, key)
    return steps(
        [(v16_change_configuration.request(setting), v16_change_configuration.outcome)],
        CredentialChange(password=key),
        (command.password, key),
    )


def v2_set_password(set_variables: ModuleType, max_length: int, version: str) -> Callable[[SetPassword], Plan]:
    """SetVariables SecurityCtrlr.BasicAuthPassword."""

    def plan(command: SetPassword) -> Plan:
        password = set_password.basic_auth_password(command, max_length, version)
        setting = SetConfiguration((Setting(BASIC_AUTH_PASSWORD, password),))
        return steps(
            [(set_variables.request(setting), only_result(set_variables.outcome, setting))],
            CredentialChange(password=password),
            (password,),
        )

    return plan


def v16_set_security_profile(command: SetSecurityProfile) -> Plan:
    """ChangeConfiguration SecurityProfile: the station reconnects to its configured URL at the new profile."""
    if command.given:
        raise NotExpressible(
            f"OCPP 1.6 has no network profiles: leave {', '.join(command.given)} out (the station reconnects to "
            "its configured Central System URL at the new profile)"
        )
    setting = Setting(SECURITY_PROFILE, str(command.security_profile))
    return steps(
        [(v16_change_configuration.request(setting), v16_change_configuration.outcome)],
        CredentialChange(security_profile=command.security_profile),
    )


def v2_set_security_profile(
    set_network_profile: ModuleType, set_variables: ModuleType, reset_: ModuleType
) -> Callable[[SetSecurityProfile], Plan]:
    """A05: SetNetworkProfile (the new slot), SetVariables OCPPCommCtrlr.NetworkConfigurationPriority (the slot
    first), Reset (the station reconnects through the slot). The station may use the new profile once the
    priority is accepted (`commit_call` 1)."""

    def plan(command: SetSecurityProfile) -> Plan:
        network = set_network_profile.request(command)
        assert command.network is not None
        priority = SetConfiguration((Setting(NETWORK_PRIORITY, command.network.priority),))
        return steps(
            [
                (network, set_network_profile.outcome),
                (set_variables.request(priority), only_result(set_variables.outcome, priority)),
                (reset_.request(reset.Reset(command.network.reset)), reset_.outcome),
            ],
            CredentialChange(security_profile=command.security_profile, commit_call=1),
        )

    return plan


def no_display_messages(command: object) -> Plan:
    raise NotExpressible(
        "OCPP 1.6 has no display messages (SetDisplayMessage, GetDisplayMessages and ClearDisplayMessage are OCPP "
        "2.0.1/2.1, block O); a 1.6 station's vendor may offer them through data-transfer"
    )


def no_monitoring(command: Any) -> Plan:
    """OCPP 1.6 has no device model: no monitors, monitoring reports or customer information (block N is 2.x)."""
    raise NotExpressible("OCPP 1.6 has no variable monitoring or customer information (OCPP 2.0.1 and 2.1 have)")


def raw_call(version: OcppVersion) -> Callable[[raw.Raw], Plan]:
    """The action and payload as given, if the version has the action, the CSMS sends it and the payload is valid;
    the result is the station's CALLRESULT payload as it is (checked against the response schema)."""

    def plan(command: raw.Raw) -> Plan:
        try:
            check_call(version, command.action, command.payload)
        except ActionNotSendable as exc:
            raise InvalidParams("params.action", str(exc)) from exc
        except PayloadNotValid as exc:
            raise InvalidParams("params.payload", str(exc)) from exc

        def read(payloads: Sequence[dict[str, Any]]) -> dict[str, Any]:
            try:
                validate(version, command.action, MessageKind.RESPONSE, payloads[0])
            except OcppCallError as exc:
                raise AnswerNotUnderstood(f"the station's {command.action} answer: {exc.description}") from exc
            return payloads[0]

        return Plan((OcppCall(command.action, command.payload),), read)

    return plan


COMMANDS: dict[str, Command] = {
    "reset": Command(
        reset.parse,
        {
            V16: single(v16_reset.request, v16_reset.outcome),
            V201: single(v201_reset.request, v201_reset.outcome),
            V21: single(v21_reset.request, v21_reset.outcome),
        },
    ),
    "change-availability": Command(
        change_availability.parse,
        {
            V16: single(v16_change_availability.request, v16_change_availability.outcome),
            V201: single(v201_change_availability.request, v201_change_availability.outcome),
            V21: single(v21_change_availability.request, v21_change_availability.outcome),
        },
    ),
    "unlock-connector": Command(
        unlock_connector.parse,
        {
            V16: single(v16_unlock_connector.request, v16_unlock_connector.outcome),
            V201: single(v201_unlock_connector.request, v201_unlock_connector.outcome),
            V21: single(v21_unlock_connector.request, v21_unlock_connector.outcome),
        },
    ),
    "reserve-now": Command(
        reservations.parse_reserve_now,
        {
            V16: single(v16_reserve_now.request, v16_reserve_now.outcome),
            V201: single(v201_reserve_now.request, v201_reserve_now.outcome),
            V21: single(v21_reserve_now.request, v21_reserve_now.outcome),
        },
    ),
    "cancel-reservation": Command(
        reservations.parse_cancel_reservation,
        {
            V16: single(v16_cancel_reservation.request, v16_cancel_reservation.outcome),
            V201: single(v201_cancel_reservation.request, v201_cancel_reservation.outcome),
            V21: single(v21_cancel_reservation.request, v21_cancel_reservation.outcome),
        },
    ),
    "trigger-message": Command(
        trigger_message.parse,
        {
            V16: v16_trigger,
            V201: single(v201_trigger_message.request, v201_trigger_message.outcome),
            V21: single(v21_trigger_message.request, v21_trigger_message.outcome),
        },
    ),
    "clear-cache": Command(
        clear_cache.parse,
        {
            V16: single(v16_clear_cache.request, v16_clear_cache.outcome),
            V201: single(v201_clear_cache.request, v201_clear_cache.outcome),
            V21: single(v21_clear_cache.request, v21_clear_cache.outcome),
        },
    ),
    "get-configuration": Command(
        get_configuration.parse,
        {
            V16: with_command(v16_get_configuration.request, v16_get_configuration.outcome),
            V201: with_command(v201_get_variables.request, v201_get_variables.outcome, every_key=True),
            V21: with_command(v21_get_variables.request, v21_get_variables.outcome, every_key=True),
        },
    ),
    "set-configuration": Command(
        set_configuration.parse,
        {
            V16: v16_set_configuration,
            V201: with_command(v201_set_variables.request, v201_set_variables.outcome),
            V21: with_command(v21_set_variables.request, v21_set_variables.outcome),
        },
    ),
    "data-transfer": Command(
        data_transfer.parse,
        {
            V16: single(v16_data_transfer.request, v16_data_transfer.outcome),
            V201: single(v201_data_transfer.request, v201_data_transfer.outcome),
            V21: single(v21_data_transfer.request, v21_data_transfer.outcome),
        },
    ),
    "certificate-signed": Command(
        certificate_signed.parse,
        {
            V16: single(v16_certificate_signed.request, v16_certificate_signed.outcome),
            V201: single(v201_certificate_signed.request, v201_certificate_signed.outcome),
            V21: single(v21_certificate_signed.request, v21_certificate_signed.outcome),
        },
    ),
    "install-certificate": Command(
        install_certificate.parse,
        {
            V16: single(v16_install_certificate.request, v16_install_certificate.outcome),
            V201: single(v201_install_certificate.request, v201_install_certificate.outcome),
            V21: single(v21_install_certificate.request, v21_install_certificate.outcome),
        },
    ),
    "get-installed-certificate-ids": Command(
        get_installed_certificate_ids.parse,
        {
            V16: v16_installed_certificates,
            V201: single(v201_get_installed_certificate_ids.request, v201_get_installed_certificate_ids.outcome),
            V21: single(v21_get_installed_certificate_ids.request, v21_get_installed_certificate_ids.outcome),
        },
    ),
    "delete-certificate": Command(
        delete_certificate.parse,
        {
            V16: single(v16_delete_certificate.request, v16_delete_certificate.outcome),
            V201: single(v201_delete_certificate.request, v201_delete_certificate.outcome),
            V21: single(v21_delete_certificate.request, v21_delete_certificate.outcome),
        },
    ),
    "set-password": Command(
        set_password.parse,
        {
            V16: v16_set_password,
            V201: v2_set_password(v201_set_variables, 40, "2.0.1"),
            V21: v2_set_password(v21_set_variables, 64, "2.1"),
        },
    ),
    "set-security-profile": Command(
        set_security_profile.parse,
        {
            V16: v16_set_security_profile,
            V201: v2_set_security_profile(v201_set_network_profile, v201_set_variables, v201_reset),
            V21: v2_set_security_profile(v21_set_network_profile, v21_set_variables, v21_reset),
        },
    ),
    "set-display-message": Command(
        display_messages.parse_set,
        {
            V16: no_display_messages,
            V201: single(v201_set_display_message.request, v201_set_display_message.outcome),
            V21: single(v21_set_display_message.request, v21_set_display_message.outcome),
        },
    ),
    "get-display-messages": Command(
        display_messages.parse_get,
        {
            V16: no_display_messages,
            V201: with_command(v201_get_display_messages.request, v201_get_display_messages.outcome),
            V21: with_command(v21_get_display_messages.request, v21_get_display_messages.outcome),
        },
        takes_request_id=True,
    ),
    "clear-display-message": Command(
        display_messages.parse_clear,
        {
            V16: no_display_messages,
            V201: single(v201_clear_display_message.request, v201_clear_display_message.outcome),
            V21: single(v21_clear_display_message.request, v21_clear_display_message.outcome),
        },
    ),
    "get-base-report": Command(
        get_base_report.parse,
        {
            V16: no_device_model_report,
            V201: single(v201_get_base_report.request, v201_get_base_report.outcome),
            V21: single(v21_get_base_report.request, v21_get_base_report.outcome),
        },
        takes_request_id=True,
    ),
    "get-report": Command(
        get_report.parse,
        {
            V16: no_device_model_report,
            V201: single(v201_get_report.request, v201_get_report.outcome),
            V21: single(v21_get_report.request, v21_get_report.outcome),
        },
        takes_request_id=True,
    ),
    "set-variable-monitoring": Command(
        set_variable_monitoring.parse,
        {
            V16: no_monitoring,
            V201: with_command(v201_set_variable_monitoring.request, v201_set_variable_monitoring.outcome),
            V21: with_command(v21_set_variable_monitoring.request, v21_set_variable_monitoring.outcome),
        },
    ),
    "clear-variable-monitoring": Command(
        clear_variable_monitoring.parse,
        {
            V16: no_monitoring,
            V201: with_command(v201_clear_variable_monitoring.request, v201_clear_variable_monitoring.outcome),
            V21: with_command(v21_clear_variable_monitoring.request, v21_clear_variable_monitoring.outcome),
        },
    ),
    "set-monitoring-base": Command(
        set_monitoring_base.parse,
        {
            V16: no_monitoring,
            V201: single(v201_set_monitoring_base.request, v201_set_monitoring_base.outcome),
            V21: single(v21_set_monitoring_base.request, v21_set_monitoring_base.outcome),
        },
    ),
    "set-monitoring-level": Command(
        set_monitoring_level.parse,
        {
            V16: no_monitoring,
            V201: single(v201_set_monitoring_level.request, v201_set_monitoring_level.outcome),
            V21: single(v21_set_monitoring_level.request, v21_set_monitoring_level.outcome),
        },
    ),
    "get-monitoring-report": Command(
        get_monitoring_report.parse,
        {
            V16: no_monitoring,
            V201: with_command(v201_get_monitoring_report.request, v201_get_monitoring_report.outcome),
            V21: with_command(v21_get_monitoring_report.request, v21_get_monitoring_report.outcome),
        },
        takes_request_id=True,
    ),
    "customer-information": Command(
        customer_information.parse,
        {
            V16: no_monitoring,
            V201: with_command(v201_customer_information.request, v201_customer_information.outcome),
            V21: with_command(v21_customer_information.request, v21_customer_information.outcome),
        },
        takes_request_id=True,
    ),
    "update-firmware": Command(
        update_firmware.parse,
        {
            V16: v16_firmware_update,
            V201: single(v201_update_firmware.request, v201_update_firmware.outcome),
            V21: single(v21_update_firmware.request, v21_update_firmware.outcome),
        },
        takes_request_id=True,
    ),
    "get-diagnostics": Command(
        get_diagnostics.parse,
        {
            V16: single(v16_get_diagnostics.request, v16_get_diagnostics.outcome),
            V201: not_expressible("OCPP 2.0.1 has no GetDiagnostics: use get-log with log_type diagnostics"),
            V21: not_expressible("OCPP 2.1 has no GetDiagnostics: use get-log with log_type diagnostics"),
        },
    ),
    "get-log": Command(
        get_log.parse,
        {
            V16: single(v16_get_log.request, v16_get_log.outcome),
            V201: single(v201_get_log.request, v201_get_log.outcome),
            V21: single(v21_get_log.request, v21_get_log.outcome),
        },
        takes_request_id=True,
    ),
    "publish-firmware": Command(
        publish_firmware.parse,
        {
            V16: not_expressible("OCPP 1.6 has no local controllers: PublishFirmware is 2.x only"),
            V201: single(v201_publish_firmware.request, v201_publish_firmware.outcome),
            V21: single(v21_publish_firmware.request, v21_publish_firmware.outcome),
        },
        takes_request_id=True,
    ),
    "unpublish-firmware": Command(
        publish_firmware.parse_unpublish,
        {
            V16: not_expressible("OCPP 1.6 has no local controllers: UnpublishFirmware is 2.x only"),
            V201: single(v201_unpublish_firmware.request, v201_unpublish_firmware.outcome),
            V21: single(v21_unpublish_firmware.request, v21_unpublish_firmware.outcome),
        },
    ),
    "set-charging-profile": Command(
        set_charging_profile.parse,
        {
            V16: single(v16_set_charging_profile.request, v16_set_charging_profile.outcome),
            V201: single(v201_set_charging_profile.request, v201_set_charging_profile.outcome),
            V21: single(v21_set_charging_profile.request, v21_set_charging_profile.outcome),
        },
    ),
    "clear-charging-profile": Command(
        clear_charging_profile.parse,
        {
            V16: single(v16_clear_charging_profile.request, v16_clear_charging_profile.outcome),
            V201: single(v201_clear_charging_profile.request, v201_clear_charging_profile.outcome),
            V21: single(v21_clear_charging_profile.request, v21_clear_charging_profile.outcome),
        },
    ),
    "get-composite-schedule": Command(
        get_composite_schedule.parse,
        {
            V16: single(v16_get_composite_schedule.request, v16_get_composite_schedule.outcome),
            V201: single(v201_get_composite_schedule.request, v201_get_composite_schedule.outcome),
            V21: single(v21_get_composite_schedule.request, v21_get_composite_schedule.outcome),
        },
    ),
    "get-charging-profiles": Command(
        get_charging_profiles.parse,
        {
            V16: not_expressible(
                "OCPP 1.6 cannot report its installed profiles (GetChargingProfiles is OCPP 2.0.1/2.1); "
                "get-composite-schedule shows what a 1.6 station applies"
            ),
            V201: single(v201_get_charging_profiles.request, v201_get_charging_profiles.outcome),
            V21: single(v21_get_charging_profiles.request, v21_get_charging_profiles.outcome),
        },
        takes_request_id=True,
    ),
    "raw": Command(raw.parse, {version: raw_call(version) for version in OcppVersion}),
}


class UnknownCommand(LookupError):
    pass


def takes_request_id(command: str) -> bool:
    """Whether the command's params get a `request_id` from its command id (False for an unknown command)."""
    known = COMMANDS.get(command)
    return known is not None and known.takes_request_id


def translate(command: str, version: OcppVersion, params: Any) -> Plan:
    """The command in `version`. Raises UnknownCommand, InvalidParams (naming the field) or NotExpressible."""
    known = COMMANDS.get(command)
    if known is None:
        raise UnknownCommand(f"unknown command {command!r} (commands: {', '.join(COMMANDS)})")
    plan = known.versions[version](known.parse(params))
    for call in plan.calls:
        try:
            check_call(version, call.action, call.payload)
        except (ActionNotSendable, PayloadNotValid) as exc:
            raise InvalidParams("params", str(exc)) from exc
    return plan
