"""`csms api-keys create|list|revoke`: keys of the operator API (docs/adr/0019-operator-api.md).

Works on Cassandra directly, through the api service's key store and its `ApiKeys` use case (imported only
when a command runs), so the first key can be created before the API runs; Cassandra settings come from the
common `CSMS_CASSANDRA_*` variables, as for `csms migrate`. `create` prints the key alone on stdout (it is not
stored and cannot be shown again) and what was created on stderr. Side effects: Cassandra reads and writes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from csms_cli import exit_codes, render
from csms_kernel.infra.settings import CommonSettings

if TYPE_CHECKING:
    from csms_api.app.keys import ApiKeys
    from csms_api.domain.keys import ApiKey

SCOPES = ("read", "operate", "admin")
_COLUMNS = ("KEY ID", "NAME", "SCOPE", "CREATED", "REVOKED")
PAGE = 500


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("api-keys", help="keys of the operator HTTP API (stored in Cassandra)")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create_parser = actions.add_parser("create", help="create a key and print it (once: only its hash is kept)")
    create_parser.add_argument("name", metavar="NAME", help="what the key is for")
    create_parser.add_argument(
        "--scope",
        required=True,
        choices=SCOPES,
        help="read: every GET; operate: also commands and sessions; admin: also station, token, list and key writes",
    )
    create_parser.set_defaults(handler=create, uses_client=False)
    list_parser = actions.add_parser("list", help="every key (never the keys themselves), revoked ones included")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_, uses_client=False)
    revoke_parser = actions.add_parser("revoke", help="revoke a key (refused by the API within 2 s)")
    revoke_parser.add_argument("key_id", metavar="KEY_ID")
    revoke_parser.set_defaults(handler=revoke, uses_client=False)


@contextlib.asynccontextmanager
async def api_keys() -> AsyncIterator[ApiKeys]:
    """The api service's `ApiKeys` over its Cassandra key store, for one command."""
    from csms_api.adapters.key_store import CassandraApiKeyStore
    from csms_api.app.keys import ApiKeys
    from csms_kernel.infra.cassandra import CassandraSession, RetryPolicy

    settings = CommonSettings()
    session = CassandraSession(
        settings.cassandra_contact_points,
        settings.cassandra_port,
        settings.cassandra_local_dc,
        None,
        retry=RetryPolicy(attempts=3),
        security=settings.cassandra_security,
    )
    await session.start()
    try:
        yield ApiKeys(CassandraApiKeyStore(session), lambda: datetime.now(UTC), cache_s=0)
    finally:
        await session.close()


def create(args: argparse.Namespace) -> int:
    from csms_api.domain.keys import Scope

    async def work(keys: ApiKeys) -> int:
        key, secret = await keys.create(args.name, Scope(args.scope))
        print(secret)
        print(
            f"created API key {key.key_id} {key.name!r} with scope {key.scope.value}; the key above is shown only "
            "now: store it (Authorization: Bearer <key>)",
            file=sys.stderr,
        )
        return exit_codes.OK

    return _run(work)


def list_(args: argparse.Namespace) -> int:
    async def work(keys: ApiKeys) -> int:
        found: list[ApiKey] = []
        after: str | None = None
        while True:
            page, after = await keys.list_page(PAGE, after)
            found.extend(page)
            if after is None:
                break
        rows = [_row(key) for key in found]
        return render.output(args.json, rows, lambda: _table(rows))

    return _run(work)


def revoke(args: argparse.Namespace) -> int:
    async def work(keys: ApiKeys) -> int:
        key = await keys.revoke(args.key_id)
        if key is None:
            print(f"error: API key {args.key_id} not found", file=sys.stderr)
            return exit_codes.FAILED
        print(f"revoked {key.key_id} ({key.name}) at {_time(key.revoked_at)}")
        return exit_codes.OK

    return _run(work)


def _run(work: Callable[[ApiKeys], Awaitable[int]]) -> int:
    """Runs `work` with the key store; Cassandra and input errors become messages and exit codes."""
    from cassandra import InvalidRequest

    from csms_api.domain.keys import InvalidKey
    from csms_api.ports import StoreUnavailable
    from csms_kernel.infra.cassandra import TRANSIENT_ERRORS

    async def run() -> int:
        async with api_keys() as keys:
            return await work(keys)

    unreachable: tuple[type[Exception], ...] = (StoreUnavailable, *TRANSIENT_ERRORS)
    settings = CommonSettings()
    where = f"{','.join(settings.cassandra_contact_points)}:{settings.cassandra_port}"
    try:
        return asyncio.run(run())
    except InvalidKey as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    except unreachable as exc:
        print(f"error: cannot reach Cassandra at {where} ({exc})", file=sys.stderr)
        return exit_codes.UNREACHABLE
    except InvalidRequest as exc:
        print(f"error: Cassandra refused the request ({exc}); has `csms migrate` run?", file=sys.stderr)
        return exit_codes.FAILED


Row = dict[str, object]


def _row(key: ApiKey) -> Row:
    return {
        "key_id": key.key_id,
        "name": key.name,
        "scope": key.scope.value,
        "created_at": _time(key.created_at),
        "revoked_at": _time(key.revoked_at) if key.revoked_at else None,
    }


def _table(rows: list[Row]) -> str:
    return render.table(
        _COLUMNS,
        [
            (
                str(row["key_id"]),
                str(row["name"]),
                str(row["scope"]),
                str(row["created_at"]),
                render.cell(row["revoked_at"]),
            )
            for row in rows
        ],
    )


def _time(moment: datetime | None) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else ""
