"""Managing id tokens: create, replace, block and delete, keeping the local list in step and publishing each
change as a domain event after it is stored (a retried request stores and publishes it again, harmlessly).

No I/O of its own: the token store, local list store, event publisher and clock are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from authorization.events import TokenEvents
from authorization.local_list_store import LocalListStore
from authorization.protos import record_proto
from authorization.token_store import TokenStore
from authorization.tokens import TokenDraft, TokenRecord, TokenStatus, check_draft, token_key
from csms.authorization.v1 import authorization_pb2 as pb
from csms.runtime.envelopes import timestamp


class TokenService:
    def __init__(
        self,
        tokens: TokenStore,
        local_list: LocalListStore,
        events: TokenEvents,
        clock: Callable[[], datetime],
    ) -> None:
        self._tokens = tokens
        self._local_list = local_list
        self._events = events
        self._clock = clock

    async def upsert(self, draft: TokenDraft) -> tuple[bool, TokenRecord]:
        """Creates or replaces the token; True when it was created. Raises InvalidToken."""
        check_draft(draft)
        if draft.expires_at is not None:
            draft = replace(draft, expires_at=_ms(draft.expires_at))
        existing = await self._tokens.get(draft.key)
        now = self._now()
        record = TokenRecord.of(draft, existing.created_at if existing else now, now)
        await self._store(record, existing)
        if existing is None:
            await self._publish(record.key, now, id_token_added=pb.IdTokenAdded(token=record_proto(record)))
        else:
            await self._publish(record.key, now, id_token_updated=pb.IdTokenUpdated(token=record_proto(record)))
        return existing is None, record

    async def block(self, id_token: str) -> TokenRecord | None:
        """Sets the token's status to Blocked; None when there is no such token."""
        existing = await self._tokens.get(token_key(id_token))
        if existing is None:
            return None
        now = self._now()
        record = replace(existing, status=TokenStatus.BLOCKED, updated_at=now)
        await self._store(record, existing)
        await self._publish(record.key, now, id_token_blocked=pb.IdTokenBlocked(token=record_proto(record)))
        return record

    async def delete(self, id_token: str) -> bool:
        """False when there was no such token."""
        key = token_key(id_token)
        existing = await self._tokens.get(key)
        if existing is None:
            return False
        await self._tokens.delete(key)
        if existing.local_list:
            await self._local_list.record_change(existing, in_list=False)
        await self._publish(key, self._now(), id_token_deleted=pb.IdTokenDeleted(id_token=existing.id_token))
        return True

    async def _store(self, record: TokenRecord, existing: TokenRecord | None) -> None:
        await self._tokens.save(record)
        if record.local_list or (existing is not None and existing.local_list):
            await self._local_list.record_change(record, in_list=record.local_list)

    async def _publish(
        self,
        key: str,
        at: datetime,
        **event: pb.IdTokenAdded | pb.IdTokenUpdated | pb.IdTokenBlocked | pb.IdTokenDeleted,
    ) -> None:
        await self._events.publish(pb.AuthorizationEvent(id_token_key=key, occurred_at=timestamp(at), **event))  # type: ignore[arg-type]

    def _now(self) -> datetime:
        return _ms(self._clock())


def _ms(moment: datetime) -> datetime:
    """Truncated to milliseconds, the precision of a CQL timestamp: what is returned is what is stored."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
