"""CALLERROR codes per OCPP version, and the exception handlers raise to answer with one.

OCPP 1.6 and 2.x name some errors differently (1.6 `FormationViolation` / `OccurenceConstraintViolation`,
2.x `FormatViolation` / `OccurrenceConstraintViolation`); 1.6 has no `RpcFrameworkError` nor
`MessageTypeNotSupported`, so framing errors map to `FormationViolation` there.
"""

from __future__ import annotations

import enum

from csms_kernel.ocpp.versions import OcppVersion


class ErrorKind(enum.Enum):
    """Version-independent error kinds; `code_for` gives the wire code of a version."""

    NOT_IMPLEMENTED = "NotImplemented"
    NOT_SUPPORTED = "NotSupported"
    INTERNAL_ERROR = "InternalError"
    PROTOCOL_ERROR = "ProtocolError"
    SECURITY_ERROR = "SecurityError"
    FORMAT_VIOLATION = "FormatViolation"
    PROPERTY_CONSTRAINT_VIOLATION = "PropertyConstraintViolation"
    OCCURRENCE_CONSTRAINT_VIOLATION = "OccurrenceConstraintViolation"
    TYPE_CONSTRAINT_VIOLATION = "TypeConstraintViolation"
    GENERIC_ERROR = "GenericError"
    RPC_FRAMEWORK_ERROR = "RpcFrameworkError"
    MESSAGE_TYPE_NOT_SUPPORTED = "MessageTypeNotSupported"


_V16_CODES: dict[ErrorKind, str] = {
    ErrorKind.FORMAT_VIOLATION: "FormationViolation",
    ErrorKind.OCCURRENCE_CONSTRAINT_VIOLATION: "OccurenceConstraintViolation",
    ErrorKind.RPC_FRAMEWORK_ERROR: "FormationViolation",
    ErrorKind.MESSAGE_TYPE_NOT_SUPPORTED: "FormationViolation",
}


def code_for(kind: ErrorKind, version: OcppVersion) -> str:
    if version is OcppVersion.V16:
        return _V16_CODES.get(kind, kind.value)
    return kind.value


class OcppCallError(Exception):
    """Raised by a handler (or the router) to answer the CALL with a CALLERROR."""

    def __init__(self, kind: ErrorKind, description: str, details: dict[str, object] | None = None) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description
        self.details = details or {}


class RetryableError(Exception):
    """A collaborator (store, other service) is temporarily unavailable: retry the frame later, do not answer."""
