#!/usr/bin/env bash
# What `make cluster` and bench/cluster_faults.py need beyond the test suite's packages: etcd
# (the DCS), Patroni (PostgreSQL failover) and HAProxy. Their services are not started: the
# cluster scripts run their own instances on loopback. Idempotent.
set -euo pipefail
bash "$(dirname "$0")/install-deps.sh"
packages=(patroni etcd-server haproxy python3-etcd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
