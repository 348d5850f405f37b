#!/usr/bin/env bash
# What the benchmarks need beyond the test suite's packages: matplotlib plots bench/soak.py.
set -euo pipefail
bash "$(dirname "$0")/install-deps.sh"
dpkg-query -W -f='${Status}' python3-matplotlib 2>/dev/null | grep -q "install ok installed" && exit 0
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null
