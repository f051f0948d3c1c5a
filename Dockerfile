# The one CSMS image: its command selects the process (ADR 0036, docs/deploy-kubernetes.md):
#   csms serve edge | device-model | authorization | transactions | security | api,  csms migrate [--dry-run]
# Debian 12 (bookworm) and Debian's Python 3.11, the project's wheels in /opt/csms, user 10001. `make image`
# builds the same image without a container engine (deploy/image/build.sh). Pin the base by digest where a
# registry is reachable: docker buildx imagetools inspect debian:bookworm-slim, then DEBIAN=debian:bookworm-slim@sha256:...
ARG DEBIAN=debian:bookworm-slim

FROM ${DEBIAN} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-dev build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
RUN python3 -m venv /opt/csms \
 && /opt/csms/bin/pip install --no-cache-dir --disable-pip-version-check pip==26.3 \
 && /opt/csms/bin/pip install --no-cache-dir --disable-pip-version-check . \
 && /opt/csms/bin/pip uninstall -y pip

FROM ${DEBIAN}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 csms \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin csms
COPY --from=build /opt/csms /opt/csms
ENV PATH=/opt/csms/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
ENTRYPOINT ["csms"]
CMD ["--help"]
