"""Log lines: station-chosen text cannot forge or flood lines (finding #14 of the 2026-12 security review)."""

from __future__ import annotations

import logging
import subprocess
import sys

from csms_kernel.telemetry.logs import FORMAT, MAX_ARG_CHARS, EscapingFormatter, escaped


def record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError as error:
            exc_info = (ValueError, error, error.__traceback__)
    return logging.LogRecord("csms.edge", logging.INFO, __file__, 1, msg, args, exc_info)


def test_control_characters_in_args_are_escaped_on_one_line() -> None:
    line = EscapingFormatter(FORMAT).format(record("CALLRESULT %s answers no pending call", "a\nFAKE\x1b[31m"))
    assert "\n" not in line and "\x1b" not in line
    assert line.endswith(r"CALLRESULT a\nFAKE\x1b[31m answers no pending call")


def test_control_characters_in_the_message_and_mapping_args_are_escaped() -> None:
    assert escaped("a\r\n\t\x85\u2028b") == r"a\r\n\t\x85\u2028b"
    line = EscapingFormatter("%(message)s").format(record("%(id)s\u2029", {"id": "x\x00y"}))
    assert line == r"x\x00y\u2029"


def test_overlong_string_args_are_clipped() -> None:
    line = EscapingFormatter("%(message)s").format(record("action %s done", "A" * 60_000))
    assert len(line) < MAX_ARG_CHARS + 100
    assert line.startswith("action " + "A" * MAX_ARG_CHARS) and "more]" in line and line.endswith(" done")


def test_a_traceback_stays_readable_and_other_args_keep_their_format() -> None:
    line = EscapingFormatter("%(message)s").format(record("failed %d times", 3, exc=True))
    assert line.startswith("failed 3 times\nTraceback") and line.endswith("ValueError: boom")


def test_a_process_configured_by_configure_logging_writes_one_line() -> None:
    script = (
        "import logging\n"
        "from csms_kernel.telemetry.logs import configure_logging\n"
        "configure_logging('info')\n"
        "logging.getLogger('csms.edge').info('frame %s from %s', 'm1\\nFORGED', 'CS\\x1b1')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=30)
    assert done.stderr.count("\n") == 1 and done.stderr.rstrip().endswith(r"frame m1\nFORGED from CS\x1b1")


HANDSHAKE = (
    "from websockets.server import ServerProtocol\n"
    "ServerProtocol().receive_data(b'GET /ocpp/CS-1 HTTP/1.1\\r\\nHost: csms\\r\\nUpgrade: websocket\\r\\n'\n"
    "    b'Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n'\n"
    "    b'Authorization: Basic Q1MtMTpzZWNyZXQtcGFzc3dvcmQtMQ==\\r\\n\\r\\n')\n"
)
CREDENTIALS = "Q1MtMTpzZWNyZXQtcGFzc3dvcmQtMQ=="  # base64 of CS-1:secret-password-1


def debug_process(*lines: str) -> str:
    script = "\n".join(
        [
            "import logging",
            "from csms_kernel.telemetry.logs import configure_logging",
            "configure_logging('debug')",
            "logging.getLogger('csms.edge').debug('debug is on')",
            *lines,
        ]
    )
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=30).stderr


def test_debug_logging_never_writes_a_stations_basic_credentials() -> None:
    """Review finding #11: websockets logs handshake headers and frames at DEBUG; it stays at INFO."""
    log = debug_process(HANDSHAKE)
    assert "debug is on" in log
    assert CREDENTIALS not in log and "Authorization" not in log


def test_a_secret_header_is_redacted_even_when_websockets_is_turned_up() -> None:
    log = debug_process("logging.getLogger('websockets').setLevel(logging.DEBUG)", HANDSHAKE)
    assert "< Host: csms" in log
    assert "< Authorization: [redacted]" in log
    assert CREDENTIALS not in log


def test_the_redaction_touches_header_lines_only() -> None:
    """`authorization` is also a service name: `"%s %s ready", "authorization", id` stays as it is."""
    log = debug_process(
        "logging.getLogger('csms.lifecycle').info('%s %s ready', 'authorization', 'authorization-1')",
        "logging.getLogger('csms.http').debug('> %s: %s', 'Authorization', 'Basic c2VjcmV0')",
    )
    assert "authorization authorization-1 ready" in log
    assert "> Authorization: [redacted]" in log and "c2VjcmV0" not in log
