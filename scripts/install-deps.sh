#!/usr/bin/env bash
# Installs the Debian packages Vigil builds, tests and demos with. Idempotent: installs only what
# is missing, so a second run costs one dpkg query.
set -euo pipefail

packages=(
  # build
  cmake make g++ pkg-config clang-format
  libboost1.81-dev libssl-dev libsqlite3-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev libargon2-dev libqrencode-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev libpq-dev
  # the common-password list compiled into the hub (Openwall's, public domain)
  john-data
  # fuzzing and sanitizers (clang's libFuzzer and runtimes)
  clang libclang-rt-14-dev
  # real peers for the tests and the demo
  openssl sqlite3 curl mosquitto mosquitto-clients python3 python3-paho-mqtt python3-cryptography python3-pyotp oathtool
  procps iproute2 zbar-tools
  # the PostgreSQL server the store's tests run the suite against (started per run, on a free
  # port, as the unprivileged postgres user)
  postgresql-15 postgresql-client-15
  # the load generator of bench/api_bench.py
  wrk
  # the browser the console's tests drive (tests/console, through playwright-core)
  chromium
  # the reference transparency-log code (golang.org/x/mod/sumdb/note and tlog) that checks the
  # ledger's checkpoints and tiles in tests/tlog
  golang-go golang-golang-x-mod-dev
)

# Node.js runs the FHIR validator and client of the API tests; the machine may have its own
# build (with npm bundled), which Debian's npm package would conflict with.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The broker package starts a system-wide mosquitto on 1883; tests run their own on free ports.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now mosquitto >/dev/null 2>&1 || true; fi
echo "install-deps: done"
