"""The transactions OCPP actions, one table per version in each direction: station → CSMS, the action → (request
type, handler) routes; CSMS → station (`CALLS`), the action → the module that builds its request and reads the
answer (sent by `app/remote_commands.py`)."""

from __future__ import annotations

from types import ModuleType

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v16 import meter_values as v16_meter_values
from csms_transactions.ocpp.v16 import remote_start_transaction as v16_remote_start_transaction
from csms_transactions.ocpp.v16 import remote_stop_transaction as v16_remote_stop_transaction
from csms_transactions.ocpp.v16 import start_transaction as v16_start_transaction
from csms_transactions.ocpp.v16 import stop_transaction as v16_stop_transaction
from csms_transactions.ocpp.v21 import get_transaction_status as v21_get_transaction_status
from csms_transactions.ocpp.v21 import meter_values as v21_meter_values
from csms_transactions.ocpp.v21 import request_start_transaction as v21_request_start_transaction
from csms_transactions.ocpp.v21 import request_stop_transaction as v21_request_stop_transaction
from csms_transactions.ocpp.v21 import transaction_event as v21_transaction_event
from csms_transactions.ocpp.v201 import get_transaction_status as v201_get_transaction_status
from csms_transactions.ocpp.v201 import meter_values as v201_meter_values
from csms_transactions.ocpp.v201 import request_start_transaction as v201_request_start_transaction
from csms_transactions.ocpp.v201 import request_stop_transaction as v201_request_stop_transaction
from csms_transactions.ocpp.v201 import transaction_event as v201_transaction_event

V16: RoutingTable[TransactionsContext] = {
    "StartTransaction": Route(v16.StartTransaction, v16_start_transaction.handle),
    "StopTransaction": Route(v16.StopTransaction, v16_stop_transaction.handle),
    "MeterValues": Route(v16.MeterValues, v16_meter_values.handle),
}

V201: RoutingTable[TransactionsContext] = {
    "TransactionEvent": Route(v201.TransactionEvent, v201_transaction_event.handle),
    "MeterValues": Route(v201.MeterValues, v201_meter_values.handle),
}

V21: RoutingTable[TransactionsContext] = {
    "TransactionEvent": Route(v21.TransactionEvent, v21_transaction_event.handle),
    "MeterValues": Route(v21.MeterValues, v21_meter_values.handle),
}

TABLES: dict[OcppVersion, RoutingTable[TransactionsContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {
    OcppVersion.V16: {
        "RemoteStartTransaction": v16_remote_start_transaction,
        "RemoteStopTransaction": v16_remote_stop_transaction,
    },
    OcppVersion.V201: {
        "RequestStartTransaction": v201_request_start_transaction,
        "RequestStopTransaction": v201_request_stop_transaction,
        "GetTransactionStatus": v201_get_transaction_status,
    },
    OcppVersion.V21: {
        "RequestStartTransaction": v21_request_start_transaction,
        "RequestStopTransaction": v21_request_stop_transaction,
        "GetTransactionStatus": v21_get_transaction_status,
    },
}
