"""OCPP 2.1 MeterValues: the message is unchanged from 2.0.1, and so is its handling."""

from __future__ import annotations

from csms_transactions.ocpp.v201.meter_values import handle

__all__ = ["handle"]
