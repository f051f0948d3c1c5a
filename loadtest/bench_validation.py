"""Schema validation cost per OCPP 2.0.1 TransactionEvent: `csms_kernel.ocpp.schemas` (compiled fastjsonschema)
next to the `ocpp` library's own `validate_payload` (jsonschema in a worker thread, awaited), on the same payload.

    .venv/bin/python -m loadtest.bench_validation [--seconds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from typing import Any

from ocpp.messages import Call, validate_payload

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.messages import transaction_event

TARGET_US = 100.0


def payload() -> dict[str, Any]:
    """An Updated event with four measurands (energy, power, current per phase): a typical meter value."""
    _, event = transaction_event("Updated", "TX-000001-1", 7, "SIMTAG000001", 12_345, "2026-11-21T12:00:00.000Z")
    sampled = event["meterValue"][0]["sampledValue"]
    sampled += [
        {"value": 11_000.0, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "W"}},
        *({"value": 16.0, "measurand": "Current.Import", "phase": phase} for phase in ("L1", "L2", "L3")),
    ]
    return event


def per_call_us(function: Callable[[], None], seconds: float) -> float:
    """Mean CPU time of this process per call (robust to other load on the machine), after a warm-up."""
    for _ in range(100):
        function()
    calls, started = 0, time.process_time()
    while (elapsed := time.process_time() - started) < seconds:
        for _ in range(200):
            function()
        calls += 200
    return elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    event = payload()
    ours = per_call_us(lambda: validate(OcppVersion.V201, "TransactionEvent", MessageKind.REQUEST, event), args.seconds)
    call, loop = Call("1", "TransactionEvent", event), asyncio.new_event_loop()
    library = per_call_us(lambda: loop.run_until_complete(validate_payload(call, "2.0.1")), args.seconds)
    loop.close()
    verdict = "met" if ours <= TARGET_US else "MISSED"
    print(f"csms_kernel.ocpp.schemas.validate, 2.0.1 TransactionEvent: {ours:.1f} µs CPU/message")
    print(f"  target ≤ {TARGET_US:.0f} µs: {verdict}")
    print(f"ocpp.messages.validate_payload, same payload: {library:.1f} µs CPU/message ({library / ours:.0f}x)")


if __name__ == "__main__":
    main()
