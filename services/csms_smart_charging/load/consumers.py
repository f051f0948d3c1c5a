"""Load management's two consumers, declared as projections the kernel runs (no tables of their own: their work
is their policies, `app/observer.py` and `app/site_loop.py`, run after each batch, at least once):
`smart_charging.load.observer` reads csms.transactions.events.v1 and csms.device_model.events.v1 and publishes
site-keyed observations;
`smart_charging.load` reads csms.smart_charging.events.v1 (the observations and the sites' own events, key = site
id) and runs each site's recomputes on the one instance that holds its partition (docs/adr/0042). No I/O."""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.message import Message

from csms.device_model.v1 import device_model_pb2
from csms.smart_charging.v1 import smart_charging_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.topics import DEVICE_MODEL_EVENTS, TRANSACTIONS_EVENTS
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write
from csms_smart_charging.domain.events import TOPIC
from csms_smart_charging.projections.tables import KEYSPACE

OBSERVER_GROUP = "smart_charging.load.observer"
LOAD_GROUP = "smart_charging.load"


def nothing_written(events: Sequence[Message], state: None) -> list[Write]:
    return []


OBSERVER: Projection[Message, None] = Projection(
    name=OBSERVER_GROUP,
    event_types={
        TRANSACTIONS_EVENTS: transactions_pb2.TransactionEvent,
        DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent,
    },
    keyspace=KEYSPACE,
    tables=(),
    writes=nothing_written,
)

SITE_LOOPS: Projection[smart_charging_pb2.SmartChargingEvent, None] = Projection(
    name=LOAD_GROUP,
    event_types={TOPIC: smart_charging_pb2.SmartChargingEvent},
    keyspace=KEYSPACE,
    tables=(),
    writes=nothing_written,
)
