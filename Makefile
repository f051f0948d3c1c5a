# The two commands a new user needs: `make run` (the whole system) and `make test` (every test).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: k8s-tools k8s-topics k8s-crds-verify image setup infra-fetch s3-fetch infra-up infra-down migrate run up down test test-unit test-integration test-e2e test-faults test-faults-repeat lint proto config-doc bench bench-stack bench-boot bench-edge bench-handshake bench-api bench-validation clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip==26.3
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

infra-fetch:
	$(PY) deploy/infra.py fetch

# The S3-compatible server of the artifact store's S3 tests (gofakes3, installed once with go into .infra/s3).
s3-fetch:
	$(PY) deploy/s3_server.py fetch

infra-up: infra-fetch
	$(PY) deploy/infra.py start all

infra-down:
	$(PY) deploy/infra.py stop all

migrate: setup infra-up
	$(BIN)/csms migrate

# Foreground: Kafka, Cassandra, every service and the edge nodes; Ctrl-C stops everything.
run: setup infra-fetch
	$(BIN)/csms stack run

# Background: the same stack, returning once it is ready; `make down` stops it.
up: setup infra-fetch
	$(BIN)/csms stack up

down:
	test ! -x $(BIN)/csms || $(BIN)/csms stack down
	$(PY) deploy/infra.py stop all

# Unit tests first, then integration, then e2e: Kafka and Cassandra start at the first integration test and the
# e2e stack at the first e2e test, so neither burns CPU while the unit tests run.
test: setup infra-fetch s3-fetch lint k8s-tools
	$(BIN)/pytest -p no:cacheprovider tests/unit tests/integration tests/e2e

test-unit: setup k8s-tools
	$(BIN)/pytest -p no:cacheprovider tests/unit

test-integration: setup infra-fetch s3-fetch
	$(BIN)/pytest -p no:cacheprovider tests/integration

test-e2e: setup infra-fetch
	$(BIN)/pytest -p no:cacheprovider tests/e2e

# Crash and fault tests (kill -9, broker/database restarts, hostile input) on a Kafka/Cassandra copy of their own.
test-faults: setup infra-fetch
	$(BIN)/pytest -p no:cacheprovider -s tests/faults

# Every fault test N times in a row in one session (default 10), stopping at the first failure.
test-faults-repeat: setup infra-fetch
	$(BIN)/pytest -p no:cacheprovider -s -x --count=$(or $(N),10) --repeat-scope=session tests/faults

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

proto: setup
	$(BIN)/python -m csms_devtools.protogen

config-doc: setup
	$(BIN)/python -m csms_devtools.configdoc

# Kubernetes (docs/deploy-kubernetes.md). The manifest checks in tests/unit/k8s render the overlays with
# `kubectl kustomize` (or `kustomize build`): without either, kustomize is installed from the Go module proxy.
KUSTOMIZE_VERSION := v5.5.0
k8s-tools:
	@command -v kubectl >/dev/null || command -v kustomize >/dev/null || test -x $(BIN)/kustomize || { \
	  command -v go >/dev/null || { echo "error: the manifest checks need kubectl or kustomize, or Go to install kustomize" >&2; exit 1; }; \
	  echo "installing kustomize $(KUSTOMIZE_VERSION) into $(BIN) (go install)"; \
	  GOBIN=$(CURDIR)/$(BIN) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION); }

# The prod overlay's KafkaTopics, generated from services/csms_kernel/topology.toml (a test fails when stale).
k8s-topics: setup
	$(BIN)/python -m csms_devtools.k8stopics

# Fetches the CRDs published as Go modules again from the Go module proxy and compares them with the vendored
# copies (k8s/crds/SOURCES.md; Strimzi's are not on a registry reachable here).
k8s-crds-verify:
	@verify() { dir=$$(go mod download -json $$1 | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'); \
	  zcat k8s/crds/$$2.gz | cmp - "$$dir/$$3" && echo "k8s/crds/$$2.gz: as published in $$1"; }; \
	verify github.com/k8ssandra/k8ssandra-operator@v1.21.0 k8ssandra-operator-v1.21.0-k8ssandra.io_k8ssandraclusters.yaml \
	  config/crd/bases/k8ssandra.io_k8ssandraclusters.yaml && \
	verify github.com/prometheus-operator/prometheus-operator@v0.85.0 \
	  prometheus-operator-v0.85.0-monitoring.coreos.com_servicemonitors.yaml \
	  example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml

# The container image without a container engine (Debian root filesystem + the project's wheels + umoci), smoke-
# tested from its root filesystem: .image/csms-<version>-oci.tar. Needs root; ~5 minutes; not part of `make test`.
image: setup
	deploy/image/build.sh

# Benchmarks (README "Performance"): against the local stack, which they start with `make up` and leave
# running (`make down`). Pictures and JSON land in .infra/bench/.
SIMULATOR := $(BIN)/python -m loadtest.simulator --provision 127.0.0.1:50052

bench: up
	mkdir -p .infra/bench
	$(SIMULATOR) --stations 200 --scenario boot-storm steady reconnect-storm --duration 30 --rate 100 \
		--histogram .infra/bench/bench.png --json .infra/bench/bench.json

bench-stack: up
	$(BIN)/python -m loadtest.bench_stack latency --baseline
	$(BIN)/python -m loadtest.bench_stack sweep

bench-boot: up
	$(BIN)/python -m loadtest.bench_stack boot-storm

# CPU per handshake for ws:// (SP1), wss:// (SP2) and wss:// + client certificate (SP3), then a boot storm of
# 10,000 SP2 stations over wss:// (the development root CA of `make run`).
bench-handshake: up
	$(BIN)/python -m loadtest.bench_handshake
	$(BIN)/python -m loadtest.bench_stack boot-storm --url wss://127.0.0.1:9443/ocpp --ca-file .infra/pki/root-ca.pem

bench-edge: up
	$(BIN)/python -m loadtest.bench_edge relay
	$(BIN)/python -m loadtest.bench_edge memory

bench-api: up
	$(BIN)/python -m loadtest.bench_api

bench-validation: setup
	$(BIN)/python -m loadtest.bench_validation

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
