"""The `Lease` contract (csms_kernel.outbox.lease), run against the in-memory fake (unit) and
Cassandra (integration). A subclass provides `make_lease(name, owner)`: leases of one shared table; names carry
a run id of their own so the suite can share a real table with other tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from csms_kernel.outbox.relay import Lease

MakeLease = Callable[[str, str], Lease]


def a_name() -> str:
    return f"lease-{uuid.uuid4().hex[:8]}"


class LeaseContract:
    async def test_one_owner_holds_a_lease_at_a_time(self, make_lease: MakeLease) -> None:
        name = a_name()
        first, second = make_lease(name, "first"), make_lease(name, "second")
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.acquire()  # renewed
        await second.release()  # not its lease: nothing happens
        assert not await second.acquire()
        await first.release()
        assert await second.acquire()
        assert not await first.acquire()
        await second.release()

    async def test_an_owner_takes_its_lease_again_with_a_new_instance(self, make_lease: MakeLease) -> None:
        name = a_name()
        assert await make_lease(name, "owner").acquire()
        assert [await make_lease(name, "owner").acquire(), await make_lease(name, "other").acquire()] == [True, False]
        await make_lease(name, "owner").release()

    async def test_leases_of_different_names_are_independent(self, make_lease: MakeLease) -> None:
        one, two = a_name(), a_name()
        assert [await make_lease(one, "first").acquire(), await make_lease(two, "second").acquire()] == [True, True]
        await make_lease(one, "first").release()
        assert [await make_lease(one, "second").acquire(), await make_lease(two, "first").acquire()] == [True, False]
        await make_lease(one, "second").release()
        await make_lease(two, "second").release()
