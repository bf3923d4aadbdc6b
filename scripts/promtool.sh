#!/usr/bin/env bash
# Runs promtool, Prometheus's checker, with the arguments given (`scripts/promtool.sh check metrics < metrics.txt`).
# It comes from Debian's `prometheus` package without installing the service: the package is downloaded once
# (`apt-get download`), unpacked (`dpkg -x`) and only its promtool kept in .run/promtool; later calls use that copy.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DIR=$ROOT/.run/promtool
BIN=$DIR/promtool

if [[ ! -x "$BIN" ]]; then
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    chmod 755 "$download"  # apt-get download fetches as the _apt user where it can
    if ! (cd "$download" && apt-get download -q prometheus) >&2; then
        echo "promtool.sh: apt-get download failed; updating the package lists once and retrying" >&2
        apt-get update -q >&2
        (cd "$download" && apt-get download -q prometheus) >&2
    fi
    dpkg -x "$download"/prometheus_*.deb "$download/root"
    [[ -x "$download/root/usr/bin/promtool" ]] || {
        echo "promtool.sh: the prometheus package holds no usr/bin/promtool" >&2
        exit 1
    }
    mkdir -p "$DIR"
    mv "$download/root/usr/bin/promtool" "$BIN"
fi
exec "$BIN" "$@"
