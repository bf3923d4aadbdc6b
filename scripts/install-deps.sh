#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those that are missing.
# Quiet when everything is present; needs root only when something must be installed.
#
#   install-deps.sh               what `make run` runs with: the C libraries, RabbitMQ, ClickHouse, nghttp, protoc, curl
#   install-deps.sh EXTRA...      the same and, per EXTRA:
#       venv     python3-venv (the grpcio virtualenvs of the interop tests and the bench)
#       compose  docker-compose, without its recommended docker.io and containerd: make test only validates the
#                compose file offline (there is no Docker engine to run it)
set -euo pipefail

PACKAGES=(
    librabbitmq-dev libnghttp2-dev libcurl4-openssl-dev zlib1g-dev libssl-dev openssl pkg-config
    rabbitmq-server clickhouse-server clickhouse-client
    nghttp2-client protobuf-compiler curl
)
NO_RECOMMENDS=()
for extra in "$@"; do
    case $extra in
        venv) PACKAGES+=(python3-venv) ;;
        compose) NO_RECOMMENDS+=(docker-compose) ;;
        *)
            echo "install-deps: unknown extra '$extra' (known: venv, compose)" >&2
            exit 2
            ;;
    esac
done

missing_of() {
    local package status
    for package in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$package" 2> /dev/null || true)
        [[ "$status" == ii* ]] || echo "$package"
    done
}
mapfile -t missing < <(missing_of "${PACKAGES[@]}")
mapfile -t missing_plain < <(missing_of "${NO_RECOMMENDS[@]}")

[[ ${#missing[@]} -eq 0 && ${#missing_plain[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} ${missing_plain[*]}" >&2
    echo "install-deps: run this script as root (or: sudo apt-get install -y ${missing[*]} ${missing_plain[*]})" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]} ${missing_plain[*]}"
apt-get update -q
if [[ ${#missing[@]} -gt 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
if [[ ${#missing_plain[@]} -gt 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing_plain[@]}"
fi
