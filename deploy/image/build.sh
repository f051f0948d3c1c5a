#!/usr/bin/env bash
# `make image`: the Dockerfile's image built without a container engine (none runs on the development machines),
# from the package registries: a Debian 12 root filesystem (debootstrap, Debian's python3), the project's wheels
# (pip, PyPI) in a venv at /opt/csms, a user 10001, assembled by umoci into an OCI image archive:
#   .image/csms-<version>-oci.tar   (load with `skopeo copy oci-archive:.image/csms-<version>-oci.tar docker://...`)
# Then a smoke test runs the entrypoint from the unpacked root filesystem (unshare + chroot, as user 10001): the
# help of every command the manifests use, every process's code imported, `csms migrate --dry-run`.
# Needs root, debootstrap and umoci (apt-get install debootstrap umoci: done here when missing). ~5 minutes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/.image
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/pyproject.toml")
SUITE=bookworm
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ROOTFS=$OUT/rootfs
PY=${PY:-$ROOT/.venv/bin/python}

[ "$(id -u)" = 0 ] || { echo "make image needs root (debootstrap, chroot)" >&2; exit 1; }
for tool in debootstrap umoci; do
  command -v "$tool" >/dev/null || apt-get install -y -q debootstrap umoci >/dev/null
done

rm -rf "$OUT" && mkdir -p "$OUT/wheels"
echo "== Debian $SUITE root filesystem with python3 (debootstrap)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$SUITE" "$ROOTFS" "$MIRROR" \
  > "$OUT/debootstrap.log"

echo "== the project's wheels (pip wheel, for CPython 3.11 on glibc)"
"$PY" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheels" "$ROOT" > "$OUT/wheels.log"

PATH_IN=/opt/csms/bin:/usr/sbin:/usr/bin:/sbin:/bin
# A command inside the root filesystem: own mount and PID namespaces, /proc mounted, chroot, an empty environment
# but PATH and HOME (nothing of the host's, e.g. its PIP_* settings); as root, or as the user given with
# --userspec=UID:GID first. Further VAR=value arguments before the command set variables.
in_root() {
  local options=() home=/root
  if [[ "${1:-}" == --userspec=* ]]; then options+=("$1"); home=/nonexistent; shift; fi
  mkdir -p "$ROOTFS/proc"
  unshare -m -p -f --mount-proc="$ROOTFS/proc" chroot "${options[@]}" "$ROOTFS" \
    /usr/bin/env -i PATH="$PATH_IN" HOME="$home" "$@"
}

echo "== /opt/csms venv from the wheels, user 10001"
cp -r "$OUT/wheels" "$ROOTFS/tmp/wheels"
in_root /usr/bin/python3 -m venv /opt/csms
in_root /opt/csms/bin/pip install -q --disable-pip-version-check --no-index --find-links /tmp/wheels csms
in_root /opt/csms/bin/pip uninstall -q -y pip
rm -rf "$ROOTFS/tmp/wheels" "$ROOTFS/var/lib/apt/lists/"* "$ROOTFS/var/cache/apt/"*.bin "$ROOTFS/var/cache/apt/archives/"*.deb
echo "csms:x:10001:" >> "$ROOTFS/etc/group"
echo "csms:x:10001:10001:csms:/nonexistent:/usr/sbin/nologin" >> "$ROOTFS/etc/passwd"

echo "== smoke test: the entrypoint from the unpacked root filesystem, as user 10001"
smoke() { in_root --userspec=10001:10001 "$@"; }
smoke csms --help > "$OUT/smoke.log"
smoke csms serve --help >> "$OUT/smoke.log"
smoke csms migrate --help >> "$OUT/smoke.log"
smoke csms-probe --help >> "$OUT/smoke.log"
for package in csms_edge csms_device_model csms_authorization csms_transactions csms_security csms_api; do
  smoke python3 -c "import $package.bootstrap; print('$package', 'imports')" >> "$OUT/smoke.log"
done
smoke CSMS_KAFKA_REPLICATION_FACTOR=3 CSMS_KAFKA_MIN_INSYNC_REPLICAS=2 \
  'CSMS_CASSANDRA_REPLICATION={"class":"NetworkTopologyStrategy","dc1":3}' csms migrate --dry-run >> "$OUT/smoke.log"
grep -q "would migrate Kafka" "$OUT/smoke.log"
echo "   ok ($(wc -l < "$OUT/smoke.log") lines in .image/smoke.log)"

echo "== OCI image (umoci)"
umoci init --layout "$OUT/oci"
umoci new --image "$OUT/oci:csms"
umoci unpack --image "$OUT/oci:csms" "$OUT/bundle" > /dev/null
rm -rf "$OUT/bundle/rootfs" && mv "$ROOTFS" "$OUT/bundle/rootfs"
umoci repack --image "$OUT/oci:csms" "$OUT/bundle"
umoci config --image "$OUT/oci:csms" --tag "$VERSION" --os linux --architecture amd64 \
  --config.user 10001:10001 --config.entrypoint csms --config.cmd --help --config.workingdir / \
  --config.env "PATH=$PATH_IN" --config.env PYTHONDONTWRITEBYTECODE=1 --config.env PYTHONUNBUFFERED=1
umoci rm --image "$OUT/oci:csms"
umoci gc --layout "$OUT/oci"
tar -C "$OUT/oci" -cf "$OUT/csms-$VERSION-oci.tar" .
rm -rf "$OUT/bundle"
echo "== $OUT/csms-$VERSION-oci.tar ($(du -h "$OUT/csms-$VERSION-oci.tar" | cut -f1)), tag $VERSION"
