"""Credentials and TLS of the Kafka and Cassandra clients (docs/adr/0029-internal-surface.md, README "Secured Kafka
and Cassandra"): one settings object per system, one mapping function per client library.

- `KafkaSecurity.aiokafka_options()`: keyword arguments of aiokafka's producer, consumer and admin client;
- `KafkaSecurity.librdkafka_options()`: confluent-kafka (librdkafka) configuration entries;
- `CassandraSecurity.cluster_options()`: keyword arguments of the DataStax driver's `Cluster`.
Side effects: the mapping functions read the CA, certificate and key files (SSL contexts), nothing else.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiokafka.helpers import create_ssl_context
from cassandra.auth import PlainTextAuthProvider

KafkaProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]


@dataclass(frozen=True)
class KafkaSecurity:
    """How the Kafka clients authenticate and encrypt: `protocol` as Kafka names it; SASL with `mechanism`,
    `username` and `password` (SASL_*); TLS trusting `ca_file` (None: the system's CAs), presenting `cert_file`
    and `key_file` when set (SSL, SASL_SSL). Broker host names are always checked."""

    protocol: KafkaProtocol = "PLAINTEXT"
    mechanism: SaslMechanism = "PLAIN"
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None

    @property
    def tls(self) -> bool:
        return self.protocol in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.protocol in ("SASL_PLAINTEXT", "SASL_SSL")

    def aiokafka_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.tls:
            options["ssl_context"] = create_ssl_context(
                cafile=_path(self.ca_file), certfile=_path(self.cert_file), keyfile=_path(self.key_file)
            )
        if self.sasl:
            options.update(
                sasl_mechanism=self.mechanism, sasl_plain_username=self.username, sasl_plain_password=self.password
            )
        return options

    def librdkafka_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"security.protocol": self.protocol.lower()}
        if self.tls:
            options["ssl.endpoint.identification.algorithm"] = "https"
            locations = {
                "ssl.ca.location": self.ca_file,
                "ssl.certificate.location": self.cert_file,
                "ssl.key.location": self.key_file,
            }
            options.update({key: str(path) for key, path in locations.items() if path is not None})
        if self.sasl:
            options.update({"sasl.mechanism": self.mechanism, "sasl.username": self.username})
            options["sasl.password"] = self.password
        return options


PLAINTEXT = KafkaSecurity()
"""No authentication, no TLS (the local development broker)."""


@dataclass(frozen=True)
class CassandraSecurity:
    """Password authentication (`username` set: the driver's PlainTextAuthProvider) and TLS (`ca_file` set:
    verify the nodes against it, present `cert_file`/`key_file` when set, check the node's host name unless
    `check_hostname` is False)."""

    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    check_hostname: bool = True

    def cluster_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {}
        if self.username:
            options["auth_provider"] = PlainTextAuthProvider(username=self.username, password=self.password)
        if self.ca_file is not None:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(self.ca_file))
            context.check_hostname = self.check_hostname
            if self.cert_file is not None:
                context.load_cert_chain(str(self.cert_file), _path(self.key_file))
            options["ssl_context"] = context
        return options


NO_CASSANDRA_SECURITY = CassandraSecurity()
"""No authentication, no TLS (the local development node)."""


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path)
