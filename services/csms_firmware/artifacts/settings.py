"""`ArtifactSettings`: where artifacts are stored, how stations reach them, the URL signing secret and the limits.

Read from `CSMS_FIRMWARE_*` by every process that touches artifacts: the firmware service, the operator API and
the CLI (each builds `ArtifactSettings()` beside its own settings), so one environment configures all of them.
Reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_URL_SECRET = "development-artifact-url-secret"


class ArtifactSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CSMS_FIRMWARE_", extra="ignore", populate_by_name=True)

    http_listen: str = Field(
        default="127.0.0.1:8090",
        description="Where the station-facing artifact HTTP(S) server listens (host:port; port 0 picks a free "
        "one): firmware downloads and diagnostics/log uploads.",
    )
    public_url: str = Field(
        default="",
        description="The base URL stations use to reach that server (e.g. `https://fw.example.com`); empty: "
        "derived from `http_listen` (development).",
    )
    http_tls_cert_file: Path | None = Field(
        default=None,
        description="Server certificate chain (PEM) of the artifact server; set with its key: HTTPS (e.g. the "
        "edge's server certificate files).",
    )
    http_tls_key_file: Path | None = Field(default=None, description="The key (PEM) of that certificate.")
    store: Literal["local", "s3"] = Field(
        default="local", description="Where artifacts are kept: `local` (a directory) or `s3` (an S3 bucket)."
    )
    store_dir: Path = Field(
        default=Path(".infra/artifacts"),
        description="The directory of the `local` store (every process using it must see the same directory).",
    )
    s3_endpoint_url: str = Field(
        default="", description="S3 endpoint URL (empty: AWS's own for the region); e.g. a MinIO or other server."
    )
    s3_bucket: str = Field(default="csms-artifacts", description="The S3 bucket of the `s3` store.")
    s3_prefix: str = Field(default="", description="Prefix of every object name in the bucket.")
    s3_region: str = Field(default="us-east-1", description="S3 region.")
    s3_access_key_id: str = Field(default="", description="S3 access key id (empty: the AWS default chain).")
    s3_secret_access_key: SecretStr = Field(default=SecretStr(""), description="S3 secret access key; never logged.")
    s3_create_bucket: bool = Field(
        default=False, description="Create the bucket at start if it is missing (development and tests)."
    )
    url_secret: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_URL_SECRET),
        description="HMAC secret of download URLs and upload tokens; the same on every instance and the API. "
        "Production must set its own.",
    )
    download_url_ttl_s: int = Field(default=86400, gt=0, description="How long a signed download URL is valid (s).")
    upload_url_ttl_s: int = Field(default=86400, gt=0, description="How long an upload URL is valid (s).")
    upload_max_bytes: int = Field(
        default=64 * 1024 * 1024, gt=0, description="Default size limit of a station's upload (bytes)."
    )
    image_max_bytes: int = Field(
        default=2 * 1024 * 1024 * 1024, gt=0, description="Size limit of a firmware image an operator uploads."
    )
    upload_hold_s: int = Field(
        default=900,
        gt=0,
        description="How long an upload in progress holds its one-time token; a process that dies mid-upload "
        "frees it after this (s).",
    )

    def development_secrets(self) -> list[str]:
        """What production refuses here (csms_kernel.infra.production): the development URL secret; cooperative,
        so a settings class deriving from this and `CommonSettings` (`class FirmwareSettings(ArtifactSettings,
        CommonSettings)`) reports both."""
        inherited = getattr(super(), "development_secrets", None)
        reasons: list[str] = list(inherited()) if inherited is not None else []
        if self.url_secret.get_secret_value() in ("", DEVELOPMENT_URL_SECRET):
            reasons.append("CSMS_FIRMWARE_URL_SECRET is empty or the development default: set a secret of your own")
        return reasons

    def listen_address(self) -> tuple[str, int]:
        host, _, port = self.http_listen.rpartition(":")
        return host.strip("[]") or "0.0.0.0", int(port)

    def base_url(self, bound_port: int | None = None) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host, port = self.listen_address()
        scheme = "https" if self.http_tls_cert_file else "http"
        return f"{scheme}://{host}:{bound_port or port}"
