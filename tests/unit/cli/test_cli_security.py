"""`csms security-events` and `csms certificates list|issue` against a fake client and a temporary station CA:
arguments, output, files and exit codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from csms.security.v1 import security_pb2
from csms_cli import exit_codes
from csms_cli.client import Addresses
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.pki import certificates as pki
from csms_kernel.pki.dev import ensure_dev_pki

AT = timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC))
EVENT = security_pb2.SecurityEvent(
    event_id="e-1",
    station_id="CS-1",
    source=security_pb2.SECURITY_EVENT_SOURCE_STATION,
    type="TamperDetectionActivated",
    critical=True,
    tech_info="lid\nopen",
    recorded_at=AT,
)
CERTIFICATE = security_pb2.IssuedCertificate(
    station_id="CS-1",
    serial_number="ab12",
    certificate_type="ChargingStationCertificate",
    not_after=AT,
    issued_at=AT,
    fingerprint_sha256="0123456789abcdef" * 4,
)


@dataclass
class FakeClient:
    events: list[security_pb2.SecurityEvent] = field(default_factory=lambda: [EVENT])
    calls: list[tuple[object, ...]] = field(default_factory=list)
    addresses: Addresses | None = None

    def __call__(self, addresses: Addresses) -> FakeClient:
        self.addresses = addresses
        return self

    def list_security_events(self, station_id: str, limit: int) -> tuple[list[security_pb2.SecurityEvent], bool]:
        self.calls.append(("list_security_events", station_id, limit))
        return self.events[:limit], len(self.events) > limit

    def list_issued_certificates(self, station_id: str) -> list[security_pb2.IssuedCertificate]:
        self.calls.append(("list_issued_certificates", station_id))
        return [CERTIFICATE]

    def close(self) -> None:
        return None


def cli(client: FakeClient, *argv: str) -> int:
    factory: Any = client
    return run(list(argv), client_factory=factory)


def test_security_events_as_a_table_with_station_text_escaped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSMS_SECURITY_ADDRESS", "sec.test:50054")
    client = FakeClient()
    assert cli(client, "security-events", "--station", "CS-1") == exit_codes.OK
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "RECORDED              STATION  SOURCE   TYPE                      CRITICAL  INFO",
        "2026-11-21T10:00:00Z  CS-1     station  TamperDetectionActivated  yes       lid\\nopen",
    ]
    assert client.calls == [("list_security_events", "CS-1", 100)]
    assert client.addresses is not None and client.addresses.security == "sec.test:50054"


def test_security_events_as_json_and_more_than_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(events=[EVENT, EVENT])
    assert cli(client, "security-events", "--limit", "1", "--json") == exit_codes.OK
    captured = capsys.readouterr()
    assert [e["event_id"] for e in json.loads(captured.out)] == ["e-1"]
    assert "more than 1" in captured.err
    assert cli(client, "security-events", "--limit", "0") == exit_codes.INVALID


def test_certificates_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(FakeClient(), "certificates", "list", "CS-1") == exit_codes.OK
    assert capsys.readouterr().out.splitlines() == [
        "ISSUED                SERIAL  TYPE                        NOT AFTER             SHA-256",
        "2026-11-21T10:00:00Z  ab12    ChargingStationCertificate  2026-11-21T10:00:00Z  0123456789abcdef...",
    ]


def test_certificates_issue_writes_an_owner_only_key_and_a_chain_to_the_station_ca(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = ensure_dev_pki(tmp_path / "pki").station_ca
    out = tmp_path / "out"
    code = cli(
        FakeClient(),
        "certificates",
        "issue",
        "CS-7",
        "--out",
        str(out),
        "--ca-cert",
        str(ca.certificate),
        "--ca-key",
        str(ca.key),
        "--days",
        "30",
    )
    assert code == exit_codes.OK
    printed = capsys.readouterr().out
    key_path, chain_path = out / "CS-7.key", out / "CS-7.pem"
    assert str(key_path) in printed and str(chain_path) in printed
    assert "PRIVATE KEY" not in printed
    assert key_path.stat().st_mode & 0o777 == 0o600
    leaf, issuer = x509.load_pem_x509_certificates(chain_path.read_bytes())
    assert pki.common_name(leaf) == "CS-7"
    assert issuer == pki.load_certificates(ca.certificate)[0]
    leaf.verify_directly_issued_by(issuer)
    assert leaf.public_key() == pki.load_key(key_path).public_key()


def test_certificates_issue_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = ensure_dev_pki(tmp_path / "pki").station_ca
    monkeypatch.setenv("CSMS_SECURITY_STATION_CA_CERT_FILE", str(ca.certificate))
    monkeypatch.setenv("CSMS_SECURITY_STATION_CA_KEY_PEM", ca.key.read_text())
    assert cli(FakeClient(), "certificates", "issue", "CS-8", "--out", str(tmp_path / "o")) == exit_codes.OK
    assert (tmp_path / "o" / "CS-8.pem").exists()


def test_certificates_issue_refuses_a_bad_station_id_and_a_missing_ca(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli(FakeClient(), "certificates", "issue", "a/b", "--out", str(tmp_path)) == exit_codes.INVALID
    assert cli(FakeClient(), "certificates", "issue", "CS-1", "--out", str(tmp_path / "x")) == exit_codes.FAILED
    assert "station CA" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
