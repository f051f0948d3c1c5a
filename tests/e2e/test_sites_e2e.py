"""Load-management sites end to end (docs/adr/0042, "Sites, storage and API"): a site defined through the HTTP API
is stored by the smart-charging service (tables created by `csms migrate`) and read back by the API and
`csms sites`; an EVSE of another site is refused (409 naming it); a limit below the minimums is accepted with its
shortfall; the allocation answers (nothing enforced before the load loop ran); deleted, the site is gone and its
EVSEs free again."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import httpx
import pytest

from csms_devtools.stack import Stack
from kit.stack import Cli

pytestmark = pytest.mark.e2e


async def test_a_site_defined_limited_shown_and_deleted(
    stack: Stack, operator: httpx.AsyncClient, cli: Cli, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    site_id, station = f"e2e-site-{run}", f"E2E-SITE-{run}"
    definition = {
        "name": "E2E depot",
        "limit": 32,
        "groups": {"row-a": 20},
        "evses": [
            {"station_id": station, "evse_id": 1, "min_a": 10, "group_id": "row-a"},
            {"station_id": station, "evse_id": 2, "min_a": 10, "phases": 1},
        ],
    }
    put = await operator.put(f"/api/v1/sites/{site_id}", json=definition)
    assert put.status_code == 200, put.text
    assert put.json()["shortfall"] == {"minimum_sum": 20.0, "below_minimums": False, "would_pause": []}

    taken = await operator.put(
        f"/api/v1/sites/other-{run}", json={"limit": 10, "evses": [{"station_id": station, "evse_id": 2}]}
    )
    assert taken.status_code == 409, taken.text
    assert f"EVSE {station}/2 already belongs to site '{site_id}'" in taken.json()["detail"]

    limited = await operator.put(f"/api/v1/sites/{site_id}/limit", json={"limit": 12})
    assert limited.status_code == 200, limited.text
    assert (limited.json()["site"]["limit"], limited.json()["shortfall"]["below_minimums"]) == (12.0, True)
    wrong_unit = await operator.put(f"/api/v1/sites/{site_id}/limit", json={"limit": 12, "unit": "W"})
    assert wrong_unit.status_code == 422 and "limit is in A" in wrong_unit.json()["detail"]

    allocation = await operator.get(f"/api/v1/sites/{site_id}/allocation")
    assert allocation.status_code == 200, allocation.text
    assert [(e["evse_id"], e["limit_a"]) for e in allocation.json()["evses"]] == [(1, None), (2, None)]

    shown = await asyncio.to_thread(cli, "sites", "show", site_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["site"]["limit"] == 12
    file = tmp_path / "site.toml"
    file.write_text(f'limit = 40\n[[evses]]\nstation_id = "{station}"\nevse_id = 1\n')
    replaced = await asyncio.to_thread(cli, "sites", "put", site_id, str(file))
    assert replaced.returncode == 0, replaced.stderr
    listed = await operator.get("/api/v1/sites", params={"limit": 500})
    assert site_id in [site["site_id"] for site in listed.json()["items"]]
    freed = await operator.put(
        f"/api/v1/sites/other-{run}", json={"limit": 10, "evses": [{"station_id": station, "evse_id": 2}]}
    )
    assert freed.status_code == 200, freed.text  # EVSE 2 left the site when it was replaced

    deleted = await asyncio.to_thread(cli, "sites", "delete", site_id)
    assert deleted.returncode == 0, deleted.stderr
    assert (await operator.get(f"/api/v1/sites/{site_id}")).status_code == 404
    assert (await operator.delete(f"/api/v1/sites/other-{run}")).status_code == 204
