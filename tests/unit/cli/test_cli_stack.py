"""`csms stack run|up`: which ports the local stack's processes get (no process is started)."""

from __future__ import annotations

import argparse

from csms_cli.stack import _config
from csms_devtools import stack as local_stack


def config(**overrides: object) -> local_stack.StackConfig:
    args = {"edge_nodes": 2, "accept_unknown_stations": False, "metrics_port": 9100} | overrides
    return _config(argparse.Namespace(**args))


def test_every_process_serves_metrics_on_its_own_port() -> None:
    ports = {spec.name: spec.env["CSMS_METRICS_PORT"] for spec in local_stack.process_specs(config())}
    assert ports == {
        "authorization": "9100",
        "device-model": "9101",
        "transactions": "9102",
        "edge-1": "9110",
        "edge-2": "9111",
    }


def test_metrics_port_zero_means_no_metrics_endpoint() -> None:
    specs = local_stack.process_specs(config(metrics_port=0))
    assert {spec.env["CSMS_METRICS_PORT"] for spec in specs} == {"0"}
