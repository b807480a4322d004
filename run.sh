#!/usr/bin/env bash
# Starts the proxy on this machine, with a Pulsar standalone beside it.
#
#   ./run.sh [--rebuild] [proxy options, e.g. --config my.yaml]
#   ./run.sh --pulsar-only      (just the Pulsar standalone, e.g. to restart it under a running proxy)
#
# - builds the proxy jar when it is missing or older than a source file or pom.xml (--rebuild forces it);
# - unless PROXY_PULSAR_SERVICE_URL is set: starts Pulsar standalone on ports 6650/8080 with its data in
#   ~/.cache/pulsar-proxy/data (kept between runs), or reuses a Pulsar already serving there;
# - starts java -XX:+ExitOnOutOfMemoryError -jar proxy-app/target/pulsar-proxy.jar with the remaining arguments;
# - Ctrl-C / SIGTERM stops the proxy, then the Pulsar it started.
# - a second ./run.sh (other PROXY_HTTP_PORT / PROXY_MANAGEMENT_PORT) uses the first one's Pulsar; with
#   PROXY_CLUSTER_ENABLED=true and the same PROXY_CLUSTER_MEMBERS the two proxies form a cluster (README, Running a
#   cluster), and the cluster port (PROXY_CLUSTER_PORT, 5701) must be free too.
#
# Needs a JDK 17+ and Maven on the PATH. The Pulsar distribution comes through Maven, like the build's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

JAR=proxy-app/target/pulsar-proxy.jar
PULSAR_VERSION=$(sed -n 's:.*<pulsar.version>\(.*\)</pulsar.version>.*:\1:p' pom.xml | head -n 1)
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/pulsar-proxy
PULSAR_HOME_DIR=$CACHE_DIR/apache-pulsar-$PULSAR_VERSION
PULSAR_DATA=$CACHE_DIR/data
PULSAR_CONF=$CACHE_DIR/conf/standalone.conf
PULSAR_LOGS=$CACHE_DIR/logs
PULSAR_LOG=$PULSAR_LOGS/pulsar-standalone.log
PULSAR_PID_FILE=$CACHE_DIR/pulsar.pid
BROKER_PORT=6650
WEB_PORT=8080
READY_TIMEOUT=180
# The same JVM settings as the test kit's standalone (proxy-testkit Settings): modest, G1.
export PULSAR_MEM="-Xms256m -Xmx1g -XX:MaxDirectMemorySize=512m"
export PULSAR_GC="-XX:+UseG1GC -XX:+PerfDisableSharedMem"

REBUILD=false
PULSAR_ONLY=false
PROXY_ARGS=()
for arg in "$@"; do
  case $arg in
    --rebuild) REBUILD=true ;;
    --pulsar-only) PULSAR_ONLY=true ;;
    *) PROXY_ARGS+=("$arg") ;;
  esac
done

PROXY_PID=
PULSAR_PID=          # set only when this script started Pulsar, which it then stops on exit

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }
# shellcheck source=scripts/pulsar-distribution.sh
source scripts/pulsar-distribution.sh  # the working directory is the repository (above)

# ---- build --------------------------------------------------------------------------------------------------------

needs_build() {
  [[ $REBUILD == true || ! -f $JAR ]] && return 0
  local newer
  newer=$(find . \( -name .git -o -name target -o -name node_modules \) -prune -o -type f \
    \( -path './*/src/*' -o -name pom.xml \) -newer "$JAR" -print -quit)
  [[ -n $newer ]]
}

if [[ $PULSAR_ONLY == false ]] && needs_build; then
  log "Building the proxy (mvn -B -q -DskipTests package)..."
  mvn -B -q -DskipTests package
  [[ -f $JAR ]] || die "the build did not produce $JAR"
fi

# ---- Pulsar -------------------------------------------------------------------------------------------------------

# GET http://127.0.0.1:$WEB_PORT$1 and print the body; fails unless the status is 200.
http_get() {
  if command -v curl > /dev/null; then
    curl -sf --max-time 3 "http://127.0.0.1:$WEB_PORT$1"
    return
  fi
  local fd response
  exec {fd}<> "/dev/tcp/127.0.0.1/$WEB_PORT" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$1" >&"$fd"
  response=$(timeout 3 cat <&"$fd") || true
  exec {fd}>&-
  [[ $response == "HTTP/1."?" 200"* ]] || return 1
  printf '%s' "${response#*$'\r\n\r\n'}"
}

port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2> /dev/null
}

pulsar_ready() {
  local namespaces
  namespaces=$(http_get /admin/v2/namespaces/public 2> /dev/null) || return 1
  [[ $namespaces == *'"public/default"'* ]]
}

# The distribution's standalone.conf with the settings the proxy relies on (as the test kit writes it).
write_pulsar_conf() {
  mkdir -p "$(dirname "$PULSAR_CONF")"
  local overrides=(
    "brokerServicePort=$BROKER_PORT"
    "webServicePort=$WEB_PORT"
    "advertisedAddress=127.0.0.1"
    "webSocketServiceEnabled=true"
    "allowAutoTopicCreation=true"
    "brokerDeleteInactiveTopicsEnabled=false"
    "functionsWorkerEnabled=false"
  )
  cp "$PULSAR_HOME_DIR/conf/standalone.conf" "$PULSAR_CONF.tmp"
  printf '\n' >> "$PULSAR_CONF.tmp"
  local kv key
  for kv in "${overrides[@]}"; do
    key=${kv%%=*}
    if grep -q "^$key=" "$PULSAR_CONF.tmp"; then
      sed -i "s|^$key=.*|$kv|" "$PULSAR_CONF.tmp"
    else
      printf '%s\n' "$kv" >> "$PULSAR_CONF.tmp"
    fi
  done
  mv "$PULSAR_CONF.tmp" "$PULSAR_CONF"
}

# The Pulsar a previous run started and that is still alive, from the pid file.
previous_pulsar_pid() {
  [[ -f $PULSAR_PID_FILE ]] || return 1
  local pid
  pid=$(cat "$PULSAR_PID_FILE")
  [[ -n $pid ]] && kill -0 "$pid" 2> /dev/null && grep -qF "$PULSAR_CONF" "/proc/$pid/cmdline" 2> /dev/null \
    && printf '%s' "$pid"
}

# Whether the run.sh that started this Pulsar is still running (then it is that run's to stop, not ours).
owned_by_live_run() {
  local parent
  parent=$(ps -o ppid= -p "$1" 2> /dev/null | tr -d ' ')
  [[ -n $parent && $parent != 1 ]] && grep -q 'run\.sh' "/proc/$parent/cmdline" 2> /dev/null
}

start_pulsar() {
  ensure_distribution
  write_pulsar_conf
  mkdir -p "$PULSAR_DATA" "$PULSAR_LOGS"
  printf '==== %s starting Pulsar standalone %s\n' "$(date -Is)" "$PULSAR_VERSION" >> "$PULSAR_LOG"
  # Own process group (set -m), so Ctrl-C reaches only this script, which stops the proxy before Pulsar.
  set -m
  PULSAR_LOG_DIR=$PULSAR_LOGS PULSAR_STANDALONE_CONF=$PULSAR_CONF \
    "$PULSAR_HOME_DIR/bin/pulsar" standalone \
      --no-functions-worker --no-stream-storage --advertised-address 127.0.0.1 \
      --bookkeeper-dir "$PULSAR_DATA/bookkeeper" --metadata-dir "$PULSAR_DATA/metadata" \
      --config "$PULSAR_CONF" \
      >> "$PULSAR_LOG" 2>&1 < /dev/null &
  PULSAR_PID=$!
  set +m
  printf '%s\n' "$PULSAR_PID" > "$PULSAR_PID_FILE"
}

wait_for_pulsar() {
  local pid=$1 waited=0
  printf 'Waiting for Pulsar' >&2
  until pulsar_ready; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2> /dev/null; then
      printf '\n' >&2
      log "Pulsar standalone exited during start-up. Last 50 lines of $PULSAR_LOG:"
      tail -n 50 "$PULSAR_LOG" >&2
      PULSAR_PID=
      exit 1
    fi
    if ((waited >= READY_TIMEOUT)); then
      printf '\n' >&2
      log "Pulsar not ready after ${READY_TIMEOUT}s. Last 50 lines of $PULSAR_LOG:"
      tail -n 50 "$PULSAR_LOG" >&2
      exit 1
    fi
    printf '.' >&2
    sleep 1
    waited=$((waited + 1))
  done
  printf ' ready (%ss)\n' "$waited" >&2
}

# SIGTERM to a process group, SIGKILL after $2 seconds if it is still there; returns when the leader has exited.
stop_group() {
  local pid=$1 grace=$2
  kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || return 0
  (sleep "$grace"; kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null) &
  local watchdog=$!
  # wait reaps a child of this script; a process adopted from a previous run is polled instead.
  wait "$pid" 2> /dev/null || true
  while kill -0 "$pid" 2> /dev/null; do sleep 0.2; done
  kill "$watchdog" 2> /dev/null || true
  wait "$watchdog" 2> /dev/null || true
}

shutdown() {
  local status=${1:-0}
  trap - INT TERM HUP
  if [[ -n $PROXY_PID ]]; then
    log "Stopping the proxy..."
    stop_group "$PROXY_PID" 30
    PROXY_PID=
  fi
  if [[ -n $PULSAR_PID ]]; then
    log "Stopping Pulsar..."
    stop_group "$PULSAR_PID" 20
    rm -f "$PULSAR_PID_FILE"
    PULSAR_PID=
  fi
  exit "$status"
}

# The proxy's own ports first: a second ./run.sh must say which port is taken before it starts anything.
HTTP_PORT=${PROXY_HTTP_PORT:-8088}
MANAGEMENT_PORT=${PROXY_MANAGEMENT_PORT:-8089}
CLUSTER_PORT=${PROXY_CLUSTER_PORT:-5701}
PROXY_PORTS=("$HTTP_PORT:http.port (PROXY_HTTP_PORT)" "$MANAGEMENT_PORT:management.port (PROXY_MANAGEMENT_PORT)")
if [[ ${PROXY_CLUSTER_ENABLED:-false} == true ]]; then
  PROXY_PORTS+=("$CLUSTER_PORT:cluster.port (PROXY_CLUSTER_PORT)")
fi
for entry in "${PROXY_PORTS[@]}"; do
  port=${entry%%:*}
  if [[ $PULSAR_ONLY == false && $port != 0 ]] && port_open "$port"; then
    die "port $port, the proxy's ${entry#*:}, is in use (another ./run.sh or proxy?); stop it or set another port"
  fi
done

trap 'shutdown 0' INT TERM HUP
# Whatever else ends the script (a failed command under set -e) must not leave Pulsar behind.
trap 'if [[ -n $PULSAR_PID || -n $PROXY_PID ]]; then shutdown 1; fi' EXIT

if [[ -n ${PROXY_PULSAR_SERVICE_URL:-} ]]; then
  log "Using the Pulsar at $PROXY_PULSAR_SERVICE_URL (PROXY_PULSAR_SERVICE_URL); not starting one."
  PULSAR_DESCRIPTION="$PROXY_PULSAR_SERVICE_URL"
else
  export PROXY_PULSAR_SERVICE_URL=pulsar://localhost:$BROKER_PORT
  export PROXY_PULSAR_WEB_SERVICE_URL=${PROXY_PULSAR_WEB_SERVICE_URL:-http://localhost:$WEB_PORT}
  PULSAR_DESCRIPTION="pulsar://localhost:$BROKER_PORT  admin http://localhost:$WEB_PORT  log $PULSAR_LOG"
  if previous=$(previous_pulsar_pid); then
    if owned_by_live_run "$previous"; then
      log "Using the Pulsar standalone (pid $previous) of another ./run.sh that is still running."
      PULSAR_DESCRIPTION="$PULSAR_DESCRIPTION  (another run's; not stopped on exit)"
    else
      log "Taking over the Pulsar standalone (pid $previous) left running by a previous run."
      PULSAR_PID=$previous
    fi
    wait_for_pulsar "$previous"
  elif port_open "$BROKER_PORT"; then
    pulsar_ready || die "port $BROKER_PORT is in use, but no Pulsar admin API answers on port $WEB_PORT"
    log "A Pulsar is already serving on port $BROKER_PORT: reusing it."
    PULSAR_DESCRIPTION="pulsar://localhost:$BROKER_PORT  admin http://localhost:$WEB_PORT"
    PULSAR_DESCRIPTION="$PULSAR_DESCRIPTION  (already running; not stopped on exit)"
  else
    port_open "$WEB_PORT" && die "port $WEB_PORT is in use by something else; Pulsar needs it for its admin API"
    start_pulsar
    wait_for_pulsar "$PULSAR_PID"
  fi
fi

if [[ $PULSAR_ONLY == true ]]; then
  log ""
  log "  pulsar       $PULSAR_DESCRIPTION$([[ -n $PULSAR_PID ]] && printf '  pid %s' "$PULSAR_PID")"
  if [[ -z $PULSAR_PID ]]; then
    log "  (not started by this command: nothing to wait for)"
    exit 0
  fi
  log "  Ctrl-C stops Pulsar."
  log ""
  wait "$PULSAR_PID" || true
  PULSAR_PID=
  exit 0
fi

# ---- proxy --------------------------------------------------------------------------------------------------------

CLUSTER_LINE=
if [[ ${PROXY_CLUSTER_ENABLED:-false} == true ]]; then
  CLUSTER_LINE=$'\n'"  cluster      member port $CLUSTER_PORT, members ${PROXY_CLUSTER_MEMBERS:-none listed}"
fi

set -m
# Should memory ever run out, exit (Ctrl-C and a restart are better than a process that answers nothing).
java -XX:+ExitOnOutOfMemoryError -jar "$JAR" ${PROXY_ARGS[@]+"${PROXY_ARGS[@]}"} < /dev/null &
PROXY_PID=$!
set +m

cat >&2 << EOF

  proxy        http://localhost:$HTTP_PORT   (REST, WebSocket, SSE, demo page)
  management   http://localhost:$MANAGEMENT_PORT/metrics   http://localhost:$MANAGEMENT_PORT/health/ready
  pulsar       $PULSAR_DESCRIPTION$([[ -n $PULSAR_PID ]] && printf '  pid %s' "$PULSAR_PID")$CLUSTER_LINE
  (ports are the defaults and PROXY_* environment; a --config file may change them)

  Ctrl-C stops the proxy$([[ -n $PULSAR_PID ]] && printf ' and Pulsar').

EOF

status=0
wait "$PROXY_PID" || status=$?
# Reached only when the proxy exits by itself: a signal to this script runs shutdown from the trap instead.
PROXY_PID=
log "The proxy exited with status $status."
shutdown "$status"
