#!/usr/bin/env bash
# `make demo`: a hub on its embedded store, four enrolled devices streaming vitals over mutual-TLS
# MQTT (3.1.1 and 5.0, Vigil JSON and SenML), a few attacks the hub must refuse, live status from
# /metrics, and a summary that checks every acknowledged reading was stored.
# DURATION=seconds (default 20); DEMO_DIR=directory to keep the hub in (default: a new temp dir).
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-build/vigil}
DURATION=${DURATION:-20}
DEMO_DIR=${DEMO_DIR:-$(mktemp -d /tmp/vigil-demo-XXXXXX)}
HUB=$DEMO_DIR/hub
[ -e "$HUB" ] && { echo "demo: $HUB exists; set DEMO_DIR to a new directory" >&2; exit 1; }

say() { printf '\n== %s\n' "$*"; }
say "Creating a hub in $HUB"
"$VIGIL" init --data-dir "$HUB" >/dev/null
"$VIGIL" patient add --data-dir "$HUB" --id p-001 --name "Ada Example" --birth-date 1961-04-02 >/dev/null
"$VIGIL" patient add --data-dir "$HUB" --id p-002 --name "Grace Sample" --birth-date 1948-12-09 >/dev/null
DEVICES=(dev-ox-01:p-001:pulse-oximeter dev-bp-01:p-001:bp-cuff dev-th-02:p-002:thermometer dev-cgm-02:p-002:cgm)
for spec in "${DEVICES[@]}"; do
  IFS=: read -r id patient type <<<"$spec"
  "$VIGIL" device enroll --data-dir "$HUB" --id "$id" --patient "$patient" --type "$type" \
    --out "$DEMO_DIR/$id" >/dev/null
  echo "  enrolled $id ($type) for $patient"
done

"$VIGIL" serve --data-dir "$HUB" --mqtt-port 0 --https-port 0 --ready-file "$DEMO_DIR/ready.json" \
  >"$DEMO_DIR/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$DEMO_DIR/ready.json" ] && break; sleep 0.1; done
MQTT_PORT=$(sed -E 's/.*"mqtt_port":([0-9]+).*/\1/' "$DEMO_DIR/ready.json")
HTTPS_PORT=$(sed -E 's/.*"https_port":([0-9]+).*/\1/' "$DEMO_DIR/ready.json")
say "Hub listening: MQTT over TLS on 127.0.0.1:$MQTT_PORT, HTTPS on https://127.0.0.1:$HTTPS_PORT"
echo "  metrics: https://127.0.0.1:$HTTPS_PORT/metrics (the security console comes with a later release)"

declare -A SEQ
SENT=0; ACKED=0; REFUSED_AS_EXPECTED=0
publish() {  # publish ID PAYLOAD VERSION [TOPIC]: prints the PUBACK reason code, or "closed"
  local id=$1 payload=$2 version=$3 topic=${4:-devices/$1/vitals} out
  out=$(mosquitto_pub -V "$version" -h localhost -p "$MQTT_PORT" --cafile "$DEMO_DIR/$id/ca.crt" \
    --cert "$DEMO_DIR/$id/$id.crt" --key "$DEMO_DIR/$id/$id.key" -i "$id" -q 1 -t "$topic" \
    -m "$payload" -d 2>&1 || true)
  if [[ $out =~ RC:([0-9]+) ]]; then echo "${BASH_REMATCH[1]}"; else echo closed; fi
}
reading_for() {  # a plausible reading for the device type
  local id=$1 seq=$2 ts
  ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  case $id in
    dev-ox-*) echo "{\"seq\":$seq,\"ts\":\"$ts\",\"readings\":[{\"type\":\"spo2\",\"value\":$((95 + RANDOM % 4)),\"unit\":\"%\"},{\"type\":\"heart_rate\",\"value\":$((62 + RANDOM % 15)),\"unit\":\"/min\"}]}" ;;
    dev-bp-*) echo "{\"seq\":$seq,\"ts\":\"$ts\",\"readings\":[{\"type\":\"systolic_bp\",\"value\":$((112 + RANDOM % 20)),\"unit\":\"mm[Hg]\"},{\"type\":\"diastolic_bp\",\"value\":$((70 + RANDOM % 12)),\"unit\":\"mm[Hg]\"}]}" ;;
    dev-th-*) echo "{\"seq\":$seq,\"ts\":\"$ts\",\"readings\":[{\"type\":\"body_temperature\",\"value\":98.$((RANDOM % 9)),\"unit\":\"degF\"}]}" ;;
    dev-cgm-*) echo "[{\"bn\":\"urn:dev:cgm:$id:\",\"n\":\"seq\",\"v\":$seq},{\"n\":\"blood_glucose\",\"u\":\"mmol/l\",\"v\":5.$((RANDOM % 9))}]" ;;
  esac
}
metric() { curl -s --cacert "$HUB/ca/ca.crt" "https://localhost:$HTTPS_PORT/metrics" | awk -v m="$1" '$1==m {print $2}'; }

say "Streaming for ${DURATION}s (attacks at 25%, 50% and 75% of the run)"
start=$(date +%s); tick=0
while [ $(( $(date +%s) - start )) -lt "$DURATION" ]; do
  tick=$((tick + 1))
  tick_started=$(date +%s.%N)
  for spec in "${DEVICES[@]}"; do
    id=${spec%%:*}
    SEQ[$id]=$(( ${SEQ[$id]:-0} + 1 ))
    version=mqttv5; [ $((tick % 2)) -eq 0 ] && version=mqttv311
    rc=$(publish "$id" "$(reading_for "$id" "${SEQ[$id]}")" "$version")
    SENT=$((SENT + 1)); [ "$rc" = 0 ] && ACKED=$((ACKED + 1))
  done
  elapsed=$(( $(date +%s) - start ))
  if [ "$elapsed" -ge $((DURATION / 4)) ] && [ -z "${ATTACK1:-}" ]; then ATTACK1=1
    rc=$(publish dev-ox-01 "$(reading_for dev-ox-01 1)" mqttv5)
    echo "  attack: replayed sequence 1 from dev-ox-01 -> PUBACK reason $rc (135 = not authorized)"
    REFUSED_AS_EXPECTED=$((REFUSED_AS_EXPECTED + 1))
  fi
  if [ "$elapsed" -ge $((DURATION / 2)) ] && [ -z "${ATTACK2:-}" ]; then ATTACK2=1
    rc=$(publish dev-th-02 "$(reading_for dev-th-02 999999)" mqttv5 devices/dev-ox-01/vitals)
    echo "  attack: dev-th-02 spoofing dev-ox-01's topic -> PUBACK reason $rc (135 = not authorized)"
    REFUSED_AS_EXPECTED=$((REFUSED_AS_EXPECTED + 1))
  fi
  if [ "$elapsed" -ge $((DURATION * 3 / 4)) ] && [ -z "${ATTACK3:-}" ]; then ATTACK3=1
    "$VIGIL" device revoke --data-dir "$HUB" --id dev-cgm-02 >/dev/null
    sleep 1.2
    rc=$(publish dev-cgm-02 "$(reading_for dev-cgm-02 $(( ${SEQ[dev-cgm-02]} + 1 )))" mqttv5)
    echo "  attack: revoked dev-cgm-02 tries again -> $rc (connection refused)"
    DEVICES=("${DEVICES[@]:0:3}")
    REFUSED_AS_EXPECTED=$((REFUSED_AS_EXPECTED + 1))
  fi
  printf '  [%3ss] sent %4d  acknowledged %4d  stored %4s  refused %s  connections open %s\n' \
    "$elapsed" "$SENT" "$ACKED" "$(metric vigil_messages_accepted_total)" \
    "$(curl -s --cacert "$HUB/ca/ca.crt" "https://localhost:$HTTPS_PORT/metrics" | awk '/^vigil_messages_refused_total/ {s+=$2} END {print s+0}')" \
    "$(metric vigil_connections_open)"
  sleep "$(awk -v s="$tick_started" -v n="$(date +%s.%N)" 'BEGIN { d = 1 - (n - s); print (d > 0) ? d : 0 }')"
done

say "Stopping the hub (SIGTERM: finish in-flight commits, then exit)"
kill -TERM $SERVE_PID; wait $SERVE_PID || true; trap - EXIT

STORED=0
for p in p-001 p-002; do
  n=$("$VIGIL" observations --data-dir "$HUB" --patient "$p" | awk '/"resourceType": "Observation"/ {n++} END {print n+0}')
  echo "  $p: $n FHIR Observations (decrypted with the patient's key)"
  STORED=$((STORED + n))
done
MESSAGES=$("$VIGIL" device list --data-dir "$HUB" | awk 'NR>1 {s+=$5} END {print s}')
say "Summary"
echo "  readings sent $SENT, acknowledged $ACKED, durable device messages $MESSAGES, Observations $STORED"
echo "  attacks refused: $REFUSED_AS_EXPECTED"
echo "  look at the data: $VIGIL observations --data-dir $HUB --patient p-001"
echo "  the log: $DEMO_DIR/serve.log"
if [ "$ACKED" -ne "$MESSAGES" ] || [ "$ACKED" -ne "$SENT" ]; then
  echo "demo: FAILED: sent $SENT, acknowledged $ACKED, stored $MESSAGES" >&2
  exit 1
fi
echo "  every sent reading was acknowledged and stored: OK"
