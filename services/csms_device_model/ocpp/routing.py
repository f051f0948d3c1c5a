"""The device-model OCPP actions, one table per version in each direction: station → CSMS, the action →
(request type, handler) routes; CSMS → station (`CALLS`), the action → the module that builds its request and
reads the answer, for the operator commands (`ocpp/commands.py`, sent by `app/operator_commands.py`). Its
`SendCall` also relays other services' calls and `csms call`'s raw ones."""

from __future__ import annotations

from types import ModuleType

from ocpp.v16 import call as v16
from ocpp.v21 import call as v21
from ocpp.v201 import call as v201

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v16 import boot_notification as v16_boot_notification
from csms_device_model.ocpp.v16 import cancel_reservation as v16_cancel_reservation
from csms_device_model.ocpp.v16 import certificate_signed as v16_certificate_signed
from csms_device_model.ocpp.v16 import change_availability as v16_change_availability
from csms_device_model.ocpp.v16 import change_configuration as v16_change_configuration
from csms_device_model.ocpp.v16 import clear_cache as v16_clear_cache
from csms_device_model.ocpp.v16 import clear_charging_profile as v16_clear_charging_profile
from csms_device_model.ocpp.v16 import data_transfer as v16_data_transfer
from csms_device_model.ocpp.v16 import delete_certificate as v16_delete_certificate
from csms_device_model.ocpp.v16 import extended_trigger_message as v16_extended_trigger_message
from csms_device_model.ocpp.v16 import get_composite_schedule as v16_get_composite_schedule
from csms_device_model.ocpp.v16 import get_configuration as v16_get_configuration
from csms_device_model.ocpp.v16 import get_diagnostics as v16_get_diagnostics
from csms_device_model.ocpp.v16 import get_installed_certificate_ids as v16_get_installed_certificate_ids
from csms_device_model.ocpp.v16 import get_log as v16_get_log
from csms_device_model.ocpp.v16 import heartbeat as v16_heartbeat
from csms_device_model.ocpp.v16 import install_certificate as v16_install_certificate
from csms_device_model.ocpp.v16 import reserve_now as v16_reserve_now
from csms_device_model.ocpp.v16 import reset as v16_reset
from csms_device_model.ocpp.v16 import set_charging_profile as v16_set_charging_profile
from csms_device_model.ocpp.v16 import signed_update_firmware as v16_signed_update_firmware
from csms_device_model.ocpp.v16 import status_notification as v16_status_notification
from csms_device_model.ocpp.v16 import trigger_message as v16_trigger_message
from csms_device_model.ocpp.v16 import unlock_connector as v16_unlock_connector
from csms_device_model.ocpp.v16 import update_firmware as v16_update_firmware
from csms_device_model.ocpp.v21 import boot_notification as v21_boot_notification
from csms_device_model.ocpp.v21 import cancel_reservation as v21_cancel_reservation
from csms_device_model.ocpp.v21 import certificate_signed as v21_certificate_signed
from csms_device_model.ocpp.v21 import change_availability as v21_change_availability
from csms_device_model.ocpp.v21 import clear_cache as v21_clear_cache
from csms_device_model.ocpp.v21 import clear_charging_profile as v21_clear_charging_profile
from csms_device_model.ocpp.v21 import clear_display_message as v21_clear_display_message
from csms_device_model.ocpp.v21 import clear_variable_monitoring as v21_clear_variable_monitoring
from csms_device_model.ocpp.v21 import close_periodic_event_stream as v21_close_periodic_event_stream
from csms_device_model.ocpp.v21 import customer_information as v21_customer_information
from csms_device_model.ocpp.v21 import data_transfer as v21_data_transfer
from csms_device_model.ocpp.v21 import delete_certificate as v21_delete_certificate
from csms_device_model.ocpp.v21 import get_base_report as v21_get_base_report
from csms_device_model.ocpp.v21 import get_charging_profiles as v21_get_charging_profiles
from csms_device_model.ocpp.v21 import get_composite_schedule as v21_get_composite_schedule
from csms_device_model.ocpp.v21 import get_display_messages as v21_get_display_messages
from csms_device_model.ocpp.v21 import get_installed_certificate_ids as v21_get_installed_certificate_ids
from csms_device_model.ocpp.v21 import get_log as v21_get_log
from csms_device_model.ocpp.v21 import get_monitoring_report as v21_get_monitoring_report
from csms_device_model.ocpp.v21 import get_report as v21_get_report
from csms_device_model.ocpp.v21 import get_variables as v21_get_variables
from csms_device_model.ocpp.v21 import heartbeat as v21_heartbeat
from csms_device_model.ocpp.v21 import install_certificate as v21_install_certificate
from csms_device_model.ocpp.v21 import notify_customer_information as v21_notify_customer_information
from csms_device_model.ocpp.v21 import notify_display_messages as v21_notify_display_messages
from csms_device_model.ocpp.v21 import notify_event as v21_notify_event
from csms_device_model.ocpp.v21 import notify_monitoring_report as v21_notify_monitoring_report
from csms_device_model.ocpp.v21 import notify_periodic_event_stream as v21_notify_periodic_event_stream
from csms_device_model.ocpp.v21 import notify_report as v21_notify_report
from csms_device_model.ocpp.v21 import open_periodic_event_stream as v21_open_periodic_event_stream
from csms_device_model.ocpp.v21 import publish_firmware as v21_publish_firmware
from csms_device_model.ocpp.v21 import reserve_now as v21_reserve_now
from csms_device_model.ocpp.v21 import reset as v21_reset
from csms_device_model.ocpp.v21 import set_charging_profile as v21_set_charging_profile
from csms_device_model.ocpp.v21 import set_display_message as v21_set_display_message
from csms_device_model.ocpp.v21 import set_monitoring_base as v21_set_monitoring_base
from csms_device_model.ocpp.v21 import set_monitoring_level as v21_set_monitoring_level
from csms_device_model.ocpp.v21 import set_network_profile as v21_set_network_profile
from csms_device_model.ocpp.v21 import set_variable_monitoring as v21_set_variable_monitoring
from csms_device_model.ocpp.v21 import set_variables as v21_set_variables
from csms_device_model.ocpp.v21 import status_notification as v21_status_notification
from csms_device_model.ocpp.v21 import trigger_message as v21_trigger_message
from csms_device_model.ocpp.v21 import unlock_connector as v21_unlock_connector
from csms_device_model.ocpp.v21 import unpublish_firmware as v21_unpublish_firmware
from csms_device_model.ocpp.v21 import update_firmware as v21_update_firmware
from csms_device_model.ocpp.v201 import boot_notification as v201_boot_notification
from csms_device_model.ocpp.v201 import cancel_reservation as v201_cancel_reservation
from csms_device_model.ocpp.v201 import certificate_signed as v201_certificate_signed
from csms_device_model.ocpp.v201 import change_availability as v201_change_availability
from csms_device_model.ocpp.v201 import clear_cache as v201_clear_cache
from csms_device_model.ocpp.v201 import clear_charging_profile as v201_clear_charging_profile
from csms_device_model.ocpp.v201 import clear_display_message as v201_clear_display_message
from csms_device_model.ocpp.v201 import clear_variable_monitoring as v201_clear_variable_monitoring
from csms_device_model.ocpp.v201 import customer_information as v201_customer_information
from csms_device_model.ocpp.v201 import data_transfer as v201_data_transfer
from csms_device_model.ocpp.v201 import delete_certificate as v201_delete_certificate
from csms_device_model.ocpp.v201 import get_base_report as v201_get_base_report
from csms_device_model.ocpp.v201 import get_charging_profiles as v201_get_charging_profiles
from csms_device_model.ocpp.v201 import get_composite_schedule as v201_get_composite_schedule
from csms_device_model.ocpp.v201 import get_display_messages as v201_get_display_messages
from csms_device_model.ocpp.v201 import get_installed_certificate_ids as v201_get_installed_certificate_ids
from csms_device_model.ocpp.v201 import get_log as v201_get_log
from csms_device_model.ocpp.v201 import get_monitoring_report as v201_get_monitoring_report
from csms_device_model.ocpp.v201 import get_report as v201_get_report
from csms_device_model.ocpp.v201 import get_variables as v201_get_variables
from csms_device_model.ocpp.v201 import heartbeat as v201_heartbeat
from csms_device_model.ocpp.v201 import install_certificate as v201_install_certificate
from csms_device_model.ocpp.v201 import notify_customer_information as v201_notify_customer_information
from csms_device_model.ocpp.v201 import notify_display_messages as v201_notify_display_messages
from csms_device_model.ocpp.v201 import notify_event as v201_notify_event
from csms_device_model.ocpp.v201 import notify_monitoring_report as v201_notify_monitoring_report
from csms_device_model.ocpp.v201 import notify_report as v201_notify_report
from csms_device_model.ocpp.v201 import publish_firmware as v201_publish_firmware
from csms_device_model.ocpp.v201 import reserve_now as v201_reserve_now
from csms_device_model.ocpp.v201 import reset as v201_reset
from csms_device_model.ocpp.v201 import set_charging_profile as v201_set_charging_profile
from csms_device_model.ocpp.v201 import set_display_message as v201_set_display_message
from csms_device_model.ocpp.v201 import set_monitoring_base as v201_set_monitoring_base
from csms_device_model.ocpp.v201 import set_monitoring_level as v201_set_monitoring_level
from csms_device_model.ocpp.v201 import set_network_profile as v201_set_network_profile
from csms_device_model.ocpp.v201 import set_variable_monitoring as v201_set_variable_monitoring
from csms_device_model.ocpp.v201 import set_variables as v201_set_variables
from csms_device_model.ocpp.v201 import status_notification as v201_status_notification
from csms_device_model.ocpp.v201 import trigger_message as v201_trigger_message
from csms_device_model.ocpp.v201 import unlock_connector as v201_unlock_connector
from csms_device_model.ocpp.v201 import unpublish_firmware as v201_unpublish_firmware
from csms_device_model.ocpp.v201 import update_firmware as v201_update_firmware
from csms_kernel.handling.router import Route, RoutingTable
from csms_kernel.ocpp.versions import OcppVersion

V16: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v16.BootNotification, v16_boot_notification.handle),
    "Heartbeat": Route(v16.Heartbeat, v16_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v16.StatusNotification, v16_status_notification.handle),
    "DataTransfer": Route(v16.DataTransfer, v16_data_transfer.handle),
}

V201: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v201.BootNotification, v201_boot_notification.handle),
    "Heartbeat": Route(v201.Heartbeat, v201_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v201.StatusNotification, v201_status_notification.handle),
    "NotifyDisplayMessages": Route(v201.NotifyDisplayMessages, v201_notify_display_messages.handle),
    "DataTransfer": Route(v201.DataTransfer, v201_data_transfer.handle),
    "NotifyReport": Route(v201.NotifyReport, v201_notify_report.handle),
    "NotifyEvent": Route(v201.NotifyEvent, v201_notify_event.handle),
    "NotifyMonitoringReport": Route(v201.NotifyMonitoringReport, v201_notify_monitoring_report.handle),
    "NotifyCustomerInformation": Route(v201.NotifyCustomerInformation, v201_notify_customer_information.handle),
}

V21: RoutingTable[DeviceModelContext] = {
    "BootNotification": Route(v21.BootNotification, v21_boot_notification.handle),
    "Heartbeat": Route(v21.Heartbeat, v21_heartbeat.handle, remember_answer=False),
    "StatusNotification": Route(v21.StatusNotification, v21_status_notification.handle),
    "OpenPeriodicEventStream": Route(v21.OpenPeriodicEventStream, v21_open_periodic_event_stream.handle),
    "ClosePeriodicEventStream": Route(v21.ClosePeriodicEventStream, v21_close_periodic_event_stream.handle),
    # a SEND: handled, never answered
    "NotifyPeriodicEventStream": Route(
        v21_notify_periodic_event_stream.NotifyPeriodicEventStream, v21_notify_periodic_event_stream.handle
    ),
    "NotifyDisplayMessages": Route(v21.NotifyDisplayMessages, v21_notify_display_messages.handle),
    "DataTransfer": Route(v21.DataTransfer, v21_data_transfer.handle),
    "NotifyReport": Route(v21.NotifyReport, v21_notify_report.handle),
    "NotifyEvent": Route(v21.NotifyEvent, v21_notify_event.handle),
    "NotifyMonitoringReport": Route(v21.NotifyMonitoringReport, v21_notify_monitoring_report.handle),
    "NotifyCustomerInformation": Route(v21.NotifyCustomerInformation, v21_notify_customer_information.handle),
}

TABLES: dict[OcppVersion, RoutingTable[DeviceModelContext]] = {
    OcppVersion.V16: V16,
    OcppVersion.V201: V201,
    OcppVersion.V21: V21,
}

CALLS: dict[OcppVersion, dict[str, ModuleType]] = {
    OcppVersion.V16: {
        "Reset": v16_reset,
        "ChangeAvailability": v16_change_availability,
        "UnlockConnector": v16_unlock_connector,
        "ClearChargingProfile": v16_clear_charging_profile,
        "GetCompositeSchedule": v16_get_composite_schedule,
        "SetChargingProfile": v16_set_charging_profile,
        "ReserveNow": v16_reserve_now,
        "CancelReservation": v16_cancel_reservation,
        "TriggerMessage": v16_trigger_message,
        "ExtendedTriggerMessage": v16_extended_trigger_message,
        "ClearCache": v16_clear_cache,
        "GetConfiguration": v16_get_configuration,
        "ChangeConfiguration": v16_change_configuration,
        "DataTransfer": v16_data_transfer,
        "CertificateSigned": v16_certificate_signed,
        "DeleteCertificate": v16_delete_certificate,
        "GetInstalledCertificateIds": v16_get_installed_certificate_ids,
        "InstallCertificate": v16_install_certificate,
        "UpdateFirmware": v16_update_firmware,
        "SignedUpdateFirmware": v16_signed_update_firmware,
        "GetDiagnostics": v16_get_diagnostics,
        "GetLog": v16_get_log,
    },
    OcppVersion.V201: {
        "Reset": v201_reset,
        "ChangeAvailability": v201_change_availability,
        "UnlockConnector": v201_unlock_connector,
        "ClearChargingProfile": v201_clear_charging_profile,
        "GetChargingProfiles": v201_get_charging_profiles,
        "GetCompositeSchedule": v201_get_composite_schedule,
        "SetChargingProfile": v201_set_charging_profile,
        "ReserveNow": v201_reserve_now,
        "CancelReservation": v201_cancel_reservation,
        "TriggerMessage": v201_trigger_message,
        "ClearCache": v201_clear_cache,
        "GetVariables": v201_get_variables,
        "GetBaseReport": v201_get_base_report,
        "GetReport": v201_get_report,
        "SetVariables": v201_set_variables,
        "SetNetworkProfile": v201_set_network_profile,
        "DataTransfer": v201_data_transfer,
        "SetDisplayMessage": v201_set_display_message,
        "GetDisplayMessages": v201_get_display_messages,
        "ClearDisplayMessage": v201_clear_display_message,
        "CertificateSigned": v201_certificate_signed,
        "DeleteCertificate": v201_delete_certificate,
        "GetInstalledCertificateIds": v201_get_installed_certificate_ids,
        "InstallCertificate": v201_install_certificate,
        "SetVariableMonitoring": v201_set_variable_monitoring,
        "ClearVariableMonitoring": v201_clear_variable_monitoring,
        "SetMonitoringBase": v201_set_monitoring_base,
        "SetMonitoringLevel": v201_set_monitoring_level,
        "GetMonitoringReport": v201_get_monitoring_report,
        "CustomerInformation": v201_customer_information,
        "UpdateFirmware": v201_update_firmware,
        "GetLog": v201_get_log,
        "PublishFirmware": v201_publish_firmware,
        "UnpublishFirmware": v201_unpublish_firmware,
    },
    OcppVersion.V21: {
        "Reset": v21_reset,
        "ChangeAvailability": v21_change_availability,
        "UnlockConnector": v21_unlock_connector,
        "ClearChargingProfile": v21_clear_charging_profile,
        "GetChargingProfiles": v21_get_charging_profiles,
        "GetCompositeSchedule": v21_get_composite_schedule,
        "SetChargingProfile": v21_set_charging_profile,
        "ReserveNow": v21_reserve_now,
        "CancelReservation": v21_cancel_reservation,
        "TriggerMessage": v21_trigger_message,
        "ClearCache": v21_clear_cache,
        "GetVariables": v21_get_variables,
        "GetBaseReport": v21_get_base_report,
        "GetReport": v21_get_report,
        "SetVariables": v21_set_variables,
        "SetNetworkProfile": v21_set_network_profile,
        "DataTransfer": v21_data_transfer,
        "SetDisplayMessage": v21_set_display_message,
        "GetDisplayMessages": v21_get_display_messages,
        "ClearDisplayMessage": v21_clear_display_message,
        "CertificateSigned": v21_certificate_signed,
        "DeleteCertificate": v21_delete_certificate,
        "GetInstalledCertificateIds": v21_get_installed_certificate_ids,
        "InstallCertificate": v21_install_certificate,
        "SetVariableMonitoring": v21_set_variable_monitoring,
        "ClearVariableMonitoring": v21_clear_variable_monitoring,
        "SetMonitoringBase": v21_set_monitoring_base,
        "SetMonitoringLevel": v21_set_monitoring_level,
        "GetMonitoringReport": v21_get_monitoring_report,
        "CustomerInformation": v21_customer_information,
        "UpdateFirmware": v21_update_firmware,
        "GetLog": v21_get_log,
        "PublishFirmware": v21_publish_firmware,
        "UnpublishFirmware": v21_unpublish_firmware,
    },
}
