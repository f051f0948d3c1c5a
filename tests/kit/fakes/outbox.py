"""In-memory fakes of the kernel outbox's `Lease` port, for unit tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FakeLease:
    """Held by this instance while `held`; counts acquisitions, records the release."""

    held: bool = True
    acquired: int = 0
    released: bool = False

    async def acquire(self) -> bool:
        self.acquired += 1
        return self.held

    async def release(self) -> None:
        self.released = True


class InMemoryLeases:
    """A table of leases by name, each held by one owner until released (expiry is not modelled)."""

    def __init__(self) -> None:
        self.owners: dict[str, str] = {}

    def lease(self, name: str, owner: str) -> InMemoryLease:
        return InMemoryLease(self.owners, name, owner)


class InMemoryLease:
    def __init__(self, owners: dict[str, str], name: str, owner: str) -> None:
        self._owners = owners
        self._name = name
        self._owner = owner

    async def acquire(self) -> bool:
        return self._owners.setdefault(self._name, self._owner) == self._owner

    async def release(self) -> None:
        if self._owners.get(self._name) == self._owner:
            del self._owners[self._name]
