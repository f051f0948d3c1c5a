"""Station credential changes applied on this node (docs/adr/0021): the station's cached verdicts are forgotten
and, when the change revokes its right to connect, its live connection is closed (1008 with the reason) and
logged as a security event.

A handshake verifies credentials before its connection is registered, so a change can arrive in between. The
handshake takes a `mark()` before it asks the registry; if a revoking change of the station arrived since
(`revoked_since`), its connection is closed right after the handshake instead of being served. Revocations are
remembered for `remember_s` (longer than any handshake lasts). No I/O beyond closing sockets through the table.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from csms_edge.app.connections import ConnectionTable
from csms_edge.domain.credential_changes import REVOKED_CODE, CredentialsChanged, close_reason
from csms_edge.ports import VerdictCache
from csms_kernel.telemetry.security_log import security_event

log = logging.getLogger(__name__)

REMEMBER_S = 120.0


class CredentialChanges:
    def __init__(
        self,
        table: ConnectionTable,
        cache: VerdictCache,
        *,
        remember_s: float = REMEMBER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table = table
        self._cache = cache
        self._remember_s = remember_s
        self._clock = clock
        self._sequence = 0
        # station id -> (sequence number, time) of its last revocation, oldest first
        self._revoked: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def mark(self) -> int:
        """Taken by a handshake before it verifies credentials."""
        return self._sequence

    def revoked_since(self, station_id: str, mark: int) -> bool:
        """Whether a change that revokes the station's connections arrived after `mark` was taken."""
        last = self._revoked.get(station_id)
        return last is not None and last[0] > mark

    def apply(self, event: CredentialsChanged) -> None:
        self._cache.forget(event.station_id)
        reason = close_reason(event)
        if reason is None:
            log.info("station %s: credentials changed, cached verdicts forgotten", event.station_id)
            return
        now = self._clock()
        self._sequence += 1
        self._revoked[event.station_id] = (self._sequence, now)
        self._revoked.move_to_end(event.station_id)
        while self._revoked and next(iter(self._revoked.values()))[1] < now - self._remember_s:
            self._revoked.popitem(last=False)
        connection = self._table.get(event.station_id)
        if connection is None:
            log.info("station %s: %s (not connected here)", event.station_id, reason)
            return
        security_event(
            "connection_revoked",
            logging.WARNING,
            station_id=event.station_id,
            connection_id=connection.connection_id,
            reason=reason,
        )
        self._table.close_in_background(connection, REVOKED_CODE, reason)
