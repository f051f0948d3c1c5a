"""Every service's `CALLS` table (CSMS → station actions) names the module of each action it sends: the module
lives in the version's folder under the action's name, builds that action's `ocpp` request of that version and
reads its result; and every such module of a service is in its table."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from types import ModuleType

import pytest

from csms_authorization.ocpp.routing import CALLS as AUTHORIZATION_CALLS
from csms_device_model.ocpp.routing import CALLS as DEVICE_MODEL_CALLS
from csms_kernel.ocpp.schemas import action_exists
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.routing import CALLS as TRANSACTIONS_CALLS

TABLES = {
    "csms_authorization": AUTHORIZATION_CALLS,
    "csms_device_model": DEVICE_MODEL_CALLS,
    "csms_transactions": TRANSACTIONS_CALLS,
}
ENTRIES = [
    (package, version, action, module)
    for package, table in TABLES.items()
    for version, calls in table.items()
    for action, module in calls.items()
]


def snake(action: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", action).lower()


@pytest.mark.parametrize(("package", "version", "action", "module"), ENTRIES)
def test_each_entry_is_the_module_of_its_action_and_version(
    package: str, version: OcppVersion, action: str, module: ModuleType
) -> None:
    assert action_exists(version, action)
    assert module.__name__ == f"{package}.ocpp.{version.schema_dir}.{snake(action)}"
    assert module.call is version.call_module and module.call_result is version.call_result_module
    assert inspect.signature(module.request).return_annotation == f"call.{action}"
    readers = [f for name, f in inspect.getmembers(module, inspect.isfunction) if name in ("status", "outcome")]
    assert [inspect.signature(f).parameters["result"].annotation for f in readers] == [f"call_result.{action}"]


@pytest.mark.parametrize("package", TABLES)
def test_every_module_that_builds_a_request_is_in_the_table(package: str) -> None:
    for version in OcppVersion:
        folder = importlib.import_module(f"{package}.ocpp.{version.schema_dir}")
        modules = [
            importlib.import_module(f"{folder.__name__}.{m.name}") for m in pkgutil.iter_modules(folder.__path__)
        ]
        senders = {m.__name__ for m in modules if hasattr(m, "request")}
        assert senders == {m.__name__ for m in TABLES[package][version].values()}
