"""What the CSMS→station modules of every version share: the token type of a remote start when the caller gives
none, and a transaction's status as a 2.x station reports it. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

# The 2.x IdTokenType of a remote start when the caller gives none: a token the CSMS itself vouches for.
DEFAULT_REMOTE_TOKEN_TYPE = "Central"


@dataclass(frozen=True)
class TransactionStatus:
    """A GetTransactionStatus answer: messages of the transaction still queued, and whether it is ongoing
    (None: the station did not say, as when no transaction was asked about)."""

    messages_in_queue: bool
    ongoing_indicator: bool | None
