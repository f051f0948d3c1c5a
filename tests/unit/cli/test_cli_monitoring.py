"""`csms monitoring events|monitors|customer-information` and the monitoring commands of `csms command` against
fake clients: the request each sends, the output and exit codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_cli.client import Addresses, RpcFailed
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.cli_client import FakeClient

T0 = datetime(2026, 11, 21, 11, tzinfo=UTC)
TARGET = pb.MonitoredVariable(component="Connector", evse_id=1, connector_id=2, variable="Temperature")
EVENT = pb.StationEvent(
    station_id="CP-1",
    event=pb.StationEventReported(
        event_id=17, timestamp=timestamp(T0), trigger="Alerting", actual_value="81.5", tech_info="hot", target=TARGET
    ),
    severity=2,
)
ANSWERED = pb.Command(command_id="c-1", state=pb.COMMAND_STATE_ANSWERED, result_json='{"status": "accepted"}')


@dataclass
class MonitoringClient:
    events: list[pb.StationEvent] = field(default_factory=lambda: [EVENT])
    information: pb.GetCustomerInformationResponse | None = None
    calls: list[tuple[object, ...]] = field(default_factory=list)
    addresses: Addresses | None = None

    def __call__(self, addresses: Addresses) -> MonitoringClient:
        self.addresses = addresses
        return self

    def list_station_events(
        self, request: pb.ListStationEventsRequest, limit: int
    ) -> tuple[list[pb.StationEvent], bool]:
        self.calls.append(("list_station_events", request, limit))
        return self.events[:limit], len(self.events) > limit

    def list_monitors(self, station_id: str) -> pb.ListMonitorsResponse:
        self.calls.append(("list_monitors", station_id))
        return pb.ListMonitorsResponse(
            monitors=[
                pb.Monitor(
                    monitor=pb.ReportedMonitor(id=3, target=TARGET, type="Delta", value=2.5, severity=4), source="set"
                )
            ],
            reports=[pb.MonitoringReportProgress(request_id=42, status="complete", parts_received=2, monitors=5)],
        )

    def get_customer_information(self, station_id: str, request_id: int) -> pb.GetCustomerInformationResponse:
        self.calls.append(("get_customer_information", station_id, request_id))
        if self.information is None:
            raise RpcFailed("device-model", grpc.StatusCode.NOT_FOUND, "none")
        return self.information

    def close(self) -> None:
        pass


def test_events_with_filters_as_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    client = MonitoringClient()
    argv = ["monitoring", "events", "CP-1", "--since", "2026-11-21T10:00:00+00:00", "--active", "--severity", "3"]
    assert run(argv, client) == 0  # type: ignore[arg-type]
    ((_, request, limit),) = client.calls
    assert isinstance(request, pb.ListStationEventsRequest)
    assert (request.station_id, request.cleared, request.max_severity, limit) == ("CP-1", False, 3, 100)
    assert request.since == timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC))
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "TIMESTAMP",
        "ID",
        "TRIGGER",
        "SEVERITY",
        "CLEARED",
        "COMPONENT.VARIABLE",
        "VALUE",
        "INFO",
    ]
    assert out[1].split() == [
        "2026-11-21T11:00:00Z",
        "17",
        "Alerting",
        "2",
        "no",
        "Connector@1/2.Temperature",
        "81.5",
        "hot",
    ]


def test_events_without_filters_as_json_and_a_short_limit(capsys: pytest.CaptureFixture[str]) -> None:
    client = MonitoringClient(events=[EVENT, EVENT])
    assert run(["monitoring", "events", "CP-1", "--json", "--limit", "1"], client) == 0  # type: ignore[arg-type]
    request = client.calls[0][1]
    assert isinstance(request, pb.ListStationEventsRequest)
    assert not (request.HasField("cleared") or request.HasField("max_severity") or request.HasField("since"))
    out, err = capsys.readouterr()
    assert [e["event"]["event_id"] for e in json.loads(out)] == [17]
    assert "more than 1" in err


def test_monitors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["monitoring", "monitors", "CP-1"], MonitoringClient()) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["3", "Connector@1/2.Temperature", "Delta", "2.5", "4", "set"]
    assert out[2] == "report 42: complete, 2 parts, 5 monitors"


def test_customer_information_and_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    client = MonitoringClient(
        information=pb.GetCustomerInformationResponse(station_id="CP-1", request_id=9, status="complete", data="hi")
    )
    assert run(["monitoring", "customer-information", "CP-1", "9", "--json"], client) == 0  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)["data"] == "hi"
    client.information = None
    assert run(["monitoring", "customer-information", "CP-1", "10"], client) == 1  # type: ignore[arg-type]
    assert "customer information 10 of station CP-1 not found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "command", "params"),
    [
        (
            [
                "set-variable-monitoring",
                "CP-1",
                "EVSE.Power",
                "--type",
                "upper_threshold",
                "--value",
                "22000",
                "--severity",
                "4",
            ],
            "set-variable-monitoring",
            {
                "monitors": [
                    {
                        "target": "EVSE.Power",
                        "type": "upper_threshold",
                        "value": 22000.0,
                        "severity": 4,
                        "transaction": False,
                    }
                ]
            },
        ),
        (
            [
                "set-variable-monitoring",
                "CP-1",
                "Connector.Temperature",
                "--type",
                "delta",
                "--value",
                "5",
                "--severity",
                "2",
                "--evse",
                "1",
                "--connector",
                "2",
                "--transaction",
                "--id",
                "7",
            ],
            "set-variable-monitoring",
            {
                "monitors": [
                    {
                        "target": {
                            "component": "Connector",
                            "variable": "Temperature",
                            "evse_id": 1,
                            "connector_id": 2,
                        },
                        "type": "delta",
                        "value": 5.0,
                        "severity": 2,
                        "transaction": True,
                        "id": 7,
                    }
                ]
            },
        ),
        (
            ["set-variable-monitoring", "CP-1", "--monitors", '[{"target": "A.B"}]'],
            "set-variable-monitoring",
            {"monitors": [{"target": "A.B"}]},
        ),
        (["clear-variable-monitoring", "CP-1", "3", "4"], "clear-variable-monitoring", {"ids": [3, 4]}),
        (["set-monitoring-base", "CP-1", "factory_default"], "set-monitoring-base", {"base": "factory_default"}),
        (["set-monitoring-level", "CP-1", "5"], "set-monitoring-level", {"severity": 5}),
        (["get-monitoring-report", "CP-1"], "get-monitoring-report", {}),
        (
            ["get-monitoring-report", "CP-1", "--criteria", "delta", "--target", "EVSE", "EVSE.Power"],
            "get-monitoring-report",
            {"criteria": ["delta"], "targets": ["EVSE", "EVSE.Power"]},
        ),
        (
            ["customer-information", "CP-1", "--id-token", "04A2"],
            "customer-information",
            {"report": True, "clear": False, "id_token": {"id_token": "04A2", "type": "ISO14443"}},
        ),
        (
            ["customer-information", "CP-1", "--customer-identifier", "c-7", "--clear", "--no-report"],
            "customer-information",
            {"report": False, "clear": True, "customer_identifier": "c-7"},
        ),
        (
            ["customer-information", "CP-1", "--certificate", "SHA256:aa:bb:01"],
            "customer-information",
            {
                "report": True,
                "clear": False,
                "customer_certificate": {
                    "hash_algorithm": "SHA256",
                    "issuer_name_hash": "aa",
                    "issuer_key_hash": "bb",
                    "serial_number": "01",
                },
            },
        ),
    ],
)
def test_each_monitoring_command_sends_its_neutral_params(
    client: FakeClient, argv: list[str], command: str, params: dict[str, object]
) -> None:
    client.command = ANSWERED
    assert run(["command", *argv], client) == 0
    ((name, request),) = client.calls
    assert name == "send_command" and isinstance(request, pb.SendCommandRequest)
    assert (request.station_id, request.command, json.loads(request.params_json)) == ("CP-1", command, params)


@pytest.mark.parametrize(
    "argv",
    [
        ["set-variable-monitoring", "CP-1", "EVSE.Power", "--type", "delta"],
        ["customer-information", "CP-1", "--certificate", "SHA256:aa"],
    ],
)
def test_incomplete_arguments_exit_4_without_a_call(client: FakeClient, argv: list[str]) -> None:
    assert run(["command", *argv], client) == 4
    assert client.calls == []
