"""`publish-firmware` / `unpublish-firmware`: 2.x local controllers only; the checksum is an MD5."""

from __future__ import annotations

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
MD5 = "0123456789ABCDEF0123456789abcdef"


@pytest.mark.parametrize("version", [V201, V21])
def test_publish_and_unpublish(version: OcppVersion) -> None:
    publish = translate("publish-firmware", version, {"location": "https://fw/x.bin", "checksum": MD5, "request_id": 5})
    assert [c.as_json() for c in publish.calls] == [
        {
            "action": "PublishFirmware",
            "payload": {"location": "https://fw/x.bin", "checksum": MD5.lower(), "requestId": 5},
        }
    ]
    assert publish.read([{"status": "Accepted"}]) == {"status": "accepted"}
    unpublish = translate("unpublish-firmware", version, {"checksum": MD5})
    assert [c.as_json() for c in unpublish.calls] == [
        {"action": "UnpublishFirmware", "payload": {"checksum": MD5.lower()}}
    ]
    assert unpublish.read([{"status": "DownloadOngoing"}]) == {"status": "download_ongoing"}
    assert takes_request_id("publish-firmware")


def test_not_on_1_6() -> None:
    with pytest.raises(NotExpressible, match="no local controllers"):
        translate("publish-firmware", V16, {"location": "https://fw/x.bin", "checksum": MD5})
    with pytest.raises(NotExpressible, match="no local controllers"):
        translate("unpublish-firmware", V16, {"checksum": MD5})


def test_the_checksum_must_be_md5() -> None:
    with pytest.raises(InvalidParams, match=r"params\.checksum: must be an MD5"):
        translate("unpublish-firmware", V201, {"checksum": "abc"})
