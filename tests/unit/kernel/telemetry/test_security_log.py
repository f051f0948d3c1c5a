"""Security events: one logfmt line on `csms.security`, values a station could choose quoted, fields attached."""

from __future__ import annotations

import logging

import pytest

from csms_kernel.telemetry.security_log import security_event


def test_a_security_event_is_one_structured_line(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="csms.security"):
        security_event(
            "handshake_refused",
            logging.WARNING,
            station_id='CP 1" forged=yes',
            status=403,
            verdict=None,
            remote="127.0.0.1:5555",
        )
    (record,) = caplog.records
    assert record.name == "csms.security" and record.levelno == logging.WARNING
    assert record.getMessage() == (
        'security_event=handshake_refused station_id="CP 1\\" forged=yes" status=403 remote=127.0.0.1:5555'
    )
    assert record.security == {  # type: ignore[attr-defined]
        "event": "handshake_refused",
        "station_id": 'CP 1" forged=yes',
        "status": 403,
        "remote": "127.0.0.1:5555",
    }


def test_non_ascii_and_newlines_are_escaped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="csms.security"):
        security_event("station_registered", station_id="CP-ä\nsecurity_event=fake")
    assert caplog.records[0].getMessage() == (
        'security_event=station_registered station_id="CP-\\u00e4\\nsecurity_event=fake"'
    )
