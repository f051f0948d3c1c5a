"""OCPP 2.1 StatusNotification: the message is unchanged from 2.0.1, and so is its handling."""

from __future__ import annotations

from csms_device_model.ocpp.v201.status_notification import handle

__all__ = ["handle"]
