"""The simulator's firmware updates and log uploads (issue 13, item 4): the status sequence of each version
(1.6 UpdateFirmware, 1.6 SignedUpdateFirmware, 2.0.1/2.1 UpdateFirmware), the real download (through httpx's
in-memory transport: no sockets) with resume by Range after an interrupted transfer, size and SHA-256 checks,
retries and their interval, retrieve and install times, the reboot with the image's version, GetLog/GetDiagnostics
uploads, the seeded failure injection at each step, and the CLI flags. Every CALL and answer is checked against
the official schemas."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour, Mix
from loadtest.simulator.cli import parse_args
from loadtest.simulator.firmware import (
    FailureStep,
    FirmwareAgent,
    FirmwareFaults,
    Timing,
    image,
    version_of,
)
from loadtest.simulator.messages import boot_notification
from loadtest.simulator.station import Station
from loadtest.simulator.stats import PhaseStats

AT = "2026-12-06T12:00:00.000Z"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
URL = "http://files.test/artifacts/images/1/fw.bin?expires=1&signature=x"
IMAGE = image("2.0.0", 200_000)
SHA = hashlib.sha256(IMAGE).hexdigest()
V2 = (OcppVersion.V201, OcppVersion.V21)
ALL = (OcppVersion.V16, *V2)
Handler = Callable[[httpx.Request], httpx.Response]


class FakeStation:
    """The `Operations` of a job: records CALLs (validated) and reboots."""

    def __init__(self, version: OcppVersion) -> None:
        self.version = version
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.reboots: list[str] = []

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        validate(self.version, action, MessageKind.REQUEST, payload)
        self.calls.append((action, payload))
        return {}

    async def reboot(self, reason: str) -> None:
        self.reboots.append(reason)

    @property
    def statuses(self) -> list[str]:
        return [payload["status"] for _, payload in self.calls]


class Server:
    """An in-memory HTTP server of one image (Range, If-Range) that records requests and can misbehave."""

    def __init__(self, body: bytes = IMAGE) -> None:
        self.body = body
        self.requests: list[httpx.Request] = []
        self.cut_after: int | None = None  # the next 200 response breaks off after this many bytes
        self.failures = 0  # answer the next ones 503
        self.uploads: list[tuple[str, bytes, str]] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method in ("PUT", "POST"):
            self.uploads.append((request.method, request.read(), request.headers.get("content-type", "")))
            return httpx.Response(201)
        if self.failures:
            self.failures -= 1
            return httpx.Response(503)
        headers = {"ETag": '"e1"', "Accept-Ranges": "bytes"}
        wanted = request.headers.get("Range")
        if wanted and request.headers.get("If-Range") == '"e1"':
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            rest = self.body[start:]
            headers |= {"Content-Range": f"bytes {start}-{len(self.body) - 1}/{len(self.body)}"}
            return httpx.Response(206, headers=headers | {"Content-Length": str(len(rest))}, content=rest)
        headers["Content-Length"] = str(len(self.body))
        if self.cut_after is not None:
            cut, self.cut_after = self.cut_after, None
            return httpx.Response(200, headers=headers, stream=_broken(self.body[:cut]))
        return httpx.Response(200, headers=headers, content=self.body)


class _broken(httpx.AsyncByteStream):
    def __init__(self, part: bytes) -> None:
        self.part = part

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.part
        raise httpx.ReadError("connection reset")


def agent(
    version: OcppVersion,
    server: Server,
    *,
    fails_at: FailureStep | None = None,
    sleeps: list[float] | None = None,
    verify: bool = False,
) -> FirmwareAgent:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    return FirmwareAgent(
        "SIM-1",
        version,
        "1.0.0",
        fails_at=fails_at,
        verify_signatures=verify,
        timing=Timing(0, 0),
        clients=lambda: httpx.AsyncClient(transport=httpx.MockTransport(server.handle)),
        sleep=sleep,
        now=lambda: NOW,
    )


def update_request(version: OcppVersion, signed: bool = False, **firmware: Any) -> tuple[str, dict[str, Any]]:
    if version is OcppVersion.V16 and not signed:
        return "UpdateFirmware", {"location": firmware.pop("location", URL), "retrieveDate": AT} | firmware
    body = {"location": URL, "retrieveDateTime": AT} | firmware
    extra = {key: body.pop(key) for key in ("retries", "retryInterval") if key in body}
    if signed or version is not OcppVersion.V16:
        body |= {"signingCertificate": "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----", "signature": "c2ln"}
    action = "SignedUpdateFirmware" if version is OcppVersion.V16 else "UpdateFirmware"
    return action, {"requestId": 7, "firmware": body} | extra


async def run(
    version: OcppVersion, fw: FirmwareAgent, action: str, payload: dict[str, Any]
) -> tuple[dict[str, Any], FakeStation]:
    validate(version, action, MessageKind.REQUEST, payload)
    answered = fw.answer(action, payload, AT)
    assert answered is not None
    result, start = answered
    validate(version, action, MessageKind.RESPONSE, result)
    station = FakeStation(version)
    start(station)
    await fw.wait()
    return result, station


HEALTHY = ["Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"]


@pytest.mark.parametrize(
    ("version", "signed", "action", "statuses"),
    [
        (
            OcppVersion.V16,
            False,
            "FirmwareStatusNotification",
            ["Downloading", "Downloaded", "Installing", "Installed"],
        ),
        (OcppVersion.V16, True, "SignedFirmwareStatusNotification", HEALTHY),
        (OcppVersion.V201, False, "FirmwareStatusNotification", HEALTHY),
        (OcppVersion.V21, False, "FirmwareStatusNotification", HEALTHY),
    ],
)
async def test_an_update_downloads_the_image_reports_each_status_then_reboots_into_its_version(
    version: OcppVersion, signed: bool, action: str, statuses: list[str]
) -> None:
    server = Server()
    fw = agent(version, server)
    result, station = await run(version, fw, *update_request(version, signed))
    assert result == (
        {} if action == "FirmwareStatusNotification" and version is OcppVersion.V16 else {"status": "Accepted"}
    )
    assert station.statuses == statuses
    assert {name for name, _ in station.calls} == {action}
    has_request_id = signed or version is not OcppVersion.V16
    assert all(("requestId" in payload) is has_request_id for _, payload in station.calls)
    assert station.reboots == ["FirmwareUpdate"]
    assert fw.firmware_version == "2.0.0"
    assert [request.url.query for request in server.requests] == [b"expires=1&signature=x"]


@pytest.mark.parametrize("version", ALL)
def test_the_boot_after_the_reboot_names_the_new_version_and_on_2x_the_reason(version: OcppVersion) -> None:
    action, payload = boot_notification(version, "Sim", "2.0.0", "FirmwareUpdate")
    validate(version, action, MessageKind.REQUEST, payload)
    if version is OcppVersion.V16:
        assert payload["firmwareVersion"] == "2.0.0"
    else:
        assert payload["chargingStation"]["firmwareVersion"] == "2.0.0" and payload["reason"] == "FirmwareUpdate"


def test_an_image_without_the_simulator_header_installs_a_version_from_its_checksum() -> None:
    assert version_of(IMAGE[:100], SHA) == "2.0.0"
    assert version_of(b"\x7fELF...", SHA) == f"sim-{SHA[:12]}"


async def test_an_interrupted_download_resumes_with_a_range_request_on_the_next_attempt() -> None:
    server = Server()
    server.cut_after = 70_000
    sleeps: list[float] = []
    fw = agent(OcppVersion.V201, server, sleeps=sleeps)
    _, station = await run(OcppVersion.V201, fw, *update_request(OcppVersion.V201, retries=3, retryInterval=4))
    assert station.statuses == HEALTHY and fw.firmware_version == "2.0.0"
    assert [request.headers.get("Range") for request in server.requests] == [None, "bytes=70000-"]
    assert server.requests[1].headers["If-Range"] == '"e1"'
    assert sleeps == [4.0, 0]  # the retry interval, then the installation


async def test_a_resumed_part_that_is_not_the_one_asked_for_makes_the_next_attempt_start_over() -> None:
    server = Server()
    server.cut_after = 70_000
    original = server.handle

    def wrong_part(request: httpx.Request) -> httpx.Response:
        response = original(request)
        if response.status_code == 206:
            response.headers["Content-Range"] = f"bytes 0-{len(IMAGE) - 1}/{len(IMAGE)}"
        return response

    server.handle = wrong_part  # type: ignore[method-assign]
    fw = agent(OcppVersion.V201, server)
    _, station = await run(OcppVersion.V201, fw, *update_request(OcppVersion.V201, retries=2, retryInterval=0))
    assert station.statuses == HEALTHY and fw.firmware_version == "2.0.0"
    assert [request.headers.get("Range") for request in server.requests] == [None, "bytes=70000-", None]


async def test_retries_and_their_interval_are_honoured_then_the_download_fails() -> None:
    server = Server()
    server.failures = 2
    sleeps: list[float] = []
    fw = agent(OcppVersion.V16, server, sleeps=sleeps)
    _, station = await run(OcppVersion.V16, fw, *update_request(OcppVersion.V16, retries=2, retryInterval=30))
    assert station.statuses[:2] == ["Downloading", "Downloaded"] and sleeps[:2] == [30.0, 30.0]
    assert len(server.requests) == 3

    server = Server()
    server.failures = 2
    fw = agent(OcppVersion.V16, server)
    _, station = await run(OcppVersion.V16, fw, *update_request(OcppVersion.V16, retries=1, retryInterval=30))
    assert station.statuses == ["Downloading", "DownloadFailed"] and station.reboots == []
    assert len(server.requests) == 2 and fw.firmware_version == "1.0.0"


async def test_a_short_body_or_a_checksum_other_than_the_urls_fails_the_download() -> None:
    server = Server()
    server.cut_after = 1000
    fw = agent(OcppVersion.V21, server)
    _, station = await run(OcppVersion.V21, fw, *update_request(OcppVersion.V21, retries=0))
    assert station.statuses == ["Downloading", "DownloadFailed"]

    fw = agent(OcppVersion.V21, Server())
    _, station = await run(
        OcppVersion.V21, fw, *update_request(OcppVersion.V21, location=URL + "#sha256=" + "0" * 64, retries=0)
    )
    assert station.statuses == ["Downloading", "DownloadFailed"]

    server = Server()
    fw = agent(OcppVersion.V21, server)
    _, station = await run(OcppVersion.V21, fw, *update_request(OcppVersion.V21, location=f"{URL}#sha256={SHA}"))
    assert station.statuses == HEALTHY
    assert "#" not in str(server.requests[0].url)  # the fragment stays with the station


async def test_retrieve_and_install_times_in_the_future_are_waited_for_and_reported_as_scheduled() -> None:
    sleeps: list[float] = []
    fw = agent(OcppVersion.V201, Server(), sleeps=sleeps)
    later = (NOW + timedelta(seconds=90)).isoformat().replace("+00:00", "Z")
    much_later = (NOW + timedelta(seconds=600)).isoformat().replace("+00:00", "Z")
    action, payload = update_request(OcppVersion.V201, retrieveDateTime=later, installDateTime=much_later)
    _, station = await run(OcppVersion.V201, fw, action, payload)
    assert station.statuses == [
        "DownloadScheduled",
        "Downloading",
        "Downloaded",
        "SignatureVerified",
        "InstallScheduled",
        "Installing",
        "Installed",
    ]
    assert sleeps[:2] == [90.0, 600.0]

    sleeps = []
    fw = agent(OcppVersion.V16, Server(), sleeps=sleeps)
    _, station = await run(OcppVersion.V16, fw, "UpdateFirmware", {"location": URL, "retrieveDate": later})
    assert station.statuses == ["Downloading", "Downloaded", "Installing", "Installed"] and sleeps[0] == 90.0


@pytest.mark.parametrize(
    ("version", "signed", "step", "statuses", "downloads"),
    [
        (OcppVersion.V201, False, FailureStep.DOWNLOAD, ["Downloading", "DownloadFailed"], 0),
        (OcppVersion.V201, False, FailureStep.SIGNATURE, ["Downloading", "Downloaded", "InvalidSignature"], 1),
        (OcppVersion.V16, True, FailureStep.SIGNATURE, ["Downloading", "Downloaded", "InvalidSignature"], 1),
        (
            OcppVersion.V16,
            False,
            FailureStep.SIGNATURE,
            ["Downloading", "Downloaded", "Installing", "InstallationFailed"],
            1,
        ),
        (OcppVersion.V21, False, FailureStep.INSTALL, [*HEALTHY[:4], "InstallationFailed"], 1),
        (
            OcppVersion.V16,
            False,
            FailureStep.INSTALL,
            ["Downloading", "Downloaded", "Installing", "InstallationFailed"],
            1,
        ),
        (OcppVersion.V201, False, FailureStep.REBOOT, HEALTHY, 1),
        (OcppVersion.V16, True, FailureStep.SILENT, [], 0),
    ],
)
async def test_a_failing_station_fails_its_update_at_the_chosen_step_and_never_boots_the_new_version(
    version: OcppVersion, signed: bool, step: FailureStep, statuses: list[str], downloads: int
) -> None:
    server = Server()
    fw = agent(version, server, fails_at=step)
    _, station = await run(version, fw, *update_request(version, signed))
    assert station.statuses == statuses
    assert len(server.requests) == downloads
    assert station.reboots == [] and fw.firmware_version == "1.0.0"


@pytest.mark.parametrize("version", ALL)
async def test_get_log_uploads_a_generated_log_with_put_and_reports_uploading_then_uploaded(
    version: OcppVersion,
) -> None:
    server = Server()
    fw = agent(version, server)
    payload = {
        "logType": "SecurityLog",
        "requestId": 3,
        "retries": 1,
        "log": {"remoteLocation": "http://files.test/uploads/token-1"},
    }
    result, station = await run(version, fw, "GetLog", payload)
    assert result == {"status": "Accepted", "filename": "SIM-1-SecurityLog-3.log"}
    assert station.calls == [
        ("LogStatusNotification", {"status": "Uploading", "requestId": 3}),
        ("LogStatusNotification", {"status": "Uploaded", "requestId": 3}),
    ]
    [(method, body, content_type)] = server.uploads
    assert method == "PUT" and content_type == "text/plain"
    assert body.count(b"\n") == 200 and b"SIM-1 SecurityLog" in body


async def test_get_diagnostics_posts_the_file_as_multipart_and_a_failing_upload_says_so() -> None:
    server = Server()
    fw = agent(OcppVersion.V16, server)
    result, station = await run(
        OcppVersion.V16, fw, "GetDiagnostics", {"location": "http://files.test/uploads/token-2", "retries": 0}
    )
    assert result == {"fileName": "SIM-1-diagnostics.log"}
    assert station.calls == [
        ("DiagnosticsStatusNotification", {"status": "Uploading"}),
        ("DiagnosticsStatusNotification", {"status": "Uploaded"}),
    ]
    [(method, body, content_type)] = server.uploads
    assert method == "POST" and content_type.startswith("multipart/form-data")
    assert b'filename="SIM-1-diagnostics.log"' in body

    fw = agent(OcppVersion.V16, Server(), fails_at=FailureStep.UPLOAD)
    _, station = await run(OcppVersion.V16, fw, "GetDiagnostics", {"location": "http://files.test/uploads/t"})
    assert station.statuses == ["Uploading", "UploadFailed"]
    fw = agent(OcppVersion.V201, Server())
    payload = {"logType": "DiagnosticsLog", "requestId": 4, "retries": 0, "log": {"remoteLocation": "ftp://x/y"}}
    _, station = await run(OcppVersion.V201, fw, "GetLog", payload)
    assert station.statuses == ["Uploading", "UploadFailure"]


def test_the_failing_share_is_seeded_per_station_and_reproducible() -> None:
    ids = [f"SIM-{n:06d}" for n in range(2000)]
    faults = FirmwareFaults(0.1, FailureStep.DOWNLOAD, seed=5)
    failing = [station for station in ids if faults.step_for(station) is FailureStep.DOWNLOAD]
    assert 150 < len(failing) < 250
    assert failing == [station for station in ids if FirmwareFaults(0.1, FailureStep.DOWNLOAD, 5).step_for(station)]
    assert failing != [station for station in ids if FirmwareFaults(0.1, FailureStep.DOWNLOAD, 6).step_for(station)]
    assert all(FirmwareFaults(0.0, seed=5).step_for(station) is None for station in ids)
    with pytest.raises(ValueError, match="between 0 and 1"):
        FirmwareFaults(1.5)


def test_the_cli_flags_set_the_failures_and_timings() -> None:
    config = parse_args(
        [
            *("--firmware-failure-rate", "0.1", "--firmware-failure-step", "reboot", "--seed", "9"),
            *("--firmware-version", "0.9", "--firmware-install-time", "3", "--firmware-reboot-time", "4"),
        ]
    )
    assert config.firmware_faults == FirmwareFaults(0.1, FailureStep.REBOOT, 9)
    assert config.firmware_version == "0.9" and config.firmware_timing == Timing(3, 4)
    assert not config.firmware_verify_signatures
    assert parse_args(["--firmware-verify-signatures"]).firmware_verify_signatures
    with pytest.raises(SystemExit):
        parse_args(["--firmware-failure-rate", "2"])
    with pytest.raises(SystemExit):
        parse_args(["--firmware-failure-step", "never"])


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[list[Any]] = []
        self.written = asyncio.Event()

    async def send(self, text: str) -> None:
        self.sent.append(json.loads(text))
        self.written.set()

    async def close(self) -> None:
        return None


async def test_the_station_answers_then_sends_each_status_only_after_the_previous_one_is_answered() -> None:
    phase = PhaseStats("steady", 0.0)
    server = Server()
    rebooted: list[str] = []

    async def on_reboot(station: Station, reason: str) -> None:
        rebooted.append(reason)

    station = Station(
        "SIM-1",
        OcppVersion.V201,
        Behaviour("SIM-1", OcppVersion.V201, "TAG", Mix(), random.Random(1)),
        lambda: phase,
        call_timeout_s=5,
        clock=lambda: AT,
        firmware=agent(OcppVersion.V201, server),
        on_reboot=on_reboot,
    )
    ws = FakeSocket()
    station._ws = ws  # type: ignore[assignment]
    await station._on_frame(ws, [2, "c1", *update_request(OcppVersion.V201)])  # type: ignore[arg-type]
    assert ws.sent[0] == [3, "c1", {"status": "Accepted"}]
    statuses = []
    for n in range(5):
        while len(ws.sent) < n + 2:
            ws.written.clear()
            await asyncio.wait_for(ws.written.wait(), 5)
        frame = ws.sent[n + 1]
        statuses.append(frame[3]["status"])
        await asyncio.sleep(0.01)
        assert len(ws.sent) == n + 2  # the next status waits for this one's answer
        await station._on_frame(ws, [3, frame[1], {}])  # type: ignore[arg-type]
    assert statuses == HEALTHY
    assert station.firmware is not None
    await station.firmware.wait()
    assert rebooted == ["FirmwareUpdate"] and not station.is_open and not station.rebooting
    await station.close()


def signing_pair(kind: str) -> tuple[str, Callable[[bytes], bytes]]:
    """A self-signed firmware signing certificate (PEM) and its signing function (RSA or ECDSA, SHA-256)."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "firmware signing")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    if isinstance(key, rsa.RSAPrivateKey):
        rsa_key = key
        return pem, lambda data: rsa_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    ec_key = key
    return pem, lambda data: ec_key.sign(data, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    ("version", "kind"), [(OcppVersion.V16, "rsa"), (OcppVersion.V201, "ec"), (OcppVersion.V21, "rsa")]
)
async def test_with_verification_on_only_a_signature_of_the_image_by_the_signing_certificate_passes(
    version: OcppVersion, kind: str
) -> None:
    pem, sign = signing_pair(kind)
    action, payload = update_request(version, signed=True)
    payload["firmware"] |= {"signingCertificate": pem, "signature": base64.b64encode(sign(IMAGE)).decode()}
    _, station = await run(version, agent(version, Server(), verify=True), action, payload)
    assert station.statuses == HEALTHY

    payload["firmware"]["signature"] = base64.b64encode(sign(b"another image")).decode()
    fw = agent(version, Server(), verify=True)
    _, station = await run(version, fw, action, payload)
    assert station.statuses == ["Downloading", "Downloaded", "InvalidSignature"] and fw.firmware_version == "1.0.0"

    _, station = await run(version, agent(version, Server()), action, payload)  # not checked: taken as good
    assert station.statuses == HEALTHY
