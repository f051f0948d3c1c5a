"""`csms projections rebuild NAME`: rebuild a read model from the log.

Truncates the projection's tables and replays its topics from the beginning in its own consumer group, up to
their end when the command starts (`csms_kernel.projecting.rebuild`). Stop the service that runs the
projection first: Kafka refuses the commits while its group has members. The service packages are imported
only when asked for. Network I/O: Kafka and Cassandra; settings from `CSMS_*`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from aiokafka.errors import KafkaError

from csms_cli import exit_codes
from csms_kernel.infra import cassandra
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.projecting import rebuild as rebuilding
from csms_kernel.projecting.projection import CurrentState, Projection
from csms_kernel.telemetry.logs import configure_logging

Declared = tuple[Projection[Any, Any], CurrentState[Any, Any] | None]


def _transactions(session: CassandraSession) -> Declared:
    from csms_transactions.projections.transactions import PROJECTION

    return PROJECTION, None


def _active_sessions(session: CassandraSession) -> Declared:
    from csms_authorization.projections.active_sessions import PROJECTION

    return PROJECTION, None


def _reservation_use(session: CassandraSession) -> Declared:
    from csms_authorization.adapters.reservation_store import CassandraReservationStore
    from csms_authorization.projections.reservation_use import PROJECTION, ReservationsRead

    return PROJECTION, ReservationsRead(CassandraReservationStore(session))


def _stations(session: CassandraSession) -> Declared:
    from csms_device_model.adapters.repository import CassandraStationsRepository
    from csms_device_model.projections.stations import PROJECTION, StationsState

    return PROJECTION, StationsState(CassandraStationsRepository(session))


def _device(session: CassandraSession) -> Declared:
    from csms_device_model.projections.device import PROJECTION

    return PROJECTION, None


def _security_events(session: CassandraSession) -> Declared:
    from csms_security.projections.security_events import PROJECTION

    return PROJECTION, None


def _firmware_history(session: CassandraSession) -> Declared:
    from csms_firmware.projections.history import PROJECTION

    return PROJECTION, None


def _smart_charging_view(session: CassandraSession) -> Declared:
    from csms_smart_charging.projections.view import PROJECTION

    return PROJECTION, None


def _firmware_campaigns(session: CassandraSession) -> Declared:
    from csms_firmware.campaigns.adapters.campaign_log import CassandraCampaignReadModel
    from csms_firmware.campaigns.projections.campaigns import PROJECTION, CampaignFolds

    return PROJECTION, CampaignFolds(CassandraCampaignReadModel(session))


# Projection name (its consumer group) → its declaration and current-state step, on a session.
PROJECTIONS: dict[str, Callable[[CassandraSession], Declared]] = {
    "authorization.projector.active_sessions": _active_sessions,
    "authorization.projector.reservation_use": _reservation_use,
    "device_model.projector.stations": _stations,
    "device_model.projector.device": _device,
    "transactions.projector.transactions": _transactions,
    "security.projector.events": _security_events,
    "firmware.projector.history": _firmware_history,
    "smart_charging.projector.view": _smart_charging_view,
    "firmware.projector.campaigns": _firmware_campaigns,
}


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("projections", help="rebuild read models from the log")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    rebuild_parser = actions.add_parser(
        "rebuild",
        help="truncate a projection's tables and replay its topics (stop its service first)",
    )
    rebuild_parser.add_argument("name", choices=sorted(PROJECTIONS), metavar="NAME", help="{%(choices)s}")
    rebuild_parser.set_defaults(handler=rebuild, uses_client=False)


def rebuild(args: argparse.Namespace) -> int:
    settings = CommonSettings()
    configure_logging(settings.log_level)
    try:
        replayed = asyncio.run(_rebuild(args.name, settings))
    except (KafkaError, ValueError) as exc:
        print(f"error: rebuilding {args.name} failed: {exc!r}", file=sys.stderr)
        return exit_codes.FAILED
    print(f"rebuilt {args.name} from {replayed} records")
    return exit_codes.OK


async def _rebuild(name: str, settings: CommonSettings) -> int:
    session = await cassandra.connect(
        settings.cassandra_contact_points,
        settings.cassandra_port,
        settings.cassandra_local_dc,
        None,
        security=settings.cassandra_security,
    )
    try:
        projection, state = PROJECTIONS[name](session)
        rebuilt = await rebuilding.rebuild(
            projection,
            kafka_bootstrap=settings.kafka_bootstrap,
            kafka_security=settings.kafka_security,
            session=session,
            state=state,
        )
        return rebuilt.replayed
    finally:
        await session.close()
