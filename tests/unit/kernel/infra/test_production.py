"""Production mode refuses development secrets: gRPC without TLS, certificates of the development PKI (by file or
held in a setting), an empty password pepper or cursor secret, unknown stations accepted; development warns
nothing and refuses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from csms_api.settings import ApiSettings
from csms_authorization.settings import AuthorizationSettings
from csms_cli.main import run
from csms_device_model.settings import DeviceModelSettings
from csms_edge.settings import EdgeSettings
from csms_kernel.infra import lifecycle
from csms_kernel.infra.production import DevelopmentSecrets, refusals, refuse_development_secrets
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import ensure_dev_pki
from csms_security.settings import SecuritySettings
from kit.fakes.cli_client import FakeClient

PEPPER = "a-pepper-of-the-operator"
NO_TLS = "gRPC without TLS: set CSMS_GRPC_TLS_CA_FILE, CSMS_GRPC_TLS_CERT_FILE and CSMS_GRPC_TLS_KEY_FILE"


@pytest.fixture(scope="module")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_dev_pki(tmp_path_factory.mktemp("dev-pki")).directory


@pytest.fixture(scope="module")
def operator_pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An internal CA and an `authorization` certificate of an operator (not the development organization)."""
    directory = tmp_path_factory.mktemp("operator-pki")
    ca_key, key = x.new_key(), x.new_key()
    ca = x.self_signed_ca(x.name("Operator Internal CA", "Operator"), ca_key, days=30)
    certificate = x.issue(ca, ca_key, x.name("authorization", "Operator"), key.public_key(), days=30, server=True)
    files = {
        "ca": directory / "ca.pem",
        "cert": directory / "authorization.pem",
        "key": directory / "authorization.key",
    }
    x.write_certificate(files["ca"], ca)
    x.write_certificate(files["cert"], certificate)
    x.write_key(files["key"], key)
    return files


def production(monkeypatch: pytest.MonkeyPatch, ca: Path, cert: Path, key: Path) -> None:
    monkeypatch.setenv("CSMS_ENVIRONMENT", "production")
    monkeypatch.setenv("CSMS_GRPC_TLS_CA_FILE", str(ca))
    monkeypatch.setenv("CSMS_GRPC_TLS_CERT_FILE", str(cert))
    monkeypatch.setenv("CSMS_GRPC_TLS_KEY_FILE", str(key))


def test_development_refuses_nothing() -> None:
    settings = AuthorizationSettings()
    assert settings.environment == "development"
    refuse_development_secrets(settings)  # no TLS, empty pepper: allowed in development
    assert NO_TLS in refusals(settings)


def test_production_with_the_operators_pki_and_secrets_starts(
    monkeypatch: pytest.MonkeyPatch, operator_pki: dict[str, Path]
) -> None:
    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    monkeypatch.setenv("CSMS_AUTHORIZATION_PASSWORD_PEPPER", PEPPER)
    settings = AuthorizationSettings()
    assert refusals(settings) == []
    refuse_development_secrets(settings)


def test_production_refuses_grpc_without_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_ENVIRONMENT", "production")
    with pytest.raises(DevelopmentSecrets) as refused:
        refuse_development_secrets(DeviceModelSettings())
    assert refused.value.reasons == [NO_TLS]
    assert refused.value.code == (
        f"refusing to start in production (CSMS_ENVIRONMENT=production) with development secrets:\n  - {NO_TLS}"
    )


def test_production_refuses_the_development_pki(monkeypatch: pytest.MonkeyPatch, dev_pki: Path) -> None:
    production(
        monkeypatch,
        dev_pki / "internal-ca.pem",
        dev_pki / "internal/device-model.pem",
        dev_pki / "internal/device-model.key",
    )
    with pytest.raises(DevelopmentSecrets) as refused:
        refuse_development_secrets(DeviceModelSettings())
    assert refused.value.reasons == [
        "grpc_tls_ca_file: certificate 'O=CSMS Development,CN=CSMS Development Internal CA': subject of the "
        "development PKI",
        "grpc_tls_cert_file: certificate 'O=CSMS Development,CN=device-model': subject of the development PKI",
    ]


def test_production_refuses_a_certificate_issued_by_the_development_pki(
    monkeypatch: pytest.MonkeyPatch, dev_pki: Path, operator_pki: dict[str, Path], tmp_path: Path
) -> None:
    ca = x.load_certificates(dev_pki / "internal-ca.pem")[0]
    key = x.new_key()
    certificate = x.issue(
        ca, x.load_key(dev_pki / "internal-ca.key"), x.name("transactions", "Operator"), key.public_key(), days=1
    )
    x.write_certificate(tmp_path / "transactions.pem", certificate)
    production(monkeypatch, operator_pki["ca"], tmp_path / "transactions.pem", operator_pki["key"])
    assert refusals(DeviceModelSettings()) == [
        "grpc_tls_cert_file: certificate 'O=Operator,CN=transactions': issuer of the development PKI"
    ]


def test_production_refuses_a_development_certificate_held_in_a_setting(
    monkeypatch: pytest.MonkeyPatch, dev_pki: Path, operator_pki: dict[str, Path]
) -> None:
    class WithPem(CommonSettings):
        station_ca_pem: SecretStr = SecretStr((dev_pki / "station-ca.pem").read_text())

    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    assert refusals(WithPem()) == [
        "station_ca_pem: certificate 'O=CSMS Development,CN=CSMS Development Station CA': subject of the "
        "development PKI"
    ]


def test_production_refuses_an_unreadable_certificate_file(
    monkeypatch: pytest.MonkeyPatch, operator_pki: dict[str, Path], tmp_path: Path
) -> None:
    production(monkeypatch, tmp_path / "missing.pem", operator_pki["cert"], operator_pki["key"])
    assert refusals(DeviceModelSettings()) == [
        f"grpc_tls_ca_file: cannot read {tmp_path / 'missing.pem'}: No such file or directory"
    ]


def test_production_refuses_an_empty_password_pepper(
    monkeypatch: pytest.MonkeyPatch, operator_pki: dict[str, Path]
) -> None:
    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    assert refusals(AuthorizationSettings()) == ["CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty"]


def test_production_refuses_the_default_cursor_secret(
    monkeypatch: pytest.MonkeyPatch, operator_pki: dict[str, Path]
) -> None:
    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    assert refusals(ApiSettings()) == ["CSMS_API_CURSOR_SECRET is empty"]
    monkeypatch.setenv("CSMS_API_CURSOR_SECRET", "a-cursor-secret-of-the-operator")
    assert refusals(ApiSettings()) == []


def test_production_refuses_unknown_stations(monkeypatch: pytest.MonkeyPatch, operator_pki: dict[str, Path]) -> None:
    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    assert refusals(EdgeSettings()) == []
    monkeypatch.setenv("CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS", "true")
    assert refusals(EdgeSettings()) == ["CSMS_EDGE_ACCEPT_UNKNOWN_STATIONS is true"]


def test_a_process_in_production_exits_before_it_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_ENVIRONMENT", "production")

    def build(settings: AuthorizationSettings) -> lifecycle.Service:
        raise AssertionError("built despite development secrets")

    with pytest.raises(SystemExit) as exited:
        lifecycle.main("authorization", AuthorizationSettings(), build, instance_id="authorization-1")
    assert "CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty" in str(exited.value.code)


def test_the_cli_in_production_refuses_plaintext_grpc(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CSMS_ENVIRONMENT", "production")
    client = FakeClient()
    assert run(["stations", "list"], client_factory=client) == 1
    assert client.addresses is None
    assert NO_TLS in capsys.readouterr().err


def test_production_refuses_the_development_pki_in_the_other_parts_certificate_settings(
    monkeypatch: pytest.MonkeyPatch, dev_pki: Path, operator_pki: dict[str, Path]
) -> None:
    production(monkeypatch, operator_pki["ca"], operator_pki["cert"], operator_pki["key"])
    monkeypatch.setenv("CSMS_EDGE_TLS_CERT_FILE", str(dev_pki / "server-chain.pem"))
    monkeypatch.setenv("CSMS_EDGE_TLS_KEY_FILE", str(dev_pki / "server.key"))
    monkeypatch.setenv("CSMS_EDGE_STATION_CA_FILE", str(dev_pki / "station-ca.pem"))
    assert refusals(EdgeSettings()) == [
        "tls_cert_file: certificate 'O=CSMS Development,CN=localhost': subject of the development PKI",
        "tls_cert_file: certificate 'O=CSMS Development,CN=CSMS Development Root CA': subject of the development PKI",
        "station_ca_file: certificate 'O=CSMS Development,CN=CSMS Development Station CA': subject of the "
        "development PKI",
    ]
    monkeypatch.setenv("CSMS_SECURITY_STATION_CA_CERT_FILE", str(dev_pki / "station-ca.pem"))
    monkeypatch.setenv("CSMS_SECURITY_STATION_CA_KEY_FILE", str(dev_pki / "station-ca.key"))
    assert refusals(SecuritySettings()) == [
        "station_ca_cert_file: certificate 'O=CSMS Development,CN=CSMS Development Station CA': subject of the "
        "development PKI"
    ]
