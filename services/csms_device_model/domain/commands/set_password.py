"""`set-password`: rotate the station's Basic auth password on the station itself, without a window in which it
can connect with neither (docs/adr/0027): the new password is registered as pending first (`credentials`), then
sent (2.x SetVariables SecurityCtrlr.BasicAuthPassword, 1.6 ChangeConfiguration AuthorizationKey); the station
connects with it next and the registry makes it the only one. Params: `password`: 2.0.1 16..40, 2.1 16..64
printable ASCII characters; 1.6 the AuthorizationKey as 32..40 hexadecimal digits (16..20 bytes, security
whitepaper; registered and sent in lowercase, as `csms stations --password-hex` registers it). The password is
never stored or shown: the record has `<redacted>` in its place. Result: `{status, status_info?}`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params

FIELD = "params.password"
PASSWORD_MIN_LENGTH = 16
_HEX = re.compile(r"[0-9a-fA-F]*")


@dataclass(frozen=True)
class SetPassword:
    password: str

    def __repr__(self) -> str:
        return "SetPassword(password=<redacted>)"


def parse(raw: Any) -> SetPassword:
    params = Params(raw, ("password",))
    password = params.value("password", required=True)
    if not isinstance(password, str):
        raise InvalidParams(FIELD, "must be a string")
    return SetPassword(password)


def basic_auth_password(command: SetPassword, max_length: int, version: str) -> str:
    """The password as a 2.x BasicAuthPassword (passwordString) of the version: the message never repeats it."""
    password = command.password
    if not PASSWORD_MIN_LENGTH <= len(password) <= max_length:
        raise InvalidParams(
            FIELD, f"OCPP {version} passwords are {PASSWORD_MIN_LENGTH}..{max_length} characters, got {len(password)}"
        )
    if not all(" " <= c <= "~" for c in password):
        raise InvalidParams(FIELD, "must consist of printable ASCII characters (docs/adr/0023, finding #9)")
    return password


def authorization_key(command: SetPassword) -> str:
    """The password as a 1.6 AuthorizationKey: 32..40 hexadecimal digits, lowercased."""
    key = command.password
    if not (32 <= len(key) <= 40 and len(key) % 2 == 0 and _HEX.fullmatch(key)):
        raise InvalidParams(
            FIELD,
            "an OCPP 1.6 AuthorizationKey is 32..40 hexadecimal digits, an even number (16..20 bytes, security "
            f"whitepaper), got {len(key)} characters"
            + ("" if _HEX.fullmatch(key) else " that are not all hexadecimal"),
        )
    return key.lower()
