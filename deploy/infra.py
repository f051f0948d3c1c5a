#!/usr/bin/env python3
"""Fetch, start, stop and check a local single-node Kafka (KRaft) and Cassandra.

Both run as plain JVM processes on 127.0.0.1, assembled from Maven Central
artifacts (no Docker, no tarball downloads). Stdlib only: this script must run
before the project's virtualenv exists.

    python3 deploy/infra.py fetch                       # jars into .infra/*/lib (once)
    python3 deploy/infra.py start [kafka|cassandra|all] # detached; waits until ready
    python3 deploy/infra.py status [--json]             # exit 0 only if both are ready
    python3 deploy/infra.py stop [kafka|cassandra|all]  # SIGTERM, then SIGKILL after 60 s (--grace S; 0: at once)
    python3 deploy/infra.py reset [kafka|cassandra|all] # stop + delete data
    python3 deploy/infra.py env                         # connection settings as VAR=value

Test sessions share one stack through leases: `start --lease PID` records the session (PID = the test
process) and marks what it launched for auto-stop; `release PID` drops the lease and stops the auto-stop
services once no live lease remains. A plain `start` (no lease) means "keep it running": it clears auto-stop.
Every command that changes state holds an exclusive lock on <infra dir>/.lock.

Environment overrides (e.g. to run a second copy side by side):
    CSMS_INFRA_DIR (default <repo>/.infra), CSMS_KAFKA_PORT (9092),
    CSMS_KAFKA_CONTROLLER_PORT (9093), CSMS_CASSANDRA_PORT (9042),
    CSMS_CASSANDRA_STORAGE_PORT (7000), CSMS_INFRA_START_TIMEOUT (180 s),
    CSMS_JAVA (java binary; default: a JDK 17 if one is found, else `java`),
    CSMS_INFRA_LIB_DIR (the directory whose kafka/lib and cassandra/lib hold the jars; default
    CSMS_INFRA_DIR), so a copy with its own data and ports reuses the jars already fetched.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

KAFKA_VERSION = "3.9.1"
CASSANDRA_VERSION = "5.0.9"

# groupId, artifactId, version. Kafka's pom has no logging back end, yet the broker needs log4j 1 API classes.
KAFKA_ARTIFACTS = [
    ("org.apache.kafka", "kafka_2.13", KAFKA_VERSION),
    ("org.slf4j", "slf4j-reload4j", "1.7.36"),
    ("ch.qos.reload4j", "reload4j", "1.2.25"),
]
CASSANDRA_ARTIFACTS = [("org.apache.cassandra", "cassandra-all", CASSANDRA_VERSION)]

SERVICES = ("kafka", "cassandra")
KAFKA_READY_LINE = "Kafka Server started"
CASSANDRA_READY_LINE = "Startup complete"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"infra: {name}={raw!r} is not an integer") from None


@dataclass(frozen=True)
class Settings:
    infra_dir: Path
    lib_root: Path
    kafka_port: int
    kafka_controller_port: int
    cassandra_port: int
    cassandra_storage_port: int
    start_timeout_s: float

    @classmethod
    def from_env(cls) -> Settings:
        infra = os.environ.get("CSMS_INFRA_DIR", "").strip()
        infra_dir = Path(infra).resolve() if infra else REPO / ".infra"
        lib_root = os.environ.get("CSMS_INFRA_LIB_DIR", "").strip()
        return cls(
            infra_dir=infra_dir,
            lib_root=Path(lib_root).resolve() if lib_root else infra_dir,
            kafka_port=_env_int("CSMS_KAFKA_PORT", 9092),
            kafka_controller_port=_env_int("CSMS_KAFKA_CONTROLLER_PORT", 9093),
            cassandra_port=_env_int("CSMS_CASSANDRA_PORT", 9042),
            cassandra_storage_port=_env_int("CSMS_CASSANDRA_STORAGE_PORT", 7000),
            start_timeout_s=float(_env_int("CSMS_INFRA_START_TIMEOUT", 180)),
        )

    def lib_dir(self, svc: str) -> Path:
        return self.lib_root / svc / "lib"

    def conf_dir(self, svc: str) -> Path:
        return self.infra_dir / svc / "conf"

    def data_dir(self, svc: str) -> Path:
        return self.infra_dir / "data" / svc

    @property
    def run_dir(self) -> Path:
        return self.infra_dir / "run"

    @property
    def lease_dir(self) -> Path:
        return self.run_dir / "leases"

    @property
    def autostop_file(self) -> Path:
        return self.run_dir / "autostop"

    def pid_file(self, svc: str) -> Path:
        return self.run_dir / f"{svc}.pid"

    def log_file(self, svc: str) -> Path:
        return self.run_dir / f"{svc}.log"

    def client_port(self, svc: str) -> int:
        return self.kafka_port if svc == "kafka" else self.cassandra_port

    def ports(self, svc: str) -> list[int]:
        if svc == "kafka":
            return [self.kafka_port, self.kafka_controller_port]
        return [self.cassandra_port, self.cassandra_storage_port]


def log(msg: str) -> None:
    print(f"infra: {msg}", flush=True)


@contextlib.contextmanager
def locked(s: Settings, timeout_s: float) -> Iterator[None]:
    """Exclusive lock on <infra dir>/.lock: concurrent fetch/start/stop calls take turns."""
    s.infra_dir.mkdir(parents=True, exist_ok=True)
    with (s.infra_dir / ".lock").open("a") as fh:
        deadline = time.monotonic() + timeout_s
        announced = False
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        f"infra: {s.infra_dir}/.lock still held by another infra.py after {timeout_s:.0f} s"
                    ) from None
                if not announced:
                    log("waiting for another infra.py command on the same directory")
                    announced = True
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- fetch


def _pom(artifact_id: str, deps: list[tuple[str, str, str]]) -> str:
    dep_xml = "\n".join(
        f"    <dependency><groupId>{g}</groupId><artifactId>{a}</artifactId><version>{v}</version></dependency>"
        for g, a, v in deps
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by deploy/infra.py: only used to copy runtime jars into ./lib -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.csms.infra</groupId>
  <artifactId>{artifact_id}</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
{dep_xml}
  </dependencies>
</project>
"""


def _marker_text(deps: list[tuple[str, str, str]]) -> str:
    return "\n".join(":".join(d) for d in deps) + "\n"


def is_fetched(s: Settings, svc: str) -> bool:
    deps = KAFKA_ARTIFACTS if svc == "kafka" else CASSANDRA_ARTIFACTS
    marker = s.lib_dir(svc) / ".fetched"
    return marker.is_file() and marker.read_text() == _marker_text(deps)


def cmd_fetch(s: Settings) -> int:
    with locked(s, 1200):
        return _fetch(s)


def _fetch(s: Settings) -> int:
    procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for svc, deps in (("kafka", KAFKA_ARTIFACTS), ("cassandra", CASSANDRA_ARTIFACTS)):
        if is_fetched(s, svc):
            log(f"{svc}: already fetched ({s.lib_dir(svc)})")
            continue
        if shutil.which("mvn") is None:
            log("`mvn` (Apache Maven) is not on PATH; install it (e.g. apt-get install maven)")
            return 1
        svc_dir = s.lib_root / svc
        lib = s.lib_dir(svc)
        if lib.exists():
            shutil.rmtree(lib)  # a version change must not leave old jars behind
        lib.mkdir(parents=True)
        pom = svc_dir / "pom.xml"
        pom.write_text(_pom(f"{svc}-runtime", deps))
        out = svc_dir / "fetch.log"
        log(f"{svc}: fetching {', '.join(':'.join(d) for d in deps)} -> {lib}")
        cmd = [
            "mvn", "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
            "-DincludeScope=runtime", f"-DoutputDirectory={lib}",
        ]  # fmt: skip
        with out.open("wb") as fh:
            procs[svc] = (subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT), out)
    rc = 0
    for svc, (proc, out) in procs.items():
        if proc.wait() != 0 or not any(s.lib_dir(svc).glob("*.jar")):
            log(f"{svc}: mvn failed (exit {proc.returncode}); last lines of {out}:")
            print(_tail(out, 30), flush=True)
            rc = 1
            continue
        deps = KAFKA_ARTIFACTS if svc == "kafka" else CASSANDRA_ARTIFACTS
        (s.lib_dir(svc) / ".fetched").write_text(_marker_text(deps))
        log(f"{svc}: {len(list(s.lib_dir(svc).glob('*.jar')))} jars in {s.lib_dir(svc)}")
    return rc


# --------------------------------------------------------------------------- java


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        if "version" in line and '"' in line:
            ver = line.split('"')[1]
            head = ver.split(".")[0]
            if head == "1":  # 1.8.0_x
                return int(ver.split(".")[1])
            try:
                return int(head.split("-")[0])
            except ValueError:
                return None
    return None


def find_java() -> str:
    """A JDK 17 (Cassandra 5.0 runs on 11 and 17 only; JDK 18+ removed what it needs)."""
    explicit = os.environ.get("CSMS_JAVA", "").strip()
    if explicit:
        return explicit
    candidates: list[str] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates += sorted(str(p) for p in Path("/usr/lib/jvm").glob("*17*/bin/java"))
    for cand in candidates:
        if _java_major(cand) in (11, 17):
            return cand
    raise SystemExit(
        "infra: no JDK 11/17 found (Cassandra 5.0 cannot run on newer JDKs); "
        "install openjdk-17-jre-headless or set CSMS_JAVA"
    )


def _classpath(*parts: Path) -> str:
    return os.pathsep.join(str(p) for p in parts)


# --------------------------------------------------------------------------- configs


def _kafka_cluster_id() -> str:
    while True:  # Kafka's Uuid.randomUuid(): URL-safe base64, unpadded; never starts with '-'
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


def write_kafka_config(s: Settings) -> tuple[Path, Path]:
    conf = s.conf_dir("kafka")
    conf.mkdir(parents=True, exist_ok=True)
    data = s.data_dir("kafka")
    props = f"""# generated by deploy/infra.py on every start; edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{s.kafka_controller_port}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:{s.kafka_port},CONTROLLER://127.0.0.1:{s.kafka_controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{s.kafka_port}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs={data}
# one node: every replication factor is 1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
num.partitions=1
group.initial.rebalance.delay.ms=0
# topics come from the kernel's topology (services/csms_kernel/topology.toml) through the migration step only
auto.create.topics.enable=false
delete.topic.enable=true
# small box
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=33554432
"""
    server = conf / "server.properties"
    server.write_text(props)
    log4j = conf / "log4j.properties"
    log4j.write_text(
        """# generated by deploy/infra.py: everything to stdout, which start redirects to run/kafka.log
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.network.RequestChannel$=WARN
log4j.logger.org.apache.kafka.controller=INFO
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
"""
    )
    return server, log4j


def kafka_command(s: Settings, java: str, server: Path, log4j: Path) -> list[str]:
    return [
        java,
        "-Xms512m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20",
        "-XX:InitiatingHeapOccupancyPercent=35",
        "-XX:+ExplicitGCInvokesConcurrent",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={s.run_dir}",
        f"-Dlog4j.configuration=file:{log4j}",
        f"-Dcsms.infra.dir={s.infra_dir}",  # lets stop/status recognise their own process
        "-cp",
        _classpath(s.lib_dir("kafka") / "*"),
        "kafka.Kafka",
        str(server),
    ]


def kafka_format_storage(s: Settings, java: str, server: Path, log4j: Path) -> None:
    data = s.data_dir("kafka")
    if (data / "meta.properties").is_file():
        return
    data.mkdir(parents=True, exist_ok=True)
    cid = _kafka_cluster_id()
    log(f"kafka: formatting KRaft storage in {data} (cluster id {cid})")
    cmd = [
        java, "-Xmx256m", f"-Dlog4j.configuration=file:{log4j}",
        "-cp", _classpath(s.lib_dir("kafka") / "*"),
        "kafka.tools.StorageTool", "format", "-t", cid, "-c", str(server), "-g",
    ]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if res.returncode != 0 or not (data / "meta.properties").is_file():
        raise SystemExit(f"infra: kafka storage format failed (exit {res.returncode}):\n{res.stdout}\n{res.stderr}")


def write_cassandra_config(s: Settings) -> Path:
    conf = s.conf_dir("cassandra")
    conf.mkdir(parents=True, exist_ok=True)
    data = s.data_dir("cassandra")
    yaml = f"""# generated by deploy/infra.py on every start; edit the script, not this file
cluster_name: csms-dev
# one node: one token, fixed; keep both consistent or a restart on the same data fails
num_tokens: 1
initial_token: 0
auto_bootstrap: false
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:{s.cassandra_storage_port}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: {s.cassandra_storage_port}
native_transport_port: {s.cassandra_port}
start_native_transport: true
commitlog_sync: periodic
commitlog_sync_period: 10000ms
data_file_directories:
  - {data}/data
commitlog_directory: {data}/commitlog
saved_caches_directory: {data}/saved_caches
hints_directory: {data}/hints
cdc_raw_directory: {data}/cdc_raw
# tests truncate and drop often: no snapshots
auto_snapshot: false
snapshot_before_compaction: false
hinted_handoff_enabled: false
"""
    path = conf / "cassandra.yaml"
    path.write_text(yaml)
    (conf / "logback.xml").write_text(
        """<!-- generated by deploy/infra.py: everything to stdout, which start redirects to run/cassandra.log -->
<configuration scan="false">
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
  <logger name="org.apache.cassandra" level="INFO"/>
</configuration>
"""
    )
    return path


# From Cassandra 5.0 conf/jvm17-server.options (JPMS section): without these the JVM dies at start-up.
CASSANDRA_JDK17_FLAGS = [
    "-Djdk.attach.allowAttachSelf=true",
    "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
    "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
    "--add-exports=java.sql/java.sql=ALL-UNNAMED",
    "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
    "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
    "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
    "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
    "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
    "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
]


def cassandra_command(s: Settings, java: str, yaml: Path) -> list[str]:
    lib = s.lib_dir("cassandra")
    jamm = sorted(lib.glob("jamm-*.jar"))
    if not jamm:
        raise SystemExit(f"infra: no jamm-*.jar in {lib}; run `python3 deploy/infra.py fetch`")
    conf = s.conf_dir("cassandra")
    return [
        java,
        "-Xms1G",
        "-Xmx1G",
        "-Xss256k",
        "-ea",
        "-da:net.openhft...",
        "-XX:+UseThreadPriorities",
        "-XX:+UseTLAB",
        "-XX:+ResizeTLAB",
        "-XX:+PerfDisableSharedMem",
        "-XX:+UseG1GC",
        "-XX:+ParallelRefProcEnabled",
        "-XX:MaxTenuringThreshold=1",
        "-XX:G1HeapRegionSize=16m",
        "-XX:G1RSetUpdatingPauseTimePercent=5",
        "-XX:MaxGCPauseMillis=300",
        "-XX:InitiatingHeapOccupancyPercent=70",
        "-XX:+ExitOnOutOfMemoryError",
        "-Djava.net.preferIPv4Stack=true",
        "-Dio.netty.tryReflectionSetAccessible=true",
        "-Dio.netty.allocator.useCacheForAllThreads=true",
        "-Dio.netty.allocator.maxOrder=11",
        *CASSANDRA_JDK17_FLAGS,
        f"-javaagent:{jamm[-1]}",
        "-Dcassandra-foreground=yes",
        f"-Dcassandra.storagedir={s.data_dir('cassandra')}",
        f"-Dcassandra.logdir={s.run_dir}",
        f"-Dcassandra.config={yaml.as_uri()}",
        f"-Dlogback.configurationFile={(conf / 'logback.xml').as_uri()}",
        # one node: nothing to settle
        "-Dcassandra.skip_wait_for_gossip_to_settle=0",
        f"-Dcsms.infra.dir={s.infra_dir}",  # lets stop/status recognise their own process
        "-cp",
        _classpath(conf, lib / "*"),
        "org.apache.cassandra.service.CassandraDaemon",
    ]


# --------------------------------------------------------------------------- processes


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 64 * 1024))
            text = fh.read().decode("utf-8", "replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _failure_report(path: Path) -> str:
    """The log's error lines (the cause is often far above the shutdown noise), then its tail."""
    markers = ("ERROR", "Exception", "Fatal", "FATAL", "Error:", "in use")
    errors: list[str] = []
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            errors = [line.rstrip() for line in fh if any(m in line for m in markers)]
    except OSError:
        pass
    head = ("error lines:\n" + "\n".join(errors[:20]) + "\n--- last lines:\n") if errors else ""
    return head + _tail(path, 25)


def _log_contains(path: Path, needle: str) -> bool:
    try:
        with path.open("rb") as fh:
            carry = b""
            target = needle.encode()
            while chunk := fh.read(1 << 20):
                if target in carry + chunk:
                    return True
                carry = chunk[-len(target) :]
    except OSError:
        return False
    return False


def _main_class(svc: str) -> str:
    return "kafka.Kafka" if svc == "kafka" else "org.apache.cassandra.service.CassandraDaemon"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_pid(s: Settings, svc: str) -> int | None:
    """The pid from the pid file if that process is alive and is our JVM for this infra dir."""
    try:
        pid = int(s.pid_file(svc).read_text().strip())
    except (OSError, ValueError):
        return None
    if not _pid_alive(pid):
        return None
    proc = Path(f"/proc/{pid}")
    if not proc.is_dir():  # no /proc (not Linux): trust the pid file
        return pid
    try:  # a zombie (exited, not yet reaped) is not running
        if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return None
        args = (proc / "cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError):
        return None if not _pid_alive(pid) else pid
    if args == [b""]:  # cmdline reads empty while a process execs or exits: undecided, trust kill(0)
        return pid
    tag = f"-Dcsms.infra.dir={s.infra_dir}".encode()
    return pid if tag in args and _main_class(svc).encode() in args else None  # else: pid reused


def port_free(port: int) -> bool:
    """True if a server could bind 127.0.0.1:port (TIME_WAIT leftovers do not count, as for the JVMs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def port_open(port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def is_ready(s: Settings, svc: str) -> bool:
    if running_pid(s, svc) is None:
        return False
    line = KAFKA_READY_LINE if svc == "kafka" else CASSANDRA_READY_LINE
    return _log_contains(s.log_file(svc), line) and port_open(s.client_port(svc))


def launch(s: Settings, svc: str, java: str) -> subprocess.Popen[bytes]:
    """Start one service detached. Caller has checked it is not running."""
    busy = [p for p in s.ports(svc) if not port_free(p)]
    if busy:
        raise SystemExit(
            f"infra: {svc}: port(s) {busy} on 127.0.0.1 already in use by a process not started from "
            f"{s.infra_dir}; stop it or set the CSMS_*_PORT variables"
        )
    s.run_dir.mkdir(parents=True, exist_ok=True)
    s.data_dir(svc).mkdir(parents=True, exist_ok=True)
    if not is_fetched(s, svc):
        raise SystemExit(f"infra: {svc} jars missing in {s.lib_dir(svc)}; run `python3 deploy/infra.py fetch`")
    if svc == "kafka":
        server, log4j = write_kafka_config(s)
        kafka_format_storage(s, java, server, log4j)
        cmd = kafka_command(s, java, server, log4j)
    else:
        cmd = cassandra_command(s, java, write_cassandra_config(s))
    logf = s.log_file(svc)
    if logf.exists():
        logf.replace(logf.with_suffix(".log.1"))  # keep the previous run's log for post-mortems
    env = dict(os.environ, MALLOC_ARENA_MAX="4")
    with logf.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=s.run_dir,
            env=env,
            start_new_session=True,
        )
    s.pid_file(svc).write_text(f"{proc.pid}\n")
    return proc


def _selected(which: str) -> list[str]:
    return list(SERVICES) if which == "all" else [which]


def _live_leases(s: Settings) -> list[int]:
    live = []
    for f in s.lease_dir.glob("*") if s.lease_dir.is_dir() else []:
        try:
            pid = int(f.name)
        except ValueError:
            continue
        if _pid_alive(pid):
            live.append(pid)
        else:
            f.unlink(missing_ok=True)  # a session that died without releasing
    return live


def _autostop(s: Settings) -> set[str]:
    try:
        return {w for w in s.autostop_file.read_text().split() if w in SERVICES}
    except OSError:
        return set()


def _set_autostop(s: Settings, svcs: set[str]) -> None:
    if svcs:
        s.autostop_file.write_text(" ".join(sorted(svcs)) + "\n")
    else:
        s.autostop_file.unlink(missing_ok=True)


def cmd_start(s: Settings, which: str, lease: int | None = None) -> int:
    with locked(s, s.start_timeout_s + 300):
        s.run_dir.mkdir(parents=True, exist_ok=True)
        if lease is not None:
            s.lease_dir.mkdir(parents=True, exist_ok=True)
            (s.lease_dir / str(lease)).write_text(f"{lease}\n")
        launched: list[str] = []
        rc = _start(s, which, launched)
        if lease is None:
            _set_autostop(s, set())  # started by hand / make: keep running
        else:
            _set_autostop(s, _autostop(s) | set(launched))
        log(f"launched: {' '.join(launched) or '(none)'}")
        return rc


def cmd_release(s: Settings, lease: int, keep: bool) -> int:
    with locked(s, s.start_timeout_s + 300):
        (s.lease_dir / str(lease)).unlink(missing_ok=True)
        if keep:
            _set_autostop(s, set())
            return 0
        others = _live_leases(s)
        if others:
            log(f"other sessions still use the stack (pids {others}); leaving it running")
            return 0
        to_stop = _autostop(s)
        _set_autostop(s, set())
        _stop(s, [svc for svc in SERVICES if svc in to_stop])
        return 0


def _start(s: Settings, which: str, launched: list[str]) -> int:
    svcs = _selected(which)
    java: str | None = None
    started: dict[str, float] = {}
    waiting: dict[str, float] = {}
    procs: dict[str, subprocess.Popen[bytes]] = {}
    for svc in svcs:
        if is_ready(s, svc):
            log(f"{svc}: already running and ready (pid {running_pid(s, svc)})")
            continue
        if running_pid(s, svc) is not None:
            log(f"{svc}: already running (pid {running_pid(s, svc)}), waiting until ready")
            waiting[svc] = time.monotonic()
            continue
        java = java or find_java()
        t0 = time.monotonic()
        procs[svc] = launch(s, svc, java)
        log(f"{svc}: started pid {procs[svc].pid}, log {s.log_file(svc)}")
        started[svc] = t0
        launched.append(svc)
    try:
        return _wait_ready(s, {**waiting, **started}, procs)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.returncode = 0  # detached on purpose: no "still running" warning at exit


def _wait_ready(s: Settings, pending: dict[str, float], procs: dict[str, subprocess.Popen[bytes]]) -> int:
    deadline = time.monotonic() + s.start_timeout_s
    failed = False
    while pending:
        for svc, t0 in list(pending.items()):
            if is_ready(s, svc):
                log(f"{svc}: ready on 127.0.0.1:{s.client_port(svc)} after {time.monotonic() - t0:.1f} s")
                del pending[svc]
            elif (procs[svc].poll() is not None) if svc in procs else (running_pid(s, svc) is None):
                code = procs[svc].returncode if svc in procs else "?"
                log(f"{svc}: process exited (code {code}) before it was ready; from {s.log_file(svc)}:")
                print(_failure_report(s.log_file(svc)), flush=True)
                s.pid_file(svc).unlink(missing_ok=True)
                del pending[svc]
                failed = True
        if pending and time.monotonic() > deadline:
            for svc in pending:
                log(
                    f"{svc}: not ready after {s.start_timeout_s:.0f} s (still running as pid "
                    f"{running_pid(s, svc)}; `infra.py stop {svc}` to stop it); from {s.log_file(svc)}:"
                )
                print(_failure_report(s.log_file(svc)), flush=True)
            return 1
        if pending:
            time.sleep(0.5)
    return 1 if failed else 0


def stop_one(s: Settings, svc: str, timeout_s: float = 60.0) -> None:
    pid = running_pid(s, svc)
    if pid is None:
        log(f"{svc}: not running")
        s.pid_file(svc).unlink(missing_ok=True)
        return
    t0 = time.monotonic()
    if timeout_s > 0:
        log(f"{svc}: stopping pid {pid} (SIGTERM)")
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    while running_pid(s, svc) is not None and time.monotonic() - t0 < timeout_s:
        time.sleep(0.25)
    if running_pid(s, svc) is not None:
        log(f"{svc}: still alive after {timeout_s:.0f} s, SIGKILL" if timeout_s > 0 else f"{svc}: killing pid {pid}")
        try:
            os.killpg(pid, signal.SIGKILL)  # start_new_session: the JVM leads its own group
        except OSError:
            os.kill(pid, signal.SIGKILL)
        while running_pid(s, svc) is not None and time.monotonic() - t0 < timeout_s + 10:
            time.sleep(0.1)
    s.pid_file(svc).unlink(missing_ok=True)
    log(f"{svc}: stopped after {time.monotonic() - t0:.1f} s")


def cmd_stop(s: Settings, which: str, grace_s: float = 60.0) -> int:
    with locked(s, s.start_timeout_s + 300):
        _stop(s, _selected(which), grace_s)
    return 0


def _stop(s: Settings, svcs: list[str], grace_s: float = 60.0) -> None:
    if len(svcs) <= 1:
        for svc in svcs:
            stop_one(s, svc, grace_s)
        return
    # both drain in parallel (Cassandra's drain takes a few seconds)
    import threading

    threads = [threading.Thread(target=stop_one, args=(s, svc, grace_s)) for svc in svcs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def status_dict(s: Settings) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for svc in SERVICES:
        pid = running_pid(s, svc)
        out[svc] = {
            "running": pid is not None,
            "ready": is_ready(s, svc),
            "pid": pid,
            "port": s.client_port(svc),
            "log": str(s.log_file(svc)),
            "fetched": is_fetched(s, svc),
        }
    return out


def cmd_status(s: Settings, as_json: bool) -> int:
    st = status_dict(s)
    if as_json:
        print(json.dumps(st))
    else:
        for svc, d in st.items():
            state = "ready" if d["ready"] else ("running, NOT ready" if d["running"] else "not running")
            pid = f" pid {d['pid']}" if d["pid"] else ""
            print(f"{svc:10s} {state}{pid} 127.0.0.1:{d['port']} (log {d['log']})")
    return 0 if all(d["ready"] for d in st.values()) else 1


def cmd_reset(s: Settings, which: str) -> int:
    with locked(s, s.start_timeout_s + 300):
        _stop(s, _selected(which))
        for svc in _selected(which):
            data = s.data_dir(svc)
            if data.exists():
                shutil.rmtree(data)
                log(f"{svc}: deleted {data}")
    return 0


def cmd_env(s: Settings) -> int:
    print(f"CSMS_INFRA_DIR={s.infra_dir}")
    print(f"CSMS_KAFKA_BOOTSTRAP=127.0.0.1:{s.kafka_port}")
    print("CSMS_CASSANDRA_CONTACT_POINTS=127.0.0.1")
    print(f"CSMS_CASSANDRA_PORT={s.cassandra_port}")
    print("CSMS_CASSANDRA_LOCAL_DC=datacenter1")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="infra.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fetch", help="copy the Kafka and Cassandra jars from Maven into .infra/*/lib")
    for name in ("start", "stop", "reset"):
        sp = sub.add_parser(name)
        sp.add_argument("which", nargs="?", default="all", choices=[*SERVICES, "all"])
        if name == "start":
            sp.add_argument("--lease", type=int, metavar="PID", help="register a test session (its pid)")
        if name == "stop":
            sp.add_argument(
                "--grace",
                type=float,
                default=60.0,
                metavar="S",
                help="seconds after SIGTERM before SIGKILL (0: at once)",
            )
    rel = sub.add_parser("release", help="drop a test session's lease; stop what it launched if none remain")
    rel.add_argument("lease", type=int, metavar="PID")
    rel.add_argument("--keep", action="store_true", help="leave everything running (CSMS_KEEP_INFRA=1)")
    st = sub.add_parser("status", help="exit 0 only if both are ready")
    st.add_argument("--json", action="store_true")
    sub.add_parser("env", help="print connection settings as VAR=value lines")
    args = p.parse_args(argv)
    s = Settings.from_env()
    if args.cmd == "fetch":
        return cmd_fetch(s)
    if args.cmd == "start":
        return cmd_start(s, args.which, args.lease)
    if args.cmd == "release":
        return cmd_release(s, args.lease, args.keep)
    if args.cmd == "stop":
        return cmd_stop(s, args.which, args.grace)
    if args.cmd == "reset":
        return cmd_reset(s, args.which)
    if args.cmd == "status":
        return cmd_status(s, args.json)
    return cmd_env(s)


if __name__ == "__main__":
    sys.exit(main())
