"""Kafka (aiokafka, librdkafka) and Cassandra client options from the common settings: SASL PLAIN/SCRAM, TLS with
a CA and a client certificate, password authentication; plaintext when nothing is set."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cassandra.auth import PlainTextAuthProvider

from csms_kernel.infra.client_security import CassandraSecurity, KafkaSecurity
from csms_kernel.infra.kafka import librdkafka_consumer_config, make_admin, make_producer
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.pki.dev import DevPki, ensure_dev_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


def test_nothing_configured_is_plaintext_for_every_library() -> None:
    settings = CommonSettings()
    assert settings.kafka_security.aiokafka_options() == {"security_protocol": "PLAINTEXT"}
    assert settings.kafka_security.librdkafka_options() == {"security.protocol": "plaintext"}
    assert settings.cassandra_security.cluster_options() == {}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_from_the_common_settings(monkeypatch: pytest.MonkeyPatch, pki: DevPki, mechanism: str) -> None:
    monkeypatch.setenv("CSMS_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("CSMS_KAFKA_SASL_MECHANISM", mechanism)
    monkeypatch.setenv("CSMS_KAFKA_SASL_USERNAME", "csms-edge")
    monkeypatch.setenv("CSMS_KAFKA_SASL_PASSWORD", "kafka-secret")
    monkeypatch.setenv("CSMS_KAFKA_TLS_CA_FILE", str(pki.root_ca.certificate))
    security = CommonSettings().kafka_security
    assert "kafka-secret" not in repr(security)

    options = security.aiokafka_options()
    context = options.pop("ssl_context")
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "csms-edge",
        "sasl_plain_password": "kafka-secret",
    }
    assert isinstance(context, ssl.SSLContext) and context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert [ca["subject"] for ca in context.get_ca_certs()] == [
        ((("commonName", "CSMS Development Root CA"),), (("organizationName", "CSMS Development"),))
    ]
    assert security.librdkafka_options() == {
        "security.protocol": "sasl_ssl",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.ca.location": str(pki.root_ca.certificate),
        "sasl.mechanism": mechanism,
        "sasl.username": "csms-edge",
        "sasl.password": "kafka-secret",
    }


def test_tls_with_a_client_certificate(pki: DevPki) -> None:
    client = pki.internal("edge")
    security = KafkaSecurity(
        "SSL", ca_file=pki.internal_ca.certificate, cert_file=client.certificate, key_file=client.key
    )
    assert set(security.aiokafka_options()) == {"security_protocol", "ssl_context"}
    assert security.librdkafka_options() == {
        "security.protocol": "ssl",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.ca.location": str(pki.internal_ca.certificate),
        "ssl.certificate.location": str(client.certificate),
        "ssl.key.location": str(client.key),
    }


def test_sasl_without_tls() -> None:
    security = KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-512", "u", "p")
    assert security.librdkafka_options() == {
        "security.protocol": "sasl_plaintext",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "u",
        "sasl.password": "p",
    }
    assert "ssl_context" not in security.aiokafka_options()


async def test_the_kafka_factories_apply_the_security() -> None:
    security = KafkaSecurity("SASL_PLAINTEXT", "SCRAM-SHA-256", "csms", "kafka-secret")
    producer = make_producer("127.0.0.1:1", "probe", security=security)
    assert (producer.client._security_protocol, producer.client._sasl_mechanism) == ("SASL_PLAINTEXT", "SCRAM-SHA-256")
    admin = make_admin("127.0.0.1:1", "probe", security=security)
    assert admin._client._sasl_plain_username == "csms"
    config = librdkafka_consumer_config("127.0.0.1:1", "group", "probe", security=security)
    assert (config["security.protocol"], config["sasl.username"], config["group.id"]) == (
        "sasl_plaintext",
        "csms",
        "group",
    )


def test_cassandra_password_and_tls_from_the_common_settings(monkeypatch: pytest.MonkeyPatch, pki: DevPki) -> None:
    client = pki.internal("transactions")
    monkeypatch.setenv("CSMS_CASSANDRA_USERNAME", "csms")
    monkeypatch.setenv("CSMS_CASSANDRA_PASSWORD", "cassandra-secret")
    monkeypatch.setenv("CSMS_CASSANDRA_TLS_CA_FILE", str(pki.root_ca.certificate))
    monkeypatch.setenv("CSMS_CASSANDRA_TLS_CERT_FILE", str(client.certificate))
    monkeypatch.setenv("CSMS_CASSANDRA_TLS_KEY_FILE", str(client.key))
    security = CommonSettings().cassandra_security
    assert "cassandra-secret" not in repr(security)
    options = security.cluster_options()
    provider, context = options.pop("auth_provider"), options.pop("ssl_context")
    assert options == {}
    assert isinstance(provider, PlainTextAuthProvider)
    assert (provider.username, provider.password) == ("csms", "cassandra-secret")
    assert isinstance(context, ssl.SSLContext) and context.check_hostname
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_cassandra_hostname_check_can_be_turned_off(pki: DevPki) -> None:
    context = CassandraSecurity(ca_file=pki.root_ca.certificate, check_hostname=False).cluster_options()["ssl_context"]
    assert context.check_hostname is False and context.verify_mode == ssl.CERT_REQUIRED


def test_a_missing_ca_file_fails_at_once(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        CassandraSecurity(ca_file=tmp_path / "missing.pem").cluster_options()
    with pytest.raises(FileNotFoundError):
        KafkaSecurity("SSL", ca_file=tmp_path / "missing.pem").aiokafka_options()
