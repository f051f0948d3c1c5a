"""The transactions routing tables: OCPP action → (request type, handler), one table per version."""

from __future__ import annotations

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v16 import meter_values as v16_meter_values
from csms_transactions.ocpp.v16 import start_transaction as v16_start_transaction
from csms_transactions.ocpp.v16 import stop_transaction as v16_stop_transaction
from csms_transactions.ocpp.v21 import meter_values as v21_meter_values
from csms_transactions.ocpp.v21 import transaction_event as v21_transaction_event
from csms_transactions.ocpp.v201 import meter_values as v201_meter_values
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
