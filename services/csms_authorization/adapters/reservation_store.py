"""Reservations: the Cassandra adapter of the `ReservationStore` port (csms_authorization.ports). Owns table
`csms_authorization.reservations` (schema.cql), one partition per station; prepared statements at the session's
consistency (LOCAL_QUORUM: the Authorize handlers read what the operator's reservation wrote), idempotent but for
`create`, a lightweight transaction (so two requests never take the same id). Network I/O only.
"""

from __future__ import annotations

from csms_authorization.adapters.store import KEYSPACE, execute, utc
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_kernel.infra.cassandra import CassandraSession, Row

COLUMNS = (
    "station_id, reservation_id, id_token, token_type, group_id_token, evse_id, connector_type, expires_at, status,"
    " request_key"
)
VALUES = ", ".join("?" * len(COLUMNS.split(",")))


class CassandraReservationStore:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def of_station(self, station_id: str) -> list[Reservation]:
        rows = await execute(
            self._session, f"SELECT {COLUMNS} FROM {KEYSPACE}.reservations WHERE station_id = ?", (station_id,)
        )
        # a row without expires_at is a cancellation device-model reported for a reservation nobody recorded
        return [_reservation(row) for row in rows if row["expires_at"] is not None]

    async def every(self, limit: int) -> list[Reservation]:
        rows = await execute(self._session, f"SELECT {COLUMNS} FROM {KEYSPACE}.reservations LIMIT ?", (limit,))
        return [_reservation(row) for row in rows if row["expires_at"] is not None]

    async def create(self, reservation: Reservation) -> bool:
        rows = await execute(
            self._session,
            f"INSERT INTO {KEYSPACE}.reservations ({COLUMNS}) VALUES ({VALUES}) IF NOT EXISTS",
            _params(reservation),
            idempotent=False,
        )
        return bool(rows and rows[0]["[applied]"])

    async def save(self, reservation: Reservation) -> None:
        await execute(
            self._session, f"INSERT INTO {KEYSPACE}.reservations ({COLUMNS}) VALUES ({VALUES})", _params(reservation)
        )

    async def set_status(self, station_id: str, reservation_id: int, status: ReservationStatus) -> bool:
        rows = await execute(
            self._session,
            f"SELECT status FROM {KEYSPACE}.reservations WHERE station_id = ? AND reservation_id = ?",
            (station_id, reservation_id),
        )
        if not rows:
            return False
        await execute(
            self._session,
            f"UPDATE {KEYSPACE}.reservations SET status = ? WHERE station_id = ? AND reservation_id = ?",
            (status.value, station_id, reservation_id),
        )
        return True


def _params(reservation: Reservation) -> tuple[object, ...]:
    return (
        reservation.station_id,
        reservation.reservation_id,
        reservation.id_token,
        reservation.token_type,
        reservation.group_id_token,
        reservation.evse_id,
        reservation.connector_type,
        reservation.expires_at,
        reservation.status.value,
        reservation.request_key,
    )


def _reservation(row: Row) -> Reservation:
    return Reservation(
        station_id=row["station_id"],
        reservation_id=row["reservation_id"],
        id_token=row["id_token"],
        expires_at=utc(row["expires_at"]),
        status=ReservationStatus(row["status"]),
        evse_id=row["evse_id"] or 0,
        group_id_token=row["group_id_token"],
        connector_type=row["connector_type"],
        token_type=row["token_type"] or "Central",
        request_key=row["request_key"],
    )
