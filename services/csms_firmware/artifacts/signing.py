"""Signed download URLs and one-time upload tokens (pure; the one-time use is recorded by `UploadClaims`).

Both are HMAC-SHA256 under keys derived from one secret (`CSMS_FIRMWARE_URL_SECRET`), one key per purpose, and
are checked in constant time (`hmac.compare_digest`):
- a download URL names the object key, its expiry (Unix seconds) and optionally the station it was issued to;
  changing any of them breaks the signature;
- an upload token carries the upload id, the station, the size limit and the expiry in the token itself
  (base64url JSON, then `.`, then the signature), so any instance can check it without a lookup; that it is used
  once is the ledger's business.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from csms_firmware.artifacts.store import ArtifactError


class BadSignature(ArtifactError):
    """A URL or token that was not issued by us, or was altered (answer 403)."""


class Expired(ArtifactError):
    """A URL or token past its expiry (answer 410)."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise BadSignature("malformed signature or token") from None


@dataclass(frozen=True)
class DownloadGrant:
    key: str
    expires: int
    station_id: str


@dataclass(frozen=True)
class UploadGrant:
    upload_id: str
    station_id: str
    max_bytes: int
    expires: int


class Signer:
    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("the URL signing secret must not be empty")
        self._download_key = hmac.new(secret, b"csms-firmware/download-url/v1", hashlib.sha256).digest()
        self._upload_key = hmac.new(secret, b"csms-firmware/upload-token/v1", hashlib.sha256).digest()

    def _download_mac(self, key: str, expires: int, station_id: str) -> str:
        message = f"{key}\n{expires}\n{station_id}".encode()
        return _b64(hmac.new(self._download_key, message, hashlib.sha256).digest())

    def download_query(self, key: str, expires_at: datetime, station_id: str = "") -> str:
        """The query string (without `?`) that makes `/artifacts/<key>` downloadable until `expires_at`."""
        expires = int(expires_at.timestamp())
        query = f"expires={expires}"
        if station_id:
            query += f"&station={quote(station_id, safe='')}"
        return f"{query}&signature={self._download_mac(key, expires, station_id)}"

    def check_download(
        self, key: str, expires: str | None, station_id: str | None, signature: str | None, now: datetime
    ) -> DownloadGrant:
        """The grant of a download URL; `BadSignature` or `Expired`."""
        if not expires or not signature or not expires.isdigit():
            raise BadSignature("the URL is not signed")
        stamp = int(expires)
        expected = self._download_mac(key, stamp, station_id or "")
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise BadSignature("the URL signature does not match")
        if now.timestamp() >= stamp:
            raise Expired("the URL has expired")
        return DownloadGrant(key, stamp, station_id or "")

    def upload_token(self, grant: UploadGrant) -> str:
        body = _b64(
            json.dumps(
                {"u": grant.upload_id, "s": grant.station_id, "m": grant.max_bytes, "e": grant.expires},
                separators=(",", ":"),
            ).encode()
        )
        return f"{body}.{_b64(hmac.new(self._upload_key, body.encode(), hashlib.sha256).digest())}"

    def check_upload(self, token: str, now: datetime) -> UploadGrant:
        """The grant of an upload token; `BadSignature` or `Expired` (the one-time use is checked elsewhere)."""
        body, dot, signature = token.partition(".")
        if not dot or not body or not signature:
            raise BadSignature("malformed upload token")
        expected = _b64(hmac.new(self._upload_key, body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise BadSignature("the upload token signature does not match")
        try:
            fields = json.loads(_unb64(body))
            grant = UploadGrant(str(fields["u"]), str(fields["s"]), int(fields["m"]), int(fields["e"]))
        except (ValueError, KeyError, TypeError):
            raise BadSignature("malformed upload token") from None
        if now.timestamp() >= grant.expires:
            raise Expired("the upload token has expired")
        return grant
