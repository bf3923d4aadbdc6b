#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Quiet when everything is present; needs root only when something must be installed.
set -euo pipefail

PACKAGES=(
    librabbitmq-dev libnghttp2-dev libcurl4-openssl-dev zlib1g-dev libssl-dev openssl pkg-config
    rabbitmq-server clickhouse-server clickhouse-client
    nghttp2-client protobuf-compiler docker-compose python3-venv curl
)

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2>/dev/null || true)
    [[ "$status" == ii* ]] || missing+=("$package")
done

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]}" >&2
    echo "install-deps: run this script as root (or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
