#!/usr/bin/env bash
# `make demo`: a hub on its embedded store; `vigil sim` streams DEVICES simulated devices
# (wearables, pulse oximeters, BP cuffs, glucose monitors, thermometers) over mutual-TLS MQTT;
# attacks are tried on the side (refused, and caught by detection); at the end a summary lists
# the alerts raised and checks that every acknowledged reading was stored.
#   DURATION=seconds (default: until Ctrl-C)   DEVICES=n (default 50)
#   DEMO_DIR=directory to keep the hub in (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
VIGIL=${VIGIL:-build/vigil}
DEVICES=${DEVICES:-50}
DURATION=${DURATION:-}
DEMO_DIR=${DEMO_DIR:-$(mktemp -d /tmp/vigil-demo-XXXXXX)}
HUB=$DEMO_DIR/hub
[ -e "$HUB" ] && { echo "demo: $HUB exists; set DEMO_DIR to a new directory" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }

say "Creating a hub in $HUB"
"$VIGIL" init --data-dir "$HUB" >/dev/null
"$VIGIL" patient add --data-dir "$HUB" --id demo-p-1 --name "Ada Example" --birth-date 1961-04-02 >/dev/null
# The first simulated patient exists before the simulator starts, so that people can be given
# access to it: one user per role for the console, each with a one-time password and a TOTP secret.
"$VIGIL" patient add --data-dir "$HUB" --id sim-p-0001 --name "Simulated Patient sim-p-0001" \
  --birth-date 1950-01-01 >/dev/null
USERS=""
add_user() {  # add_user NAME ROLE [--patient ID]
  local out password secret
  out=$("$VIGIL" user add --data-dir "$HUB" --username "$1" --role "$2" "${@:3}")
  password=$(sed -nE 's/.*initial password: (\S+).*/\1/p' <<<"$out")
  secret=$(sed -nE 's/.*TOTP secret:\s+(\S+).*/\1/p' <<<"$out")
  USERS+=$(printf '    %-18s %-17s password %s  TOTP secret %s' "$1" "$2" "$password" "$secret")$'\n'
}
add_user demo.officer security-officer
add_user demo.clinician clinician
add_user demo.patient patient --patient sim-p-0001
add_user demo.nurse nurse
add_user demo.admin admin
add_user demo.devices device-admin
for member in demo.clinician demo.nurse; do
  "$VIGIL" careteam add --data-dir "$HUB" --patient sim-p-0001 --user "$member" >/dev/null
done
for id in demo-atk-1 demo-atk-2; do
  "$VIGIL" device enroll --data-dir "$HUB" --id "$id" --patient demo-p-1 --type wearable \
    --out "$DEMO_DIR/$id" >/dev/null
done

# The hub runs in its own session so that Ctrl-C reaches the simulator, not the hub.
setsid "$VIGIL" serve --data-dir "$HUB" --mqtt-port 0 --https-port 0 \
  --ready-file "$DEMO_DIR/ready.json" >"$DEMO_DIR/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$DEMO_DIR/ready.json" ] && break; sleep 0.1; done
[ -s "$DEMO_DIR/ready.json" ] || { cat "$DEMO_DIR/serve.log"; exit 1; }
MQTT_PORT=$(sed -E 's/.*"mqtt_port":([0-9]+).*/\1/' "$DEMO_DIR/ready.json")
HTTPS_PORT=$(sed -E 's/.*"https_port":([0-9]+).*/\1/' "$DEMO_DIR/ready.json")
say "Hub listening: MQTT over TLS on 127.0.0.1:$MQTT_PORT, HTTPS on https://127.0.0.1:$HTTPS_PORT"
echo "  metrics:  https://127.0.0.1:$HTTPS_PORT/metrics   (curl --cacert $HUB/ca/ca.crt ...)"
echo "  console:  https://localhost:$HTTPS_PORT/console/  (the hub's own CA: $HUB/ca/ca.crt;"
echo "            import it in the browser, or accept the warning on this machine)"
echo "  sign in as each role: the one-time password, then a code from an authenticator app"
echo "  holding the TOTP secret (or: oathtool --totp -b SECRET); the first sign-in asks for a"
echo "  password of your own. The clinician, the nurse and the patient see sim-p-0001's readings."
printf '%s' "$USERS"
echo "  the hub's log is $DEMO_DIR/serve.log"

publish() {  # publish DEVICE PAYLOAD [TOPIC]: prints the MQTT 5 PUBACK reason code, or "refused at connect"
  local id=$1 payload=$2 topic=${3:-devices/$1/vitals} out
  out=$(mosquitto_pub -V mqttv5 -h localhost -p "$MQTT_PORT" --cafile "$DEMO_DIR/$id/ca.crt" \
    --cert "$DEMO_DIR/$id/$id.crt" --key "$DEMO_DIR/$id/$id.key" -i "$id" -q 1 -t "$topic" \
    -m "$payload" -d 2>&1 || true)
  if [[ $out =~ PUBACK.*RC:([0-9]+) ]]; then echo "PUBACK reason ${BASH_REMATCH[1]}"
  elif [[ $out =~ CONNACK\ \(([0-9]+)\) ]]; then echo "CONNACK reason ${BASH_REMATCH[1]}"
  else echo "connection refused"; fi
}
reading() { echo "{\"seq\":$1,\"ts\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"readings\":[{\"type\":\"heart_rate\",\"value\":$2,\"unit\":\"/min\"}]}"; }
attack() {
  case $1 in
    1) publish demo-atk-1 "$(reading 1 70)" >/dev/null
       echo "  attack: replay of a captured message (seq 1) -> $(publish demo-atk-1 "$(reading 1 180)") (135: not authorized)" ;;
    2) echo "  attack: demo-atk-1 spoofs sim-dev-0001's topic -> $(publish demo-atk-1 "$(reading 99 40)" devices/sim-dev-0001/vitals) (135: not authorized)" ;;
    3) "$VIGIL" device revoke --data-dir "$HUB" --id demo-atk-2 >/dev/null
       echo "  attack: revoked device demo-atk-2 connects -> $(publish demo-atk-2 "$(reading 1 70)") (135: not authorized)" ;;
    4) for name in clone brute-force; do  # scenarios of the simulator, with their ground truth
         truth=$("$VIGIL" sim --data-dir "$HUB" --attack "$name" --port "$MQTT_PORT" \
           --https-port "$HTTPS_PORT" --tag demo)
         echo "  attack: $name on $(sed -E 's/.*"entity":"([^"]+)".*/\1/' <<<"$truth") (vigil sim --attack $name)"
       done ;;
  esac
}

SIM_DURATION=${DURATION:-315360000}
if [ -n "$DURATION" ]; then UNTIL="for ${DURATION}s"; else UNTIL="until Ctrl-C"; fi
say "Streaming from $DEVICES simulated devices $UNTIL"
"$VIGIL" sim --data-dir "$HUB" --devices "$DEVICES" --duration "$SIM_DURATION" --port "$MQTT_PORT" \
  --json >"$DEMO_DIR/sim.json" &
SIM_PID=$!
trap 'echo; echo "  (Ctrl-C: the simulator stops sending and waits for its acknowledgements)"' INT
start=$(date +%s); next_attack=1
attack_at() { [ -n "$DURATION" ] && echo $((DURATION * $1 / 5)) || echo $((5 * $1)); }
while kill -0 "$SIM_PID" 2>/dev/null; do
  if [ "$next_attack" -le 4 ] && [ $(( $(date +%s) - start )) -ge "$(attack_at $next_attack)" ]; then
    echo; attack "$next_attack"; next_attack=$((next_attack + 1))
  fi
  sleep 0.5
done
SIM_STATUS=0; wait "$SIM_PID" || SIM_STATUS=$?
trap - INT

say "Stopping the hub (SIGTERM: in-flight readings commit and are acknowledged first)"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" || true; trap - EXIT

json() { sed -E "s/.*\"$1\":([0-9.]+).*/\1/" "$DEMO_DIR/sim.json"; }
SENT=$(json sent); ACKED=$(json acked); REFUSED=$(json refused); UNACKED=$(json unacknowledged)
STORED=$("$VIGIL" device list --data-dir "$HUB" | awk '$1 ~ /^sim-dev-/ {s += $5} END {print s + 0}')
OBS=$("$VIGIL" observations --data-dir "$HUB" --patient sim-p-0001 | grep -c '"resourceType": "Observation"' || true)
REFUSALS=$(grep -c "refused" "$DEMO_DIR/serve.log" || true)
say "Summary"
echo "  simulated readings sent $SENT, acknowledged $ACKED, refused $REFUSED, unacknowledged $UNACKED"
echo "  device messages durably stored $STORED; sim-p-0001 alone has $OBS FHIR Observations"
echo "  attacks tried $((next_attack - 1)); refusals in the hub's log: $REFUSALS"
ALERTS=$("$VIGIL" alerts list --data-dir "$HUB" | tail -n +2)
echo "  alerts raised $(grep -c . <<<"$ALERTS" || true), in $("$VIGIL" incidents list --data-dir "$HUB" | tail -n +2 | grep -c . || true) incidents:"
cut -f2-4 <<<"$ALERTS" | sed 's/^/    /; s/\t/  /g'
printf '  acknowledgement latency p50 %.2f ms, p99 %.2f ms\n' "$(json ack_p50_ms)" "$(json ack_p99_ms)"
echo "  read the data:  $VIGIL observations --data-dir $HUB --patient sim-p-0001"
echo "  list devices:   $VIGIL device list --data-dir $HUB"
echo "  security:       $VIGIL alerts list --data-dir $HUB; $VIGIL incidents report --data-dir $HUB --id 1"
if [ "$SIM_STATUS" -ne 0 ] || [ "$SENT" -ne "$ACKED" ] || [ "$ACKED" -ne "$STORED" ]; then
  echo "demo: FAILED: sent $SENT, acknowledged $ACKED, stored $STORED" >&2
  exit 1
fi
echo "  every sent reading was acknowledged and stored: OK"
