"""Signing requests, issued certificates and renewals in Cassandra: the `SigningRequests` and
`IssuedCertificates` ports over the tables `signing_requests`, `pending_requests`, `issued_certificates` and
`renewals` (schema.cql). A request's certificate is set once, by a lightweight transaction; every other write
is idempotent. Network I/O only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from cassandra.query import PreparedStatement

from csms.security.v1 import security_pb2
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import micros
from csms_security.domain.authority import Issued
from csms_security.ports import RenewalCandidate, SigningRequest
from csms_security.projections.tables import KEYSPACE, SHARDS, shard_of

_RECORD = (
    "INSERT INTO {ks}.signing_requests (request_id, station_id, certificate_type, csr_pem, requested_at,"
    " ocpp_request_id) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS"
)
_PEND = "INSERT INTO {ks}.pending_requests (shard, requested_at, request_id) VALUES (?, ?, ?)"
_PENDING = "SELECT requested_at, request_id FROM {ks}.pending_requests WHERE shard IN ? AND requested_at < ?"
_REQUEST = "SELECT * FROM {ks}.signing_requests WHERE request_id = ?"
_ISSUE = (
    "UPDATE {ks}.signing_requests SET serial_number = ?, not_before = ?, not_after = ?, fingerprint_sha256 = ?,"
    " chain_pem = ?, issued_at = ? WHERE request_id = ? IF serial_number = null"
)
_HANDED_OVER = "UPDATE {ks}.signing_requests SET handed_over_at = ? WHERE request_id = ?"
_DONE = "DELETE FROM {ks}.pending_requests WHERE shard = ? AND requested_at = ? AND request_id = ?"
_ISSUED = (
    "INSERT INTO {ks}.issued_certificates (station_id, issued_at, serial_number, certificate_type, not_before,"
    " not_after, fingerprint_sha256, chain_pem) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_NEWEST = (
    "UPDATE {ks}.renewals USING TIMESTAMP ? SET serial_number = ?, not_after = ? WHERE shard = ? AND station_id = ?"
)
_STATION = "SELECT * FROM {ks}.issued_certificates WHERE station_id = ?"
_RENEWALS = "SELECT * FROM {ks}.renewals WHERE shard IN ?"
_REQUESTED = "UPDATE {ks}.renewals SET requested_serial = ?, requested_at = ? WHERE shard = ? AND station_id = ?"


class CassandraCertificateStore:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def record(self, request: SigningRequest) -> None:
        params = (
            request.request_id,
            request.station_id,
            request.certificate_type,
            request.csr_pem,
            request.requested_at,
            request.ocpp_request_id,
        )
        rows = await self._session.execute(await self._prepared(_RECORD, idempotent=False), params)
        if rows[0]["[applied]"] or rows[0].get("handed_over_at") is None:
            # New, or recorded by an attempt that stopped before its pending row (or before the hand-over).
            await self._run(_PEND, (shard_of(request.station_id), request.requested_at, request.request_id))

    async def pending(self, received_before: datetime) -> list[SigningRequest]:
        rows = await self._run(_PENDING, (list(range(SHARDS)), received_before))
        found = await asyncio.gather(*(self._request(row["request_id"]) for row in rows))
        return [request for request in found if request is not None]

    async def issue_once(self, issued: Issued) -> Issued:
        statement = await self._prepared(_ISSUE, idempotent=False)
        params = (
            issued.serial_number,
            issued.not_before,
            issued.not_after,
            issued.fingerprint_sha256,
            issued.chain_pem,
            issued.issued_at,
            issued.request_id,
        )
        rows = await self._session.execute(statement, params)
        winner = issued if rows[0]["[applied]"] else await self.issued_for(issued.request_id)
        if winner is None:
            raise RuntimeError(f"signing request {issued.request_id} vanished while issuing")
        await self._run(
            _ISSUED,
            (
                winner.station_id,
                winner.issued_at,
                winner.serial_number,
                winner.certificate_type,
                winner.not_before,
                winner.not_after,
                winner.fingerprint_sha256,
                winner.chain_pem,
            ),
        )
        if winner.renewable:
            await self._run(
                _NEWEST,
                (
                    micros(winner.issued_at),
                    winner.serial_number,
                    winner.not_after,
                    shard_of(winner.station_id),
                    winner.station_id,
                ),
            )
        return winner

    async def issued_for(self, request_id: str) -> Issued | None:
        rows = await self._run(_REQUEST, (request_id,))
        if not rows or rows[0]["serial_number"] is None:
            return None
        row = rows[0]
        return Issued(
            request_id=request_id,
            station_id=row["station_id"],
            certificate_type=row["certificate_type"],
            serial_number=row["serial_number"],
            not_before=_utc(row["not_before"]),
            not_after=_utc(row["not_after"]),
            fingerprint_sha256=row["fingerprint_sha256"],
            chain_pem=row["chain_pem"],
            issued_at=_utc(row["issued_at"]),
        )

    async def done(self, request: SigningRequest, at: datetime) -> None:
        await self._run(_HANDED_OVER, (at, request.request_id))
        await self._run(_DONE, (shard_of(request.station_id), request.requested_at, request.request_id))

    async def station_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]:
        return [_certificate(row) for row in await self._run(_STATION, (station_id,))]

    async def renewal_candidates(self) -> list[RenewalCandidate]:
        rows = await self._run(_RENEWALS, (list(range(SHARDS)),))
        return [
            RenewalCandidate(
                station_id=row["station_id"],
                serial_number=row["serial_number"],
                not_after=_utc(row["not_after"]),
                requested_serial=row["requested_serial"],
                requested_at=_utc(row["requested_at"]) if row["requested_at"] is not None else None,
            )
            for row in rows
            if row["serial_number"] is not None and row["not_after"] is not None
        ]

    async def renewal_requested(self, station_id: str, serial_number: str, at: datetime) -> None:
        await self._run(_REQUESTED, (serial_number, at, shard_of(station_id), station_id))

    async def _request(self, request_id: str) -> SigningRequest | None:
        rows = await self._run(_REQUEST, (request_id,))
        if not rows or rows[0]["csr_pem"] is None:
            return None
        row = rows[0]
        return SigningRequest(
            request_id=request_id,
            station_id=row["station_id"],
            certificate_type=row["certificate_type"],
            csr_pem=row["csr_pem"],
            requested_at=_utc(row["requested_at"]),
            ocpp_request_id=row["ocpp_request_id"],
        )

    async def _run(self, cql: str, params: tuple[Any, ...]) -> list[Row]:
        return await self._session.execute(await self._prepared(cql), params)

    async def _prepared(self, cql: str, *, idempotent: bool = True) -> PreparedStatement:
        return await self._session.prepare(cql.format(ks=self._keyspace), idempotent=idempotent)


def _utc(moment: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return moment.replace(tzinfo=UTC)


def _certificate(row: Row) -> security_pb2.IssuedCertificate:
    certificate = security_pb2.IssuedCertificate(
        station_id=row["station_id"],
        serial_number=row["serial_number"],
        certificate_type=row["certificate_type"] or "",
        fingerprint_sha256=row["fingerprint_sha256"] or "",
        certificate_chain_pem=row["chain_pem"] or "",
    )
    for name, column in (("not_before", "not_before"), ("not_after", "not_after"), ("issued_at", "issued_at")):
        if row[column] is not None:
            getattr(certificate, name).CopyFrom(timestamp(_utc(row[column])))
    return certificate
