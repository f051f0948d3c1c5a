"""`build_artifacts` and `ArtifactSettings`: which store and resources the settings give, the URLs stations see,
and what production refuses. No I/O (nothing is started)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from csms_api.settings import ApiSettings
from csms_firmware.artifacts.bootstrap import build_artifacts
from csms_firmware.artifacts.http import ArtifactHttpServer
from csms_firmware.artifacts.local import LocalDirectoryStore
from csms_firmware.artifacts.s3 import S3Store
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_kernel.infra.cassandra import CassandraSession

UNUSED = CassandraSession(["127.0.0.1"], 9042, "datacenter1", None)


def test_the_local_store_and_the_server_by_default(tmp_path: Path) -> None:
    built = build_artifacts(ArtifactSettings(store_dir=tmp_path), UNUSED)
    assert isinstance(built.artifacts.store, LocalDirectoryStore)
    assert built.artifacts.store.root == tmp_path
    assert isinstance(built.server, ArtifactHttpServer)
    assert built.resources == [built.server]
    assert built.artifacts.base_url == "http://127.0.0.1:8090"


def test_the_s3_store_without_a_server() -> None:
    settings = ArtifactSettings(store="s3", s3_bucket="fw", public_url="https://fw.example.com/")
    built = build_artifacts(settings, UNUSED, serve_http=False)
    assert isinstance(built.artifacts.store, S3Store)
    assert built.artifacts.store.bucket == "fw"
    assert built.server is None and len(built.resources) == 1
    assert built.artifacts.base_url == "https://fw.example.com"


def test_urls_and_listen_addresses() -> None:
    assert ArtifactSettings(http_listen="0.0.0.0:0").listen_address() == ("0.0.0.0", 0)
    assert ArtifactSettings(http_listen="[::1]:8443").listen_address() == ("::1", 8443)
    tls = ArtifactSettings(http_listen="127.0.0.1:0", http_tls_cert_file=Path("c.pem"))
    assert tls.base_url(bound_port=4443) == "https://127.0.0.1:4443"


def test_production_refuses_the_development_secret() -> None:
    assert ArtifactSettings().development_secrets() != []
    assert ArtifactSettings(url_secret=SecretStr("")).development_secrets() != []
    assert ArtifactSettings(url_secret=SecretStr("a real one")).development_secrets() == []


def test_a_service_settings_class_reports_both_kinds_of_secret() -> None:
    class Combined(ArtifactSettings, ApiSettings):
        model_config = SettingsConfigDict(env_prefix="CSMS_FIRMWARE_", extra="ignore", populate_by_name=True)

    reasons = Combined(cursor_secret=SecretStr("")).development_secrets()
    assert any("CSMS_FIRMWARE_URL_SECRET" in reason for reason in reasons)
    assert len(reasons) == 1 + len(ApiSettings(cursor_secret=SecretStr("")).development_secrets())
