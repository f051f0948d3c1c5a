"""Connection limits of one edge node (security review #5 and §3.4): at most `max_total` connections, and at
most `max_per_address` from one source address (a trusted proxy's connections count only towards the total).
Counted from the accepted TCP/TLS connection to its end, so connections stuck in their handshake count too.
Pure bookkeeping, no I/O.
"""

from __future__ import annotations


class ConnectionLimits:
    def __init__(self, max_total: int, max_per_address: int) -> None:
        self._max_total = max_total
        self._max_per_address = max_per_address
        self.total = 0
        self._by_address: dict[str, int] = {}

    def admit(self, address: str, *, per_address: bool = True) -> bool:
        """Counts a new connection from `address`; False (not counted) when a limit is reached."""
        count = self._by_address.get(address, 0)
        if self.total >= self._max_total or (per_address and count >= self._max_per_address):
            return False
        self.total += 1
        self._by_address[address] = count + 1
        return True

    def release(self, address: str) -> None:
        self.total -= 1
        count = self._by_address.pop(address, 0) - 1
        if count > 0:
            self._by_address[address] = count

    def from_address(self, address: str) -> int:
        return self._by_address.get(address, 0)
