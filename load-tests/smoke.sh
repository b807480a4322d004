#!/usr/bin/env bash
# Runs every Gatling simulation for a few seconds against a real proxy and Pulsar (./run.sh), each with its own pass
# criteria: a simulation that no longer works against the proxy fails here, not on the day of a benchmark.
#
#   load-tests/smoke.sh            (from anywhere; needs a JDK 17+ and Maven, and ports 6650, 8080, 8088, 8089 free
#                                   or serving this project's Pulsar)
#
# SMOKE_DURATION (default 8s) is each simulation's duration, SMOKE_RAMP (default 3s) its ramp. The loads are the
# simulations' defaults scaled down, and the p99 bound only catches hangs (a shared CI machine is slow): what is checked is that
# every request of every simulation gets the answer its checks expect.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${SMOKE_DURATION:-8s}
RAMP=${SMOKE_RAMP:-3s}
READY_URL=http://localhost:${PROXY_MANAGEMENT_PORT:-8089}/health/ready
LOG_DIR=load-tests/target/smoke
mkdir -p "$LOG_DIR"

./run.sh > "$LOG_DIR/run.log" 2>&1 &
RUN_PID=$!
stop() {
  kill -TERM "$RUN_PID" 2>/dev/null || true
  wait "$RUN_PID" 2>/dev/null || true
}
trap stop EXIT

# ./run.sh builds the jar when needed and starts Pulsar: allow for both on a slow machine.
waited=0
until curl -sf -o /dev/null "$READY_URL"; do
  if ! kill -0 "$RUN_PID" 2>/dev/null; then
    echo "smoke: ./run.sh exited before the proxy was ready; its output:" >&2
    tail -n 80 "$LOG_DIR/run.log" >&2
    exit 1
  fi
  if (( waited >= 600 )); then
    echo "smoke: the proxy was not ready after ${waited}s; ./run.sh's output:" >&2
    tail -n 80 "$LOG_DIR/run.log" >&2
    exit 1
  fi
  sleep 2
  waited=$((waited + 2))
done
echo "smoke: proxy ready after ${waited}s"

COMMON=(-Dduration="$DURATION" -Dramp="$RAMP" -Dp99Ms=60000 -DmaxErrorPct=0.5)
declare -A OWN=(
  [HttpProduceSimulation]="-Dusers=4 -DbatchSize=20"
  [WsProduceSimulation]="-Dusers=4 -Dwindow=5"
  [WsConsumeSimulation]="-Dconsumers=10 -Dproducers=2 -Drate=200"
  [HttpConsumeSimulation]="-Dconsumers=4 -Drate=200 -DbatchSize=20"
  [MixedSimulation]="-DwsConsumers=10 -DwsProducers=2 -DwsRate=200 -DhttpSingleRate=20 -DhttpBatchRate=200 -DbatchSize=20 -DhttpConsumers=2"
)
failed=()
for simulation in HttpProduceSimulation WsProduceSimulation WsConsumeSimulation HttpConsumeSimulation MixedSimulation; do
  echo "smoke: $simulation"
  # shellcheck disable=SC2086  # the simulation's own settings are words
  if mvn -B -q -Pload-tests -pl load-tests gatling:test \
      -Dgatling.simulationClass="io.pulsarproxy.loadtests.$simulation" "${COMMON[@]}" ${OWN[$simulation]} \
      > "$LOG_DIR/$simulation.log" 2>&1; then
    echo "smoke: $simulation passed"
  else
    echo "smoke: $simulation FAILED; the end of its output:" >&2
    tail -n 60 "$LOG_DIR/$simulation.log" >&2
    failed+=("$simulation")
  fi
done

if (( ${#failed[@]} > 0 )); then
  echo "smoke: failed: ${failed[*]}" >&2
  exit 1
fi
echo "smoke: every simulation passed"
