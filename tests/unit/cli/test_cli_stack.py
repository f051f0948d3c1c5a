"""`csms stack run|up`: which processes the local stack starts and their ports (no process is started)."""

from __future__ import annotations

import argparse

import pytest

from csms_cli.stack import _announce, _config
from csms_devtools import stack as local_stack


def config(**overrides: object) -> local_stack.StackConfig:
    args = {"instances": 1, "edge_nodes": 2, "accept_unknown_stations": False, "metrics_port": 9100, "api_port": 8080}
    args |= overrides
    return _config(argparse.Namespace(**args))


def test_every_process_serves_metrics_on_its_own_port() -> None:
    ports = {spec.name: spec.env["CSMS_METRICS_PORT"] for spec in local_stack.process_specs(config())}
    assert ports == {
        "authorization-1": "9100",
        "device-model-1": "9101",
        "transactions-1": "9102",
        "security-1": "9104",
        "firmware-1": "9105",
        "smart-charging-1": "9106",
        "api-1": "9103",
        "edge-1": "9110",
        "edge-2": "9111",
    }


def test_metrics_port_zero_means_no_metrics_endpoint() -> None:
    specs = local_stack.process_specs(config(metrics_port=0))
    assert {spec.env["CSMS_METRICS_PORT"] for spec in specs} == {"0"}


def test_one_instance_keeps_the_default_ports_and_addresses() -> None:
    specs = {spec.name: spec for spec in local_stack.process_specs(config(edge_nodes=None))}
    assert {name: spec.grpc_address for name, spec in specs.items()} == {
        "authorization-1": "127.0.0.1:50052",
        "device-model-1": "127.0.0.1:50051",
        "transactions-1": "127.0.0.1:50053",
        "security-1": "127.0.0.1:50054",
        "firmware-1": "127.0.0.1:50055",
        "smart-charging-1": "127.0.0.1:50056",
        "api-1": "",
        "edge-1": "127.0.0.1:50060",
    }
    assert specs["edge-1"].env["CSMS_DEVICE_MODEL_ADDRESS"] == "127.0.0.1:50051"


def test_instances_n_starts_n_of_each_service_and_as_many_edge_nodes() -> None:
    specs = {spec.name: spec for spec in local_stack.process_specs(config(instances=2, edge_nodes=None))}
    assert {name: (spec.grpc_address, spec.env["CSMS_METRICS_PORT"]) for name, spec in specs.items()} == {
        "authorization-1": ("127.0.0.1:50052", "9100"),
        "authorization-2": ("127.0.0.1:50152", "9200"),
        "device-model-1": ("127.0.0.1:50051", "9101"),
        "device-model-2": ("127.0.0.1:50151", "9201"),
        "transactions-1": ("127.0.0.1:50053", "9102"),
        "transactions-2": ("127.0.0.1:50153", "9202"),
        "security-1": ("127.0.0.1:50054", "9104"),
        "security-2": ("127.0.0.1:50154", "9204"),
        "firmware-1": ("127.0.0.1:50055", "9105"),
        "firmware-2": ("127.0.0.1:50155", "9205"),
        "smart-charging-1": ("127.0.0.1:50056", "9106"),
        "smart-charging-2": ("127.0.0.1:50156", "9206"),
        "api-1": ("", "9103"),
        "edge-1": ("127.0.0.1:50060", "9110"),
        "edge-2": ("127.0.0.1:50061", "9111"),
    }
    assert specs["device-model-2"].env["CSMS_DEVICE_MODEL_GRPC_LISTEN"] == "127.0.0.1:50151"
    assert specs["device-model-2"].env["CSMS_DEVICE_MODEL_INSTANCE_ID"] == "device-model-2"


def test_edge_nodes_can_be_set_apart_from_instances() -> None:
    names = [spec.name for spec in local_stack.process_specs(config(instances=2, edge_nodes=1))]
    assert names == [
        "authorization-1",
        "authorization-2",
        "device-model-1",
        "device-model-2",
        "transactions-1",
        "transactions-2",
        "security-1",
        "security-2",
        "firmware-1",
        "firmware-2",
        "smart-charging-1",
        "smart-charging-2",
        "api-1",
        "edge-1",
    ]


def test_one_operator_api_on_8080_reaching_every_instance_of_every_service() -> None:
    stack = config(instances=2)
    api = {spec.name: spec for spec in local_stack.process_specs(stack)}["api-1"]
    assert (api.service, api.http_port, stack.api_url) == ("api", 8080, "http://127.0.0.1:8080")
    assert {name: value for name, value in api.env.items() if name.startswith("CSMS_API_")} == {
        "CSMS_API_HOST": "127.0.0.1",
        "CSMS_API_PORT": "8080",
        "CSMS_API_INSTANCE_ID": "api-1",
    }
    assert api.env["CSMS_AUTHORIZATION_ADDRESS"] == "ipv4:127.0.0.1:50052,127.0.0.1:50152"


def test_api_port_zero_means_no_api() -> None:
    assert "api" not in {spec.service for spec in local_stack.process_specs(config(api_port=0))}


def test_the_stack_announces_the_api_and_how_to_create_the_first_key(capsys: pytest.CaptureFixture[str]) -> None:
    _announce(config())
    out = capsys.readouterr().out
    assert "operator API http://127.0.0.1:8080 (interactive docs http://127.0.0.1:8080/docs)" in out
    assert "create the first API key (printed once): .venv/bin/csms api-keys create admin --scope admin" in out
    assert "curl -H 'Authorization: Bearer <key>' http://127.0.0.1:8080/api/v1/stations" in out


def test_the_stack_announces_ws_and_wss_and_the_ca_files(capsys: pytest.CaptureFixture[str]) -> None:
    stack = config()
    _announce(stack)
    out = capsys.readouterr().out
    for node in (0, 1):
        assert f"stations connect to ws://127.0.0.1:{9000 + node}/ocpp/{{stationId}}" in out
        assert f"stations connect to wss://127.0.0.1:{9443 + node}/ocpp/{{stationId}}" in out
    assert f"stations trust the CSMS root CA {stack.pki.root_ca.certificate}" in out
    assert f"profile 3 client certificates must chain to the station CA {stack.pki.station_ca.certificate}" in out


def test_the_security_service_signs_with_the_development_station_ca() -> None:
    security = {spec.name: spec for spec in local_stack.process_specs(config())}["security-1"]
    pki_dir = local_stack.REPO_ROOT / ".infra" / "pki"
    assert security.env["CSMS_SECURITY_STATION_CA_CERT_FILE"] == str(pki_dir / "station-ca.pem")
    assert security.env["CSMS_SECURITY_STATION_CA_KEY_FILE"] == str(pki_dir / "station-ca.key")
