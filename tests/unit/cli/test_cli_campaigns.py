"""`csms campaigns ...` against a fake client: the requests built from the arguments (settings merged for `set`),
the live progress line, and bad arguments refused before anything is sent."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from typing import Any

import pytest

from csms.firmware.v1 import firmware_pb2 as fw
from csms_cli import exit_codes
from csms_cli.campaigns import Progress, watch_campaign
from csms_cli.client import Addresses
from csms_cli.main import run


def campaign(status: str = "running", **counts: int) -> fw.CampaignView:
    return fw.CampaignView(
        campaign_id="c1",
        status=status,
        counts=counts,
        settings=fw.CampaignSettings(canary_size=1, wave_size=10, concurrency=5, failure_threshold=0.1),
        halted_wave=-1,
    )


@dataclass
class FakeClient:
    calls: list[tuple[str, Any]] = field(default_factory=list)
    views: list[fw.CampaignView] = field(default_factory=lambda: [campaign(waiting=4)])

    def __call__(self, addresses: Addresses) -> FakeClient:
        return self

    def create_campaign(self, request: fw.CreateCampaignRequest) -> fw.CampaignView:
        self.calls.append(("create", request))
        return campaign(waiting=len(request.stations))

    def list_campaigns(self) -> list[fw.CampaignView]:
        return [campaign(succeeded=2)]

    def get_campaign(self, campaign_id: str, page_size: int = 0, page_token: str = "") -> fw.CampaignView:
        self.calls.append(("get", (campaign_id, page_size, page_token) if page_size else campaign_id))
        return self.views.pop(0) if len(self.views) > 1 else self.views[0]

    def control_campaign(self, request: fw.ControlCampaignRequest) -> fw.CampaignView:
        self.calls.append(("control", request))
        return campaign("paused" if request.action == "pause" else "running")

    def close(self) -> None:
        return None


def test_create_sends_targets_target_and_settings(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    argv = ["campaigns", "create", "--station", "CS-1", "--station", "CS-2", "--vendor", "Acme"]
    argv += ["--location", "https://fw/2.0.bin", "--version", "2.0", "--concurrency", "20", "--window", "22:00-04:00"]
    assert run(argv, client_factory=client) == exit_codes.OK
    [(_, sent)] = client.calls
    assert (list(sent.stations), sent.vendor, sent.target.version, sent.settings.concurrency) == (
        ["CS-1", "CS-2"],
        "Acme",
        "2.0",
        20,
    )
    assert (sent.settings.window.start, sent.settings.window.end) == ("22:00", "04:00")
    # What is not given is the default, never zero: a zero threshold would halt at the first failure.
    assert (sent.settings.max_retries, sent.settings.failure_threshold, sent.settings.canary_size) == (1, 0.1, 1)
    assert not sent.target.force
    assert "waiting=2" in capsys.readouterr().out


def test_create_forces_an_image_and_show_pages_the_stations(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    argv = ["campaigns", "create", "--station", "CS-1", "--image", "img-1", "--force", "--threshold", "0.3"]
    assert run(argv, client_factory=client) == exit_codes.OK
    [(_, sent)] = client.calls
    assert (sent.target.image_id, sent.target.force, round(sent.settings.failure_threshold, 3)) == ("img-1", True, 0.3)
    assert run(["campaigns", "show", "c1", "--page-size", "2", "--page-token", "CS-1"], client_factory=client) == 0
    assert client.calls[-1] == ("get", ("c1", 2, "CS-1"))


def test_set_changes_only_the_given_settings_and_controls_name_their_action() -> None:
    client = FakeClient()
    assert run(["campaigns", "set", "c1", "--threshold", "0.3"], client_factory=client) == exit_codes.OK
    [_, (_, sent)] = client.calls
    assert (sent.action, sent.settings.failure_threshold, sent.settings.concurrency) == ("settings", 0.3, 5)
    assert run(["campaigns", "pause", "c1"], client_factory=client) == exit_codes.OK
    assert client.calls[-1][1].action == "pause"


def test_bad_arguments_are_refused_before_anything_is_sent(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert (
        run(["campaigns", "create", "--station", "A", "--window", "22:00"], client_factory=client) == exit_codes.INVALID
    )
    assert (
        run(["campaigns", "create", "--station", "A", "--concurrency", "-1"], client_factory=client)
        == exit_codes.INVALID
    )
    assert client.calls == []
    assert "--window must be HH:MM-HH:MM" in capsys.readouterr().err


def test_the_progress_line_shows_counts_rate_and_eta() -> None:
    progress = Progress(started=0.0, settled_at_start=0)
    line = progress.line(campaign(succeeded=30, failed=10, updating=5, waiting=55), now=60.0)
    assert " 40% running" in line
    assert "succeeded 30 failed 10" in line
    assert "40.0/min ETA 90s" in line


def test_watch_follows_the_campaign_until_it_halts(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(
        views=[campaign(waiting=4), campaign(succeeded=2, updating=2), campaign("halted", failed=2, succeeded=2)]
    )
    ticks = iter(range(100))
    args = argparse.Namespace(campaign_id="c1", interval=1.0)
    assert watch_campaign(args, client, clock=lambda: float(next(ticks)), sleep=lambda s: None) == exit_codes.FAILED
    out = capsys.readouterr().out
    assert out.count("%") == 3
    assert out.strip().endswith("campaign c1 halted")
