"""What a projection is: a declaration the kernel runs (no I/O).

A projection names its consumer group, the event type of each topic it reads (the kernel decodes the records),
the keyspace and tables it owns (what a rebuild truncates) and a pure function from a batch of events to
`Write`s. A projection that needs the current state of its read model to decide (device-model presence)
declares a `CurrentState` step: the kernel reads that state before calling `writes` and tells the step what
was applied after the writes succeeded. Side effects that follow the writes are `Policy`s, run by the kernel
after the writes and never during a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from aiokafka import ConsumerRecord
from google.protobuf.message import DecodeError, Message

from csms_kernel.projecting.writes import Write

E = TypeVar("E", bound=Message)
S = TypeVar("S")
E_contra = TypeVar("E_contra", bound=Message, contravariant=True)
S_contra = TypeVar("S_contra", contravariant=True)


@dataclass(frozen=True)
class Projection(Generic[E, S]):
    name: str  # the consumer group, "<service>.projector.<model>"
    event_types: Mapping[str, type[E]]  # topic → the type its records are decoded as
    keyspace: str  # what `{ks}` in the writes stands for
    tables: tuple[str, ...]  # the read-model tables it owns
    writes: Callable[[Sequence[E], S], list[Write]]  # pure: a batch of events and the state read for it

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(self.event_types)


class CurrentState(Protocol[E_contra, S]):
    async def read(self, events: Sequence[E_contra]) -> S:
        """The state `writes` needs to decide about these events."""

    def applied(self, events: Sequence[E_contra], state: S) -> None:
        """Called once the writes for these events succeeded."""


class NoState:
    """The step of projections that need no current state: `writes` gets None."""

    async def read(self, events: Sequence[Any]) -> None:
        return None

    def applied(self, events: Sequence[Any], state: None) -> None:
        return None


class Policy(Protocol[E_contra, S_contra]):
    async def after_writes(self, events: Sequence[E_contra], state: S_contra) -> None: ...


class UndecodableRecordError(ValueError):
    pass


def each(mapping: Callable[[E], list[Write]]) -> Callable[[Sequence[E], None], list[Write]]:
    """`writes` of a projection that maps every event on its own."""

    def writes(events: Sequence[E], state: None) -> list[Write]:
        return [write for event in events for write in mapping(event)]

    return writes


def decode(projection: Projection[E, Any], record: ConsumerRecord[bytes, bytes]) -> E:
    """The record's event; UndecodableRecordError (with where it is) when it is not one."""
    event_type = projection.event_types[record.topic]
    event = event_type()
    try:
        event.ParseFromString(record.value or b"")
    except DecodeError as exc:
        where = f"{record.topic}[{record.partition}]@{record.offset}"
        raise UndecodableRecordError(f"undecodable {event_type.__name__} at {where}: {exc}") from exc
    return event
