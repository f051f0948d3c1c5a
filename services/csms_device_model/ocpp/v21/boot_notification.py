"""OCPP 2.1 BootNotification: the message is unchanged from 2.0.1, and so is its handling."""

from __future__ import annotations

from csms_device_model.ocpp.v201.boot_notification import handle

__all__ = ["handle"]
