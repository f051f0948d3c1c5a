"""The settings naming convention: `CSMS_<NAME>` common, `CSMS_<SERVICE>_<NAME>` own, peers only where used."""

from __future__ import annotations

import pytest

from csms_authorization.settings import AuthorizationSettings
from csms_cli.settings import CliSettings
from csms_device_model.settings import DeviceModelSettings
from csms_edge.settings import EdgeSettings
from csms_security.settings import SecuritySettings
from csms_transactions.settings import TransactionsSettings

ADDRESSES = {"device_model_address", "authorization_address", "transactions_address", "security_address"}


def test_common_settings_keep_their_name_in_every_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_KAFKA_BOOTSTRAP", "kafka:9092")
    monkeypatch.setenv("CSMS_CASSANDRA_CONTACT_POINTS", "c1, c2")
    monkeypatch.setenv("CSMS_HANDLER_GATHER_MS", "7")
    for settings in (EdgeSettings(), DeviceModelSettings(), AuthorizationSettings(), TransactionsSettings()):
        assert (settings.kafka_bootstrap, settings.cassandra_contact_points, settings.handler_gather_ms) == (
            "kafka:9092",
            ["c1", "c2"],
            7,
        )


def test_own_settings_are_prefixed_by_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_DEVICE_MODEL_HEARTBEAT_INTERVAL_S", "60")
    monkeypatch.setenv("CSMS_HEARTBEAT_INTERVAL_S", "7")
    monkeypatch.setenv("CSMS_AUTHORIZATION_LOCAL_LIST_PUSH_CONCURRENCY", "3")
    monkeypatch.setenv("CSMS_LOCAL_LIST_PUSH_CONCURRENCY", "7")
    monkeypatch.setenv("CSMS_TRANSACTIONS_CONCURRENT_TX", "false")
    monkeypatch.setenv("CSMS_AUTHORIZATION_INSTANCE_ID", "authorization-9")
    monkeypatch.setenv("INSTANCE_ID", "not-this-one")
    assert DeviceModelSettings().heartbeat_interval_s == 60
    assert AuthorizationSettings().local_list_push_concurrency == 3
    assert AuthorizationSettings().instance_id == "authorization-9"
    assert TransactionsSettings().concurrent_tx is False
    assert TransactionsSettings().instance_id == "transactions-1"


def test_each_process_reads_only_the_peer_addresses_it_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_AUTHORIZATION_ADDRESS", "authz:50052")
    peers = {
        settings.__name__: sorted(ADDRESSES & set(settings.model_fields))
        for settings in (
            EdgeSettings,
            DeviceModelSettings,
            AuthorizationSettings,
            TransactionsSettings,
            SecuritySettings,
            CliSettings,
        )
    }
    assert peers == {
        "EdgeSettings": ["authorization_address", "device_model_address"],
        "DeviceModelSettings": ["authorization_address"],
        "AuthorizationSettings": ["device_model_address"],
        "TransactionsSettings": ["authorization_address", "device_model_address"],
        "SecuritySettings": ["device_model_address"],
        "CliSettings": ["authorization_address", "device_model_address", "security_address", "transactions_address"],
    }
    assert EdgeSettings().authorization_address == "authz:50052"
    assert TransactionsSettings().authorization_address == "authz:50052"
