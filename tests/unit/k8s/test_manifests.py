"""Offline checks of the Kubernetes manifests (k8s/, ADR 0036): every overlay renders with kustomize; every resource
validates against the Kubernetes API schemas (kubernetes-validate, strict) and the Strimzi, K8ssandra and
Prometheus operator resources against those projects' own CRD schemas (vendored in k8s/crds, checked against
their recorded sha256); every environment variable a manifest sets is in the settings reference; every port,
probe and network policy names something the process serves; topics and keyspaces agree with topology.toml; the
image's entrypoint knows every command.

Needs `kubectl` (or `kustomize`) on PATH or in .venv/bin: `make k8s-tools` installs kustomize when neither is
there; without one these tests fail, they never skip.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from csms_cli import probe
from csms_cli.main import build_parser
from csms_cli.serve import SERVICES
from csms_devtools import k8stopics
from csms_kernel.infra.settings import PEER_ADDRESSES
from csms_kernel.migrate import load_topology

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "k8s"
CRDS = K8S / "crds"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.32"
HELPER_VARIABLES = {"POD_IP"}
"""Variables a manifest sets only to build others from (`$(POD_IP)`), read by no process."""
GRPC_PORT_VARIABLE = {
    "edge": "CSMS_EDGE_GRPC_LISTEN",
    **{name: f"CSMS_{name.upper().replace('-', '_')}_GRPC_LISTEN" for name in SERVICES if name not in ("edge", "api")},
}


LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml when PyYAML has it: the K8ssandra CRD is 2 MB of YAML."""


def kustomize_command() -> list[str]:
    kubectl = shutil.which("kubectl")
    if kubectl:
        return [kubectl, "kustomize"]
    for candidate in (shutil.which("kustomize"), ROOT / ".venv" / "bin" / "kustomize"):
        if candidate and Path(candidate).exists():
            return [str(candidate), "build"]
    pytest.fail("neither kubectl nor kustomize found: run `make k8s-tools`")


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    out = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [*kustomize_command(), str(K8S / "overlays" / overlay)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{overlay} does not render: {result.stderr}"
        out[overlay] = [doc for doc in yaml.load_all(result.stdout, Loader=LOADER) if doc]
    return out


def of_kind(docs: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] in kinds]


def csms_workloads(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        doc
        for doc in of_kind(docs, "Deployment", "StatefulSet", "Job")
        if doc["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "csms"
    ]


def common_config(docs: list[dict[str, Any]]) -> dict[str, str]:
    (config,) = [doc for doc in of_kind(docs, "ConfigMap") if doc["metadata"]["name"] == "csms-common"]
    return dict(config["data"])


def container_env(doc: dict[str, Any], docs: list[dict[str, Any]]) -> dict[str, str]:
    """What the process sees: the common ConfigMap, then its own `env` (values; references as `<ref>`)."""
    container = doc["spec"]["template"]["spec"]["containers"][0]
    env = common_config(docs) if container.get("envFrom") else {}
    for entry in container.get("env", []):
        env[entry["name"]] = entry.get("value", "<ref>")
    return env


def process_of(doc: dict[str, Any]) -> str:
    return str(doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"])


# ------------------------------------------------------------------------------------------ schemas


@functools.cache
def vendored_crds() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the openAPIV3Schema of each served version of each vendored CRD, after checking every
    file against the sha256 recorded in k8s/crds/SOURCES.md."""
    recorded = dict(
        re.findall(r"^\| (\S+\.yaml\.gz) \|.*\| ([0-9a-f]{64}) \|$", (CRDS / "SOURCES.md").read_text(), re.M)
    )
    schemas = {}
    for path in sorted(CRDS.glob("*.yaml.gz")):
        text = gzip.decompress(path.read_bytes())
        assert hashlib.sha256(text).hexdigest() == recorded.get(path.name), f"{path.name}: not as recorded"
        crd = yaml.load(text, Loader=LOADER)
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                api_version = f"{crd['spec']['group']}/{version['name']}"
                schemas[(api_version, crd["spec"]["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return schemas


def strict(schema: Any) -> Any:
    """The CRD schema with unknown fields refused, as the API server's strict field validation does (a structural
    schema otherwise prunes them silently: a misspelt field would pass)."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def test_vendored_crds_are_the_recorded_files() -> None:
    kinds = {kind for _, kind in vendored_crds()}
    assert {"Kafka", "KafkaTopic", "KafkaUser", "KafkaNodePool", "K8ssandraCluster", "ServiceMonitor"} <= kinds


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_resource_validates(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    crds = {key: strict(schema) for key, schema in vendored_crds().items()}
    errors = []
    for doc in rendered[overlay]:
        key = (doc["apiVersion"], doc["kind"])
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if key in crds:
            validator = jsonschema.Draft7Validator(crds[key])
            errors += [
                f"{name}: {'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
            ]
        else:
            try:
                kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as exc:
                errors.append(f"{name}: {'/'.join(map(str, exc.path))}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_a_misspelt_custom_resource_field_is_caught() -> None:
    schema = strict(vendored_crds()[("kafka.strimzi.io/v1beta2", "KafkaTopic")])
    topic = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic", "metadata": {"name": "t"}}
    assert not list(jsonschema.Draft7Validator(schema).iter_errors({**topic, "spec": {"partitions": 3}}))
    assert list(jsonschema.Draft7Validator(schema).iter_errors({**topic, "spec": {"partition": 3}}))


# ------------------------------------------------------------------------------------------ settings


def settings_reference() -> set[str]:
    return set(re.findall(r"^\| `(CSMS_[A-Z0-9_]+)` \|", (ROOT / "docs" / "configuration.md").read_text(), re.M))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_set_is_a_documented_setting(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    reference = settings_reference()
    docs = rendered[overlay]
    names = set(common_config(docs))
    for doc in csms_workloads(docs):
        names |= {entry["name"] for entry in doc["spec"]["template"]["spec"]["containers"][0].get("env", [])}
    unknown = {
        name
        for name in names
        if name not in reference and name not in HELPER_VARIABLES and not name.startswith("OTEL_")
    }
    assert not unknown, f"set by the manifests, not in docs/configuration.md: {sorted(unknown)}"


def test_the_probe_reads_the_settings_tls_variables() -> None:
    assert set(probe.TLS_VARIABLES) | {probe.SERVER_NAME_VARIABLE} <= settings_reference()


# ------------------------------------------------------------------------------------------ ports, probes


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def probe_commands(container: dict[str, Any]) -> list[list[str]]:
    probes = [container.get(kind, {}) for kind in ("startupProbe", "readinessProbe", "livenessProbe")]
    return [p["exec"]["command"] for p in probes if "exec" in p]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ports_and_probes_name_what_the_process_serves(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    docs = rendered[overlay]
    for doc in csms_workloads(docs):
        process = process_of(doc)
        if process == "migrate":
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        env = container_env(doc, docs)
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        assert ports["metrics"] == int(env["CSMS_METRICS_PORT"]) and env["CSMS_METRICS_HOST"] == "0.0.0.0", process
        if process == "api":
            assert ports["http"] == int(env["CSMS_API_PORT"]) and env["CSMS_API_HOST"] == "0.0.0.0"
            paths = {container[kind]["httpGet"]["path"] for kind in ("startupProbe", "readinessProbe", "livenessProbe")}
            assert paths == {"/healthz", "/readyz"}
            continue
        listen = env[GRPC_PORT_VARIABLE[process]]
        assert listen.startswith("0.0.0.0:") and ports["grpc"] == port_of(listen), process
        commands = probe_commands(container)
        assert len(commands) == 3, process
        for command in commands:
            assert port_of(probe.parser().parse_args(command[1:]).address) == ports["grpc"], (process, command)
        if process == "edge":
            assert ports["ws"] == int(env["CSMS_EDGE_PORT"])
            assert ("wss" in ports) == ("CSMS_EDGE_TLS_PORT" in env)
            if "wss" in ports:
                assert ports["wss"] == int(env["CSMS_EDGE_TLS_PORT"])
            assert env["CSMS_EDGE_GRPC_ADVERTISE"] == f"$(POD_IP):{ports['grpc']}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_and_peer_addresses_reach_container_ports(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    docs = rendered[overlay]
    ports_by_app = {}
    for doc in csms_workloads(docs):
        container = doc["spec"]["template"]["spec"]["containers"][0]
        app = doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        ports_by_app[app] = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    services = {}
    for service in of_kind(docs, "Service"):
        app = service["spec"]["selector"].get("app.kubernetes.io/name", "")
        if app in ports_by_app:
            for port in service["spec"]["ports"]:
                assert port["targetPort"] in ports_by_app[app], (service["metadata"]["name"], port)
                services[(service["metadata"]["name"], port["port"])] = ports_by_app[app][port["targetPort"]]
    for name, address in common_config(docs).items():
        if name.endswith("_ADDRESS"):
            host, port = re.fullmatch(r"dns:///([a-z0-9-]+):(\d+)", address).groups()  # type: ignore[union-attr]
            assert (host, int(port)) in services, (name, address)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_edges_drain_before_they_are_killed(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    docs = rendered[overlay]
    (edge,) = [doc for doc in csms_workloads(docs) if process_of(doc) == "edge"]
    spec = edge["spec"]["template"]["spec"]
    env = container_env(edge, docs)
    pre_stop = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = 2 * float(env["CSMS_EDGE_DRAIN_TIMEOUT_S"]) + float(env["CSMS_EDGE_CLOSE_TIMEOUT_S"])
    assert spec["terminationGracePeriodSeconds"] > pre_stop + drain + 10


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_process_gets_kubernetes_api_access(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    docs = rendered[overlay]
    accounts = {doc["metadata"]["name"]: doc for doc in of_kind(docs, "ServiceAccount")}
    for doc in csms_workloads(docs):
        spec = doc["spec"]["template"]["spec"]
        assert spec["automountServiceAccountToken"] is False
        assert accounts[spec["serviceAccountName"]]["automountServiceAccountToken"] is False
        container = spec["containers"][0]
        assert container["resources"]["requests"] and container["resources"]["limits"]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert spec["securityContext"]["runAsNonRoot"] is True
    assert not of_kind(docs, "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")


# ------------------------------------------------------------------------------------------ topology


def test_kafka_topics_are_generated_from_the_topology() -> None:
    assert (K8S / "overlays" / "prod" / "kafka-topics.yaml").read_text() == k8stopics.render(), (
        "stale: run `make k8s-topics`"
    )


def test_prod_topics_keyspaces_and_replication_agree_with_the_topology(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["prod"]
    topology = load_topology()
    topics = {doc["spec"]["topicName"]: doc["spec"] for doc in of_kind(docs, "KafkaTopic")}
    assert set(topics) == {topic.name for topic in topology.topics}
    for topic in topology.topics:
        assert topics[topic.name]["partitions"] == topic.partitions
        assert topics[topic.name]["replicas"] == 3
        assert topics[topic.name]["config"]["min.insync.replicas"] == "2"
    (kafka,) = of_kind(docs, "Kafka")
    assert kafka["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    assert (
        sum(pool["spec"]["replicas"] for pool in of_kind(docs, "KafkaNodePool") if "broker" in pool["spec"]["roles"])
        == 3
    )
    config = common_config(docs)
    assert (config["CSMS_KAFKA_REPLICATION_FACTOR"], config["CSMS_KAFKA_MIN_INSYNC_REPLICAS"]) == ("3", "2")
    (cassandra,) = of_kind(docs, "K8ssandraCluster")
    (datacenter,) = cassandra["spec"]["cassandra"]["datacenters"]
    assert datacenter["size"] == 3 and datacenter["metadata"]["name"] == config["CSMS_CASSANDRA_LOCAL_DC"]
    assert json.loads(config["CSMS_CASSANDRA_REPLICATION"]) == {
        "class": "NetworkTopologyStrategy",
        config["CSMS_CASSANDRA_LOCAL_DC"]: 3,
    }
    assert (
        config["CSMS_CASSANDRA_CONTACT_POINTS"]
        == f"{cassandra['metadata']['name']}-{datacenter['metadata']['name']}-service"
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_never_scale_past_their_partitions(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    partitions = {topic.name: topic.partitions for topic in load_topology().topics}
    for hpa in of_kind(rendered[overlay], "HorizontalPodAutoscaler"):
        service = hpa["spec"]["scaleTargetRef"]["name"].removeprefix("csms-").replace("-", "_")
        topic = f"ocpp.calls.{service}.v1"
        if topic in partitions:
            assert hpa["spec"]["maxReplicas"] <= partitions[topic], hpa["metadata"]["name"]


# ------------------------------------------------------------------------------------------ entrypoint


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_image_entrypoint_knows_every_command(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint = re.search(r"^ENTRYPOINT \[\"([^\"]+)\"\]", (ROOT / "Dockerfile").read_text(), re.M)
    assert entrypoint is not None and entrypoint[1] in scripts
    for doc in csms_workloads(rendered[overlay]):
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert "command" not in container, "the image's entrypoint runs every process"
        build_parser().parse_args(container["args"])
        for command in probe_commands(container):
            assert command[0] in scripts, command


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_name_ports_the_pods_serve(rendered: dict[str, list[dict[str, Any]]], overlay: str) -> None:
    docs = rendered[overlay]
    ports_by_app: dict[str, dict[str, int]] = {}
    for doc in of_kind(docs, "Deployment", "StatefulSet"):
        app = doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        for container in doc["spec"]["template"]["spec"]["containers"]:
            ports_by_app.setdefault(app, {}).update(
                {p.get("name", ""): p["containerPort"] for p in container.get("ports", [])}
            )
    for policy in of_kind(docs, "NetworkPolicy"):
        name = policy["metadata"]["name"]
        selected = policy["spec"]["podSelector"].get("matchLabels", {}).get("app.kubernetes.io/name")
        for rule in policy["spec"].get("ingress", []):
            for port in rule.get("ports", []):
                if selected in ports_by_app:
                    assert port["port"] in {*ports_by_app[selected], *ports_by_app[selected].values()}, (name, port)
        for rule in policy["spec"].get("egress", []):
            for peer in rule.get("to", []):
                target = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name", "")
                if target.startswith("csms-") and target in ports_by_app:
                    for port in rule.get("ports", []):
                        assert port["port"] in ports_by_app[target].values(), (name, target, port)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_process_allows_the_grpc_clients_its_settings_allow(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    """An overlay that names the gRPC clients of a process (prod: mutual TLS) names the ones its settings allow by
    default: a caller left out (a new service calling device-model) would be PERMISSION_DENIED in that cluster."""
    docs = rendered[overlay]
    for doc in csms_workloads(docs):
        process = process_of(doc)
        configured = container_env(doc, docs).get(f"CSMS_{process.upper().replace('-', '_')}_GRPC_CLIENTS")
        if configured is None or process not in SERVICES:
            continue
        settings_module = importlib.import_module(f"{SERVICES[process]}.settings")
        (settings_class,) = [
            value
            for name, value in vars(settings_module).items()
            if name.endswith("Settings") and "grpc_clients" in getattr(value, "model_fields", {})
        ]
        default = settings_class.model_fields["grpc_clients"].get_default(call_default_factory=True)
        assert set(configured.split(",")) == set(default), f"{overlay} {process}"


def settings_class_of(process: str) -> Any:
    settings_module = importlib.import_module(f"{SERVICES[process]}.settings")
    (settings_class,) = [
        value
        for name, value in vars(settings_module).items()
        if name.endswith("Settings")
        and name != "CommonSettings"
        and "environment" in getattr(value, "model_fields", {})
    ]
    return settings_class


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_runs_with_its_address_in_the_common_config(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    """Every `csms serve` process has a workload (a new service left out of k8s/ is caught here), and every peer
    a process calls (a `<peer>_address` setting) has its address in csms-common."""
    docs = rendered[overlay]
    served = {
        doc["spec"]["template"]["spec"]["containers"][0]["args"][1]
        for doc in csms_workloads(docs)
        if doc["spec"]["template"]["spec"]["containers"][0]["args"][0] == "serve"
    }
    assert served == set(SERVICES), f"{overlay}: missing {set(SERVICES) - served}"
    config = common_config(docs)
    for peer in PEER_ADDRESSES:
        assert f"CSMS_{peer.upper()}_ADDRESS" in config, (overlay, peer)


def policy_peers(rule_peers: list[dict[str, Any]]) -> set[str]:
    names: set[str] = set()
    for peer in rule_peers:
        selector = peer.get("podSelector", {})
        if "app.kubernetes.io/name" in selector.get("matchLabels", {}):
            names.add(selector["matchLabels"]["app.kubernetes.io/name"])
        for expression in selector.get("matchExpressions", []):
            if expression["key"] == "app.kubernetes.io/name" and expression["operator"] == "In":
                names.update(expression["values"])
    return names


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_let_each_process_reach_the_peers_it_calls(
    rendered: dict[str, list[dict[str, Any]]], overlay: str
) -> None:
    """A process that calls a peer (a `<peer>_address` setting) may leave by an egress rule to it and enter by one
    of the peer's ingress rules on its gRPC port: a missing rule is a call that times out in the cluster only."""
    docs = rendered[overlay]
    policies = of_kind(docs, "NetworkPolicy")

    def selected(policy: dict[str, Any]) -> set[str]:
        return policy_peers([{"podSelector": policy["spec"]["podSelector"]}])

    for process in SERVICES:
        fields = settings_class_of(process).model_fields
        for peer in PEER_ADDRESSES:
            if f"{peer}_address" not in fields:
                continue
            caller, callee = f"csms-{process}", f"csms-{peer.replace('_', '-')}"
            egress = [
                rule
                for policy in policies
                if caller in selected(policy)
                for rule in policy["spec"].get("egress", [])
                if callee in policy_peers(rule.get("to", []))
            ]
            ingress = [
                rule
                for policy in policies
                if callee in selected(policy)
                for rule in policy["spec"].get("ingress", [])
                if caller in policy_peers(rule.get("from", []))
            ]
            assert egress, f"{overlay}: no egress {caller} -> {callee}"
            assert any(port["port"] == "grpc" for rule in ingress for port in rule.get("ports", [])), (
                f"{overlay}: no ingress {caller} -> {callee}:grpc"
            )
