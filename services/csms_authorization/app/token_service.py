"""Managing id tokens: create, replace, block and delete, keeping the local list in step. Each change is
stored together with its domain event (the transactional outbox: the token store writes both in one request),
and the outbox relay is woken to publish the event; a change is never stored without its event.

No I/O of its own: the token store, local list store, clock and the relay's wake-up are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.api.protos import record_proto
from csms_authorization.app.revisions import Revisions, to_ms
from csms_authorization.domain.tokens import TokenDraft, TokenRecord, TokenStatus, check_draft, token_key
from csms_authorization.ports import LocalListStore, PendingEvent, TokenStore
from csms_kernel.infra.envelopes import timestamp


def _nothing() -> None:
    pass


class TokenService:
    def __init__(
        self,
        tokens: TokenStore,
        local_list: LocalListStore,
        clock: Callable[[], datetime],
        changed: Callable[[], None] = _nothing,
    ) -> None:
        self._tokens = tokens
        self._local_list = local_list
        self._clock = clock
        self._changed = changed
        self._revisions = Revisions(clock)

    async def upsert(self, draft: TokenDraft) -> tuple[bool, TokenRecord]:
        """Creates or replaces the token; True when it was created. Raises InvalidToken."""
        check_draft(draft)
        if draft.expires_at is not None:
            draft = replace(draft, expires_at=to_ms(draft.expires_at))
        existing = await self._tokens.get(draft.key)
        now = self._now()
        record = TokenRecord.of(draft, existing.created_at if existing else now, now)
        if existing is None:
            event = self._event(record.key, now, id_token_added=pb.IdTokenAdded(token=record_proto(record)))
        else:
            event = self._event(record.key, now, id_token_updated=pb.IdTokenUpdated(token=record_proto(record)))
        await self._store(record, existing, event)
        return existing is None, record

    async def block(self, id_token: str) -> TokenRecord | None:
        """Sets the token's status to Blocked; None when there is no such token."""
        existing = await self._tokens.get(token_key(id_token))
        if existing is None:
            return None
        now = self._now()
        record = replace(existing, status=TokenStatus.BLOCKED, updated_at=now)
        event = self._event(record.key, now, id_token_blocked=pb.IdTokenBlocked(token=record_proto(record)))
        await self._store(record, existing, event)
        return record

    async def delete(self, id_token: str) -> bool:
        """False when there was no such token."""
        key = token_key(id_token)
        existing = await self._tokens.get(key)
        if existing is None:
            return False
        event = self._event(key, self._now(), id_token_deleted=pb.IdTokenDeleted(id_token=existing.id_token))
        await self._tokens.delete(key, event)
        self._changed()
        if existing.local_list:
            await self._local_list.record_change(existing, in_list=False)
        return True

    async def _store(self, record: TokenRecord, existing: TokenRecord | None, event: PendingEvent) -> None:
        await self._tokens.save(record, event)
        self._changed()
        if record.local_list or (existing is not None and existing.local_list):
            await self._local_list.record_change(record, in_list=record.local_list)

    def _event(
        self,
        key: str,
        at: datetime,
        **event: pb.IdTokenAdded | pb.IdTokenUpdated | pb.IdTokenBlocked | pb.IdTokenDeleted,
    ) -> PendingEvent:
        revision = self._revisions.next()
        message = pb.AuthorizationEvent(id_token_key=key, occurred_at=timestamp(at), revision=revision, **event)  # type: ignore[arg-type]
        return PendingEvent.of(key, revision, message)

    def _now(self) -> datetime:
        return to_ms(self._clock())
