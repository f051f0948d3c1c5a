from __future__ import annotations

from ocpp.v201 import call, call_result

from csms.runtime.versions import OcppVersion
from device_model.ocpp.v201 import heartbeat
from unit.device_model.builders import NOW_ISO, make_context


async def test_answers_the_csms_time_of_the_frame() -> None:
    ctx = make_context(OcppVersion.V201)
    assert await heartbeat.handle(ctx, call.Heartbeat()) == call_result.Heartbeat(current_time=NOW_ISO)
