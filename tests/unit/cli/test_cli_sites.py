"""`csms sites list|show|put|delete|limit|allocation` against a fake client: definitions read from JSON and TOML
files, the requests built from the arguments, the output (with the warning of a limit below the minimums), and a
bad file refused before anything is sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_cli import exit_codes
from csms_cli.client import Addresses, RpcFailed
from csms_cli.main import run

SITE = sc.Site(
    site_id="depot",
    name="Depot",
    limit=32,
    unit="A",
    voltage_v=230,
    groups={"row-a": 20},
    evses=[
        sc.SiteEvse(station_id="CP-1", evse_id=1, phases=3, min_a=6, max_a=16, priority=2, group_id="row-a"),
        sc.SiteEvse(station_id="CP-2", evse_id=1, phases=1, min_a=10, max_a=32, priority=1),
    ],
)
TOML = """
name = "Depot"
limit = 32
[groups]
row-a = 20
[[evses]]
station_id = "CP-1"
evse_id = 1
group_id = "row-a"
"""


@dataclass
class FakeClient:
    calls: list[tuple[str, Any]] = field(default_factory=list)
    shortfall: sc.SiteShortfall = field(default_factory=sc.SiteShortfall)
    missing: bool = False

    def __call__(self, addresses: Addresses) -> FakeClient:
        return self

    def _answer(self) -> sc.SiteResponse:
        if self.missing:
            raise RpcFailed("smart-charging", grpc.StatusCode.NOT_FOUND, "no site 'depot'")
        return sc.SiteResponse(site=SITE, shortfall=self.shortfall)

    def put_site(self, site_id: str, definition_json: str) -> sc.SiteResponse:
        self.calls.append(("put", (site_id, json.loads(definition_json))))
        return self._answer()

    def get_site(self, site_id: str) -> sc.SiteResponse:
        self.calls.append(("get", site_id))
        return self._answer()

    def list_sites(self) -> list[sc.Site]:
        self.calls.append(("list", None))
        return [SITE]

    def delete_site(self, site_id: str) -> None:
        self.calls.append(("delete", site_id))
        self._answer()

    def set_site_limit(self, request: sc.SetSiteLimitRequest) -> sc.SiteResponse:
        self.calls.append(("limit", request))
        return self._answer()

    def site_allocation(self, site_id: str) -> sc.SiteAllocation:
        self.calls.append(("allocation", site_id))
        return sc.SiteAllocation(
            site_id=site_id,
            sequence=3,
            limit=32,
            unit="A",
            allocated=16,
            evses=[
                sc.EvseAllocation(station_id="CP-1", evse_id=1, enforced=True, limit_a=16, phases=3),
                sc.EvseAllocation(station_id="CP-2", evse_id=1, enforced=True, paused=True, phases=1),
                sc.EvseAllocation(station_id="CP-3", evse_id=1, phases=3),
            ],
        )

    def close(self) -> None:
        pass


@pytest.mark.parametrize(("name", "text"), [("site.toml", TOML), ("site.json", None)])
def test_put_reads_a_toml_or_json_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    expected = {"name": "Depot", "limit": 32, "groups": {"row-a": 20}, "evses": [
        {"station_id": "CP-1", "evse_id": 1, "group_id": "row-a"}]}  # fmt: skip
    file = tmp_path / name
    file.write_text(text if text is not None else json.dumps(expected))
    client = FakeClient()
    assert run(["sites", "put", "depot", str(file)], client) == exit_codes.OK
    assert client.calls == [("put", ("depot", expected))]
    out = capsys.readouterr().out
    assert "limit:" in out and "32 A" in out and "row-a: 20 A" in out
    assert "CP-1/1" in out and "warning" not in out


def test_a_limit_below_the_minimums_warns_with_the_evses_it_would_pause(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(
        shortfall=sc.SiteShortfall(
            minimum_sum=16, below_minimums=True, would_pause=[sc.SiteEvseRef(station_id="CP-2", evse_id=1)]
        )
    )
    assert run(["sites", "limit", "depot", "12", "--unit", "A"], client) == exit_codes.OK
    assert client.calls == [("limit", sc.SetSiteLimitRequest(site_id="depot", limit=12, unit="A"))]
    out = capsys.readouterr().out
    assert "below the EVSEs' minimums (16 A)" in out
    assert "would pause: CP-2/1" in out


def test_list_show_allocation_and_delete(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["sites", "list"], client) == exit_codes.OK
    assert "depot  Depot  32 A   2" in capsys.readouterr().out
    assert run(["sites", "show", "depot", "--json"], client) == exit_codes.OK
    assert json.loads(capsys.readouterr().out)["site"]["evses"][1]["phases"] == 1
    assert run(["sites", "allocation", "depot"], client) == exit_codes.OK
    out = capsys.readouterr().out
    assert "allocated: 16 A" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("CP-")]
    assert rows == [["CP-1/1", "16", "3", "-"], ["CP-2/1", "paused", "1", "-"], ["CP-3/1", "-", "3", "-"]]
    assert run(["sites", "delete", "depot"], client) == exit_codes.OK
    assert "site depot deleted" in capsys.readouterr().out


def test_a_bad_file_sends_nothing_and_an_unknown_site_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client = FakeClient()
    bad = tmp_path / "site.toml"
    bad.write_text("limit = = 3")
    assert run(["sites", "put", "depot", str(bad)], client) == exit_codes.INVALID
    assert run(["sites", "put", "depot", str(tmp_path / "missing.json")], client) == exit_codes.INVALID
    assert client.calls == []
    assert "the site definition" in capsys.readouterr().err
    client.missing = True
    assert run(["sites", "show", "depot"], client) != exit_codes.OK
    assert "no site 'depot'" in capsys.readouterr().err
