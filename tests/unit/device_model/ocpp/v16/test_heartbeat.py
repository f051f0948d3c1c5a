from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_device_model.ocpp.v16 import heartbeat
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW_ISO, make_context


async def test_answers_the_csms_time_of_the_frame() -> None:
    ctx = make_context(OcppVersion.V16)
    assert await heartbeat.handle(ctx, call.Heartbeat()) == call_result.Heartbeat(current_time=NOW_ISO)
    assert ctx.emitted.events == []
