"""Provisioning in Cassandra (docs/adr/0031): the boot policies operators set (`station_provisioning`, the
`BootPolicies` port; the boot handlers' reads are made together, `csms_kernel.infra.batched_reads`) and the reads of
the boot history read model (`station_boots`) and of the last boot answer (`station_registrations`) (the
`BootHistory` port). Fakes of both are in tests/kit.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.provisioning import BootPolicy, parse_policy
from csms_device_model.ports import Registration
from csms_kernel.infra.batched_reads import BatchedReads
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.projecting.writes import micros

_POLICY = "SELECT boot_policy, updated_at FROM csms_device_model.station_provisioning WHERE station_id = ?"
_POLICIES = "SELECT station_id, boot_policy FROM csms_device_model.station_provisioning WHERE station_id IN ?"
_SET_POLICY = (
    "INSERT INTO csms_device_model.station_provisioning (station_id, boot_policy, updated_at) VALUES (?, ?, ?)"
    " USING TIMESTAMP ?"
)
_REGISTRATION = "SELECT status, booted_at FROM csms_device_model.station_registrations WHERE station_id = ?"
_FIRST_BOOTS = "SELECT * FROM csms_device_model.station_boots WHERE station_id = ? LIMIT ?"
_NEXT_BOOTS = (
    "SELECT * FROM csms_device_model.station_boots WHERE station_id = ? AND (booted_at, message_id) < (?, ?) LIMIT ?"
)


class CassandraProvisioning:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session
        self._policies = BatchedReads(self._read_policies)  # the boots of one batch of CALLs in one request

    async def boot_policy(self, station_id: str) -> BootPolicy | None:
        return await self._policies.get(station_id)

    async def _read_policies(self, station_ids: Sequence[str]) -> dict[str, BootPolicy]:
        rows = await self._session.execute(await self._session.prepare(_POLICIES, idempotent=True), (station_ids,))
        return {row["station_id"]: parse_policy(row["boot_policy"]) for row in rows if row["boot_policy"] is not None}

    async def boot_policy_set_at(self, station_id: str) -> tuple[BootPolicy, datetime] | None:
        rows = await self._session.execute(await self._session.prepare(_POLICY, idempotent=True), (station_id,))
        if not rows or rows[0]["boot_policy"] is None:
            return None
        return parse_policy(rows[0]["boot_policy"]), _utc(rows[0]["updated_at"])

    async def set_boot_policy(self, station_id: str, policy: BootPolicy, at: datetime) -> None:
        statement = await self._session.prepare(_SET_POLICY, idempotent=True)
        await self._session.execute(statement, (station_id, policy.value, at, micros(at)))

    async def registration(self, station_id: str) -> Registration | None:
        rows = await self._session.execute(await self._session.prepare(_REGISTRATION, idempotent=True), (station_id,))
        if not rows or rows[0]["status"] is None:
            return None
        booted_at = rows[0]["booted_at"]
        return Registration(rows[0]["status"], _utc(booted_at) if booted_at is not None else None)

    async def boots(
        self, station_id: str, page_size: int, page_token: str
    ) -> tuple[list[device_model_pb2.StationBoot], str]:
        if page_token:
            booted_at, message_id = decode_page_token(page_token)
            statement = await self._session.prepare(_NEXT_BOOTS, idempotent=True)
            rows = await self._session.execute(statement, (station_id, booted_at, message_id, page_size))
        else:
            statement = await self._session.prepare(_FIRST_BOOTS, idempotent=True)
            rows = await self._session.execute(statement, (station_id, page_size))
        last = rows[-1] if len(rows) == page_size else None
        token = encode_page_token(_utc(last["booted_at"]), last["message_id"]) if last else ""
        return [boot_message(row) for row in rows], token


def _utc(moment: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def encode_page_token(booted_at: datetime, message_id: str) -> str:
    return base64.urlsafe_b64encode(f"{micros(booted_at)}:{message_id}".encode()).decode()


def decode_page_token(token: str) -> tuple[datetime, str]:
    """Raises ValueError for a token this service did not issue."""
    try:
        us, message_id = base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)
        return datetime.fromtimestamp(int(us) / 1_000_000, UTC), message_id
    except (ValueError, UnicodeDecodeError, OverflowError) as exc:
        raise ValueError("invalid page token") from exc


def boot_message(row: Row) -> device_model_pb2.StationBoot:
    boot = device_model_pb2.StationBoot(
        message_id=row.get("message_id") or "",
        reason=row.get("reason") or "",
        firmware_version=row.get("firmware_version") or "",
        vendor=row.get("vendor") or "",
        model=row.get("model") or "",
        serial_number=row.get("serial_number") or "",
        registration_status=row.get("registration_status") or "",
    )
    boot.booted_at.CopyFrom(timestamp(_utc(row["booted_at"])))
    if row.get("ocpp_version"):
        boot.ocpp_version = version_to_proto(OcppVersion(row["ocpp_version"]))
    return boot
