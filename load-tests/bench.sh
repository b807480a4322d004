#!/usr/bin/env bash
# Side-by-side benchmark of the proxy against Pulsar's own WebSocket service and the plain Java client, and a soak.
#
#   load-tests/bench.sh [run] [options]          the benchmark (default)
#   load-tests/bench.sh soak [--minutes 5] [options]
#   load-tests/bench.sh soak --kill-every 600 [--minutes 60] [options]   the soak with broker faults
#   load-tests/bench.sh flood [--flood-seconds 25] [options]
#   load-tests/bench.sh fanout [--fanout-connections 10000] [options]
#   load-tests/bench.sh --help
#
# Starts its own Pulsar standalone (WebSocket service on, data under the output directory) and the proxy jar
# (built when missing), runs every scenario against every target in turn, A B A B over --rounds rounds, and writes
# results.csv, summary.md and summary.csv under load-tests/target/bench/<time>/ (also printed). Everything it
# started is stopped on exit, Ctrl-C or failure. Traffic goes to 127.0.0.1 only.
#
# Scenarios (--scenarios, comma-separated):
#   ws           WebSocket produce, the same client (pulsar-perf websocket-producer) against Pulsar's WebSocket
#                service (target pulsar-ws) and the proxy (proxy-ws); a target whose handshake fails is skipped
#   ws-window    WebSocket produce with a windowed client (WsProduceLoad): --ws-connections sockets, each with at
#                most --ws-window frames awaiting an ack, acks matched by context; the same client against pulsar-ws
#                and proxy-ws, so neither server is overrun past its in-flight limit
#   ws-window-batch  as ws-window, with ?batchingEnabled=true on both targets (Pulsar's producer batching)
#   ws-consume   WebSocket consume: a backlog of at least --consume-messages messages, written beforehand straight
#                to the broker (pulsar-perf produce at --direct-rate, batched; not measured) on a fresh topic with the
#                subscription bench-sub, drained by the same client (WsConsumeLoad) through pulsar-ws and proxy-ws:
#                --ws-consume-connections Shared consumer sockets, receiverQueueSize=1000, every message acked as it
#                comes. msg/s is distinct messages the client received per second (first to last message); the client
#                stops when --consume-messages distinct messages came, or after max(120, --duration) s
#   http-single  HTTP produce, one message per request, against the proxy (wrk, else Gatling). With wrk also
#                against Pulsar's own REST produce endpoint (PIP-64, POST /topics/persistent/... on the web port;
#                target pulsar-rest), at each of --http-single-connections: targets proxy-c<N> and pulsar-rest-c<N>,
#                A B A B; before the first round each target gets --http-warm-up seconds of unmeasured load
#   http-batch   HTTP produce, --batch messages per request, against the proxy
#   http-avro    HTTP produce of --batch 10-field records per request as JSON values to a topic with an Avro
#                schema (uploaded first; the proxy encodes each value) (target proxy-avro), then the same number of
#                messages of the same size in bytes (the records' Avro size) as payloads to a topic without a schema
#                (target proxy-bytes): A B A B over the rounds. Needs wrk
#   direct       the Java client (pulsar-perf produce) straight to the broker: the ceiling
#   cpu          what a message costs: pulsar-perf websocket-producer (as in ws, one socket) at the fixed rate
#                --cpu-rate, meant to be below what both servers sustain, through pulsar-ws and proxy-ws (a note
#                says when the client sent less than 95 % of rate x duration); per round and target
#                CPU-seconds per 1000 stored messages of the proxy, the broker and the client process (utime + stime
#                from /proc/<pid>/stat over the window in which the broker stored), server = proxy + broker for
#                proxy-ws and the broker alone for pulsar-ws (its WebSocket service runs inside the broker), and the
#                share of the messages the client sent that the broker stored (its msgInCounter). Before round 1
#                one unmeasured run of --cpu-warm-up s per target (in warm-up.csv). Not in the default list: it
#                measures cost, not speed, and adds 2 runs per round
#   e2e          end-to-end latency at --e2e-rate msg/s: pulsar-perf websocket-producer through pulsar-ws / proxy-ws,
#                received by pulsar-perf consume (the same consumer for both), latency = receive time - publishTime.
#                Runs after the other scenarios, --e2e-rounds rounds A B A B, after one unmeasured warm-up run of
#                min(--duration, 10) s per target (recorded in warm-up.csv, not in the summary); the summary gives p50
#                and p99 per round and the median of the per-round p99 ratios proxy-ws / pulsar-ws
#
# Options (environment variable in brackets):
#   --rounds N          rounds per scenario and target [BENCH_ROUNDS, 3]
#   --duration S        seconds of load per scenario and round [BENCH_DURATION, 30]
#   --size BYTES        message size [BENCH_SIZE, 1024]
#   --scenarios LIST    [BENCH_SCENARIOS, ws,ws-window,ws-window-batch,ws-consume,http-single,http-batch,direct,e2e]
#   --ws-rate N         msg/s offered by the WebSocket producer; it does not wait for acks, so set it above what the
#                       server sustains (msg/s in the table is what the broker stored) [BENCH_WS_RATE, 50000]
#   --ws-connections N  WebSocket producer sockets of ws-window [BENCH_WS_CONNECTIONS, 16]
#   --ws-window N       frames in flight per socket in ws-window [BENCH_WS_WINDOW, 100]. Pulsar's service gives
#                       each socket its own producer; the proxy shares one per topic between sockets, and its queue
#                       (producer.maxPendingMessages, 10000) answers send-error:8 when full. So that both servers
#                       may have connections x window in flight, the proxy is started with
#                       PROXY_PRODUCER_MAX_PENDING_MESSAGES at least that (unless the variable is set)
#   --ws-client-threads N  event-loop threads of the ws-window and ws-consume clients [BENCH_WS_CLIENT_THREADS, 1]
#   --consume-messages N  messages written to each ws-consume topic and drained by the client
#                       [BENCH_CONSUME_MESSAGES, 200000]
#   --ws-consume-connections N  consumer sockets of ws-consume [BENCH_WS_CONSUME_CONNECTIONS, 4]
#   --proxy-java-opts S extra JVM options for the proxy, e.g. a JFR recording [BENCH_PROXY_JAVA_OPTS]; in
#                       --cluster-compare {node} in it becomes the node's name (a or b)
#   --proxy-jar PATH    the proxy jar to run, e.g. to compare builds [BENCH_PROXY_JAR, proxy-app/target/pulsar-proxy.jar,
#                       built when missing]
#   --direct-rate N     msg/s offered by pulsar-perf produce, which waits when 1000 sends are pending, so a rate
#                       above what the broker takes means "as fast as it goes" [BENCH_DIRECT_RATE, 1000000]
#   --e2e-rate N        msg/s for the end-to-end scenario [BENCH_E2E_RATE, 2000]
#   --e2e-rounds N      rounds of the end-to-end scenario [BENCH_E2E_ROUNDS, the larger of 5 and --rounds]
#   --cpu-rate N        msg/s offered by the cpu scenario's producer [BENCH_CPU_RATE, 12000]
#   --cpu-warm-up S     seconds of the cpu scenario's unmeasured run per target before round 1 (0: none)
#                       [BENCH_CPU_WARM_UP, 60]
#   --batch N           messages per request in http-batch [BENCH_BATCH, 100]
#   --http-single-connections LIST  wrk connections of http-single, comma-separated (outside the --*-compare
#                       modes) [BENCH_HTTP_SINGLE_CONNECTIONS, 8,64]
#   --http-warm-up S    seconds of unmeasured http-single load per target before the first round
#                       [BENCH_HTTP_WARM_UP, 10]
#   --connections N     HTTP connections (wrk) / users (Gatling); connections x batch above the proxy's
#                       producer.maxPendingMessages (10000) gets 503s by design [BENCH_CONNECTIONS, 8]
#   --http-client C     wrk or gatling [BENCH_HTTP_CLIENT, wrk when installed]
#   --proxy-heap SIZE   -Xmx for the proxy, e.g. 256m [BENCH_PROXY_HEAP]; the soak runs the proxy with -Xms and -Xmx
#                       at this size (default 256m), -XX:+AlwaysPreTouch and MALLOC_ARENA_MAX=2
#   --broker-port P     Pulsar binary port [BENCH_BROKER_PORT, 6650]
#   --web-port P        Pulsar web port: admin API and WebSocket service [BENCH_WEB_PORT, 8080]
#   --proxy-port P      proxy client port [BENCH_PROXY_PORT, 8088]
#   --management-port P proxy management port [BENCH_MANAGEMENT_PORT, 8089]
#   --out DIR           output directory [BENCH_OUT, load-tests/target/bench/<time>]
#   --auth-compare      the cost of authentication: http-single, http-batch, ws-window and ws-window-batch run
#                       against the proxy with JWT authentication off (targets proxy, proxy-ws) and on (proxy-jwt,
#                       proxy-ws-jwt: auth.providers [jwt], a secret key and a token made with Pulsar's
#                       `bin/pulsar tokens`, a rule that lets the token's role produce), A B A B in one proxy process:
#                       bench.sh rewrites the proxy's configuration file, which the proxy reloads, and waits until a
#                       request without a token is answered as expected (401 with it on). The clients send
#                       Authorization: Bearer (wrk's script, WsProduceLoad --token-file); Pulsar's WebSocket service is
#                       not measured. Other scenarios are not run [BENCH_AUTH_COMPARE=true]
#   --tracing-compare   the cost of tracing, the same way: http-single, http-batch, ws-window and ws-window-batch
#                       against the proxy with tracing.exporter none (targets proxy, proxy-ws) and on (proxy-traced,
#                       proxy-ws-traced: tracing.exporter logging, samplingRatio 1.0, every span written to the proxy's
#                       log file by OpenTelemetry's logging exporter), switched by a configuration reload; bench.sh
#                       waits until a produce's traceparent answer shows the sampled flag (01 on, 00 off)
#                       [BENCH_TRACING_COMPARE=true]
#   --observability-compare  the cost of tracing and metrics together: http-batch (and the others of --tracing-compare
#                       when listed) against the proxy with all of them off (targets proxy, proxy-ws: tracing.exporter
#                       none, management.lagInterval 0, pulsar.statsInterval 0) and on (proxy-observed,
#                       proxy-ws-observed: tracing.exporter otlp-http at samplingRatio 1.0 to a small OTLP sink that
#                       bench.sh runs on --proxy-port + 2 (bench-report.py otlp-sink, which counts what it got in
#                       otlp-sink.txt), lagInterval 1s, statsInterval 1s). The two intervals take a restart, so bench.sh
#                       restarts the proxy with the other configuration before each target, A B A B, as --edge-compare
#                       does. In both arms an HTTP consumer instance (subscription bench-lag, not polled) is held on
#                       the measured topic, so the lag sampler has a subscription to sample; after each run /metrics is
#                       saved in the run's directory (metrics.txt) [BENCH_OBSERVABILITY_COMPARE=true]
#   --edge-compare      scaling up: http-batch and ws-window (and http-single, ws-window-batch when listed) run against
#                       the proxy with 1 edge instance (targets proxy-e1, proxy-ws-e1) and with 2 (proxy-e2,
#                       proxy-ws-e2; edge.instances, PROXY_EDGE_INSTANCES), A B A B: edge.instances takes a restart,
#                       so bench.sh restarts the proxy with the other number before each target (log proxy.log,
#                       appended). CPU is the proxy process's utime + stime, as in every scenario. Other scenarios are
#                       not run; needs wrk [BENCH_EDGE_COMPARE=true]
#   --cluster-compare   the cost of a cluster: two clustered proxies (node A on --proxy-port / --management-port /
#                       cluster port --cluster-port, node B on each + 2 / + 2 / + 1, the same member list) against the
#                       one Pulsar standalone; an HTTP consumer instance is created on A. Per round (--rounds): (i)
#                       poll (max=1) + ack latency, alternately through A (the owner) and B (a non-owner, whose requests
#                       cross the clustered event bus), --cluster-messages / 10 timed of each after 200 unmeasured;
#                       (ii) proxy CPU-seconds per 1000 messages (utime + stime of both proxy processes) for
#                       --cluster-messages messages produced through A in requests of 100 and consumed (poll max=100
#                       + ack) through A (target one-node) and through B (target crossing), in alternating order;
#                       before round 1 two unmeasured arms of each (--cluster-messages / 2 each, alternating) warm
#                       both paths.
#                       Client: ClusterCompareLoad. Writes cluster.csv, cluster.md and cluster-threads.csv (each
#                       arm's CPU per 1000 messages per thread group of each node, user and system). Other scenarios
#                       are not run
#                       [BENCH_CLUSTER_COMPARE=true]
#   --cluster-port P    Hazelcast port of node A in --cluster-compare [BENCH_CLUSTER_PORT, 5801]
#   --cluster-messages N  messages per CPU arm of --cluster-compare [BENCH_CLUSTER_MESSAGES, 20000]
#   --jar-compare PATH  two builds of the proxy A B A B in one run: ws, ws-window and ws-window-batch (also under
#                       --edge-compare) measure the --proxy-jar build (targets proxy-ws, proxy-ws-e1, …) and then this
#                       one (the same targets with -b: proxy-ws-b, proxy-ws-e1-b, …) in each round; bench.sh restarts
#                       the proxy with the other jar before each target [BENCH_JAR_COMPARE]
#   --keep-data         keep Pulsar's data directory on exit; by default each measured topic is deleted after its
#                       run and the data directory on exit (a 20 s run at 50,000 msg/s writes 1 GB)
# Flood only (the load that once ran a proxy with a 256 MB heap out of memory):
#   --flood-seconds S   how long wrk -t2 posts [25]
#   --flood-connections N  wrk connections [400]
#   --flood-message-bytes N  bytes of the one message of each request, sent base64 in JSON: 700000 makes bodies of
#                       933 KB [700000]. The proxy runs with -Xmx256m (unless --proxy-heap) and every limit at its
#                       default. Passes when every answer was 200 or 503 with Retry-After and, afterwards, the proxy
#                       still runs, holds no body bytes and answers /health/live and a small produce. Writes flood.md.
#                       Needs wrk.
# Fan-out only (how many consumers one proxy holds open in a 512 MB heap, every one receiving):
#   --fanout-connections N  WebSocket consumers and, as many again, SSE streams held open at once [10000]
#   --fanout-topics N   persistent topics they are spread over (connection i reads topic i mod N) [10]
#   --fanout-messages N messages produced to every topic once all are open [10]
#   --fanout-concurrency N  connections each client opens at once [100]
#                       The proxy runs with -Xmx512m (unless --proxy-heap). One FanOutLoad JVM per kind, each
#                       connection on a subscription of its own (WebSocket: Exclusive, NonDurable; SSE: durable,
#                       format=text), so that every one receives every message of its topic. Once all are open, the
#                       messages go through the proxy's HTTP produce (a 503 is repeated for up to 2 minutes), and
#                       each client counts the distinct messages of every connection. The proxy's limits on what is
#                       held open are raised to fit (PROXY_CONSUMER_MAX_SESSIONS, PROXY_HTTP_CONSUMER_MAX_INSTANCES,
#                       ..._PER_CLIENT, PROXY_HTTP_MAX_IN_FLIGHT_REQUESTS, PROXY_WS_MAX_SOCKETS; a variable already set
#                       wins), its probe interval is 30 s (a broker busy with thousands of subscribes misses the 2 s
#                       default), and the open-file limit is raised to 2 x N + 1000 when the hard limit allows (else
#                       a warning: the proxy needs a descriptor per connection). Heap used after a full GC (jcmd
#                       GC.run, GC.heap_info) idle, with all open and after delivery, RSS, open files, a class
#                       histogram; writes fanout.md. Fails unless every connection received every message.
#                       Measured (2 cores, shared, noisy): 5000 + 5000 all open in 175 s, every one got all 10
#                       messages; heap after GC 314 MB, ~30 KB per connection, so 10000 + 10000 needs more than
#                       512 MB, and an open-file limit above 20000 (load-tests/README.md, Fan-out)
# Soak only:
#   --minutes N         soak length [5]
#   --consumers N       concurrent WebSocket consumers [1000]
#   --ws-target T       where the soak's WebSocket load goes: proxy or pulsar-ws (to try the soak before the
#                       proxy has WebSocket endpoints) [proxy]
# Soak with faults (--kill-every given; the Gatling soak's options above do not apply):
#   --kill-every S      every S seconds the broker (the whole standalone JVM) is SIGKILLed and started again on the
#                       same data directory, at once; 0 = no kills (the same load and checks without faults). No kill
#                       in the last S/2 seconds of the load. The load (FaultSoakLoad) is fixed: HTTP produce single
#                       (--soak-single-rate req/s) and batched (--soak-batch-rate req/s x --soak-batch-size),
#                       WebSocket produce (--soak-ws-rate frames/s over 2 sockets), an SSE stream and an HTTP consumer
#                       instance consuming. Afterwards every topic is read back from the broker (FaultSoakVerify).
#                       Writes soak-faults.md; fails when an acknowledged message is missing, a request or frame got
#                       no answer within --client-timeout, the proxy died or was not ready again after a kill, or
#                       (runs of 20 minutes or more) its RSS moved more than 1 MB/min over the last 30 minutes
#   --soak-single-rate N  [40]   --soak-batch-rate N [4]   --soak-batch-size N [25]   --soak-ws-rate N [100]
#   --client-timeout S  how long the load waits for an answer before counting it as missing [60]
#
# Needs: a JDK 17+, Maven, curl, python3; wrk for the HTTP scenarios (apt-get install wrk), else Gatling is used.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
DEFAULT_JAR=$ROOT/proxy-app/target/pulsar-proxy.jar
JAR=${BENCH_PROXY_JAR:-$DEFAULT_JAR}
PULSAR_VERSION=$(sed -n 's:.*<pulsar.version>\(.*\)</pulsar.version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)
CACHE_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/pulsar-proxy
PULSAR_HOME_DIR=$CACHE_DIR/apache-pulsar-$PULSAR_VERSION
CLK_TCK=$(getconf CLK_TCK)
NAMESPACE=public/default
# The proxy's default producer.maxPendingMessages.
PROXY_DEFAULT_PENDING=10000

MODE=run
if [[ ${1:-} == run || ${1:-} == soak || ${1:-} == flood || ${1:-} == fanout ]]; then MODE=$1; shift; fi

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-30}
SIZE=${BENCH_SIZE:-1024}
SCENARIOS=${BENCH_SCENARIOS:-ws,ws-window,ws-window-batch,ws-consume,http-single,http-batch,direct,e2e}
WS_CONNECTIONS=${BENCH_WS_CONNECTIONS:-16}
WS_WINDOW=${BENCH_WS_WINDOW:-100}
WS_CLIENT_THREADS=${BENCH_WS_CLIENT_THREADS:-1}
CONSUME_MESSAGES=${BENCH_CONSUME_MESSAGES:-200000}
WS_CONSUME_CONNECTIONS=${BENCH_WS_CONSUME_CONNECTIONS:-4}
PROXY_JAVA_OPTS=${BENCH_PROXY_JAVA_OPTS:-}
WS_RATE=${BENCH_WS_RATE:-50000}
DIRECT_RATE=${BENCH_DIRECT_RATE:-1000000}
E2E_RATE=${BENCH_E2E_RATE:-2000}
CPU_RATE=${BENCH_CPU_RATE:-12000}
CPU_WARM_UP=${BENCH_CPU_WARM_UP:-60}
E2E_ROUNDS=${BENCH_E2E_ROUNDS:-}
BATCH=${BENCH_BATCH:-100}
CONNECTIONS=${BENCH_CONNECTIONS:-8}
HTTP_SINGLE_CONNECTIONS=${BENCH_HTTP_SINGLE_CONNECTIONS:-8,64}
HTTP_WARM_UP=${BENCH_HTTP_WARM_UP:-10}
HTTP_CLIENT=${BENCH_HTTP_CLIENT:-}
PROXY_HEAP=${BENCH_PROXY_HEAP:-}
BROKER_PORT=${BENCH_BROKER_PORT:-6650}
WEB_PORT=${BENCH_WEB_PORT:-8080}
PROXY_PORT=${BENCH_PROXY_PORT:-8088}
MANAGEMENT_PORT=${BENCH_MANAGEMENT_PORT:-8089}
OUT=${BENCH_OUT:-}
# What --auth-compare / --tracing-compare / --observability-compare switch off and on between targets: auth, tracing,
# observability or nothing.
COMPARE=
[[ ${BENCH_AUTH_COMPARE:-false} == true ]] && COMPARE=auth
[[ ${BENCH_TRACING_COMPARE:-false} == true ]] && COMPARE=tracing
[[ ${BENCH_OBSERVABILITY_COMPARE:-false} == true ]] && COMPARE=observability
EDGE_COMPARE=${BENCH_EDGE_COMPARE:-false}
CLUSTER_COMPARE=${BENCH_CLUSTER_COMPARE:-false}
CLUSTER_PORT=${BENCH_CLUSTER_PORT:-5801}
CLUSTER_MESSAGES=${BENCH_CLUSTER_MESSAGES:-20000}
# The proxy's edge.instances while --edge-compare runs (empty: the proxy's default).
EDGE_INSTANCES=
# --jar-compare: the jar of the targets without -b and the other build's (targets ending in -b).
JAR_B=${BENCH_JAR_COMPARE:-}
KEEP_DATA=false
MINUTES=5
FLOOD_SECONDS=25
FLOOD_CONNECTIONS=400
FLOOD_MESSAGE_BYTES=700000
CONSUMERS=1000
WS_TARGET=proxy
KILL_EVERY=
SOAK_SINGLE_RATE=40
SOAK_BATCH_RATE=4
SOAK_BATCH_SIZE=25
SOAK_WS_RATE=100
CLIENT_TIMEOUT=60
FANOUT_CONNECTIONS=10000
FANOUT_TOPICS=10
FANOUT_MESSAGES=10
FANOUT_CONCURRENCY=100

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "bench.sh: $*"; exit 1; }
# shellcheck source=../scripts/pulsar-distribution.sh
source "$ROOT/scripts/pulsar-distribution.sh"

while (($#)); do
  case $1 in
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --scenarios) SCENARIOS=$2; shift ;;
    --ws-rate) WS_RATE=$2; shift ;;
    --ws-connections) WS_CONNECTIONS=$2; shift ;;
    --ws-window) WS_WINDOW=$2; shift ;;
    --ws-client-threads) WS_CLIENT_THREADS=$2; shift ;;
    --consume-messages) CONSUME_MESSAGES=$2; shift ;;
    --ws-consume-connections) WS_CONSUME_CONNECTIONS=$2; shift ;;
    --proxy-java-opts) PROXY_JAVA_OPTS=$2; shift ;;
    --proxy-jar) JAR=$2; shift ;;
    --jar-compare) JAR_B=$2; shift ;;
    --direct-rate) DIRECT_RATE=$2; shift ;;
    --e2e-rate) E2E_RATE=$2; shift ;;
    --cpu-rate) CPU_RATE=$2; shift ;;
    --cpu-warm-up) CPU_WARM_UP=$2; shift ;;
    --e2e-rounds) E2E_ROUNDS=$2; shift ;;
    --batch) BATCH=$2; shift ;;
    --connections) CONNECTIONS=$2; shift ;;
    --http-single-connections) HTTP_SINGLE_CONNECTIONS=$2; shift ;;
    --http-warm-up) HTTP_WARM_UP=$2; shift ;;
    --http-client) HTTP_CLIENT=$2; shift ;;
    --proxy-heap) PROXY_HEAP=$2; shift ;;
    --broker-port) BROKER_PORT=$2; shift ;;
    --web-port) WEB_PORT=$2; shift ;;
    --proxy-port) PROXY_PORT=$2; shift ;;
    --management-port) MANAGEMENT_PORT=$2; shift ;;
    --out) OUT=$2; shift ;;
    --keep-data) KEEP_DATA=true ;;
    --auth-compare) COMPARE=auth ;;
    --tracing-compare) COMPARE=tracing ;;
    --observability-compare) COMPARE=observability ;;
    --edge-compare) EDGE_COMPARE=true ;;
    --cluster-compare) CLUSTER_COMPARE=true ;;
    --cluster-port) CLUSTER_PORT=$2; shift ;;
    --cluster-messages) CLUSTER_MESSAGES=$2; shift ;;
    --minutes) MINUTES=$2; shift ;;
    --flood-seconds) FLOOD_SECONDS=$2; shift ;;
    --flood-connections) FLOOD_CONNECTIONS=$2; shift ;;
    --flood-message-bytes) FLOOD_MESSAGE_BYTES=$2; shift ;;
    --consumers) CONSUMERS=$2; shift ;;
    --ws-target) WS_TARGET=$2; shift ;;
    --kill-every) KILL_EVERY=$2; shift ;;
    --soak-single-rate) SOAK_SINGLE_RATE=$2; shift ;;
    --soak-batch-rate) SOAK_BATCH_RATE=$2; shift ;;
    --soak-batch-size) SOAK_BATCH_SIZE=$2; shift ;;
    --soak-ws-rate) SOAK_WS_RATE=$2; shift ;;
    --client-timeout) CLIENT_TIMEOUT=$2; shift ;;
    --fanout-connections) FANOUT_CONNECTIONS=$2; shift ;;
    --fanout-topics) FANOUT_TOPICS=$2; shift ;;
    --fanout-messages) FANOUT_MESSAGES=$2; shift ;;
    --fanout-concurrency) FANOUT_CONCURRENCY=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

[[ -n $E2E_ROUNDS ]] || E2E_ROUNDS=$((ROUNDS > 5 ? ROUNDS : 5))
for n in ROUNDS E2E_ROUNDS DURATION SIZE WS_RATE WS_CONNECTIONS WS_WINDOW WS_CLIENT_THREADS CONSUME_MESSAGES \
  WS_CONSUME_CONNECTIONS DIRECT_RATE E2E_RATE CPU_RATE CPU_WARM_UP BATCH CONNECTIONS HTTP_WARM_UP BROKER_PORT WEB_PORT PROXY_PORT \
  MANAGEMENT_PORT MINUTES \
  CONSUMERS FLOOD_SECONDS FLOOD_CONNECTIONS FLOOD_MESSAGE_BYTES SOAK_SINGLE_RATE SOAK_BATCH_RATE SOAK_BATCH_SIZE \
  SOAK_WS_RATE CLIENT_TIMEOUT FANOUT_CONNECTIONS FANOUT_TOPICS FANOUT_MESSAGES FANOUT_CONCURRENCY CLUSTER_PORT \
  CLUSTER_MESSAGES ${KILL_EVERY:+KILL_EVERY}; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "$n must be a whole number, not '${!n}'"
done
[[ $HTTP_SINGLE_CONNECTIONS =~ ^[0-9]+(,[0-9]+)*$ ]] \
  || die "--http-single-connections: whole numbers separated by commas, not '$HTTP_SINGLE_CONNECTIONS'"
if [[ -z $HTTP_CLIENT ]]; then
  if command -v wrk > /dev/null; then HTTP_CLIENT=wrk; else HTTP_CLIENT=gatling; fi
fi
[[ $HTTP_CLIENT == wrk || $HTTP_CLIENT == gatling ]] || die "--http-client: wrk or gatling, not $HTTP_CLIENT"
[[ $WS_TARGET == proxy || $WS_TARGET == pulsar-ws ]] || die "--ws-target: proxy or pulsar-ws, not $WS_TARGET"
if [[ ($MODE == soak || $MODE == flood) && -z $PROXY_HEAP ]]; then PROXY_HEAP=256m; fi
if [[ $MODE == fanout && -z $PROXY_HEAP ]]; then PROXY_HEAP=512m; fi
[[ $MODE != flood ]] || command -v wrk > /dev/null || die "flood needs wrk (apt-get install wrk)"
for tool in java mvn curl python3; do command -v $tool > /dev/null || die "$tool is needed on the PATH"; done

RUN_ID=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$SCRIPT_DIR/target/bench/$MODE-$RUN_ID}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PULSAR_WORK=$OUT/pulsar
RESULTS=$OUT/results.csv

PULSAR_PID=
PROXY_PID=
# --cluster-compare: node B.
PROXY_B_PID=
CLIENT_PID=
SAMPLER_PID=
E2E_CONSUMER_PID=
# fanout: the SSE client (the WebSocket one is CLIENT_PID).
FANOUT_SSE_PID=
FANOUT_FD_LIMIT=
FANOUT_STARTED=0
FILL_PID=
SINK_PID=
# The HTTP consumer instance --observability-compare holds during a run.
LAG_CONSUMER=
# Background samplers of the soak with faults.
MONITOR_PIDS=()
POST_CLIENT_HOOK=
# The topic counter the sampler reads: messages stored, (ws-consume) messages dispatched to consumers, or
# (pulsar-rest) entries the managed ledger added.
SAMPLED_COUNTER=msgInCounter
GATLING_CP=
PERF=$PULSAR_HOME_DIR/bin/pulsar-perf

# ---- process control ---------------------------------------------------------------------------------------------

# SIGTERM to a process group (or process), SIGKILL after $2 seconds; returns once the process has exited.
stop_group() {
  local pid=$1 grace=$2
  kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || return 0
  local waited=0
  while kill -0 "$pid" 2> /dev/null && ((waited < grace * 5)); do sleep 0.2; waited=$((waited + 1)); done
  kill -KILL -- "-$pid" 2> /dev/null || kill -KILL "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  [[ -n $SAMPLER_PID ]] && { kill "$SAMPLER_PID" 2> /dev/null || true; wait "$SAMPLER_PID" 2> /dev/null || true; }
  stop_monitors
  [[ -n $CLIENT_PID ]] && stop_group "$CLIENT_PID" 5
  [[ -n $E2E_CONSUMER_PID ]] && stop_group "$E2E_CONSUMER_PID" 5
  [[ -n $FANOUT_SSE_PID ]] && stop_group "$FANOUT_SSE_PID" 5
  [[ -n $FILL_PID ]] && stop_group "$FILL_PID" 5
  if [[ -n $PROXY_B_PID ]]; then log "stopping proxy node B"; stop_group "$PROXY_B_PID" 30; fi
  if [[ -n $PROXY_PID ]]; then log "stopping the proxy"; stop_group "$PROXY_PID" 30; fi
  # After the proxy, which exports its last spans as it stops.
  [[ -n $SINK_PID ]] && stop_group "$SINK_PID" 5
  if [[ -n $PULSAR_PID ]]; then log "stopping Pulsar"; stop_group "$PULSAR_PID" 30; fi
  if [[ $KEEP_DATA == false && -d $PULSAR_WORK/data ]]; then rm -rf "$PULSAR_WORK/data"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Runs "$@" in its own process group, in the background; sets CLIENT_PID. Bounded by timeout(1).
start_client() {
  local limit=$1 log_file=$2
  shift 2
  set -m
  timeout --kill-after=10 "$limit" "$@" > "$log_file" 2>&1 < /dev/null &
  CLIENT_PID=$!
  set +m
}

# Waits for the client started by start_client; returns its exit status.
wait_client() {
  local status=0
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=
  return $status
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2> /dev/null; }

# thread_ticks PID NAME: one line per thread of PID, "NAME<TAB>thread group<TAB>utime<TAB>stime" (thread names with
# their numbers cut off), for a breakdown of where a process's CPU went between two snapshots.
thread_ticks() {
  local task stat comm fields
  for task in /proc/"$1"/task/*; do
    comm=$(cat "$task/comm" 2> /dev/null) || continue
    stat=$(cat "$task/stat" 2> /dev/null) || continue
    stat=${stat##*) }
    read -r -a fields <<< "$stat"
    comm=$(sed -E 's/[-# ]?[0-9]+$//' <<< "$comm")
    printf '%s\t%s\t%s\t%s\n' "$2" "$comm" "${fields[11]}" "${fields[12]}"
  done
}

# utime + stime of a process, in clock ticks (0 when it is gone).
cpu_ticks() {
  local stat
  stat=$(cat "/proc/$1/stat" 2> /dev/null) || { echo 0; return; }
  stat=${stat##*) }
  local fields
  read -r -a fields <<< "$stat"
  echo $((fields[11] + fields[12]))
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null || echo 0; }

# The process doing the work under timeout(1) (java after a launcher script's exec, or wrk).
client_worker() {
  local pid=$1 child
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    child=$(pgrep -P "$pid" | head -n 1 || true)
    [[ -n $child ]] && { echo "$child"; return; }
    sleep 0.2
  done
  echo "$pid"
}

# msg_in_counter TOPIC [COUNTER]: a counter of the topic's stats, msgInCounter (messages stored) by default. The
# topic's own counters come before those of its publishers and subscriptions in the JSON, so the first match is it.
# entriesAddedCounter is read from the internal stats (the managed ledger's entries): Pulsar's REST produce endpoint
# writes to the topic without a producer, so its messages are not in msgInCounter; it does not batch, so there one
# entry is one message.
msg_in_counter() {
  local stats counter=${2:-msgInCounter} kind=stats
  [[ $counter == entriesAddedCounter ]] && kind=internalStats
  stats=$(curl -s --max-time 2 "http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE/$1/$kind" || true)
  [[ $stats =~ \"$counter\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}" || echo 0
}

# Every 0.5 s: time, messages the broker stored on the topic ($SAMPLED_COUNTER: for ws-consume, messages it
# dispatched to consumers), CPU ticks of proxy / Pulsar / client, proxy RSS.
start_sampler() {
  local topic=$1 client=$2 file=$3
  (
    while :; do
      printf '%s %s %s %s %s %s\n' "$(date +%s.%N)" "$(msg_in_counter "$topic" "$SAMPLED_COUNTER")" \
        "$(cpu_ticks "$PROXY_PID")" "$(cpu_ticks "$PULSAR_PID")" "$(cpu_ticks "$client")" "$(rss_kb "$PROXY_PID")"
      sleep 0.5
    done
  ) > "$file" &
  SAMPLER_PID=$!
}

stop_sampler() {
  sleep 1 # one more sample after the client ended, so the last messages are counted
  kill "$SAMPLER_PID" 2> /dev/null || true
  wait "$SAMPLER_PID" 2> /dev/null || true
  SAMPLER_PID=
}

# ---- Pulsar and the proxy -------------------------------------------------------------------------------------------

start_pulsar() {
  ensure_distribution
  local port
  for port in "$BROKER_PORT" "$WEB_PORT"; do
    port_open "$port" && die "port $port is in use: choose others with --broker-port / --web-port"
  done
  mkdir -p "$PULSAR_WORK/conf" "$PULSAR_WORK/logs"
  local conf=$PULSAR_WORK/conf/standalone.conf
  cp "$PULSAR_HOME_DIR/conf/standalone.conf" "$conf"
  printf '\n' >> "$conf"
  local kv key
  for kv in "brokerServicePort=$BROKER_PORT" "webServicePort=$WEB_PORT" "advertisedAddress=127.0.0.1" \
    "webSocketServiceEnabled=true" "allowAutoTopicCreation=true" "brokerDeleteInactiveTopicsEnabled=false" \
    "functionsWorkerEnabled=false"; do
    key=${kv%%=*}
    if grep -q "^$key=" "$conf"; then sed -i "s|^$key=.*|$kv|" "$conf"; else printf '%s\n' "$kv" >> "$conf"; fi
  done
  launch_pulsar 240
}

# launch_pulsar SECONDS: starts the standalone on $PULSAR_WORK (its data kept from an earlier start) and waits at
# most SECONDS for it to serve.
launch_pulsar() {
  local conf=$PULSAR_WORK/conf/standalone.conf
  log "starting Pulsar standalone on ports $BROKER_PORT / $WEB_PORT (log $PULSAR_WORK/logs/standalone.log)"
  set -m
  PULSAR_MEM="-Xms512m -Xmx1g -XX:MaxDirectMemorySize=1g" PULSAR_GC="-XX:+UseG1GC -XX:+PerfDisableSharedMem" \
    PULSAR_LOG_DIR=$PULSAR_WORK/logs PULSAR_STANDALONE_CONF=$conf \
    "$PULSAR_HOME_DIR/bin/pulsar" standalone --no-functions-worker --no-stream-storage \
    --advertised-address 127.0.0.1 --bookkeeper-dir "$PULSAR_WORK/data/bookkeeper" \
    --metadata-dir "$PULSAR_WORK/data/metadata" --config "$conf" \
    >> "$PULSAR_WORK/logs/standalone.log" 2>&1 < /dev/null &
  PULSAR_PID=$!
  set +m
  await_ready Pulsar "$PULSAR_PID" "$PULSAR_WORK/logs/standalone.log" "$1" pulsar_ready
}

pulsar_ready() {
  curl -sf --max-time 2 "http://127.0.0.1:$WEB_PORT/admin/v2/namespaces/public" 2> /dev/null | grep -q '"public/default"'
}

proxy_ready() { curl -sf --max-time 2 "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" > /dev/null 2>&1; }

# await_ready NAME PID LOG SECONDS CHECK: polls CHECK each second; fails when the process exits or time is up.
await_ready() {
  local name=$1 pid=$2 log_file=$3 limit=$4 check=$5 waited=0
  until "$check"; do
    kill -0 "$pid" 2> /dev/null || { tail -n 30 "$log_file" >&2; die "$name exited during start-up ($log_file)"; }
    ((waited < limit)) || die "$name not ready after $limit s ($log_file)"
    sleep 1
    waited=$((waited + 1))
  done
  log "$name ready after ${waited}s"
}

start_proxy() {
  if [[ ! -f $JAR ]]; then
    [[ $JAR == "$DEFAULT_JAR" ]] || die "no proxy jar at $JAR"
    log "building the proxy (mvn -B -q -DskipTests package)"
    (cd "$ROOT" && mvn -B -q -DskipTests package)
  fi
  local port
  for port in "$PROXY_PORT" "$MANAGEMENT_PORT"; do
    port_open "$port" && die "port $port is in use: choose others with --proxy-port / --management-port"
  done
  # -XX:+ExitOnOutOfMemoryError (below): should memory ever run out, the process exits rather than lingering with
  # dead threads and answering nothing.
  local heap=()
  [[ -n $PROXY_HEAP ]] && heap=("-Xmx$PROXY_HEAP")
  local proxy_env=()
  if [[ $MODE == soak ]]; then
    # The heap at its full size from the start (committed and touched), and glibc's malloc arenas capped, as the
    # README recommends for a container: resident memory then shows what the proxy holds, not the JVM growing into
    # its limits (with -Xmx alone, RSS rose 25 MB/min for minutes as the heap was committed).
    heap=("-Xms$PROXY_HEAP" "-Xmx$PROXY_HEAP" -XX:+AlwaysPreTouch)
    proxy_env=(MALLOC_ARENA_MAX=2)
  fi
  local in_flight=$((WS_CONNECTIONS * WS_WINDOW))
  if [[ $MODE == run && $SCENARIOS == *ws-window* && -z ${PROXY_PRODUCER_MAX_PENDING_MESSAGES:-} ]] && ((in_flight > PROXY_DEFAULT_PENDING)); then
    proxy_env=("PROXY_PRODUCER_MAX_PENDING_MESSAGES=$in_flight")
  fi
  [[ -n $EDGE_INSTANCES ]] && proxy_env+=("PROXY_EDGE_INSTANCES=$EDGE_INSTANCES")
  [[ $MODE == fanout ]] && fanout_limits
  local extra=()
  # shellcheck disable=SC2206
  [[ -n $PROXY_JAVA_OPTS ]] && extra=($PROXY_JAVA_OPTS)
  log "starting the proxy $JAR on ports $PROXY_PORT / $MANAGEMENT_PORT ${heap[*]:-} ${proxy_env[*]:-} (log $OUT/proxy.log)"
  set -m
  local config=()
  if [[ -n $COMPARE && $MODE == run ]]; then
    "prepare_$COMPARE"
    config=(--config "$OUT/proxy.yaml")
  fi
  PROXY_PULSAR_SERVICE_URL=pulsar://127.0.0.1:$BROKER_PORT PROXY_PULSAR_WEB_SERVICE_URL=http://127.0.0.1:$WEB_PORT \
    PROXY_HTTP_PORT=$PROXY_PORT \
    PROXY_MANAGEMENT_PORT=$MANAGEMENT_PORT env ${proxy_env[@]+"${proxy_env[@]}"} \
    java -XX:+ExitOnOutOfMemoryError ${heap[@]+"${heap[@]}"} ${extra[@]+"${extra[@]}"} -jar "$JAR" \
    ${config[@]+"${config[@]}"} >> "$OUT/proxy.log" 2>&1 < /dev/null &
  PROXY_PID=$!
  set +m
  await_ready "the proxy" "$PROXY_PID" "$OUT/proxy.log" 60 proxy_ready
}

# --auth-compare: a secret key and a token for the role "bench" made with Pulsar's own tool (as an operator would),
# and the proxy's configuration file with authentication off. The token is only in $OUT/bench.token.
prepare_auth() {
  local pulsar=$PULSAR_HOME_DIR/bin/pulsar
  ensure_distribution
  log "auth-compare: making a secret key and a token with bin/pulsar tokens"
  "$pulsar" tokens create-secret-key --output "$OUT/bench-secret.key" > "$OUT/tokens.log" 2>&1 \
    || die "bin/pulsar tokens create-secret-key failed ($OUT/tokens.log)"
  "$pulsar" tokens create --secret-key "file://$OUT/bench-secret.key" --subject bench 2>> "$OUT/tokens.log" \
    | tail -n 1 > "$OUT/bench.token"
  [[ -s $OUT/bench.token ]] || die "bin/pulsar tokens create failed ($OUT/tokens.log)"
  write_auth_config off
}

# --tracing-compare: the proxy's configuration file with tracing off.
prepare_tracing() {
  write_tracing_config off
}

# --observability-compare: the OTLP sink the spans go to, and the proxy's configuration file with everything off.
prepare_observability() {
  [[ -n $SINK_PID ]] || start_otlp_sink
  write_observability_config "$VARIANT_STATE"
}

OTLP_SINK_PORT=
start_otlp_sink() {
  OTLP_SINK_PORT=$((PROXY_PORT + 2))
  port_open "$OTLP_SINK_PORT" && die "port $OTLP_SINK_PORT (the OTLP sink's: --proxy-port + 2) is in use"
  set -m
  python3 "$SCRIPT_DIR/bench-report.py" otlp-sink --port "$OTLP_SINK_PORT" --out "$OUT/otlp-sink.txt" \
    > "$OUT/otlp-sink.log" 2>&1 < /dev/null &
  SINK_PID=$!
  set +m
  local waited=0
  until port_open "$OTLP_SINK_PORT"; do
    ((waited < 40)) || die "the OTLP sink did not start ($OUT/otlp-sink.log)"
    sleep 0.5
    waited=$((waited + 1))
  done
}

# write_observability_config on|off: tracing exported over OTLP HTTP with every request sampled, lag sampled and the
# Pulsar client's statistics totalled every second; or all three off.
write_observability_config() {
  if [[ $1 == on ]]; then
    cat > "$OUT/proxy.yaml.tmp" << EOF
tracing:
  exporter: otlp-http
  endpoint: http://127.0.0.1:$OTLP_SINK_PORT/v1/traces
  samplingRatio: 1.0
management:
  lagInterval: 1s
pulsar:
  statsInterval: 1s
EOF
  else
    printf 'tracing:\n  exporter: none\nmanagement:\n  lagInterval: 0\npulsar:\n  statsInterval: 0\n' > "$OUT/proxy.yaml.tmp"
  fi
  mv "$OUT/proxy.yaml.tmp" "$OUT/proxy.yaml"
}

# write_tracing_config on|off: as write_auth_config; on, every request is a sampled trace whose spans the logging
# exporter writes (to the proxy's log file).
write_tracing_config() {
  if [[ $1 == on ]]; then
    printf 'tracing:\n  exporter: logging\n  samplingRatio: 1.0\n' > "$OUT/proxy.yaml.tmp"
  else
    printf 'tracing:\n  exporter: none\n' > "$OUT/proxy.yaml.tmp"
  fi
  mv "$OUT/proxy.yaml.tmp" "$OUT/proxy.yaml"
}

# write_auth_config on|off: the proxy's configuration file, replaced in one step (the proxy reads it every second).
write_auth_config() {
  if [[ $1 == on ]]; then
    cat > "$OUT/proxy.yaml.tmp" << EOF
auth:
  providers: [jwt]
  jwt:
    secretKey: file://$OUT/bench-secret.key
authorization:
  mode: proxy
  rules:
    - role: bench
      actions: [produce]
      topics: ["persistent://$NAMESPACE/*"]
EOF
  else
    printf 'auth:\n  providers: [none]\n' > "$OUT/proxy.yaml.tmp"
  fi
  mv "$OUT/proxy.yaml.tmp" "$OUT/proxy.yaml"
}

VARIANT_STATE=off
# use_variant on|off: switches the running proxy's authentication, tracing or observability ($COMPARE) and waits until
# a produce shows it: without a token 401 (auth on) or 200; a traceparent answer with the sampled flag 01 (tracing or
# observability on) or 00. Observability's intervals take a restart: the proxy is restarted with the new file (and
# started when it does not run yet).
use_variant() {
  [[ $VARIANT_STATE == "$1" && -n $PROXY_PID ]] && return 0
  VARIANT_STATE=$1
  "write_${COMPARE}_config" "$1"
  [[ $COMPARE != observability ]] || restart_proxy "$COMPARE $1"
  local want=200 answer waited=0
  if [[ $COMPARE == tracing || $COMPARE == observability ]]; then
    want=00
    [[ $1 == on ]] && want=01
  elif [[ $1 == on ]]; then
    want=401
  fi
  until answer=$(variant_probe) && [[ $answer == "$want" ]]; do
    ((waited < 60)) || die "the proxy did not switch $COMPARE $1 within 30 s (last answer $answer; $OUT/proxy.log)"
    sleep 0.5
    waited=$((waited + 1))
  done
  log "$COMPARE $1"
}

# A produce without a token: its status (auth), or the flags of the traceparent it was answered with (tracing).
variant_probe() {
  local url=http://127.0.0.1:$PROXY_PORT/api/v1/topics/persistent/$NAMESPACE/bench-$COMPARE-probe/messages
  if [[ $COMPARE == tracing || $COMPARE == observability ]]; then
    curl -s -o /dev/null -D - --max-time 5 -X POST -H 'Content-Type: application/json' \
      -d '{"messages":[{"text":"tracing probe"}]}' "$url" | tr -d '\r' | sed -n 's/^traceparent: .*-\(0[01]\)$/\1/ip'
  else
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H 'Content-Type: application/json' \
      -d '{"messages":[{"text":"auth probe"}]}' "$url"
  fi
}

# The target's variant: on for the *-jwt, *-traced and *-observed targets (the *-jwt clients send the token), else
# off.
variant_for() {
  if [[ $1 == *-jwt || $1 == *-traced || $1 == *-observed ]]; then use_variant on; else use_variant off; fi
}

# The proxy the target needs, restarted when it runs something else: --edge-compare, the target's edge instances
# (proxy-e2, proxy-ws-e2: 2; edge.instances takes a restart); --jar-compare, the target's build (-b: the other jar).
settings_for() {
  local target=${1%-b} edges=$EDGE_INSTANCES jar=$JAR
  [[ $EDGE_COMPARE == true ]] && edges=${target##*-e}
  if [[ -n $JAR_B ]]; then
    jar=$JAR_A
    [[ $1 == *-b ]] && jar=$JAR_B
  fi
  [[ $edges == "$EDGE_INSTANCES" && $jar == "$JAR" && -n $PROXY_PID ]] && return 0
  EDGE_INSTANCES=$edges
  JAR=$jar
  restart_proxy "edge.instances ${edges:-default}, $jar"
  [[ -z $edges ]] || grep -q "($edges edge instances)" "$OUT/proxy.log" \
    || die "the proxy did not start $edges edge instances ($OUT/proxy.log)"
}

# restart_proxy WHAT: stops the proxy when it runs and starts it with the settings of the next target (WHAT names
# them in the log), then warms it up.
restart_proxy() {
  if [[ -n $PROXY_PID ]]; then
    log "restarting the proxy with $1"
    stop_group "$PROXY_PID" 30
    PROXY_PID=
  fi
  start_proxy
  # A fresh JVM loads the Pulsar producer's classes on the first produce (seconds on a loaded machine): done here,
  # outside the measured window, with a few requests over new connections (so that every instance serves some).
  local i code
  for i in 1 2 3 4 5 6 7 8; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 60 -X POST -H 'Content-Type: application/json' \
      -d '{"messages":[{"text":"warm-up"}]}' \
      "http://127.0.0.1:$PROXY_PORT/api/v1/topics/persistent/$NAMESPACE/bench-warm-up/messages" || true)
    [[ $code == 200 ]] || log "warm-up produce answered $code"
  done
}


ws_base() { if [[ $1 == proxy-ws* ]]; then echo "ws://127.0.0.1:$PROXY_PORT/"; else echo "ws://127.0.0.1:$WEB_PORT/"; fi; }

# Whether a WebSocket producer handshake on target $1 answers 101. Pulsar's service answers once it has created the
# producer, which took more than 5 s on a machine at load average 29: the probe waits up to 30 s.
ws_available() {
  local port=$WEB_PORT code auth=()
  [[ $1 == proxy-ws* ]] && port=$PROXY_PORT
  [[ $1 == *-jwt ]] && auth=(-H "Authorization: Bearer $(cat "$OUT/bench.token")")
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --http1.1 ${auth[@]+"${auth[@]}"} \
    -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
    -H 'Sec-WebSocket-Key: cHVsc2FyLXByb3h5LWJlbmNo' \
    "http://127.0.0.1:$port/ws/v2/producer/persistent/$NAMESPACE/bench-probe" || true)
  [[ $code == 101 ]]
}

# ---- Gatling ----------------------------------------------------------------------------------------------------------

prepare_gatling() {
  [[ -n $GATLING_CP ]] && return 0
  log "compiling the Gatling simulations"
  (cd "$SCRIPT_DIR" && mvn -B -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$OUT/gatling.classpath")
  GATLING_CP=$SCRIPT_DIR/target/test-classes:$(cat "$OUT/gatling.classpath")
}

# gatling_command SIMULATION RESULTS_DIR -Dkey=value...: the command line that runs one simulation.
gatling_command() {
  local simulation=$1 results=$2
  shift 2
  # The JVM options gatling-maven-plugin gives Gatling on Java 17.
  echo java -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxInlineLevel=20 -XX:MaxTrivialSize=12 \
    --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED \
    "$@" -cp "$GATLING_CP" io.gatling.app.Gatling \
    -s "io.pulsarproxy.loadtests.$simulation" -rf "$results"
}

# ---- one measurement --------------------------------------------------------------------------------------------------

CSV_HEADER=scenario,target,round,msgs_per_s,mb_per_s,p50_ms,p99_ms,proxy_cpu,proxy_rss_mb,pulsar_cpu,client_cpu,errors,note,stored_pct

record_skip() {
  printf '%s,%s,%s,,,,,,,,,,%s,\n' "$1" "$2" "$3" "$4" >> "$RESULTS"
  log "$1 $2 round $3: $4"
}

# measure SCENARIO TARGET ROUND TOPIC CLIENT_KIND LIMIT_S COMMAND...: runs the client, samples, appends a CSV row.
measure() {
  local scenario=$1 target=$2 round=$3 topic=$4 kind=$5 limit=$6
  shift 6
  local dir=$OUT/runs/$scenario-$target-r$round
  mkdir -p "$dir"
  local shown="$*"
  [[ -n $GATLING_CP ]] && shown=${shown//"$GATLING_CP"/"<classpath>"}
  log "$scenario $target round $round: $shown"
  printf '%s\n' "$*" > "$dir/command"
  start_client "$limit" "$dir/client.log" "$@"
  local worker
  worker=$(client_worker "$CLIENT_PID")
  start_sampler "$topic" "$worker" "$dir/samples"
  local status=0
  wait_client || status=$?
  stop_sampler
  SAMPLED_COUNTER=msgInCounter
  if [[ -n $POST_CLIENT_HOOK ]]; then "$POST_CLIENT_HOOK"; POST_CLIENT_HOOK=; fi
  # pulsar-perf writes its latency histograms into the Pulsar directory it runs from.
  find "$PULSAR_HOME_DIR" -maxdepth 1 -name 'perf-*.hgrm' -newer "$dir/command" -exec mv {} "$dir/" \;
  python3 "$SCRIPT_DIR/bench-report.py" row --dir "$dir" --kind "$kind" --scenario "$scenario" --target "$target" \
    --round "$round" --size "$SIZE" --clk-tck "$CLK_TCK" --exit-status "$status" --pulsar-lib "$PULSAR_HOME_DIR/lib" \
    --expected "$CONSUME_MESSAGES" --offered "$OFFERED" >> "$RESULTS"
  OFFERED=0
  tail -n 1 "$RESULTS" | sed 's/^/    /' >&2
  delete_topic "$topic"
}

# Messages the next measured run offers at its fixed rate (rate x duration; 0: not a fixed-rate run).
OFFERED=0

# Frees the ledgers for the broker's garbage collection, so that a long run does not fill the disk.
delete_topic() {
  [[ $KEEP_DATA == true ]] || curl -s -o /dev/null --max-time 30 -X DELETE \
    "http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE/$1?force=true" || true
}

run_ws() {
  local target=$1 round=$2 topic=bench-ws-$1-r$2-$RUN_ID
  [[ $target == proxy-ws* && -n $JAR_B ]] && settings_for "$target"
  if ! ws_available "$target"; then record_skip ws "$target" "$round" "skipped: endpoint not available"; return; fi
  measure ws "$target" "$round" "$topic" ws-perf $((DURATION + 60)) \
    "$PERF" websocket-producer -u "$(ws_base "$target")" -r "$WS_RATE" -s "$SIZE" -time "$DURATION" \
    "persistent://$NAMESPACE/$topic"
}

# cpu: the ws client at a rate both servers sustain; what counts is the CPU per stored message, not the rate.
run_cpu() {
  local target=$1 round=$2 topic=bench-cpu-$1-r$2-$RUN_ID
  if ! ws_available "$target"; then record_skip cpu "$target" "$round" "skipped: endpoint not available"; return; fi
  OFFERED=$((CPU_RATE * DURATION))
  measure cpu "$target" "$round" "$topic" ws-perf $((DURATION + 60)) \
    "$PERF" websocket-producer -u "$(ws_base "$target")" -r "$CPU_RATE" -s "$SIZE" -time "$DURATION" \
    "persistent://$NAMESPACE/$topic"
}

# cpu: before round 1, one unmeasured run per target of --cpu-warm-up seconds (its row goes to warm-up.csv). The
# proxy's JVM starts with the benchmark: in a measured round 2 without this, its JIT compilers took half of its CPU
# (46 % in C2 alone), a cost of its first minute that the per-message figures are not about.
warm_up_cpu() {
  ((CPU_WARM_UP > 0)) || return 0
  warm_up_runs cpu "$CPU_WARM_UP" run_cpu
}

# warm_up_runs SCENARIO SECONDS RUN: one unmeasured run of SECONDS per target (RUN TARGET w), its row in warm-up.csv.
warm_up_runs() {
  local scenario=$1 seconds=$2 run=$3 results=$RESULTS duration=$DURATION target
  RESULTS=$OUT/warm-up.csv
  [[ -f $RESULTS ]] || echo "$CSV_HEADER" > "$RESULTS"
  DURATION=$seconds
  for target in pulsar-ws proxy-ws; do
    log "$scenario $target: warm-up run, ${seconds}s (not measured)"
    "$run" "$target" w
  done
  RESULTS=$results
  DURATION=$duration
}

# ws-window / ws-window-batch: the windowed client (WsProduceLoad), the same for both targets.
run_ws_window() {
  local scenario=$1 target=$2 round=$3 topic=bench-$1-$2-r$3-$RUN_ID query=
  [[ $scenario == ws-window-batch ]] && query=batchingEnabled=true
  [[ $target == proxy-ws* && -n $COMPARE ]] && variant_for "$target"
  [[ $target == proxy-ws* && ($EDGE_COMPARE == true || -n $JAR_B) ]] && settings_for "$target"
  if ! ws_available "$target"; then record_skip "$scenario" "$target" "$round" "skipped: endpoint not available"; return; fi
  [[ $COMPARE == observability ]] && hold_lag_consumer "$topic"
  prepare_gatling
  local token=()
  [[ $target == *-jwt ]] && token=(--token-file "$OUT/bench.token")
  measure "$scenario" "$target" "$round" "$topic" ws-load $((DURATION + 90)) \
    java -Xms256m -Xmx512m -XX:+UseParallelGC -cp "$GATLING_CP" io.pulsarproxy.loadtests.WsProduceLoad \
    --url "$(ws_base "$target")ws/v2/producer/persistent/$NAMESPACE/$topic" --connections "$WS_CONNECTIONS" \
    --window "$WS_WINDOW" --threads "$WS_CLIENT_THREADS" --duration "$DURATION" --size "$SIZE" \
    ${query:+--query "$query"} ${token[@]+"${token[@]}"}
}

# ws-consume: the same backlog for both targets, drained by the same client (WsConsumeLoad).
run_ws_consume() {
  local target=$1 round=$2 topic=bench-ws-consume-$1-r$2-$RUN_ID
  if ! ws_available "$target"; then record_skip ws-consume "$target" "$round" "skipped: endpoint not available"; return; fi
  prepare_gatling
  local dir=$OUT/runs/ws-consume-$target-r$round
  mkdir -p "$dir"
  if ! fill_topic "$topic" "$dir/fill.log"; then
    record_skip ws-consume "$target" "$round" "skipped: the backlog was not written ($dir/fill.log)"
    delete_topic "$topic"
    return
  fi
  local cap=$((DURATION > 120 ? DURATION : 120))
  SAMPLED_COUNTER=msgOutCounter
  measure ws-consume "$target" "$round" "$topic" ws-consume $((cap + 60)) \
    java -Xms256m -Xmx512m -XX:+UseParallelGC -cp "$GATLING_CP" io.pulsarproxy.loadtests.WsConsumeLoad \
    --url "$(ws_base "$target")ws/v2/consumer/persistent/$NAMESPACE/$topic/bench-sub" \
    --connections "$WS_CONSUME_CONNECTIONS" --messages "$CONSUME_MESSAGES" --threads "$WS_CLIENT_THREADS" \
    --duration "$cap" --size "$SIZE"
}

# fill_topic TOPIC LOG: creates TOPIC and its subscription bench-sub (so that nothing written is missed), then writes
# at least $CONSUME_MESSAGES messages of $SIZE bytes straight to the broker, batched. pulsar-perf produce -m counts
# acks, not sends, so it writes a few thousand more (the client stops at $CONSUME_MESSAGES, the rest stays in the
# backlog), and once done it sleeps up to 10 s before it exits: it is stopped as soon as the broker has them all.
fill_topic() {
  local topic=$1 log_file=$2 admin=http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE/$1
  curl -sf -o /dev/null --max-time 30 -X PUT "$admin" || { log "ws-consume: cannot create $topic"; return 1; }
  curl -sf -o /dev/null --max-time 30 -X PUT -H 'Content-Type: application/json' \
    -d '{"ledgerId":-1,"entryId":-1}' "$admin/subscription/bench-sub" \
    || { log "ws-consume: cannot create the subscription bench-sub on $topic"; return 1; }
  local started=$SECONDS stored=0
  set -m
  timeout --kill-after=10 300 "$PERF" produce -u "pulsar://127.0.0.1:$BROKER_PORT" -au "http://127.0.0.1:$WEB_PORT/" \
    -r "$DIRECT_RATE" -s "$SIZE" -m "$CONSUME_MESSAGES" "persistent://$NAMESPACE/$topic" \
    > "$log_file" 2>&1 < /dev/null &
  FILL_PID=$!
  set +m
  while kill -0 "$FILL_PID" 2> /dev/null; do
    stored=$(msg_in_counter "$topic")
    ((stored < CONSUME_MESSAGES)) || break
    sleep 0.5
  done
  stop_group "$FILL_PID" 15
  FILL_PID=
  stored=$(msg_in_counter "$topic")
  log "ws-consume: $stored messages of $SIZE B written to $topic in $((SECONDS - started)) s"
  ((stored >= CONSUME_MESSAGES))
}

run_direct() {
  local round=$1 topic=bench-direct-r$1-$RUN_ID
  measure direct pulsar-client "$round" "$topic" perf-produce $((DURATION + 60)) \
    "$PERF" produce -u "pulsar://127.0.0.1:$BROKER_PORT" -au "http://127.0.0.1:$WEB_PORT/" -r "$DIRECT_RATE" \
    -s "$SIZE" -time "$DURATION" "persistent://$NAMESPACE/$topic"
}

# run_http SCENARIO ROUND [TARGET [CONNECTIONS]]: wrk (or Gatling) against the proxy or (pulsar-rest*) Pulsar's REST
# produce endpoint.
run_http() {
  local scenario=$1 round=$2 target=${3:-proxy} connections=${4:-$CONNECTIONS} per_request=1
  local topic=bench-$1-${3:-proxy}-r$2-$RUN_ID
  [[ $scenario == http-batch ]] && per_request=$BATCH
  [[ -n $COMPARE ]] && variant_for "$target"
  [[ $target == proxy-e* ]] && settings_for "$target"
  [[ $COMPARE == observability ]] && hold_lag_consumer "$topic"
  if [[ $HTTP_CLIENT == wrk ]]; then
    local script url
    script=$(http_script "$target" "$per_request")
    url=$(http_url "$target" "$topic") || { record_skip "$scenario" "$target" "$round" "skipped: $url"; return; }
    [[ $target == pulsar-rest* ]] && SAMPLED_COUNTER=entriesAddedCounter
    measure "$scenario" "$target" "$round" "$topic" "wrk:$per_request" $((DURATION + 30)) \
      wrk -t1 -c"$connections" -d"${DURATION}s" --timeout 10s --latency -s "$script" "$url"
  else
    [[ $target == proxy ]] || die "--auth-compare and --tracing-compare need wrk for the HTTP scenarios"
    prepare_gatling
    local mode=single
    [[ $scenario == http-batch ]] && mode=batch
    # shellcheck disable=SC2046
    measure "$scenario" proxy "$round" "$topic" "gatling:produce $mode" $((DURATION + 120)) \
      $(gatling_command HttpProduceSimulation "$OUT/runs/$scenario-proxy-r$round/gatling" \
        "-DbaseUrl=http://127.0.0.1:$PROXY_PORT" "-Dmode=$mode" "-Dusers=$CONNECTIONS" "-DbatchSize=$BATCH" \
        "-Dduration=${DURATION}s" "-DpayloadSize=$SIZE" "-Dtopic=$topic" -DmaxErrorPct=100 -Dp99Ms=600000)
  fi
}

# http_script TARGET MESSAGES_PER_REQUEST: wrk's Lua script for the target (written once), its path printed.
http_script() {
  local target=$1 per_request=$2 script token=()
  if [[ $target == pulsar-rest* ]]; then
    script=$OUT/wrk-rest-$SIZE.lua
    [[ -f $script ]] || python3 "$SCRIPT_DIR/bench-report.py" wrk-rest-script --size "$SIZE" > "$script"
  else
    script=$OUT/wrk-$per_request${target#proxy}.lua
    [[ $target == *-jwt ]] && token=(--token-file "$OUT/bench.token")
    [[ -f $script ]] || python3 "$SCRIPT_DIR/bench-report.py" wrk-script --size "$SIZE" --messages "$per_request" \
      ${token[@]+"${token[@]}"} > "$script"
  fi
  echo "$script"
}

# http_url TARGET TOPIC: the produce URL. Pulsar's REST endpoint publishes only to a topic that exists (it does not
# create one), so for pulsar-rest the topic is created first; prints why when that fails (status 1).
http_url() {
  if [[ $1 == pulsar-rest* ]]; then
    curl -sf -o /dev/null --max-time 30 -X PUT "http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE/$2" \
      || { echo "cannot create the topic $2"; return 1; }
    echo "http://127.0.0.1:$WEB_PORT/topics/persistent/$NAMESPACE/$2"
  else
    echo "http://127.0.0.1:$PROXY_PORT/api/v1/topics/persistent/$NAMESPACE/$2/messages"
  fi
}

# warm_up_http TARGET CONNECTIONS: --http-warm-up seconds of http-single load, not measured, on a topic deleted after:
# the broker's REST path (Jersey) and the proxy's are compiled by the JIT before the first measured round.
warm_up_http() {
  local target=$1 connections=$2 topic=bench-warm-up-$1-$RUN_ID script url
  ((HTTP_WARM_UP > 0)) || return 0
  script=$(http_script "$target" 1)
  url=$(http_url "$target" "$topic") || { log "http-single warm-up of $target: $url"; return 0; }
  log "http-single $target: warm-up, ${HTTP_WARM_UP}s at $connections connections (not measured)"
  timeout --kill-after=10 $((HTTP_WARM_UP + 30)) wrk -t1 -c"$connections" -d"${HTTP_WARM_UP}s" --timeout 10s \
    -s "$script" "$url" > "$OUT/warm-up-http-single-$target.log" 2>&1 < /dev/null || true
  delete_topic "$topic"
}

# http-avro: typed (JSON values encoded to an Avro schema by the proxy) or bytes (payloads of the same size, no schema).
run_http_avro() {
  local kind=$1 round=$2 target=proxy-avro topic=bench-http-avro-$1-r$2-$RUN_ID
  [[ $kind == bytes ]] && target=proxy-bytes
  [[ $HTTP_CLIENT == wrk ]] || die "http-avro needs wrk"
  local script=$OUT/wrk-avro-$kind-$BATCH.lua
  [[ -f $script ]] || python3 "$SCRIPT_DIR/bench-report.py" wrk-avro-script --kind "$kind" --messages "$BATCH" \
    > "$script"
  if [[ $kind == typed ]]; then
    python3 "$SCRIPT_DIR/bench-report.py" avro-schema > "$OUT/avro-schema.json"
    curl -sf -o /dev/null --max-time 30 -X POST -H 'Content-Type: application/json' --data @"$OUT/avro-schema.json" \
      "http://127.0.0.1:$WEB_PORT/admin/v2/schemas/$NAMESPACE/$topic/schema" || die "could not upload the Avro schema"
  fi
  measure http-avro "$target" "$round" "$topic" "wrk:$BATCH" $((DURATION + 30)) \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$script" \
    "http://127.0.0.1:$PROXY_PORT/api/v1/topics/persistent/$NAMESPACE/$topic/messages"
}

# The consumer: pulsar-perf consume with the plain Java client, the same for both targets; it records, per message,
# its receive time minus the publishTime that the server's Pulsar producer gave the message.
run_e2e() {
  local target=$1 round=$2 topic=bench-e2e-$1-r$2-$RUN_ID
  if ! ws_available "$target"; then record_skip e2e "$target" "$round" "skipped: endpoint not available"; return; fi
  local dir=$OUT/runs/e2e-$target-r$round
  mkdir -p "$dir"
  set -m
  timeout --kill-after=10 $((DURATION + 120)) "$PERF" consume -u "pulsar://127.0.0.1:$BROKER_PORT" -ss bench \
    -st Exclusive "persistent://$NAMESPACE/$topic" > "$dir/consumer.log" 2>&1 < /dev/null &
  E2E_CONSUMER_PID=$!
  set +m
  local waited=0
  until curl -sf --max-time 2 "http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE/$topic/subscriptions" \
    2> /dev/null | grep -q '"bench"'; do
    ((waited < 120)) || die "the e2e consumer did not subscribe within 60 s ($dir/consumer.log)"
    sleep 0.5
    waited=$((waited + 1))
  done
  POST_CLIENT_HOOK=stop_e2e_consumer
  measure e2e "$target" "$round" "$topic" e2e $((DURATION + 60)) \
    "$PERF" websocket-producer -u "$(ws_base "$target")" -r "$E2E_RATE" -s "$SIZE" -time "$DURATION" \
    "persistent://$NAMESPACE/$topic"
}

# e2e: one unmeasured run per target (min(--duration, 10) s; its row goes to warm-up.csv), so that both servers'
# paths are compiled by the JIT before the first measured round; then --e2e-rounds rounds A B A B.
run_e2e_rounds() {
  local round
  warm_up_runs e2e $((DURATION < 10 ? DURATION : 10)) run_e2e
  for round in $(seq 1 "$E2E_ROUNDS"); do
    run_e2e pulsar-ws "$round"
    run_e2e proxy-ws "$round"
  done
}

# --observability-compare: an HTTP consumer instance on TOPIC (which it creates), subscription bench-lag, never polled,
# so that the lag sampler has a subscription whose lag grows while the run writes. Closed (and unsubscribed) after
# the run, once /metrics is saved in the run's directory.
hold_lag_consumer() {
  local answer
  answer=$(curl -s --max-time 30 -X POST -H 'Content-Type: application/json' \
    -d "{\"topic\":\"persistent://$NAMESPACE/$1\",\"subscription\":\"bench-lag\"}" \
    "http://127.0.0.1:$PROXY_PORT/api/v1/consumers" || true)
  [[ $answer =~ \"id\":\"([^\"]+)\" ]] || die "could not create the HTTP consumer instance on $1: $answer"
  LAG_CONSUMER=${BASH_REMATCH[1]}
  POST_CLIENT_HOOK=release_lag_consumer
}

release_lag_consumer() {
  curl -s --max-time 10 "http://127.0.0.1:$MANAGEMENT_PORT/metrics" > "$dir/metrics.txt" || true
  curl -s -o /dev/null --max-time 30 -X DELETE "http://127.0.0.1:$PROXY_PORT/api/v1/consumers/$LAG_CONSUMER?unsubscribe=true" || true
  LAG_CONSUMER=
  log "    lag: $(grep '^pulsar_proxy_consumer_lag_messages{' "$dir/metrics.txt" | sed 's/.*} //' | paste -sd ' ' -)," \
    "Pulsar client series: $(grep -c '^pulsar_proxy_pulsar_' "$dir/metrics.txt"), spans received so far:" \
    "$(cat "$OUT/otlp-sink.txt" 2> /dev/null || echo none)"
}

# Lets the consumer take the last messages, then stops it; it prints its aggregated latency as it exits.
stop_e2e_consumer() {
  sleep 3
  stop_group "$E2E_CONSUMER_PID" 15
  E2E_CONSUMER_PID=
}

run_benchmark() {
  echo "$CSV_HEADER" > "$RESULTS"
  cat > "$OUT/settings.txt" << EOF
date: $(date -Is)
machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -n 1)
cpu: $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
rounds: $ROUNDS, duration: ${DURATION}s, size: $SIZE B, ws rate offered: $WS_RATE msg/s, ws-window: $WS_CONNECTIONS sockets x $WS_WINDOW in flight ($WS_CLIENT_THREADS client thread(s)), direct rate offered: $DIRECT_RATE msg/s, e2e rate: $E2E_RATE msg/s ($E2E_ROUNDS rounds after a warm-up run per target), cpu rate offered: $CPU_RATE msg/s (after a ${CPU_WARM_UP}s warm-up run per target)
ws-consume: backlog of $CONSUME_MESSAGES messages, $WS_CONSUME_CONNECTIONS Shared consumer sockets
proxy: $JAR, producer.maxPendingMessages ${PROXY_PRODUCER_MAX_PENDING_MESSAGES:-$( ((WS_CONNECTIONS * WS_WINDOW > PROXY_DEFAULT_PENDING)) && [[ $SCENARIOS == *ws-window* ]] && echo $((WS_CONNECTIONS * WS_WINDOW)) || echo $PROXY_DEFAULT_PENDING)}
http: $HTTP_CLIENT, $CONNECTIONS connections (http-single: $HTTP_SINGLE_CONNECTIONS, warm-up ${HTTP_WARM_UP}s per target), batch $BATCH; proxy heap: ${PROXY_HEAP:-default}${PROXY_JAVA_OPTS:+; proxy JVM options: $PROXY_JAVA_OPTS}
EOF
  [[ $COMPARE != auth ]] || echo "auth-compare: JWT authentication off (targets proxy, proxy-ws) and on" \
    "(proxy-jwt, proxy-ws-jwt; HS256 token of bin/pulsar tokens, one rule), switched by a configuration reload" \
    >> "$OUT/settings.txt"
  [[ $COMPARE != tracing ]] || echo "tracing-compare: tracing.exporter none (targets proxy, proxy-ws) and logging" \
    "at samplingRatio 1.0 (proxy-traced, proxy-ws-traced), switched by a configuration reload" >> "$OUT/settings.txt"
  [[ $COMPARE != observability ]] || echo "observability-compare: tracing.exporter none, management.lagInterval 0," \
    "pulsar.statsInterval 0 (targets proxy, proxy-ws) and otlp-http to a local sink at samplingRatio 1.0," \
    "lagInterval 1s, statsInterval 1s (proxy-observed, proxy-ws-observed), the proxy restarted before each target;" \
    "an HTTP consumer instance held on each measured topic in both" >> "$OUT/settings.txt"
  local variant=
  [[ $COMPARE == auth ]] && variant=-jwt
  [[ $COMPARE == tracing ]] && variant=-traced
  [[ $COMPARE == observability ]] && variant=-observed
  [[ $EDGE_COMPARE == false ]] || echo "edge-compare: edge.instances 1 (targets proxy-e1, proxy-ws-e1) and 2" \
    "(proxy-e2, proxy-ws-e2), the proxy restarted before each target" >> "$OUT/settings.txt"
  [[ -z $JAR_B ]] || echo "jar-compare: $JAR_A (targets proxy-ws, proxy-ws-e1, …) and $JAR_B (the same targets" \
    "with -b), the proxy restarted before each target" >> "$OUT/settings.txt"
  local round scenario connections
  IFS=, read -r -a scenario_list <<< "$SCENARIOS"
  IFS=, read -r -a single_connections <<< "$HTTP_SINGLE_CONNECTIONS"
  for round in $(seq 1 "$ROUNDS"); do
    for scenario in "${scenario_list[@]}"; do
      if [[ $EDGE_COMPARE == true ]]; then
        case $scenario in
          http-single | http-batch) run_http "$scenario" "$round" proxy-e1; run_http "$scenario" "$round" proxy-e2 ;;
          ws-window | ws-window-batch)
            run_ws_window "$scenario" proxy-ws-e1 "$round"
            [[ -z $JAR_B ]] || run_ws_window "$scenario" proxy-ws-e1-b "$round"
            run_ws_window "$scenario" proxy-ws-e2 "$round"
            [[ -z $JAR_B ]] || run_ws_window "$scenario" proxy-ws-e2-b "$round" ;;
          *) log "--edge-compare: skipping $scenario" ;;
        esac
        continue
      fi
      if [[ -n $COMPARE ]]; then
        case $scenario in
          http-single | http-batch)
            run_http "$scenario" "$round" proxy; run_http "$scenario" "$round" "proxy$variant" ;;
          ws-window | ws-window-batch)
            run_ws_window "$scenario" proxy-ws "$round"; run_ws_window "$scenario" "proxy-ws$variant" "$round" ;;
          *) log "--$COMPARE-compare: skipping $scenario" ;;
        esac
        continue
      fi
      case $scenario in
        ws) run_ws pulsar-ws "$round"; run_ws proxy-ws "$round"; [[ -z $JAR_B ]] || run_ws proxy-ws-b "$round" ;;
        cpu) ((round > 1)) || warm_up_cpu; run_cpu pulsar-ws "$round"; run_cpu proxy-ws "$round" ;;
        ws-window | ws-window-batch)
          run_ws_window "$scenario" pulsar-ws "$round"; run_ws_window "$scenario" proxy-ws "$round"
          [[ -z $JAR_B ]] || run_ws_window "$scenario" proxy-ws-b "$round" ;;
        http-single)
          if [[ $HTTP_CLIENT == wrk ]]; then
            if ((round == 1)); then
              warm_up_http proxy "${single_connections[-1]}"; warm_up_http pulsar-rest "${single_connections[-1]}"
            fi
            for connections in "${single_connections[@]}"; do
              run_http http-single "$round" "proxy-c$connections" "$connections"
              run_http http-single "$round" "pulsar-rest-c$connections" "$connections"
            done
          else
            run_http http-single "$round"
          fi ;;
        http-batch) run_http "$scenario" "$round" ;;
        http-avro) run_http_avro typed "$round"; run_http_avro bytes "$round" ;;
        ws-consume) run_ws_consume pulsar-ws "$round"; run_ws_consume proxy-ws "$round" ;;
        direct) run_direct "$round" ;;
        e2e) ;; # after the rounds of the others: run_e2e_rounds
        *) die "unknown scenario $scenario" ;;
      esac
    done
  done
  [[ ,$SCENARIOS, != *,e2e,* || -n $COMPARE || $EDGE_COMPARE == true ]] || run_e2e_rounds
  python3 "$SCRIPT_DIR/bench-report.py" summary --results "$RESULTS" --settings "$OUT/settings.txt" \
    --out "$OUT"
  log "results in $OUT (summary.md, summary.csv, results.csv)"
}

# ---- soak -------------------------------------------------------------------------------------------------------------

run_soak() {
  prepare_gatling
  local ws_url="ws://127.0.0.1:$PROXY_PORT"
  [[ $WS_TARGET == pulsar-ws ]] && ws_url="ws://127.0.0.1:$WEB_PORT"
  sleep 2
  local rss_start
  rss_start=$(rss_kb "$PROXY_PID")
  log "soak: $MINUTES min, $CONSUMERS WebSocket consumers on $ws_url, proxy RSS at start $((rss_start / 1024)) MB"
  local ramp=$((CONSUMERS / 50 + 10))
  # The producers start after the ramp: a consumer that connected early waits that long for its first message, which
  # with the simulation's 15 s receive timeout counted as an error (1032 of them, all in the first seconds of
  # production, in a 1000-consumer soak). The timeout covers the ramp; a consumer stalled later still fails it.
  # shellcheck disable=SC2046
  start_client $((MINUTES * 60 + ramp + 180)) "$OUT/gatling.log" \
    $(gatling_command MixedSimulation "$OUT/gatling" "-DbaseUrl=http://127.0.0.1:$PROXY_PORT" "-DwsUrl=$ws_url" \
      "-Dduration=${MINUTES}m" "-Dramp=${ramp}s" "-DwsConsumers=$CONSUMERS" "-DpayloadSize=$SIZE" -DmaxErrorPct=0 \
      "-DreceiveTimeout=$((ramp + 15))s")
  echo "seconds,proxy_rss_mb,proxy_cpu_ticks" > "$OUT/soak-rss.csv"
  local started=$SECONDS
  while kill -0 "$CLIENT_PID" 2> /dev/null; do
    printf '%s,%s,%s\n' $((SECONDS - started)) $(($(rss_kb "$PROXY_PID") / 1024)) "$(cpu_ticks "$PROXY_PID")" \
      >> "$OUT/soak-rss.csv"
    sleep 5
  done
  local status=0
  wait_client || status=$?
  local rss_end
  rss_end=$(rss_kb "$PROXY_PID")
  python3 "$SCRIPT_DIR/bench-report.py" soak --out "$OUT" --gatling-log "$OUT/gatling.log" \
    --rss-start-kb "$rss_start" --rss-end-kb "$rss_end" --exit-status "$status" --minutes "$MINUTES" \
    --consumers "$CONSUMERS" --heap "$PROXY_HEAP" --ws-target "$WS_TARGET" --ramp "$ramp"
  kill -0 "$PROXY_PID" 2> /dev/null || die "the proxy died during the soak (log $OUT/proxy.log)"
  return $status
}

# ---- soak with faults ------------------------------------------------------------------------------------------------

stop_monitors() {
  local pid
  for pid in ${MONITOR_PIDS[@]+"${MONITOR_PIDS[@]}"}; do
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  MONITOR_PIDS=()
}

# Samplers, each a background loop writing epoch-second rows: the proxy's /health/ready status on every change
# (polled each second; 000 = no answer within 5 s), its RSS and CPU every 30 s, and its heap after a full GC every
# 120 s.
start_monitors() {
  (
    echo "epoch,status"
    last=
    while :; do
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" || true)
      [[ $code == "$last" ]] || { echo "$(date +%s.%N),$code"; last=$code; }
      sleep 1
    done
  ) > "$OUT/health.csv" &
  MONITOR_PIDS+=($!)
  (
    echo "epoch,proxy_rss_kb,proxy_cpu_ticks"
    while :; do
      echo "$(date +%s),$(rss_kb "$PROXY_PID"),$(cpu_ticks "$PROXY_PID")"
      sleep 30
    done
  ) > "$OUT/rss.csv" &
  MONITOR_PIDS+=($!)
  # Both jcmd commands in one attach: with two, the seconds a jcmd JVM takes to start on a busy machine let garbage
  # pile up between the GC and the reading.
  printf 'GC.run\nGC.heap_info\n' > "$OUT/jcmd-gc"
  (
    echo "epoch,heap_used_kb"
    while :; do
      sleep 120
      info=$(timeout 60 jcmd "$PROXY_PID" -f "$OUT/jcmd-gc" 2> /dev/null || true)
      [[ $info =~ used\ ([0-9]+)K ]] && echo "$(date +%s),${BASH_REMATCH[1]}"
    done
  ) > "$OUT/heap.csv" &
  MONITOR_PIDS+=($!)
}

# SIGKILLs the standalone JVM (its whole process group) and starts it again on the same data; one kills.csv row.
kill_and_restart_broker() {
  local n=$1 killed ready
  killed=$(date +%s.%N)
  log "soak: kill $n: SIGKILL to Pulsar (pid $PULSAR_PID)"
  kill -KILL -- "-$PULSAR_PID" 2> /dev/null || kill -KILL "$PULSAR_PID" 2> /dev/null || true
  wait "$PULSAR_PID" 2> /dev/null || true
  PULSAR_PID=
  launch_pulsar 600
  ready=$(date +%s.%N)
  echo "$n,$killed,$ready" >> "$OUT/kills.csv"
}

run_fault_soak() {
  prepare_gatling
  local seconds=$((MINUTES * 60)) kills=0
  cat > "$OUT/settings.txt" << EOF
command: load-tests/bench.sh soak --minutes $MINUTES --kill-every $KILL_EVERY --soak-single-rate $SOAK_SINGLE_RATE --soak-batch-rate $SOAK_BATCH_RATE --soak-batch-size $SOAK_BATCH_SIZE --soak-ws-rate $SOAK_WS_RATE --client-timeout $CLIENT_TIMEOUT
date: $(date -u -Is)
machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(java -version 2>&1 | head -n 1), load average at start $(cut -d' ' -f1-3 /proc/loadavg)
proxy: -Xms$PROXY_HEAP -Xmx$PROXY_HEAP -XX:+AlwaysPreTouch, MALLOC_ARENA_MAX=2, every other setting at its default
EOF
  # Unlimited retention: the consumers acknowledge everything, and without retention the broker deletes a ledger
  # once every subscription is past it (at the first rollover, e.g. after a restart), so the read-back would miss it.
  curl -sf -o /dev/null --max-time 60 -X POST -H 'Content-Type: application/json' \
    -d '{"retentionTimeInMinutes":-1,"retentionSizeInMB":-1}' \
    "http://127.0.0.1:$WEB_PORT/admin/v2/namespaces/$NAMESPACE/retention" || die "cannot set the retention of $NAMESPACE"
  echo "kill,killed_epoch,broker_ready_epoch" > "$OUT/kills.csv"
  start_monitors
  log "soak with faults: $MINUTES min, broker SIGKILL every ${KILL_EVERY}s; HTTP single $SOAK_SINGLE_RATE req/s," \
    "batch $SOAK_BATCH_RATE req/s x $SOAK_BATCH_SIZE, WebSocket $SOAK_WS_RATE msg/s, SSE and HTTP consumer"
  local load_start
  load_start=$(date +%s)
  start_client $((seconds + CLIENT_TIMEOUT + 600)) "$OUT/load.log" \
    java -Xms128m -Xmx512m -cp "$GATLING_CP" io.pulsarproxy.loadtests.FaultSoakLoad \
    --url "http://127.0.0.1:$PROXY_PORT" --run "$RUN_ID" --out "$OUT/load" --duration "$seconds" \
    --single-rate "$SOAK_SINGLE_RATE" --batch-rate "$SOAK_BATCH_RATE" --batch-size "$SOAK_BATCH_SIZE" \
    --ws-rate "$SOAK_WS_RATE" --timeout "$CLIENT_TIMEOUT"
  local next_kill=$((SECONDS + KILL_EVERY)) end=$((SECONDS + seconds))
  while kill -0 "$CLIENT_PID" 2> /dev/null; do
    kill -0 "$PROXY_PID" 2> /dev/null || { log "soak: the proxy died (log $OUT/proxy.log)"; break; }
    if ((KILL_EVERY > 0 && SECONDS >= next_kill && SECONDS < end - KILL_EVERY / 2)); then
      kills=$((kills + 1))
      kill_and_restart_broker "$kills"
      next_kill=$((next_kill + KILL_EVERY))
    fi
    sleep 1
  done
  local status=0
  wait_client || status=$?
  local load_end
  load_end=$(date +%s)
  stop_monitors
  log "soak: load ended (exit $status); reading every topic back from the broker"
  local verify=0
  timeout --kill-after=10 900 java -Xmx512m -cp "$GATLING_CP" io.pulsarproxy.loadtests.FaultSoakVerify \
    --url "pulsar://127.0.0.1:$BROKER_PORT" --out "$OUT/load" > "$OUT/verify.log" 2>&1 || verify=$?
  local proxy_alive=yes
  kill -0 "$PROXY_PID" 2> /dev/null || proxy_alive=no
  python3 "$SCRIPT_DIR/bench-report.py" fault-soak --out "$OUT" --load-start "$load_start" --load-end "$load_end" \
    --seconds "$seconds" --kill-every "$KILL_EVERY" --load-exit "$status" --verify-exit "$verify" \
    --proxy-alive "$proxy_alive"
}

# ---- flood ------------------------------------------------------------------------------------------------------------

# wrk -t2 posting one large message per request from --flood-connections connections, then checks the proxy survived.
run_flood() {
  local topic=bench-flood-$RUN_ID
  local url=http://127.0.0.1:$PROXY_PORT/api/v1/topics/persistent/$NAMESPACE/$topic/messages
  python3 -c '
import base64, json, random, sys
payload = base64.b64encode(random.Random(12).randbytes(int(sys.argv[1]))).decode()
sys.stdout.write(json.dumps({"messages": [{"payload": payload}]}, separators=(",", ":")))' "$FLOOD_MESSAGE_BYTES" \
    > "$OUT/flood-body.json"
  local body_bytes
  body_bytes=$(stat -c %s "$OUT/flood-body.json")
  # Counts answers by status, and 503s without Retry-After, in every thread; done() adds them up.
  cat > "$OUT/flood.lua" << LUA
local threads = {}
function setup(thread) table.insert(threads, thread) end
local file = assert(io.open("$OUT/flood-body.json", "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/json"
statuses = {}
no_retry_after = 0
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["retry-after"] == nil and headers["Retry-After"] == nil then
    no_retry_after = no_retry_after + 1
  end
end
function done(summary, latency, requests)
  local total, missing = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
    missing = missing + thread:get("no_retry_after")
  end
  for status, n in pairs(total) do io.write(string.format("STATUS %d %d\n", status, n)) end
  io.write(string.format("NO_RETRY_AFTER %d\n", missing))
  local e = summary.errors
  io.write(string.format("SOCKET_ERRORS connect=%d read=%d write=%d timeout=%d\n", e.connect, e.read, e.write,
    e.timeout))
end
LUA
  local rss_start
  rss_start=$(rss_kb "$PROXY_PID")
  log "flood: wrk -t2 -c$FLOOD_CONNECTIONS -d${FLOOD_SECONDS}s, bodies of $body_bytes B (one message of" \
    "$FLOOD_MESSAGE_BYTES B), proxy heap -Xmx$PROXY_HEAP"
  echo "seconds,proxy_rss_mb" > "$OUT/flood-rss.csv"
  start_client $((FLOOD_SECONDS + 60)) "$OUT/wrk.log" \
    wrk -t2 -c"$FLOOD_CONNECTIONS" -d"${FLOOD_SECONDS}s" --timeout 30s -s "$OUT/flood.lua" "$url"
  local started=$SECONDS rss_max=0 rss
  while kill -0 "$CLIENT_PID" 2> /dev/null; do
    rss=$(($(rss_kb "$PROXY_PID") / 1024))
    ((rss > rss_max)) && rss_max=$rss
    printf '%s,%s\n' $((SECONDS - started)) "$rss" >> "$OUT/flood-rss.csv"
    sleep 1
  done
  local status=0
  wait_client || status=$?
  cat "$OUT/wrk.log" >&2

  local alive=no live=- small=- held=- refused=- metrics waited=0
  if kill -0 "$PROXY_PID" 2> /dev/null; then
    alive=yes
    live=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$MANAGEMENT_PORT/health/live" || true)
    # The broker may still be storing what was accepted: the small produce gets a minute.
    local deadline=$((SECONDS + 60))
    while :; do
      small=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H 'Content-Type: application/json' \
        -d '{"messages":[{"text":"after the flood"}]}' "$url" || true)
      [[ $small == 200 ]] || ((SECONDS >= deadline)) || { sleep 1; continue; }
      break
    done
    while ((waited < 30)); do
      metrics=$(curl -s --max-time 10 "http://127.0.0.1:$MANAGEMENT_PORT/metrics" || true)
      held=$(awk '/^pulsar_proxy_in_flight_bytes / {print $2}' <<< "$metrics")
      [[ $held == 0.0 || $held == 0 ]] && break
      sleep 1
      waited=$((waited + 1))
    done
    refused=$(awk '/^pulsar_proxy_in_flight_bytes_exhausted_total\{source="http"/ {print $2}' <<< "$metrics")
  fi
  local others no_retry socket_errors
  others=$(awk '$1 == "STATUS" && $2 != 200 && $2 != 503 {n += $3} END {print n + 0}' "$OUT/wrk.log")
  no_retry=$(awk '$1 == "NO_RETRY_AFTER" {print $2}' "$OUT/wrk.log")
  socket_errors=$(sed -n 's/^SOCKET_ERRORS //p' "$OUT/wrk.log")
  {
    echo "# Flood, $(date -Is)"
    echo
    echo "    wrk -t2 -c$FLOOD_CONNECTIONS -d${FLOOD_SECONDS}s --timeout 30s: POST of $body_bytes B JSON bodies (one message of $FLOOD_MESSAGE_BYTES B each)"
    echo "    proxy: java -XX:+ExitOnOutOfMemoryError -Xmx$PROXY_HEAP -jar $JAR (every limit at its default)"
    echo
    echo "| answer | count |"
    echo "|---|---|"
    awk '$1 == "STATUS" {printf "| %s | %s |\n", $2, $3}' "$OUT/wrk.log" | sort
    echo "| 503 without Retry-After | ${no_retry:-?} |"
    echo
    echo "- wrk: $(grep -E 'requests in|Requests/sec' "$OUT/wrk.log" | tr -s ' ' | paste -sd ';' -); socket errors: ${socket_errors:-?}"
    echo "- proxy alive afterwards: $alive; /health/live: $live; a small produce: $small"
    echo "- body bytes held afterwards: ${held:-?}; requests refused by http.maxInFlightBytes: ${refused:-?}"
    echo "- proxy RSS: $((rss_start / 1024)) MB before, at most $rss_max MB during the flood"
  } > "$OUT/flood.md"
  cat "$OUT/flood.md" >&2
  delete_topic "$topic"
  [[ $alive == yes ]] || die "the proxy died during the flood (log $OUT/proxy.log)"
  [[ $live == 200 && $small == 200 ]] || die "the proxy did not answer after the flood (live $live, produce $small)"
  ((others == 0)) || die "$others answers were neither 200 nor 503"
  [[ ${no_retry:-1} == 0 ]] || die "503 answers without Retry-After: ${no_retry:-?}"
  return $status
}

# ---- fanout -----------------------------------------------------------------------------------------------------------

# Called by start_proxy: raises the proxy's limits on what is held open to what --fanout-connections needs (never
# below the defaults; a PROXY_* variable already set wins), and the open-file limit of this shell and its children to
# what the proxy needs (2 sockets per pair of connections, plus its own files), as far as the hard limit allows.
fanout_limits() {
  local n=$FANOUT_CONNECTIONS kv name value
  for kv in "PROXY_CONSUMER_MAX_SESSIONS=$((2 * n + 100)):10000" "PROXY_HTTP_CONSUMER_MAX_INSTANCES=$((n + 100)):1000" \
    "PROXY_HTTP_CONSUMER_MAX_INSTANCES_PER_CLIENT=$((n + 100)):100" "PROXY_HTTP_MAX_IN_FLIGHT_REQUESTS=$((n + 100)):4000" \
    "PROXY_WS_MAX_SOCKETS=$((n + 100)):10000"; do
    name=${kv%%=*}
    value=${kv#*=}
    [[ -n ${!name:-} ]] && continue
    ((${value%%:*} > ${value#*:})) && proxy_env+=("$name=${value%%:*}") || true
  done
  # Thousands of subscribes, or a message dispatched to thousands of subscriptions, keep a broker on 2 busy cores
  # from answering the supervisor's probe within the default 2 s (10 s was not enough either), and a broker seen down
  # makes new subscriptions and produces wait (producer.outageWait) and then fail with 503.
  [[ -n ${PROXY_PULSAR_PROBE_INTERVAL:-} ]] || proxy_env+=(PROXY_PULSAR_PROBE_INTERVAL=30s)
  local need=$((2 * n + 1000)) soft hard
  soft=$(ulimit -n)
  hard=$(ulimit -Hn)
  if [[ $soft != unlimited ]] && ((soft < need)); then
    if [[ $hard == unlimited ]] || ((hard >= need)); then
      ulimit -n "$need"
    else
      ulimit -n "$hard"
      log "fanout: the proxy needs about $need open files for $n + $n connections, the hard limit is $hard" \
        "(ulimit -Hn): expect refused connections near the limit"
    fi
  fi
  FANOUT_FD_LIMIT=$(ulimit -n)
}

# jcmd PID GC.run, then the heap's used size in MB from GC.heap_info (saved in FILE); "-" when the proxy is gone.
heap_after_gc() {
  local file=$1
  { jcmd "$PROXY_PID" GC.run > /dev/null && jcmd "$PROXY_PID" GC.heap_info > "$file"; } 2> /dev/null || { echo -; return; }
  awk 'match($0, /used [0-9]+K/) {print int(substr($0, RSTART + 5, RLENGTH - 6) / 1024); exit}' "$file"
}

proxy_fds() { find "/proc/$PROXY_PID/fd" -mindepth 1 -maxdepth 1 2> /dev/null | wc -l; }

# fanout_wait PATTERN: samples the proxy (fanout-samples.csv) every 2 s until both clients' logs have a line starting
# with PATTERN, or a client exited.
fanout_wait() {
  local pattern=$1
  while :; do
    printf '%s,%s,%s,%s\n' $((SECONDS - FANOUT_STARTED)) $(($(rss_kb "$PROXY_PID") / 1024)) "$(cpu_ticks "$PROXY_PID")" \
      "$(proxy_fds)" >> "$OUT/fanout-samples.csv"
    grep -q "^$pattern" "$OUT/fanout-ws.log" && grep -q "^$pattern" "$OUT/fanout-sse.log" && return 0
    kill -0 "$CLIENT_PID" 2> /dev/null && kill -0 "$FANOUT_SSE_PID" 2> /dev/null || return 1
    sleep 2
  done
}

# --fanout-connections WebSocket consumers and as many SSE streams, over --fanout-topics topics, each on a subscription
# of its own (FanOutLoad, one JVM per kind); once all are open, --fanout-messages messages to every topic through the
# proxy's HTTP produce, and every connection must receive every one of its topic's. Writes fanout.md.
run_fanout() {
  prepare_gatling
  local n=$FANOUT_CONNECTIONS prefix=fanout-$RUN_ID release=$OUT/fanout-release t
  local url=http://127.0.0.1:$PROXY_PORT admin=http://127.0.0.1:$WEB_PORT/admin/v2/persistent/$NAMESPACE
  for ((t = 0; t < FANOUT_TOPICS; t++)); do
    curl -sf -o /dev/null --max-time 30 -X PUT "$admin/$prefix-$t" || die "fanout: cannot create $prefix-$t"
  done
  local heap_idle rss_idle cpu_idle
  heap_idle=$(heap_after_gc "$OUT/heap-idle.txt")
  rss_idle=$(($(rss_kb "$PROXY_PID") / 1024))
  cpu_idle=$(cpu_ticks "$PROXY_PID")
  log "fanout: $n WebSocket consumers + $n SSE streams over $FANOUT_TOPICS topics, $FANOUT_MESSAGES messages each;" \
    "proxy -Xmx$PROXY_HEAP, heap after GC $heap_idle MB, RSS $rss_idle MB, open-file limit $FANOUT_FD_LIMIT"
  local client=(java -Xms256m -Xmx1g -XX:+UseParallelGC -cp "$GATLING_CP" io.pulsarproxy.loadtests.FanOutLoad
    --url "$url" --connections "$n" --topics "$FANOUT_TOPICS" --prefix "$prefix" --messages "$FANOUT_MESSAGES"
    --wait 180 --release "$release" --concurrency "$FANOUT_CONCURRENCY")
  local limit=$((n / 5 + 900))
  echo "seconds,proxy_rss_mb,proxy_cpu_ticks,proxy_fds" > "$OUT/fanout-samples.csv"
  FANOUT_STARTED=$SECONDS
  start_client "$limit" "$OUT/fanout-sse.log" "${client[@]}" --kind sse
  FANOUT_SSE_PID=$CLIENT_PID
  start_client "$limit" "$OUT/fanout-ws.log" "${client[@]}" --kind ws
  local opened=yes
  fanout_wait READY || opened=no
  local open_s=$((SECONDS - FANOUT_STARTED)) heap_open rss_open fds_open
  heap_open=$(heap_after_gc "$OUT/heap-open.txt")
  jcmd "$PROXY_PID" GC.class_histogram 2> /dev/null | head -n 60 > "$OUT/heap-histogram-open.txt" || true
  rss_open=$(($(rss_kb "$PROXY_PID") / 1024))
  fds_open=$(proxy_fds)
  log "fanout: open after ${open_s}s: $(grep -h '^READY' "$OUT/fanout-ws.log" "$OUT/fanout-sse.log" | paste -sd ' ' -);" \
    "proxy heap after GC $heap_open MB, RSS $rss_open MB, $fds_open files"
  local produced=0 body i status
  if [[ $opened == yes ]]; then
    body=$(for ((i = 0; i < FANOUT_MESSAGES; i++)); do printf '{"text":"%d"}\n' "$i"; done | paste -sd , -)
    local deadline
    for ((t = 0; t < FANOUT_TOPICS; t++)); do
      # A busy broker may be seen down for a moment (503 + Retry-After): the request is repeated for up to 2 minutes.
      # A 503 means none of the request's messages was stored, so a repeat cannot duplicate one.
      deadline=$((SECONDS + 120))
      while :; do
        status=$(curl -s -o "$OUT/fanout-produce.json" -w '%{http_code}' --max-time 60 \
          -H 'Content-Type: application/json' -d "{\"messages\":[$body]}" \
          "$url/api/v1/topics/persistent/$NAMESPACE/$prefix-$t/messages" || true)
        [[ $status == 503 ]] && ((SECONDS < deadline)) || break
        sleep 2
      done
      [[ $status == 200 ]] && produced=$((produced + FANOUT_MESSAGES)) || log "fanout: produce to $prefix-$t: $status"
    done
    fanout_wait RESULT || true
  fi
  local heap_done rss_done fds_done alive=yes
  heap_done=$(heap_after_gc "$OUT/heap-delivered.txt")
  jcmd "$PROXY_PID" GC.class_histogram 2> /dev/null | head -n 30 > "$OUT/heap-histogram.txt" || true
  rss_done=$(($(rss_kb "$PROXY_PID") / 1024))
  fds_done=$(proxy_fds)
  kill -0 "$PROXY_PID" 2> /dev/null || alive=no
  touch "$release"
  local ws_status=0 sse_status=0
  wait_client || ws_status=$?
  wait "$FANOUT_SSE_PID" || sse_status=$?
  FANOUT_SSE_PID=
  local cpu_s rss_max
  cpu_s=$(awk -v idle="$cpu_idle" -v tck="$CLK_TCK" -F, 'NR > 1 {last = $3} END {printf "%.1f", (last - idle) / tck}' \
    "$OUT/fanout-samples.csv")
  rss_max=$(awk -F, 'NR > 1 && $2 > m {m = $2} END {print m + 0}' "$OUT/fanout-samples.csv")
  {
    echo "# Fan-out, $(date -Is)"
    echo
    echo "    $n WebSocket consumers (NonDurable, Exclusive, a subscription each) + $n SSE streams (format=text, a"
    echo "    durable subscription each) over $FANOUT_TOPICS persistent topics; then $FANOUT_MESSAGES messages per topic"
    echo "    proxy: java -XX:+ExitOnOutOfMemoryError -Xmx$PROXY_HEAP -jar $JAR; open-file limit $FANOUT_FD_LIMIT"
    echo
    echo "| kind | open | failed | open ms | complete | min | max | missing | duplicates | closed by server | errors | delivery ms |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    sed -n 's/^RESULT //p' "$OUT/fanout-ws.log" "$OUT/fanout-sse.log" | python3 -c '
import sys
for line in sys.stdin:
    r = dict(kv.split("=", 1) for kv in line.split())
    print("| " + " | ".join(r[k] for k in ("kind", "open", "failed", "openMs", "complete", "min", "max", "missing",
        "duplicates", "closedByServer", "errors", "deliveryMs")) + " |")'
    { grep -h '^errors:\|^open failed:' "$OUT/fanout-ws.log" "$OUT/fanout-sse.log" || true; } | sort | uniq -c |
      head -n 10 | sed 's/^/    /'
    echo
    echo "- messages produced: $produced of $((FANOUT_TOPICS * FANOUT_MESSAGES)); all open after ${open_s}s"
    echo "- proxy heap used after a full GC: $heap_idle MB idle, $heap_open MB with all open, $heap_done MB after delivery"
    echo "- proxy RSS: $rss_idle MB idle, $rss_open MB with all open, $rss_done MB after delivery, at most $rss_max MB"
    echo "- proxy open files: $fds_open with all open, $fds_done after delivery; CPU ${cpu_s}s over the run"
    echo "- proxy alive afterwards: $alive; log lines WARN/ERROR: $(grep -c ' WARN \| ERROR ' "$OUT/proxy.log" || true)"
    echo "- heap histogram after delivery: heap-histogram.txt"
  } > "$OUT/fanout.md"
  cat "$OUT/fanout.md" >&2
  for ((t = 0; t < FANOUT_TOPICS; t++)); do delete_topic "$prefix-$t"; done
  [[ $alive == yes ]] || die "the proxy died during the fan-out (log $OUT/proxy.log)"
  ((ws_status == 0 && sse_status == 0)) || die "fanout: not every connection received every message"
}

# ---- --cluster-compare ------------------------------------------------------------------------------------------------

# start_cluster_node NAME HTTP_PORT MANAGEMENT_PORT CLUSTER_PORT: one clustered proxy; prints its pid.
start_cluster_node() {
  local name=$1 http=$2 management=$3 cluster=$4 members="127.0.0.1:$CLUSTER_PORT,127.0.0.1:$((CLUSTER_PORT + 1))"
  local port
  for port in "$http" "$management" "$cluster"; do
    port_open "$port" && die "port $port is in use: choose others with --proxy-port / --management-port / --cluster-port"
  done
  local heap=()
  [[ -n $PROXY_HEAP ]] && heap=("-Xmx$PROXY_HEAP")
  # --proxy-java-opts, with {node} replaced by the node's name (a JFR recording per node).
  [[ -n $PROXY_JAVA_OPTS ]] && heap+=(${PROXY_JAVA_OPTS//\{node\}/$name})
  log "starting proxy node $name on ports $http / $management, cluster $cluster (log $OUT/proxy-$name.log)"
  set -m
  PROXY_PULSAR_SERVICE_URL=pulsar://127.0.0.1:$BROKER_PORT PROXY_HTTP_PORT=$http PROXY_MANAGEMENT_PORT=$management \
    PROXY_CLUSTER_ENABLED=true PROXY_CLUSTER_HOST=127.0.0.1 PROXY_CLUSTER_PORT=$cluster PROXY_CLUSTER_MEMBERS=$members \
    java -XX:+ExitOnOutOfMemoryError ${heap[@]+"${heap[@]}"} -jar "$JAR" >> "$OUT/proxy-$name.log" 2>&1 < /dev/null &
  echo $!
  set +m
}

# Members seen by the node whose management port is $1.
cluster_members() {
  curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | awk '/^pulsar_proxy_cluster_members[{ ]/ {print int($2)}'
}

run_cluster_compare() {
  [[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  local b_http=$((PROXY_PORT + 2)) b_management=$((MANAGEMENT_PORT + 2))
  PROXY_PID=$(start_cluster_node a "$PROXY_PORT" "$MANAGEMENT_PORT" "$CLUSTER_PORT")
  PROXY_B_PID=$(start_cluster_node b "$b_http" "$b_management" $((CLUSTER_PORT + 1)))
  await_ready "proxy node A" "$PROXY_PID" "$OUT/proxy-a.log" 120 proxy_ready
  cluster_b_ready() { curl -sf --max-time 2 "http://127.0.0.1:$b_management/health/ready" > /dev/null 2>&1; }
  await_ready "proxy node B" "$PROXY_B_PID" "$OUT/proxy-b.log" 120 cluster_b_ready
  cluster_formed() { [[ $(cluster_members "$MANAGEMENT_PORT") == 2 && $(cluster_members "$b_management") == 2 ]]; }
  await_ready "the cluster of two" "$PROXY_PID" "$OUT/proxy-a.log" 120 cluster_formed
  prepare_gatling
  local owner=http://127.0.0.1:$PROXY_PORT via=http://127.0.0.1:$b_http hz ticks_before ticks_after topic arm
  hz=$(getconf CLK_TCK)
  local timed=$((CLUSTER_MESSAGES / 10))
  echo "round,kind,target,value1,value2,note" > "$OUT/cluster.csv"
  echo "round,arm,node,threads,mode,cpu_s_per_1000" > "$OUT/cluster-threads.csv"
  # Both paths warmed before the first measured round (the JIT of a JVM just started weighs on round 1 otherwise):
  # unmeasured consume arms of each, alternating, as many messages in all as two measured arms. Node B runs the code
  # of a crossing request only in the crossing arm, so a shorter warm-up left its compiler busy in the measured ones.
  local pass=0
  for arm in one-node crossing one-node crossing; do
    pass=$((pass + 1))
    topic=persistent://$NAMESPACE/bench-cluster-warmup-$pass-$arm-$RUN_ID
    local through=$owner
    [[ $arm == crossing ]] && through=$via
    log "cluster-compare warm-up: $arm, $((CLUSTER_MESSAGES / 2)) messages (not measured)"
    start_client 900 "$OUT/cluster-warmup-$pass-$arm.log" java -Xmx256m -cp "$GATLING_CP" \
      io.pulsarproxy.loadtests.ClusterCompareLoad --mode consume --owner "$owner" --via "$through" --topic "$topic" \
      --messages $((CLUSTER_MESSAGES / 2)) --size "$SIZE"
    wait_client || die "the $arm warm-up client failed ($OUT/cluster-warmup-$pass-$arm.log)"
    delete_topic "${topic##*/}"
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    topic=persistent://$NAMESPACE/bench-cluster-latency-$RUN_ID-$round
    log "cluster-compare round $round: poll + ack latency, $timed through each node"
    start_client 600 "$OUT/cluster-latency-$round.log" java -Xmx256m -cp "$GATLING_CP" \
      io.pulsarproxy.loadtests.ClusterCompareLoad --mode latency --owner "$owner" --via "$via" --topic "$topic" \
      --messages $((2 * timed)) --warmup 200 --size "$SIZE"
    wait_client || die "the latency client failed ($OUT/cluster-latency-$round.log)"
    awk -v r="$round" '$1 == "LATENCY" {printf "%s,latency,%s,%s,%s,n=%s\n", r, ($2 == "owner" ? "owner" : "non-owner"), $4, $5, $3}' \
      "$OUT/cluster-latency-$round.log" >> "$OUT/cluster.csv"
    delete_topic "${topic##*/}"
    local arms=(one-node crossing)
    ((round % 2 == 0)) && arms=(crossing one-node)
    for arm in "${arms[@]}"; do
      topic=persistent://$NAMESPACE/bench-cluster-$arm-$RUN_ID-$round
      local through=$owner
      [[ $arm == crossing ]] && through=$via
      log "cluster-compare round $round: $arm, $CLUSTER_MESSAGES messages"
      ticks_before=$(($(cpu_ticks "$PROXY_PID") + $(cpu_ticks "$PROXY_B_PID")))
      { thread_ticks "$PROXY_PID" a; thread_ticks "$PROXY_B_PID" b; } > "$OUT/threads-before.tsv"
      local started=$SECONDS
      start_client 900 "$OUT/cluster-$arm-$round.log" java -Xmx256m -cp "$GATLING_CP" \
        io.pulsarproxy.loadtests.ClusterCompareLoad --mode consume --owner "$owner" --via "$through" --topic "$topic" \
        --messages "$CLUSTER_MESSAGES" --size "$SIZE"
      wait_client || die "the $arm client failed ($OUT/cluster-$arm-$round.log)"
      ticks_after=$(($(cpu_ticks "$PROXY_PID") + $(cpu_ticks "$PROXY_B_PID")))
      { thread_ticks "$PROXY_PID" a; thread_ticks "$PROXY_B_PID" b; } > "$OUT/threads-after.tsv"
      python3 - "$OUT/threads-before.tsv" "$OUT/threads-after.tsv" "$round" "$arm" "$hz" "$CLUSTER_MESSAGES" \
        >> "$OUT/cluster-threads.csv" << 'PY'
import collections, sys
def load(path):
    t = collections.Counter()
    for line in open(path):
        node, group, user, system = line.rstrip("\n").split("\t")
        t[(node, group, "user")] += int(user)
        t[(node, group, "system")] += int(system)
    return t
before, after = load(sys.argv[1]), load(sys.argv[2])
hz, per = float(sys.argv[5]), int(sys.argv[6]) / 1000
for key in sorted(after):
    d = after[key] - before.get(key, 0)
    if d > 0:
        print("%s,%s,%s,%s,%s,%.4f" % (sys.argv[3], sys.argv[4], key[0], key[1], key[2], d / hz / per))
PY
      local polls
      polls=$(awk '$1 == "CONSUMED" {print $4}' "$OUT/cluster-$arm-$round.log")
      python3 -c "import sys; t=($ticks_after-$ticks_before)/$hz; print('%s,cpu,%s,%.3f,%.3f,seconds=%d polls=%s' % ($round, '$arm', t, t / ($CLUSTER_MESSAGES / 1000), $SECONDS - $started, '${polls:-?}'))" \
        >> "$OUT/cluster.csv"
      delete_topic "${topic##*/}"
    done
  done
  python3 - "$OUT/cluster.csv" "$OUT/cluster-threads.csv" > "$OUT/cluster.md" << 'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def med(kind, target, col):
    return statistics.median(float(r[col]) for r in rows if r["kind"] == kind and r["target"] == target)
rounds = len({r["round"] for r in rows})
o50, o99 = med("latency", "owner", "value1"), med("latency", "owner", "value2")
n50, n99 = med("latency", "non-owner", "value1"), med("latency", "non-owner", "value2")
one, cross = med("cpu", "one-node", "value2"), med("cpu", "crossing", "value2")
print(f"# Cluster compare: medians of {rounds} rounds\n")
print("| poll + ack through | p50 ms | p99 ms |\n|---|---|---|")
print(f"| owner (A) | {o50:.2f} | {o99:.2f} |\n| non-owner (B) | {n50:.2f} | {n99:.2f} |")
by_round = sorted({r["round"] for r in rows})
def per_round(kind, a, b, col, f):
    v = {(r["round"], r["target"]): float(r[col]) for r in rows if r["kind"] == kind}
    return [f(v[(n, a)], v[(n, b)]) for n in by_round]
added = per_round("latency", "owner", "non-owner", "value1", lambda o, n: n - o)
ratios = per_round("cpu", "one-node", "crossing", "value2", lambda o, c: c / o)
print(f"\nAdded at the median by a non-owner node to a poll + ack (two requests, each crossing): {n50 - o50:.2f} ms "
      f"(per round: {', '.join(f'{a:.2f}' for a in added)}; median {statistics.median(added):.2f}), "
      f"per request {statistics.median(added) / 2:.2f} ms (target: at most 2 ms)\n")
print("| produce + consume | proxy CPU-s per 1000 msgs |\n|---|---|")
print(f"| one node | {one:.3f} |\n| crossing nodes | {cross:.3f} |")
print(f"\nRatio crossing / one node: {cross / one:.2f} of the medians; per round "
      f"{', '.join(f'{r:.2f}' for r in ratios)}, median {statistics.median(ratios):.2f} (target: at most 1.3)")
# Where each arm's CPU went: per node and thread group (user + system), medians over the rounds.
threads = list(csv.DictReader(open(sys.argv[2])))
def kind(name):
    for prefix, label in (("vert.x-eventloo", "event loops"), ("vert.x-worker", "Vert.x workers"),
                          ("pulsar-", "Pulsar client"), ("hz.", "Hazelcast")):
        if name.startswith(prefix):
            return label
    return "JIT compilers" if "Compiler" in name else "other (GC, JVM)"
sums = {}
for t in threads:
    key = (t["round"], t["arm"], t["node"], kind(t["threads"]))
    sums[key] = sums.get(key, 0) + float(t["cpu_s_per_1000"])
groups = sorted({(k[2], k[3]) for k in sums})
print("\n| node, threads | one node | crossing |\n|---|---|---|")
for node, label in groups:
    cells = [statistics.median(sums.get((n, arm, node, label), 0) for n in by_round) for arm in ("one-node", "crossing")]
    print(f"| {node.upper()}, {label} | {cells[0]:.4f} | {cells[1]:.4f} |")
print("\n(CPU-s per 1000 messages, user + system, median over the rounds of each arm.)")
PY
  cat "$OUT/cluster.md" >&2
}

# ---- main -------------------------------------------------------------------------------------------------------------

log "output in $OUT"
JAR_A=$JAR
[[ -z $JAR_B || -f $JAR_B ]] || die "no proxy jar at $JAR_B (--jar-compare)"
[[ -z $JAR_B || -z $COMPARE ]] || die "--jar-compare and --$COMPARE-compare: one at a time"
[[ $EDGE_COMPARE == false || -z $COMPARE ]] || die "--edge-compare and --$COMPARE-compare: one at a time"
[[ $EDGE_COMPARE == false || $HTTP_CLIENT == wrk ]] || die "--edge-compare needs wrk for the HTTP scenarios"
[[ $COMPARE != observability || $HTTP_CLIENT == wrk ]] || die "--observability-compare needs wrk for the HTTP scenarios"
[[ $CLUSTER_COMPARE == false || ($EDGE_COMPARE == false && -z $COMPARE) ]] || die "--cluster-compare: alone"
start_pulsar
if [[ $CLUSTER_COMPARE == true ]]; then
  run_cluster_compare
  exit 0
fi
# --edge-compare starts the proxy with the edge instances of the first target it measures,
# --observability-compare the same, with the configuration of its first target.
[[ ($EDGE_COMPARE == true || $COMPARE == observability) && $MODE == run ]] || start_proxy
case $MODE in
  soak) if [[ -n $KILL_EVERY ]]; then run_fault_soak; else run_soak; fi ;;
  flood) run_flood ;;
  fanout) run_fanout ;;
  *) run_benchmark ;;
esac
