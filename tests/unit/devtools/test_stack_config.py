"""The local stack's processes: each instance of a service has its own id, port and metrics port, and every
process reaches all instances of its peers through one gRPC target (no process is started)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from csms_devtools.stack import StackConfig, process_specs

CONFIG = StackConfig(
    device_model_ports=(7001, 7002),
    authorization_ports=(7011, 7012),
    transactions_ports=(7021,),
    security_ports=(7031,),
    firmware_ports=(7041,),
    edge_ports=(8001,),
    edge_grpc_ports=(8011,),
    instance_prefix="t-",
    metrics_ports={"device-model-2": 9002, "t-edge-1": 9010},
)


def test_a_service_with_several_instances_is_one_ipv4_target_listing_them_all() -> None:
    assert CONFIG.device_model_address == "ipv4:127.0.0.1:7001,127.0.0.1:7002"
    assert CONFIG.authorization_address == "ipv4:127.0.0.1:7011,127.0.0.1:7012"
    assert CONFIG.transactions_address == "127.0.0.1:7021"


def test_each_instance_is_a_process_with_its_own_id_port_and_metrics_port() -> None:
    specs = {spec.name: spec for spec in process_specs(CONFIG)}
    assert list(specs) == [
        "authorization-1",
        "authorization-2",
        "device-model-1",
        "device-model-2",
        "transactions-1",
        "security-1",
        "firmware-1",
        "t-edge-1",
    ]
    second = specs["device-model-2"]
    assert (second.service, second.grpc_address) == ("device-model", "127.0.0.1:7002")
    assert {name: value for name, value in second.env.items() if name.startswith("CSMS_DEVICE_MODEL_")} == {
        "CSMS_DEVICE_MODEL_ADDRESS": "ipv4:127.0.0.1:7001,127.0.0.1:7002",
        "CSMS_DEVICE_MODEL_GRPC_LISTEN": "127.0.0.1:7002",
        "CSMS_DEVICE_MODEL_INSTANCE_ID": "t-device-model-2",
        "CSMS_DEVICE_MODEL_HEARTBEAT_INTERVAL_S": "300",
    }
    assert specs["authorization-2"].env["CSMS_AUTHORIZATION_INSTANCE_ID"] == "t-authorization-2"
    assert {name: spec.env["CSMS_METRICS_PORT"] for name, spec in specs.items()} == {
        "authorization-1": "0",
        "authorization-2": "0",
        "device-model-1": "0",
        "device-model-2": "9002",
        "transactions-1": "0",
        "security-1": "0",
        "firmware-1": "0",
        "t-edge-1": "9010",
    }


def test_every_process_reaches_every_instance_of_its_peers() -> None:
    for spec in process_specs(CONFIG):
        assert (
            spec.env["CSMS_DEVICE_MODEL_ADDRESS"],
            spec.env["CSMS_AUTHORIZATION_ADDRESS"],
            spec.env["CSMS_TRANSACTIONS_ADDRESS"],
        ) == (CONFIG.device_model_address, CONFIG.authorization_address, CONFIG.transactions_address)
        assert spec.env["CSMS_SECURITY_ADDRESS"] == CONFIG.security_address == "127.0.0.1:7031"
        assert spec.env["CSMS_FIRMWARE_ADDRESS"] == CONFIG.firmware_address == "127.0.0.1:7041"


def test_every_process_gets_the_internal_certificate_of_its_identity(tmp_path: Path) -> None:
    config = replace(CONFIG, api_ports=(8080,), pki_dir=tmp_path)
    for spec in process_specs(config):
        assert {name: value for name, value in spec.env.items() if name.startswith("CSMS_GRPC_TLS_")} == {
            "CSMS_GRPC_TLS_CA_FILE": str(tmp_path / "internal-ca.pem"),
            "CSMS_GRPC_TLS_CERT_FILE": str(tmp_path / "internal" / f"{spec.service}.pem"),
            "CSMS_GRPC_TLS_KEY_FILE": str(tmp_path / "internal" / f"{spec.service}.key"),
            "CSMS_GRPC_TLS_SERVER_NAME": "localhost",
        }
    tls = config.grpc_tls("edge")
    assert tls.cert_file.exists() and tls.server_name == "localhost"


def test_the_security_service_signs_with_the_station_ca_of_the_development_pki(tmp_path: Path) -> None:
    config = replace(CONFIG, pki_dir=tmp_path / "pki")
    security = next(spec for spec in process_specs(config) if spec.service == "security")
    assert security.env["CSMS_SECURITY_STATION_CA_CERT_FILE"] == str(tmp_path / "pki" / "station-ca.pem")
    assert security.env["CSMS_SECURITY_STATION_CA_KEY_FILE"] == str(tmp_path / "pki" / "station-ca.key")
    assert not (tmp_path / "pki").exists()  # created by Stack.start, not by describing the processes


def test_edge_nodes_serve_wss_with_the_development_pki(tmp_path: Path) -> None:
    config = replace(CONFIG, edge_tls_ports=(8443,), pki_dir=tmp_path / "pki")
    (edge,) = (spec for spec in process_specs(config) if spec.service == "edge")
    edge_tls = {name: value for name, value in edge.env.items() if not name.startswith("CSMS_GRPC_TLS_")}
    assert {name: value for name, value in edge_tls.items() if "TLS" in name or "STATION_CA" in name} == {
        "CSMS_EDGE_TLS_PORT": "8443",
        "CSMS_EDGE_TLS_CERT_FILE": str(tmp_path / "pki" / "server-chain.pem"),
        "CSMS_EDGE_TLS_KEY_FILE": str(tmp_path / "pki" / "server.key"),
        "CSMS_EDGE_STATION_CA_FILE": str(tmp_path / "pki" / "station-ca.pem"),
    }
    assert config.edge_tls_url(0) == "wss://127.0.0.1:8443/ocpp"
    assert not (tmp_path / "pki").exists()  # describing the stack creates nothing


def test_without_tls_ports_no_wss() -> None:
    (edge,) = (spec for spec in process_specs(CONFIG) if spec.service == "edge")
    assert "CSMS_EDGE_TLS_PORT" not in edge.env


def test_each_firmware_instance_serves_artifacts_on_its_port_from_the_directory_the_api_shares() -> None:
    config = replace(
        CONFIG, firmware_ports=(7041, 7042), firmware_http_ports=(7091,), api_ports=(7080,), artifacts_dir=Path("/a")
    )
    specs = {spec.name: spec for spec in process_specs(config)}
    assert specs["firmware-1"].env["CSMS_FIRMWARE_HTTP_LISTEN"] == "127.0.0.1:7091"
    assert specs["firmware-2"].env["CSMS_FIRMWARE_HTTP_LISTEN"] == "127.0.0.1:0"
    assert {specs[name].env["CSMS_FIRMWARE_STORE_DIR"] for name in ("firmware-1", "firmware-2", "api-1")} == {"/a"}
    assert specs["api-1"].env["CSMS_FIRMWARE_PUBLIC_URL"] == "http://127.0.0.1:7091"
