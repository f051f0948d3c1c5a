"""Signed download URLs and upload tokens: what a signature binds, expiry, and tampering."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from csms_firmware.artifacts.signing import BadSignature, Expired, Signer, UploadGrant

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
KEY = "images/abc/fw.bin"


def query(signer: Signer, key: str = KEY, station: str = "") -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(signer.download_query(key, NOW + timedelta(hours=1), station)).items()}


def test_a_download_url_is_valid_until_it_expires() -> None:
    signer = Signer(b"secret")
    q = query(signer, station="CS-1")
    assert q["station"] == "CS-1"
    grant = signer.check_download(KEY, q["expires"], "CS-1", q["signature"], NOW)
    assert (grant.key, grant.station_id, grant.expires) == (KEY, "CS-1", int((NOW + timedelta(hours=1)).timestamp()))
    with pytest.raises(Expired):
        signer.check_download(KEY, q["expires"], "CS-1", q["signature"], NOW + timedelta(hours=1))


@pytest.mark.parametrize(
    ("key", "expires_delta", "station", "signature_suffix"),
    [
        ("images/other/fw.bin", 0, "CS-1", ""),  # another artifact
        (KEY, 3600, "CS-1", ""),  # a later expiry
        (KEY, 0, "CS-2", ""),  # another station
        (KEY, 0, "", ""),  # the station dropped
        (KEY, 0, "CS-1", "x"),  # a tampered signature
    ],
)
def test_a_download_url_binds_its_artifact_expiry_and_station(
    key: str, expires_delta: int, station: str, signature_suffix: str
) -> None:
    signer = Signer(b"secret")
    q = query(signer, station="CS-1")
    expires = str(int(q["expires"]) + expires_delta)
    with pytest.raises(BadSignature):
        signer.check_download(key, expires, station, q["signature"] + signature_suffix, NOW)


def test_another_secret_or_an_unsigned_url_is_refused() -> None:
    q = query(Signer(b"secret"))
    with pytest.raises(BadSignature):
        Signer(b"other").check_download(KEY, q["expires"], None, q["signature"], NOW)
    for expires, signature in ((None, q["signature"]), (q["expires"], None), ("soon", q["signature"])):
        with pytest.raises(BadSignature):
            Signer(b"secret").check_download(KEY, expires, None, signature, NOW)


def test_an_upload_token_carries_its_grant_and_expires() -> None:
    signer = Signer(b"secret")
    grant = UploadGrant("u-1", "CS-1", 1000, int((NOW + timedelta(minutes=5)).timestamp()))
    token = signer.upload_token(grant)
    assert signer.check_upload(token, NOW) == grant
    with pytest.raises(Expired):
        signer.check_upload(token, NOW + timedelta(minutes=5))


@pytest.mark.parametrize("mangle", [lambda t: "x" + t, lambda t: t[:-2], lambda t: t.replace(".", ""), lambda t: ""])
def test_an_altered_upload_token_is_refused(mangle: object) -> None:
    signer = Signer(b"secret")
    token = signer.upload_token(UploadGrant("u-1", "CS-1", 1000, int(NOW.timestamp()) + 60))
    with pytest.raises(BadSignature):
        signer.check_upload(mangle(token), NOW)  # type: ignore[operator]


def test_a_download_signature_is_no_upload_token() -> None:
    signer = Signer(b"secret")
    q = query(signer)
    with pytest.raises(BadSignature):
        signer.check_upload(f"{q['expires']}.{q['signature']}", NOW)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        Signer(b"")
