"""The `TransactionsRepository` contract (csms_transactions.adapters.repository), run against the in-memory fake
(unit) and Cassandra (integration), for the queries about what was never projected and for refused page tokens.
Not covered: the queries over projected rows (the fake serves canned rows). A subclass provides the
`repository` fixture."""

from __future__ import annotations

import uuid

import pytest

from csms_transactions.ports import TransactionQuery, TransactionsRepository


class TransactionsRepositoryContract:
    async def test_queries_about_an_unknown_transaction_find_nothing(self, repository: TransactionsRepository) -> None:
        station_id, transaction_id = f"CS-{uuid.uuid4().hex[:12]}", uuid.uuid4().hex
        assert [
            await repository.stations_with(transaction_id),
            await repository.transaction(station_id, transaction_id),
            await repository.samples(station_id, transaction_id),
        ] == [[], None, []]

    @pytest.mark.parametrize("token", ["forged", "bm90IGEgY3Vyc29y", "%%%"])
    async def test_a_page_token_it_did_not_issue_is_refused(
        self, repository: TransactionsRepository, token: str
    ) -> None:
        with pytest.raises(ValueError, match="invalid page token"):
            await repository.transactions(TransactionQuery(), 10, token)
