"""`csms api-keys create|list|revoke`: the key printed once on stdout, listings without keys, exit codes (the
key store is the in-memory fake; Cassandra is covered in tests/integration/api and the e2e test)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from cassandra import InvalidRequest
from cassandra.cluster import NoHostAvailable

from csms_api.app.keys import ApiKeys
from csms_api.domain.keys import Scope, key_id_of
from csms_cli import api_keys
from csms_cli.main import run
from kit.fakes.api import InMemoryApiKeyStore

NOW = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> InMemoryApiKeyStore:
    store = InMemoryApiKeyStore()

    @contextlib.asynccontextmanager
    async def fake() -> AsyncIterator[ApiKeys]:
        yield ApiKeys(store, lambda: NOW, cache_s=0)

    monkeypatch.setattr(api_keys, "api_keys", fake)
    return store


def test_create_prints_the_key_alone_on_stdout(store: InMemoryApiKeyStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["api-keys", "create", "first admin", "--scope", "admin"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    (record,) = store.keys.values()
    assert key_id_of(key) == record.key_id and record.matches(key) and record.scope is Scope.ADMIN
    assert f"created API key {record.key_id} 'first admin' with scope admin" in err and key not in err


def test_list_shows_every_key_but_never_a_key_itself(
    store: InMemoryApiKeyStore, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["api-keys", "create", "ops", "--scope", "operate"])
    key = capsys.readouterr().out.strip()
    assert run(["api-keys", "list"]) == 0
    table = capsys.readouterr().out
    assert run(["api-keys", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    key_id = key_id_of(key)
    assert table.splitlines() == [
        "KEY ID            NAME  SCOPE    CREATED               REVOKED",
        f"{key_id}  ops   operate  2026-12-06T12:00:00Z  -",
    ]
    assert listed == [
        {"key_id": key_id, "name": "ops", "scope": "operate", "created_at": "2026-12-06T12:00:00Z", "revoked_at": None}
    ]


def test_revoke_then_unknown_and_malformed_ids(store: InMemoryApiKeyStore, capsys: pytest.CaptureFixture[str]) -> None:
    run(["api-keys", "create", "ops", "--scope", "read"])
    key_id = key_id_of(capsys.readouterr().out.strip())
    assert run(["api-keys", "revoke", str(key_id)]) == 0
    assert capsys.readouterr().out == f"revoked {key_id} (ops) at 2026-12-06T12:00:00Z\n"
    assert run(["api-keys", "revoke", "0" * 16]) == 1
    assert capsys.readouterr().err == f"error: API key {'0' * 16} not found\n"
    assert run(["api-keys", "revoke", "nope"]) == 4
    assert capsys.readouterr().err == "error: key id must be 16 lower-case hex digits\n"


def test_a_bad_scope_or_name_is_a_usage_error(store: InMemoryApiKeyStore, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["api-keys", "create", "x", "--scope", "root"]) == 4
    assert run(["api-keys", "create", " ", "--scope", "read"]) == 4
    assert "name must be 1..64 printable characters" in capsys.readouterr().err
    assert store.keys == {}


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (NoHostAvailable("Unable to connect to any servers", {}), 5, "error: cannot reach Cassandra at c1.test:9142"),
        (InvalidRequest("Keyspace csms_api does not exist"), 1, "has `csms migrate` run?"),
    ],
)
def test_cassandra_errors_become_messages_and_exit_codes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], error: Exception, code: int, message: str
) -> None:
    @contextlib.asynccontextmanager
    async def failing() -> AsyncIterator[ApiKeys]:
        raise error
        yield  # pragma: no cover - makes this a generator

    monkeypatch.setattr(api_keys, "api_keys", failing)
    monkeypatch.setenv("CSMS_CASSANDRA_CONTACT_POINTS", "c1.test")
    monkeypatch.setenv("CSMS_CASSANDRA_PORT", "9142")
    assert run(["api-keys", "list"]) == code
    assert message in capsys.readouterr().err
