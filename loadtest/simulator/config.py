"""Simulator run configuration, the OCPP version mix and the station ids (pure)."""

from __future__ import annotations

import enum
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from csms_kernel.infra.grpc_tls import GrpcTls
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Mix
from loadtest.simulator.composite import Electrical
from loadtest.simulator.firmware import FirmwareFaults, Timing

_VERSION_NAMES = {"1.6": OcppVersion.V16, "2.0.1": OcppVersion.V201, "2.1": OcppVersion.V21}


class Scenario(enum.Enum):
    BOOT_STORM = "boot-storm"
    STEADY = "steady"
    RECONNECT_STORM = "reconnect-storm"


VersionMix = tuple[tuple[OcppVersion, float], ...]


def parse_mix(text: str) -> VersionMix:
    """`"1.6=40,2.0.1=40,2.1=20"` → weights per version (any positive numbers; normalised on use)."""
    mix: list[tuple[OcppVersion, float]] = []
    for part in text.split(","):
        name, sep, weight = part.strip().partition("=")
        if not sep or name.strip() not in _VERSION_NAMES:
            raise ValueError(f"version mix entry {part!r}: expected VERSION=WEIGHT with VERSION in 1.6, 2.0.1, 2.1")
        value = float(weight)
        if value < 0:
            raise ValueError(f"version mix entry {part!r}: negative weight")
        if value > 0:
            mix.append((_VERSION_NAMES[name.strip()], value))
    if not mix:
        raise ValueError("version mix has no positive weight")
    return tuple(mix)


def assign_versions(count: int, mix: VersionMix) -> list[OcppVersion]:
    """`count` versions in the mix's proportions, interleaved (each next station takes the version furthest
    behind its share), so any prefix of the stations has about the same mix."""
    total = sum(weight for _, weight in mix)
    assigned = dict.fromkeys((version for version, _ in mix), 0)
    result: list[OcppVersion] = []
    for n in range(1, count + 1):
        version = max(mix, key=lambda entry: entry[1] / total * n - assigned[entry[0]])[0]
        assigned[version] += 1
        result.append(version)
    return result


def fault_probability(fault_rate: float, rate: float, mix: VersionMix) -> float:
    """The chance per steady CALL of a 2.x station that it is a NotifyEvent fault, for `fault_rate` faults per
    second of the whole fleet at `rate` CALLs per second (at most 1)."""
    total = sum(weight for _, weight in mix)
    share_2x = sum(weight for version, weight in mix if version is not OcppVersion.V16) / total
    if fault_rate <= 0 or share_2x == 0 or rate <= 0:
        return 0.0
    return min(fault_rate / (rate * share_2x), 1.0)


def station_id(prefix: str, index: int) -> str:
    return f"{prefix}{index:06d}"


def id_token(index: int, pool: int) -> str:
    """The id token a station presents: one of `pool` tokens shared round-robin (≤ 20 characters, 1.6 idTag).
    A token shared by stations charging at the same time may be refused (1.6 ConcurrentTx)."""
    return f"SIMTAG{index % pool:06d}"


@dataclass(frozen=True)
class Config:
    url: str = "ws://127.0.0.1:9000/ocpp"
    stations: int = 100
    first_index: int = 1
    station_prefix: str = "SIM-"
    password: str = "loadtest-password-0001"
    # wss:// urls: the CA file the stations trust (the CSMS root CA); the stations are registered at this profile.
    ca_file: Path | None = None
    # Security profile 3: each station presents <dir>/<station id>.pem and .key (`csms certificates issue`).
    client_certificates: Path | None = None
    security_profile: int = 1
    mix: VersionMix = ((OcppVersion.V16, 40.0), (OcppVersion.V201, 40.0), (OcppVersion.V21, 20.0))
    scenarios: tuple[Scenario, ...] = (Scenario.BOOT_STORM,)
    duration_s: float = 30.0
    rate: float = 50.0
    behaviour: Mix = field(default_factory=Mix)
    token_pool: int = 0  # 0: one token per station
    connect_concurrency: int = 200
    call_timeout_s: float = 30.0
    storm_timeout_s: float = 120.0
    reconnect_fraction: float = 1.0
    progress_interval_s: float = 5.0
    provision_address: str | None = None
    provision_tls: GrpcTls | None = None
    histogram: Path | None = None
    json_path: Path | None = None
    seed: int = 1
    # 2.x stations: the variables of their device model (reported on GetBaseReport) and per NotifyReport part
    device_variables: int = 300
    report_items_per_message: int = 50
    # firmware updates and log uploads (loadtest/simulator/firmware.py)
    firmware_version: str = "1.0.0"
    firmware_faults: FirmwareFaults = field(default_factory=FirmwareFaults)
    firmware_timing: Timing = field(default_factory=Timing)
    firmware_verify_signatures: bool = False
    # smart charging (composite.py): each EVSE's supply, and the car that charges there
    electrical: Electrical = field(default_factory=Electrical)
    car_max_current: float = 32.0
    car_phases: int = 3

    def tls_context(self, station_id: str | None = None) -> ssl.SSLContext | None:
        """A station's TLS context for a wss:// url (trusting `ca_file`, else the system's CAs; presenting its
        certificate from `client_certificates` when set)."""
        if not self.url.startswith("wss://"):
            return None
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        if self.client_certificates is not None and station_id is not None:
            context.load_cert_chain(
                self.client_certificates / f"{station_id}.pem", self.client_certificates / f"{station_id}.key"
            )
        return context

    def download_tls(self) -> ssl.SSLContext:
        """The TLS context of https:// downloads and uploads: trusting `ca_file`, else the system's CAs."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def station_ids(self) -> list[str]:
        return [station_id(self.station_prefix, self.first_index + i) for i in range(self.stations)]

    @property
    def token_count(self) -> int:
        return self.token_pool or self.stations

    def tokens(self) -> list[str]:
        """The tokens to provision: none unless the run has charging sessions."""
        if Scenario.STEADY not in self.scenarios or not self.behaviour.sessions:
            return []
        return [id_token(i, self.token_count) for i in range(min(self.token_count, self.stations))]
