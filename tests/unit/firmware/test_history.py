"""The station history folded from its events: reports matched by requestId (2.x, signed 1.6, logs) or to the
latest request of their kind (1.6 plain firmware and diagnostics), unknown requests kept as unmatched, Idle
reports without a request kept as station reports, and the boot after Installed as the success signal."""

from __future__ import annotations

import random

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.history import FIRMWARE_UPDATE, LOG_UPLOAD, station_history
from unit.firmware.events import boot, report, update

LOG = firmware_pb2.REPORT_KIND_LOG
DIAGNOSTICS = firmware_pb2.REPORT_KIND_DIAGNOSTICS


def statuses(entry: firmware_pb2.RequestHistory) -> list[str]:
    return [s.status for s in entry.statuses]


def test_a_2_x_update_with_its_status_sequence_and_the_new_version_booted() -> None:
    events = [
        boot(1, 0, "1.0"),
        update("u1", 10, request_id=7),
        report(1, 11, "Downloading", request_id=7),
        report(2, 12, "Downloaded", request_id=7),
        report(3, 13, "SignatureVerified", request_id=7),
        report(4, 14, "Installing", request_id=7),
        report(5, 15, "Installed", request_id=7),
        boot(2, 20, "2.0"),
    ]
    random.Random(3).shuffle(events)
    history = station_history(events)
    [entry] = history.of_kind(FIRMWARE_UPDATE)
    assert statuses(entry) == ["Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"]
    assert (entry.last_status, entry.booted_version, entry.new_version_booted) == ("Installed", "2.0", True)
    firmware = history.firmware()
    assert firmware.current == entry
    assert firmware.installed_version == "2.0"
    assert [b.firmware_version for b in firmware.boots] == ["2.0", "1.0"]


def test_a_boot_with_the_same_version_is_no_success() -> None:
    history = station_history(
        [boot(1, 0, "1.0"), update("u1", 10, 7), report(1, 11, "Installed", request_id=7), boot(2, 12, "1.0")]
    )
    [entry] = history.of_kind(FIRMWARE_UPDATE)
    assert (entry.booted_version, entry.new_version_booted) == ("1.0", False)


def test_a_boot_before_installed_is_not_the_update_booting() -> None:
    history = station_history([boot(1, 0, "1.0"), update("u1", 10, 7), boot(2, 11, "1.0")])
    assert history.of_kind(FIRMWARE_UPDATE)[0].booted_version == ""


def test_1_6_plain_reports_belong_to_the_latest_update_before_them() -> None:
    history = station_history(
        [
            update("u1", 10),
            report(1, 11, "DownloadFailed", of_latest=True),
            update("u2", 20),
            report(2, 21, "Downloading", of_latest=True),
        ]
    )
    newest, oldest = history.of_kind(FIRMWARE_UPDATE)
    assert (newest.request.request_key, statuses(newest)) == ("u2", ["Downloading"])
    assert (oldest.request.request_key, statuses(oldest)) == ("u1", ["DownloadFailed"])


def test_a_report_for_an_unknown_request_is_kept_as_unmatched() -> None:
    history = station_history(
        [
            update("u1", 10, 7),
            report(1, 11, "Downloading", request_id=8),
            report(2, 12, "Downloading", of_latest=True, kind=DIAGNOSTICS),
        ]
    )
    assert statuses(history.of_kind(FIRMWARE_UPDATE)[0]) == []
    assert [u.report.message_id for u in history.firmware().unmatched] == ["m-1"]
    assert [u.report.message_id for u in history.unmatched_of(LOG_UPLOAD)] == ["m-2"]


def test_a_1_6_report_before_any_request_is_unmatched() -> None:
    history = station_history([report(1, 5, "Downloading", of_latest=True), update("u1", 10)])
    assert [u.report.status for u in history.firmware().unmatched] == ["Downloading"]
    assert statuses(history.of_kind(FIRMWARE_UPDATE)[0]) == []


def test_idle_reports_without_a_request_are_station_reports() -> None:
    history = station_history([update("u1", 10, 7), report(1, 11, "Idle")])
    assert [r.report.status for r in history.firmware().station_reports] == ["Idle"]
    assert history.firmware().unmatched == []


def test_logs_and_diagnostics() -> None:
    history = station_history(
        [
            update("l1", 10, 9, command="get-log"),
            update("d1", 20, command="get-diagnostics"),
            report(1, 21, "Uploading", kind=DIAGNOSTICS, of_latest=True, action="DiagnosticsStatusNotification"),
            report(2, 22, "Uploaded", kind=LOG, request_id=9, action="LogStatusNotification"),
            report(3, 23, "Uploaded", kind=DIAGNOSTICS, of_latest=True, action="DiagnosticsStatusNotification"),
        ]
    )
    diagnostics, log = history.of_kind(LOG_UPLOAD)
    assert (diagnostics.request.request_key, statuses(diagnostics)) == ("d1", ["Uploading", "Uploaded"])
    assert (log.request.request_key, statuses(log)) == ("l1", ["Uploaded"])
    assert history.of_kind(FIRMWARE_UPDATE) == []


def test_the_command_outcome_and_duplicates() -> None:
    outcome = firmware_pb2.FirmwareEvent(
        event_id="o-1",
        station_id="CS-1",
        recorded_at=update("u1", 11).recorded_at,
        command_outcome=firmware_pb2.CommandOutcome(
            command_id="cmd-u1", command="update-firmware", state="ANSWERED", result_json='{"status": "rejected"}'
        ),
    )
    history = station_history([update("u1", 10, 7), outcome, outcome, update("u1", 10, 7)])
    [entry] = history.of_kind(FIRMWARE_UPDATE)
    assert entry.command_outcome.result_json == '{"status": "rejected"}'


def seen_as_command(
    key: str, seconds: float, request_id: int = 0, command: str = "update-firmware"
) -> firmware_pb2.FirmwareEvent:
    """The entry the projection makes of the device-model command of `update(key, ...)`."""
    event = update(key, seconds, request_id, command)
    event.event_id = f"q-{key}"
    event.requested.request_key = f"command:cmd-{key}"
    return event


def test_a_request_sent_as_a_plain_command_is_known() -> None:
    history = station_history(
        [
            seen_as_command("p1", 10, 31, command="publish-firmware"),
            report(1, 11, "Published", kind=firmware_pb2.REPORT_KIND_PUBLISH, request_id=31),
        ]
    )
    [entry] = history.of_kind(firmware_pb2.REQUEST_KIND_FIRMWARE_PUBLISH)
    assert (entry.request.request_key, statuses(entry)) == ("command:cmd-p1", ["Published"])
    assert history.unmatched == []


def test_the_services_request_and_its_command_are_one_entry() -> None:
    for order in (
        [update("u1", 10, 7), seen_as_command("u1", 10, 7)],
        [seen_as_command("u1", 10, 7), update("u1", 10, 7)],
    ):
        history = station_history([*order, report(1, 11, "Downloading", request_id=7)])
        [entry] = history.of_kind(FIRMWARE_UPDATE)
        assert (entry.request.request_key, statuses(entry)) == ("u1", ["Downloading"])
