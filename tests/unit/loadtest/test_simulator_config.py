"""Version mix parsing and assignment, station ids and tokens, command-line options."""

from __future__ import annotations

import shutil
import ssl
from collections import Counter
from pathlib import Path

import pytest

from csms_edge.adapters.tls import TlsFiles, peer_certificate, server_context
from csms_kernel.ocpp.versions import OcppVersion
from csms_kernel.pki.certificates import common_name
from csms_kernel.pki.dev import DevPki
from kit.pki import issue_station_certificate
from kit.tls import handshake
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.cli import parse_args
from loadtest.simulator.composite import Electrical
from loadtest.simulator.config import Config, Scenario, assign_versions, id_token, parse_mix, station_id


def test_parse_mix() -> None:
    assert parse_mix("1.6=1, 2.0.1=3,2.1=0") == ((OcppVersion.V16, 1.0), (OcppVersion.V201, 3.0))


@pytest.mark.parametrize("text", ["", "1.5=1", "2.0.1", "1.6=-1", "1.6=0"])
def test_parse_mix_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_mix(text)


def test_assign_versions_exact_and_interleaved() -> None:
    mix = parse_mix("1.6=40,2.0.1=40,2.1=20")
    versions = assign_versions(1000, mix)
    assert Counter(versions) == {OcppVersion.V16: 400, OcppVersion.V201: 400, OcppVersion.V21: 200}
    assert set(versions[:5]) == set(OcppVersion)


def test_ids_and_tokens() -> None:
    assert station_id("SIM-", 42) == "SIM-000042"
    assert [id_token(i, 3) for i in (0, 1, 3)] == ["SIMTAG000000", "SIMTAG000001", "SIMTAG000000"]


def test_command_line() -> None:
    config = parse_args(
        [
            *("--url", "ws://h:1/ocpp/", "--stations", "10"),
            *("--scenario", "boot-storm", "steady", "reconnect-storm"),
            *("--no-sessions", "--mix", "2.1=1", "--provision", "h:2"),
        ]
    )
    assert config.url == "ws://h:1/ocpp"
    assert config.scenarios == (Scenario.STEADY, Scenario.RECONNECT_STORM)
    assert not config.behaviour.sessions
    assert config.mix == ((OcppVersion.V21, 1.0),)
    assert config.provision_address == "h:2"
    assert config.station_ids()[-1] == "SIM-000010"


def test_device_management_options() -> None:
    config = parse_args(
        [
            *("--mix", "1.6=1,2.0.1=1", "--rate", "100", "--fault-rate", "10"),
            *("--device-variables", "500", "--report-items", "20"),
        ]
    )
    assert (config.device_variables, config.report_items_per_message) == (500, 20)
    assert config.behaviour.fault_probability == pytest.approx(0.2)  # 10 faults/s from half of 100 CALL/s


@pytest.mark.parametrize("argv", [["--device-variables", "0"], ["--report-items", "0"], ["--fault-rate", "-1"]])
def test_device_management_options_are_checked(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


def test_tokens_are_provisioned_only_for_runs_with_sessions() -> None:
    assert Config(stations=3).tokens() == []
    steady = Config(stations=3, scenarios=(Scenario.STEADY,))
    assert steady.tokens() == ["SIMTAG000000", "SIMTAG000001", "SIMTAG000002"]
    assert Config(stations=3, scenarios=(Scenario.STEADY,), token_pool=2).tokens() == ["SIMTAG000000", "SIMTAG000001"]
    assert Config(stations=3, scenarios=(Scenario.STEADY,), behaviour=Mix(sessions=False)).tokens() == []


def test_wss_stations_trust_the_given_ca_and_register_at_profile_2(dev_pki: DevPki) -> None:
    ca = dev_pki.root_ca.certificate
    config = parse_args(["--url", "wss://127.0.0.1:9443/ocpp", "--ca-file", str(ca), "--security-profile", "2"])
    assert (config.ca_file, config.security_profile) == (ca, 2)
    context = config.tls_context()
    assert context is not None and context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert [c["subject"] for c in context.get_ca_certs()] == [
        ((("commonName", "CSMS Development Root CA"),), (("organizationName", "CSMS Development"),))
    ]
    assert Config().tls_context() is None  # ws://


def test_profile_3_stations_present_their_own_certificates(dev_pki: DevPki, tmp_path: Path) -> None:
    """`csms certificates issue ID --out DIR` writes DIR/ID.pem and DIR/ID.key; each station presents its own, and the
    edge accepts it (a real TLS handshake against the edge's context)."""
    station = issue_station_certificate(dev_pki, "SIM-000001")
    shutil.copy(station.pair.certificate, tmp_path / "SIM-000001.pem")
    shutil.copy(station.pair.key, tmp_path / "SIM-000001.key")
    config = parse_args(
        ["--url", "wss://127.0.0.1:9443/ocpp", "--ca-file", str(dev_pki.root_ca.certificate), "--security-profile",
         "3", "--client-certificates", str(tmp_path)]
    )  # fmt: skip
    assert (config.client_certificates, config.security_profile) == (tmp_path, 3)
    context = config.tls_context("SIM-000001")
    assert context is not None
    edge, _ = server_context(TlsFiles(dev_pki.server_chain, dev_pki.server.key, dev_pki.station_ca.certificate))
    presented = peer_certificate(handshake(edge, context))
    assert presented is not None and common_name(presented) == "SIM-000001"
    with pytest.raises(FileNotFoundError):
        config.tls_context("SIM-000002")


def test_smart_charging_options_set_the_evse_supply_and_the_car() -> None:
    config = parse_args(
        ["--voltage", "120", "--evse-phases", "1", "--evse-max-current", "48", "--car-max-current", "40"]
    )
    assert (config.electrical.voltage, config.electrical.phases, config.electrical.max_current) == (120.0, 1, 48.0)
    assert (config.car_max_current, config.car_phases) == (40.0, 3)
    assert parse_args([]).electrical == Electrical(230.0, 3, 32.0)
    for bad in (["--voltage", "0"], ["--car-max-current", "-1"], ["--car-phases", "4"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
