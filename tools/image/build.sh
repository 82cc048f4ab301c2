#!/usr/bin/env bash
# Build the todo-api image with podman (./tools/task image, ./tools/task image:test).
#
#   IMAGE       tag to build              (default localhost/todo-api:latest)
#   BASE_IMAGE  the Dockerfile's base     (default python:3.11-slim, pulled from a registry)
#
# With BASE_IMAGE=localhost/todo-api-base:bookworm (what image:test uses) no registry is needed:
# that stand-in for python:3.11-slim (Debian bookworm's Python 3.11) is made with debootstrap
# on first use and kept as a local image afterwards. Missing Debian packages are installed
# when running as root (CI), otherwise named.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
IMAGE="${IMAGE:-localhost/todo-api:latest}"
BASE_IMAGE="${BASE_IMAGE:-python:3.11-slim}"
LOCAL_BASE="localhost/todo-api-base:bookworm"
# This host's needs (runc, ulimits, cgroupfs); see the file. An explicit CONTAINERS_CONF wins.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/tools/image/containers.conf}"

say() { printf 'tools/image: %s\n' "$*" >&2; }

ensure_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  if ((EUID != 0)); then
    say "install these Debian packages first: ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# A python:3.11-slim look-alike: Debian's Python 3.11, the host's CA certificates (TLS goes
# through an intercepting proxy here), and the same PATH and locale.
build_local_base() {
  podman image exists "$LOCAL_BASE" && return 0
  say "creating $LOCAL_BASE with debootstrap (once; it is reused afterwards)"
  local rootfs
  rootfs="$(mktemp -d /var/tmp/todo-api-base.XXXXXX)"
  # --one-file-system: never descend into a /proc or /sys a failed debootstrap left mounted.
  trap 'umount -R "$rootfs/proc" "$rootfs/sys" 2>/dev/null || true; rm -rf --one-file-system "$rootfs"' EXIT
  debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
    bookworm "$rootfs" >/dev/null
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >/dev/null 2>&1
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' \
    - "$LOCAL_BASE" >/dev/null
  rm -rf --one-file-system "$rootfs"
  trap - EXIT
}

ensure_packages podman buildah runc
pull=missing
if [[ "$BASE_IMAGE" == "$LOCAL_BASE" ]]; then
  ensure_packages debootstrap
  build_local_base
  pull=never
fi

say "building $IMAGE on $BASE_IMAGE"
# Host networking: a bridge would change the host (ip_forward, nft tables); see the field notes.
# VERSION: the one version source, for the image label (the Dockerfile checks it matches).
podman build --network host --pull="$pull" --build-arg BASE_IMAGE="$BASE_IMAGE" \
  --build-arg VERSION="$(tr -d '[:space:]' <"$ROOT/VERSION")" \
  --tag "$IMAGE" --file "$ROOT/Dockerfile" "$ROOT"
