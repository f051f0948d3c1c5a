"""A simulated station's firmware updates and log uploads: the CSMS's UpdateFirmware (1.6, 1.6 security
whitepaper SignedUpdateFirmware, 2.x), GetLog (1.6 security whitepaper, 2.x) and GetDiagnostics (1.6) are
answered at once, then carried out as a job that sends the version's status notifications one CALL at a time.

An update waits for its retrieve time, really downloads the image over HTTP(S) (httpx; an interrupted transfer
resumes with a Range request, If-Range on the entity tag, on the next attempt; `retries` more attempts
`retryInterval` s apart), checks its size against what the server announced and, when the URL's fragment
carries `sha256=<hex>`, its SHA-256 (OCPP has no checksum field; a fragment never reaches the server, so it does
not disturb a signed URL), verifies the signature (signed requests and 2.x: for real against the signing
certificate when `verify_signatures` is on, else it is taken as good), waits for its install time,
installs, reports Installed and reboots: the connection is closed, the station reconnects and boots with the
image's version (2.x reason FirmwareUpdate). The version is read from the image's first line
`CSMS-SIM-FIRMWARE <version>` (`image()` makes such images), else derived from its SHA-256. A log request uploads
a generated log with HTTP PUT (1.6 diagnostics: a multipart/form-data POST).

`FirmwareFaults` makes a deterministic share of stations (by seed and station id) fail every update at one step:
download (DownloadFailed), signature (InvalidSignature; 1.6 UpdateFirmware has no such step: InstallationFailed),
install (InstallationFailed), reboot (Installed, then never reboots), silent (accepts, then sends nothing), or
upload (log uploads end UploadFailure). Side effects: HTTP requests and the CALLs through `Operations`.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import hashlib
import random
import ssl
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from csms_kernel.ocpp.versions import OcppVersion

Payload = dict[str, Any]
Message = tuple[str, Payload]

IMAGE_MAGIC = b"CSMS-SIM-FIRMWARE "
DEFAULT_RETRIES = 2
DEFAULT_RETRY_INTERVAL_S = 10.0


class FailureStep(enum.Enum):
    DOWNLOAD = "download"
    SIGNATURE = "signature"
    INSTALL = "install"
    REBOOT = "reboot"
    SILENT = "silent"
    UPLOAD = "upload"


@dataclass(frozen=True)
class FirmwareFaults:
    """`rate` of the stations (chosen by `seed` and the station id, so a run is reproducible) fail at `step`."""

    rate: float = 0.0
    step: FailureStep = FailureStep.INSTALL
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"the firmware failure rate must be between 0 and 1, got {self.rate}")

    def step_for(self, station_id: str) -> FailureStep | None:
        """The step at which `station_id` fails, or None for a healthy station."""
        if self.rate <= 0:
            return None
        return self.step if random.Random(f"{self.seed}-firmware-{station_id}").random() < self.rate else None


@dataclass(frozen=True)
class Timing:
    """How long installing and rebooting take (s)."""

    install_s: float = 1.0
    reboot_s: float = 1.0


class Flavour(enum.Enum):
    """Which messages an update or upload speaks."""

    V16 = "1.6"  # UpdateFirmware / FirmwareStatusNotification, GetDiagnostics / DiagnosticsStatusNotification
    V16_SECURITY = "1.6-security"  # SignedUpdateFirmware / SignedFirmwareStatusNotification, GetLog
    V2 = "2.x"


_FIRMWARE_STATUS_ACTION = {
    Flavour.V16: "FirmwareStatusNotification",
    Flavour.V16_SECURITY: "SignedFirmwareStatusNotification",
    Flavour.V2: "FirmwareStatusNotification",
}


def image(version: str, size: int = 64 * 1024) -> bytes:
    """A simulated firmware image of `size` bytes whose stations boot `version` once installed."""
    head = IMAGE_MAGIC + version.encode() + b"\n"
    if len(head) > size:
        raise ValueError("the image is too small for its header")
    body = (b"simulated firmware " * (size // 19 + 1))[: size - len(head)]
    return head + body


def version_of(head: bytes, sha256: str) -> str:
    """The version an image installs: its header's, else one derived from its checksum (≤ 50 characters)."""
    if head.startswith(IMAGE_MAGIC):
        line = head[len(IMAGE_MAGIC) :].split(b"\n", 1)[0].decode(errors="replace").strip()
        if line:
            return line[:50]
    return f"sim-{sha256[:12]}"


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def expected_sha256(url: str) -> str | None:
    """The `sha256=<hex>` of the URL's fragment, if any."""
    found = parse_qs(urlsplit(url).fragment).get("sha256")
    return found[0].lower() if found else None


def _without_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


class TransferFailed(Exception):
    """A download or upload that did not succeed (the reason is the message)."""


@dataclass
class Download:
    """A download's progress, kept across attempts so that the next one resumes."""

    url: str
    received: int = 0
    total: int | None = None
    etag: str | None = None
    digest: Any = field(default_factory=hashlib.sha256)
    head: bytes = b""

    def restart(self) -> None:
        self.received, self.digest, self.head = 0, hashlib.sha256(), b""

    def take(self, chunk: bytes) -> None:
        if len(self.head) < 256:
            self.head += chunk[: 256 - len(self.head)]
        self.received += len(chunk)
        self.digest.update(chunk)

    @property
    def complete(self) -> bool:
        return self.total is not None and self.received >= self.total


ClientFactory = Callable[[], httpx.AsyncClient]


def client_factory(tls: ssl.SSLContext | None = None, timeout_s: float = 60.0) -> ClientFactory:
    """A new HTTP client per transfer (each station has its own connection), trusting `tls` for https://."""
    return lambda: httpx.AsyncClient(verify=tls if tls is not None else True, timeout=timeout_s)


async def download_once(client: httpx.AsyncClient, download: Download) -> None:
    """One attempt: the whole image, or its rest when an earlier attempt got part of it (Range, If-Range). Raises
    `TransferFailed` (or httpx's errors, for an interrupted transfer) when it does not end complete."""
    headers = {"Accept-Encoding": "identity"}  # the bytes as stored: their length and checksum are the image's
    if download.received and download.total is not None:
        headers["Range"] = f"bytes={download.received}-"
        if download.etag:
            headers["If-Range"] = download.etag
    async with client.stream("GET", _without_fragment(download.url), headers=headers) as response:
        if response.status_code == 200:
            download.restart()
            length = response.headers.get("Content-Length")
            download.total = int(length) if length and length.isdigit() else None
            download.etag = response.headers.get("ETag")
        elif response.status_code != 206 or not download.received:
            raise TransferFailed(f"HTTP {response.status_code}")
        elif not response.headers.get("Content-Range", "").startswith(f"bytes {download.received}-"):
            download.restart()  # not the part asked for: the next attempt starts over
            raise TransferFailed(f"unexpected Content-Range {response.headers.get('Content-Range')!r}")
        async for chunk in response.aiter_bytes():
            download.take(chunk)
    if download.total is None:
        download.total = download.received
    if download.received != download.total:
        raise TransferFailed(f"got {download.received} of {download.total} bytes")


def check_download(download: Download) -> str:
    """The image's SHA-256 after a complete download; `TransferFailed` when it is not the one the URL names."""
    sha256 = str(download.digest.hexdigest())
    wanted = expected_sha256(download.url)
    if wanted is not None and wanted != sha256:
        raise TransferFailed(f"SHA-256 {sha256} is not the expected {wanted}")
    return sha256


async def upload_once(client: httpx.AsyncClient, url: str, filename: str, body: bytes, multipart: bool) -> None:
    if multipart:
        response = await client.post(url, files={"file": (filename, body, "text/plain")})
    else:
        response = await client.put(url, content=body, headers={"Content-Type": "text/plain"})
    if response.status_code >= 300:
        raise TransferFailed(f"HTTP {response.status_code}")


def generate_log(station_id: str, log_type: str, at: str, lines: int = 200) -> bytes:
    """A station's log file: `lines` lines stamped `at`."""
    what = "security event" if log_type == "SecurityLog" else "diagnostics"
    return "".join(f"{at} {station_id} {log_type} line {n:05d}: simulated {what}\n" for n in range(lines)).encode()


async def cancel_all(tasks: set[asyncio.Task[None]]) -> None:
    """Cancels `tasks` until all have ended (Python 3.11's wait_for can swallow a cancellation that meets an
    answer arriving at the same moment, so one cancel is not always enough)."""
    while pending := {task for task in tasks if not task.done()}:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=0.1)


class Operations(Protocol):
    """What a job needs from its station."""

    async def call(self, action: str, payload: Payload) -> Payload | None: ...

    async def reboot(self, reason: str) -> None: ...


Sleep = Callable[[float], Awaitable[None]]
Job = Callable[[Operations], Coroutine[Any, Any, None]]
Start = Callable[[Operations], None]
FIRMWARE, LOG = "firmware", "log"


@dataclass(frozen=True)
class Attempts:
    retries: int
    interval_s: float

    @classmethod
    def of(cls, payload: Payload) -> Attempts:
        retries = payload.get("retries")
        interval = payload.get("retryInterval")
        return cls(
            retries if isinstance(retries, int) and retries >= 0 else DEFAULT_RETRIES,
            float(interval) if isinstance(interval, int | float) and interval >= 0 else DEFAULT_RETRY_INTERVAL_S,
        )


@dataclass(frozen=True)
class Update:
    flavour: Flavour
    request_id: object
    location: str
    retrieve: datetime | None
    install: datetime | None
    attempts: Attempts
    certificate: str  # PEM, signed 1.6 and 2.x
    signature: str  # base64


def signature_holds(certificate_pem: str, signature_b64: str, sha256_hex: str) -> bool:
    """Whether `signature_b64` signs the image of SHA-256 `sha256_hex` with the key of `certificate_pem` (RSA
    PKCS#1 v1.5 or ECDSA, over SHA-256)."""
    try:
        key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
        signature = base64.b64decode(signature_b64, validate=True)
        digest = bytes.fromhex(sha256_hex)
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))
        else:
            return False
    except (ValueError, InvalidSignature):
        return False
    return True


class FirmwareAgent:
    """One station's firmware and log behaviour: `answer` a CSMS CALL it owns, giving the CALLRESULT payload and
    the job that carries it out."""

    def __init__(
        self,
        station_id: str,
        version: OcppVersion,
        firmware_version: str,
        *,
        fails_at: FailureStep | None = None,
        verify_signatures: bool = False,
        timing: Timing | None = None,
        clients: ClientFactory | None = None,
        sleep: Sleep = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.station_id = station_id
        self.version = version
        self.firmware_version = firmware_version
        self.fails_at = fails_at
        self.verify_signatures = verify_signatures
        self.timing = timing or Timing()
        self._clients = clients or client_factory()
        self._sleep = sleep
        self._now = now
        self._jobs: dict[str, asyncio.Task[None]] = {}

    def busy(self, kind: str) -> bool:
        """Whether an update (FIRMWARE) or an upload (LOG) is under way."""
        task = self._jobs.get(kind)
        return task is not None and not task.done()

    def _starter(self, kind: str, job: Job) -> Start:
        """Starts `job` in the background, cancelling the one of the same kind under way (a newer request
        replaces it)."""

        def start(ops: Operations) -> None:
            running = self._jobs.get(kind)
            if running is not None:
                running.cancel()
            self._jobs[kind] = asyncio.create_task(job(ops))

        return start

    async def stop(self) -> None:
        """Cancels the jobs under way (the run ends)."""
        jobs = [task for task in self._jobs.values() if not task.done()]
        for task in jobs:
            task.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)

    async def wait(self) -> None:
        """Until the jobs under way have ended (tests)."""
        while any(not task.done() for task in self._jobs.values()):
            await asyncio.gather(*self._jobs.values(), return_exceptions=True)

    def answer(self, action: str, payload: Payload, at: str) -> tuple[Payload, Start] | None:
        """The answer to `action` and what starts its job once the answer is sent, or None for an action this
        agent does not own."""
        v16 = self.version is OcppVersion.V16
        if action == "UpdateFirmware":
            if v16:
                job = self._update_job(Flavour.V16, payload, payload.get("location"), payload.get("retrieveDate"))
                return {}, self._starter(FIRMWARE, job)
            return self._update_answer(Flavour.V2, payload)
        if action == "SignedUpdateFirmware" and v16:
            return self._update_answer(Flavour.V16_SECURITY, payload)
        if action == "GetLog":
            flavour = Flavour.V16_SECURITY if v16 else Flavour.V2
            log = payload.get("log") or {}
            log_type = str(payload.get("logType", "DiagnosticsLog"))
            filename = f"{self.station_id}-{log_type}-{payload.get('requestId', 0)}.log"
            status = "AcceptedCanceled" if self.busy(LOG) else "Accepted"
            job = self._upload_job(flavour, payload, log.get("remoteLocation"), filename, log_type, at)
            return {"status": status, "filename": filename}, self._starter(LOG, job)
        if action == "GetDiagnostics" and v16:
            filename = f"{self.station_id}-diagnostics.log"
            job = self._upload_job(Flavour.V16, payload, payload.get("location"), filename, "DiagnosticsLog", at)
            return {"fileName": filename}, self._starter(LOG, job)
        return None

    def _update_answer(self, flavour: Flavour, payload: Payload) -> tuple[Payload, Start]:
        firmware = payload.get("firmware") or {}
        status = "AcceptedCanceled" if self.busy(FIRMWARE) else "Accepted"
        job = self._update_job(flavour, payload, firmware.get("location"), firmware.get("retrieveDateTime"))
        return {"status": status}, self._starter(FIRMWARE, job)

    def _update_job(self, flavour: Flavour, payload: Payload, location: object, retrieve: object) -> Job:
        firmware = payload.get("firmware") or {}
        update = Update(
            flavour,
            payload.get("requestId"),
            str(location or ""),
            parse_time(retrieve),
            parse_time(firmware.get("installDateTime")),
            Attempts.of(payload),
            str(firmware.get("signingCertificate") or ""),
            str(firmware.get("signature") or ""),
        )

        async def run(ops: Operations) -> None:
            await self._update(ops, update)

        return run

    async def _wait_until(self, when: datetime | None) -> bool:
        """Waits for `when`; whether there was anything to wait for."""
        if when is None:
            return False
        delay = (when - self._now()).total_seconds()
        if delay <= 0:
            return False
        await self._sleep(delay)
        return True

    async def _update(self, ops: Operations, update: Update) -> None:
        flavour, request_id, retrieve, install = update.flavour, update.request_id, update.retrieve, update.install
        action = _FIRMWARE_STATUS_ACTION[flavour]

        async def status(name: str) -> None:
            payload: Payload = {"status": name}
            if flavour is not Flavour.V16 and isinstance(request_id, int):
                payload["requestId"] = request_id
            await ops.call(action, payload)

        fails = self.fails_at
        if fails is FailureStep.SILENT:
            return
        scheduled = retrieve is not None and (retrieve - self._now()).total_seconds() > 0
        if scheduled and flavour is not Flavour.V16:
            await status("DownloadScheduled")
        await self._wait_until(retrieve)
        await status("Downloading")
        if fails is FailureStep.DOWNLOAD:
            await status("DownloadFailed")
            return
        try:
            sha256, head = await self._download(update.location, update.attempts)
        except TransferFailed:
            await status("DownloadFailed")
            return
        await status("Downloaded")
        if flavour is not Flavour.V16:
            invalid = self.verify_signatures and not signature_holds(update.certificate, update.signature, sha256)
            if fails is FailureStep.SIGNATURE or invalid:
                await status("InvalidSignature")
                return
            await status("SignatureVerified")
        if install is not None and (install - self._now()).total_seconds() > 0:
            if flavour is not Flavour.V16:
                await status("InstallScheduled")
            await self._wait_until(install)
        await status("Installing")
        await self._sleep(self.timing.install_s)
        if fails in (FailureStep.INSTALL, FailureStep.SIGNATURE):
            await status("InstallationFailed")
            return
        await status("Installed")
        if fails is FailureStep.REBOOT:
            return
        self.firmware_version = version_of(head, sha256)
        await ops.reboot("FirmwareUpdate")

    async def _download(self, location: str, attempts: Attempts) -> tuple[str, bytes]:
        """The image's SHA-256 and first bytes, after at most 1 + retries attempts; `TransferFailed`."""
        if not location.startswith(("http://", "https://")):
            raise TransferFailed(f"unsupported location {location!r}")
        download = Download(location)
        reason = ""
        for attempt in range(attempts.retries + 1):
            if attempt:
                await self._sleep(attempts.interval_s)
            try:
                async with self._clients() as client:
                    await download_once(client, download)
                return check_download(download), download.head
            except TransferFailed as exc:
                reason = str(exc)
                if download.complete:  # the whole image, but not the right one: start over
                    download.restart()
            except httpx.HTTPError as exc:
                reason = type(exc).__name__
        raise TransferFailed(reason)

    def _upload_job(
        self, flavour: Flavour, payload: Payload, location: object, filename: str, log_type: str, at: str
    ) -> Job:
        attempts = Attempts.of(payload)
        request_id = payload.get("requestId")
        body = generate_log(self.station_id, log_type, at)

        async def run(ops: Operations) -> None:
            await self._upload(ops, flavour, request_id, str(location or ""), filename, body, attempts)

        return run

    async def _upload(
        self,
        ops: Operations,
        flavour: Flavour,
        request_id: object,
        location: str,
        filename: str,
        body: bytes,
        attempts: Attempts,
    ) -> None:
        diagnostics = flavour is Flavour.V16
        action = "DiagnosticsStatusNotification" if diagnostics else "LogStatusNotification"

        async def status(name: str) -> None:
            payload: Payload = {"status": name}
            if not diagnostics and isinstance(request_id, int):
                payload["requestId"] = request_id
            await ops.call(action, payload)

        if self.fails_at is FailureStep.SILENT:
            return
        await status("Uploading")
        ok = self.fails_at is not FailureStep.UPLOAD and location.startswith(("http://", "https://"))
        if ok:
            ok = await self._put(location, filename, body, diagnostics, attempts)
        await status("Uploaded" if ok else ("UploadFailed" if diagnostics else "UploadFailure"))

    async def _put(self, url: str, filename: str, body: bytes, multipart: bool, attempts: Attempts) -> bool:
        for attempt in range(attempts.retries + 1):
            if attempt:
                await self._sleep(attempts.interval_s)
            try:
                async with self._clients() as client:
                    await upload_once(client, url, filename, body, multipart)
                return True
            except (TransferFailed, httpx.HTTPError):
                continue
        return False
