"""`csms artifacts upload|list|url|upload-url`: firmware images and station upload URLs (docs/adr/0038).

Works like the operator API's artifacts routes, directly on the artifact store and the csms_firmware tables through
the firmware artifacts' use cases (imported only when a command runs), with the `CSMS_FIRMWARE_*` store and URL
settings and the common `CSMS_CASSANDRA_*` ones. Side effects: reads the file given, writes the store, Cassandra.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from csms_cli import exit_codes, render
from csms_kernel.infra.settings import CommonSettings

DEVELOPMENT_ARTIFACTS = Path(__file__).resolve().parents[2] / ".infra" / "artifacts"
"""Where `make run` / `make up` keep the local artifact store (csms_devtools.stack's `artifacts_dir`)."""

if TYPE_CHECKING:
    from csms_firmware.artifacts.model import FirmwareImage
    from csms_firmware.artifacts.service import Artifacts
    from csms_firmware.artifacts.settings import ArtifactSettings

_COLUMNS = ("IMAGE ID", "VERSION", "VENDOR", "MODELS", "SIZE", "UPLOADED")
CHUNK = 256 * 1024


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("artifacts", help="firmware images and station upload URLs (artifact store)")
    actions = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    upload = actions.add_parser("upload", help="upload a firmware image (its SHA-256 is computed and printed)")
    upload.add_argument("file", type=Path, metavar="FILE")
    upload.add_argument("--version", required=True, help="the firmware version it installs")
    upload.add_argument("--vendor", required=True, help="the station vendor it targets")
    upload.add_argument("--model", action="append", default=[], help="a station model it targets (repeatable)")
    upload.add_argument("--sha256", default="", help="the expected SHA-256 (hex): a mismatch is refused")
    upload.add_argument("--signature", default="", help="the vendor's signature of the image (base64)")
    upload.add_argument("--signing-certificate", type=Path, help="PEM file of the certificate of that signature")
    upload.add_argument("--json", action="store_true", help="print JSON")
    upload.set_defaults(handler=upload_image, uses_client=False)
    list_parser = actions.add_parser("list", help="every firmware image, newest first")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=list_images, uses_client=False)
    url = actions.add_parser("url", help="a signed download URL of an image (for a station)")
    url.add_argument("image_id", metavar="IMAGE_ID")
    url.add_argument("--station", default="", help="bind the URL to this station")
    url.add_argument("--ttl", type=int, help="validity in seconds (default CSMS_FIRMWARE_DOWNLOAD_URL_TTL_S)")
    url.set_defaults(handler=download_url, uses_client=False)
    upload_url = actions.add_parser("upload-url", help="a one-time upload URL for a station's log or diagnostics")
    upload_url.add_argument("station_id", metavar="STATION")
    upload_url.add_argument("--max-bytes", type=int, help="size limit (default CSMS_FIRMWARE_UPLOAD_MAX_BYTES)")
    upload_url.add_argument("--ttl", type=int, help="validity in seconds (default CSMS_FIRMWARE_UPLOAD_URL_TTL_S)")
    upload_url.set_defaults(handler=station_upload_url, uses_client=False)


def store_settings(settings: ArtifactSettings, environment: str) -> ArtifactSettings:
    """`settings`, with the local store in `make run`'s directory (.infra/artifacts of the checkout, where the
    firmware processes and the API read) when nothing names one in development: the default is relative to the
    working directory, and an upload from elsewhere stored the bytes where no server looks (found by a new-user
    trial: the image was listed, its downloads were 404)."""
    if environment == "development" and settings.store == "local" and "store_dir" not in settings.model_fields_set:
        return settings.model_copy(update={"store_dir": DEVELOPMENT_ARTIFACTS})
    return settings


@contextlib.asynccontextmanager
async def artifacts() -> AsyncIterator[Artifacts]:
    """The firmware artifacts over Cassandra and the configured store, for one command."""
    from csms_firmware.artifacts.bootstrap import build_artifacts
    from csms_firmware.artifacts.settings import ArtifactSettings
    from csms_kernel.infra.cassandra import CassandraSession, RetryPolicy

    settings = CommonSettings()
    session = CassandraSession(
        settings.cassandra_contact_points,
        settings.cassandra_port,
        settings.cassandra_local_dc,
        None,
        retry=RetryPolicy(attempts=3),
        security=settings.cassandra_security,
    )
    built = build_artifacts(store_settings(ArtifactSettings(), settings.environment), session, serve_http=False)
    await session.start()
    try:
        async with contextlib.AsyncExitStack() as stack:
            for resource in built.resources:
                await resource.start()
                stack.push_async_callback(resource.stop)
            yield built.artifacts
    finally:
        await session.close()


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, CHUNK):
            yield chunk


def upload_image(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"error: {args.file} is not a file", file=sys.stderr)
        return exit_codes.INVALID
    certificate = args.signing_certificate.read_text() if args.signing_certificate else ""

    async def work(found: Artifacts) -> int:
        image = await found.add_image(
            _file_chunks(args.file),
            version=args.version,
            vendor=args.vendor,
            models=tuple(args.model),
            filename=args.file.name,
            sha256=args.sha256,
            signature=args.signature,
            signing_certificate=certificate,
        )
        row = _row(image)
        return render.output(args.json, row, lambda: f"uploaded {image.image_id} sha256 {image.sha256}\n")

    return _run(work)


def list_images(args: argparse.Namespace) -> int:
    async def work(found: Artifacts) -> int:
        rows = [_row(image) for image in await found.images.all()]
        return render.output(args.json, rows, lambda: _table(rows))

    return _run(work)


def download_url(args: argparse.Namespace) -> int:
    async def work(found: Artifacts) -> int:
        image = await found.images.get(args.image_id)
        if image is None:
            print(f"error: no firmware image {args.image_id}", file=sys.stderr)
            return exit_codes.FAILED
        print(found.download_url(image.content_key, args.station, args.ttl).url)
        return exit_codes.OK

    return _run(work)


def station_upload_url(args: argparse.Namespace) -> int:
    async def work(found: Artifacts) -> int:
        slot = found.upload_url(args.station_id, args.max_bytes, args.ttl)
        print(slot.url)
        print(f"upload id {slot.upload_id}, at most {slot.max_bytes} bytes, until {slot.expires_at}", file=sys.stderr)
        return exit_codes.OK

    return _run(work)


def _run(work: Callable[[Artifacts], Awaitable[int]]) -> int:
    """Runs `work` with the artifacts; store, Cassandra and input errors become messages and exit codes."""
    from cassandra import InvalidRequest

    from csms_firmware.artifacts.service import ChecksumMismatch, InvalidInput
    from csms_firmware.artifacts.store import ArtifactError, TooLarge
    from csms_kernel.infra.cassandra import TRANSIENT_ERRORS

    async def run() -> int:
        async with artifacts() as found:
            return await work(found)

    settings = CommonSettings()
    where = f"{','.join(settings.cassandra_contact_points)}:{settings.cassandra_port}"
    try:
        return asyncio.run(run())
    except (InvalidInput, ChecksumMismatch, TooLarge) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.INVALID
    except ArtifactError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.FAILED
    except TRANSIENT_ERRORS as exc:
        print(f"error: cannot reach Cassandra at {where} ({exc})", file=sys.stderr)
        return exit_codes.UNREACHABLE
    except InvalidRequest as exc:
        print(f"error: Cassandra refused the request ({exc}); has `csms migrate` run?", file=sys.stderr)
        return exit_codes.FAILED
    except OSError as exc:
        print(f"error: the artifact store failed ({exc})", file=sys.stderr)
        return exit_codes.FAILED


Row = dict[str, object]


def _row(image: FirmwareImage) -> Row:
    return {
        "image_id": image.image_id,
        "version": image.version,
        "vendor": image.vendor,
        "models": list(image.models),
        "filename": image.filename,
        "size": image.size,
        "sha256": image.sha256,
        "signed": bool(image.signature),
        "uploaded_at": image.uploaded_at.isoformat(timespec="seconds"),
    }


def _table(rows: list[Row]) -> str:
    return render.table(
        _COLUMNS,
        [
            (
                str(row["image_id"]),
                str(row["version"]),
                str(row["vendor"]),
                ",".join(str(m) for m in row["models"]) if isinstance(row["models"], list) else "",
                str(row["size"]),
                str(row["uploaded_at"]),
            )
            for row in rows
        ],
    )
