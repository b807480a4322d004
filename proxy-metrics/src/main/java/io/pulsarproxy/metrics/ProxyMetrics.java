package io.pulsarproxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The proxy's own metrics, recorded by the other modules. All methods are thread-safe and cheap (meters are looked
 * up once and cached), so they may be called from any event loop or Pulsar thread.
 */
public final class ProxyMetrics {
  /** Outcome tag value for a message the broker acknowledged. */
  public static final String OK = "ok";

  private final MeterRegistry registry;
  private final Timer produceLatency;
  private final Map<String, Counter> messagesByOutcome = new ConcurrentHashMap<>();
  private final Map<String, Counter> bytesByOutcome = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> brokerStates = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejectedRequests = new ConcurrentHashMap<>();
  private final Map<String, Counter> inFlightBytesExhausted = new ConcurrentHashMap<>();
  private final Map<String, Counter> throttled = new ConcurrentHashMap<>();
  private final Map<List<String>, Counter> httpErrors = new ConcurrentHashMap<>();
  private final Counter pulsarSent;
  private final Counter pulsarSendErrors;
  private final Counter pulsarReceived;
  private final Counter pulsarAcks;
  private final Counter negativeAcks;
  private final Counter redeliveries;
  private final Counter messagesConsumed;
  private final Counter configApplied;
  private final Counter configRejected;
  private final Counter bytesConsumed;
  private final Counter idempotentReplays;
  private final Counter idempotencyConflicts;
  private final Counter idempotencyEvictions;
  private final Map<String, Counter> probesByOutcome = new ConcurrentHashMap<>();

  public ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.produceLatency = Timer.builder("pulsar_proxy_produce_latency")
        .description("Time from handing a message to the Pulsar producer to the broker's acknowledgement")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    this.messagesConsumed = Counter.builder("pulsar_proxy_messages_consumed")
        .description("Messages handed to client sessions").register(registry);
    this.configApplied = Counter.builder("pulsar_proxy_config_reloads").tag("outcome", "applied")
        .description("Configuration file changes, by outcome").register(registry);
    this.configRejected = Counter.builder("pulsar_proxy_config_reloads").tag("outcome", "rejected")
        .description("Configuration file changes, by outcome").register(registry);
    this.bytesConsumed = Counter.builder("pulsar_proxy_bytes_consumed").baseUnit("bytes")
        .description("Payload bytes handed to client sessions").register(registry);
    this.idempotentReplays = Counter.builder("pulsar_proxy_idempotency_replays")
        .description("Produce requests answered with the outcome of an earlier one with the same Idempotency-Key")
        .register(registry);
    this.idempotencyConflicts = Counter.builder("pulsar_proxy_idempotency_conflicts")
        .description("Produce requests refused (422) because their Idempotency-Key was used for a different request")
        .register(registry);
    this.idempotencyEvictions = Counter.builder("pulsar_proxy_idempotency_evictions")
        .description("Completed idempotency keys forgotten before their window ended, to make room "
            + "(produce.idempotencyMaxKeys)")
        .register(registry);
    this.pulsarSent = Counter.builder("pulsar_proxy_pulsar_messages_sent")
        .description("Messages the proxy's Pulsar producers sent, from the client's statistics (pulsar.statsInterval)")
        .register(registry);
    this.pulsarSendErrors = Counter.builder("pulsar_proxy_pulsar_send_errors")
        .description("Sends the proxy's Pulsar producers saw fail, from the client's statistics").register(registry);
    this.pulsarReceived = Counter.builder("pulsar_proxy_pulsar_messages_received")
        .description("Messages the proxy's Pulsar consumers received, from the client's statistics")
        .register(registry);
    this.pulsarAcks = Counter.builder("pulsar_proxy_pulsar_acks")
        .description("Acknowledgements the proxy's Pulsar consumers sent, from the client's statistics")
        .register(registry);
    this.negativeAcks = Counter.builder("pulsar_proxy_pulsar_negative_acks")
        .description("Messages clients negatively acknowledged through the proxy").register(registry);
    this.redeliveries = Counter.builder("pulsar_proxy_pulsar_redeliveries")
        .description("Messages handed to clients again (redelivery count above 0)").register(registry);
    // Both exist from the start, at 0: a rule's rate() over them has a series before the first refusal.
    for (String source : List.of("http", "ws")) {
      inFlightBytesExhausted.put(source, Counter.builder("pulsar_proxy_in_flight_bytes_exhausted")
          .description("Times the in-flight byte budget (http.maxInFlightBytes) was spent: a request refused (http) "
              + "or a WebSocket paused (ws)")
          .tag("source", source).register(registry));
    }
  }

  /** Metrics that go nowhere, for tests and tools that do not export them. */
  public static ProxyMetrics noop() {
    return new ProxyMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Counts messages handed to Pulsar with one outcome ({@link #OK} or an error code's name) and their payload bytes. */
  public void messagesProduced(String outcome, int count, long bytes) {
    messagesByOutcome.computeIfAbsent(outcome, o -> Counter.builder("pulsar_proxy_messages_produced")
        .description("Messages handed to Pulsar, by outcome").tag("outcome", o).register(registry)).increment(count);
    bytesByOutcome.computeIfAbsent(outcome, o -> Counter.builder("pulsar_proxy_bytes_produced")
        .description("Payload bytes handed to Pulsar, by outcome").baseUnit("bytes").tag("outcome", o)
        .register(registry)).increment(bytes);
  }

  /** Records the time from handing a message to Pulsar to the broker's acknowledgement. */
  public void produceLatency(long nanos) {
    produceLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Counts one message handed to a client session (WebSocket, HTTP or SSE consumer, reader). */
  public void messageConsumed(long bytes) {
    messagesConsumed.increment();
    bytesConsumed.increment(bytes);
  }

  /** Exposes the number of consumer and reader sessions open for clients. */
  public void consumerSessions(Supplier<Number> count) {
    Gauge.builder("pulsar_proxy_consumer_sessions", count).description("Pulsar consumers and readers open for clients")
        .strongReference(true).register(registry);
  }

  /** Exposes the number of members of the cluster this node sees, itself included (registered only when clustered). */
  public void clusterMembers(Supplier<Number> count) {
    Gauge.builder("pulsar_proxy_cluster_members", count).description("Members of the cluster this node sees, itself "
        + "included").strongReference(true).register(registry);
  }

  /** Counts a configuration reload: applied, or rejected because the changed file was invalid. */
  public void configReload(boolean applied) {
    (applied ? configApplied : configRejected).increment();
  }

  /** Counts a request refused before reaching Pulsar (bad input, limits, shutdown), by error code. */
  public void requestRejected(String code) {
    rejectedRequests.computeIfAbsent(code.toLowerCase(Locale.ROOT), c -> Counter.builder("pulsar_proxy_requests_rejected")
        .description("Requests refused by the proxy before reaching Pulsar, by error code").tag("code", c)
        .register(registry)).increment();
  }

  /**
   * Counts one error envelope sent to an HTTP client, by error code and route template ({@code route}: the path
   * template of the route that answered, or {@code none} when no API route was reached: authentication, quotas,
   * admission, unknown paths). Both labels come from fixed sets; never a raw path.
   */
  public void httpError(String code, String route) {
    String c = code.toLowerCase(Locale.ROOT);
    httpErrors.computeIfAbsent(List.of(c, route), k -> Counter.builder("pulsar_proxy_http_errors")
        .description("Error responses sent to HTTP clients, by error code and route template")
        .tag("code", c).tag("route", route).register(registry)).increment();
  }

  /**
   * Adds what the Pulsar client's statistics counted for the proxy's producers since the last call: messages sent
   * and sends failed. Aggregated over every topic: no label, so the series stay few whatever the topics.
   */
  public void pulsarSends(long sent, long failed) {
    pulsarSent.increment(sent);
    pulsarSendErrors.increment(failed);
  }

  /**
   * Exposes the sends the proxy's Pulsar producers wait for the broker to confirm, and the largest 99th percentile
   * of their send latency over the last statistics interval, in milliseconds (exported in seconds).
   */
  public void pulsarProducerGauges(Supplier<Number> pending, Supplier<Number> p99Millis) {
    Gauge.builder("pulsar_proxy_pulsar_pending_sends", pending)
        .description("Messages the proxy's Pulsar producers wait for the broker to confirm").strongReference(true)
        .register(registry);
    Gauge.builder("pulsar_proxy_pulsar_send_latency_p99", () -> p99Millis.get().doubleValue() / 1000)
        .baseUnit("seconds")
        .description("The largest 99th percentile of send latency among the proxy's Pulsar producers over the last "
            + "statistics interval")
        .strongReference(true).register(registry);
  }

  /** Adds what the Pulsar client's statistics counted for the proxy's consumers since the last call. */
  public void pulsarReceives(long received, long acks) {
    pulsarReceived.increment(received);
    pulsarAcks.increment(acks);
  }

  /** Counts messages a client negatively acknowledged. */
  public void negativeAcks(int count) {
    negativeAcks.increment(count);
  }

  /** Counts a message handed to a client again after a negative acknowledgement, an ack timeout or a reconnect. */
  public void redelivered() {
    redeliveries.increment();
  }

  /**
   * Exposes whether a circuit breaker in front of Pulsar is open (1) or not (0); {@code breaker} is one of a fixed set
   * ({@code producers}, {@code consumers}).
   */
  public void circuitBreaker(String breaker, BooleanSupplier open) {
    Gauge.builder("pulsar_proxy_circuit_breaker_open", () -> open.getAsBoolean() ? 1 : 0)
        .description("1 while the circuit breaker in front of Pulsar is open: requests are refused without a try")
        .tag("breaker", breaker).strongReference(true).register(registry);
  }

  /** The lag series of the subscriptions the proxy holds, with at most {@code maxSeries} of their own. */
  public SubscriptionLag subscriptionLag(int maxSeries) {
    return new SubscriptionLag(registry, maxSeries);
  }

  /**
   * Exposes the bytes of request bodies and WebSocket frames the edge holds ({@code pulsar_proxy_in_flight_bytes}) and
   * their limit, {@code http.maxInFlightBytes} ({@code pulsar_proxy_in_flight_bytes_limit}).
   */
  public void inFlightBytes(Supplier<Number> used, Supplier<Number> limit) {
    Gauge.builder("pulsar_proxy_in_flight_bytes", used)
        .description("Bytes of request bodies and WebSocket frames held by the edge").strongReference(true)
        .register(registry);
    Gauge.builder("pulsar_proxy_in_flight_bytes_limit", limit)
        .description("The most bytes of request bodies and WebSocket frames the edge holds (http.maxInFlightBytes)")
        .strongReference(true).register(registry);
  }

  /**
   * Counts a time the in-flight byte budget ({@code http.maxInFlightBytes}) was spent: an HTTP request refused with 503
   * ({@code source} {@code http}) or a WebSocket paused until bytes are released ({@code ws}).
   *
   * @throws IllegalArgumentException for any other source (the label stays bounded)
   */
  public void inFlightBytesExhausted(String source) {
    Counter counter = inFlightBytesExhausted.get(source);
    if (counter == null) {
      throw new IllegalArgumentException("source must be http or ws, not " + source);
    }
    counter.increment();
  }

  /**
   * Counts one throttling by a quota per principal: a request or handshake refused with 429, or a WebSocket producer
   * paused. {@code quota} is one of a fixed set ({@code produce_rate}, {@code produce_bytes}, {@code websockets},
   * {@code sse_streams}, {@code consumer_instances}, {@code in_flight}); never a principal's name, which is unbounded.
   */
  public void quotaThrottled(String quota) {
    throttledCounter(quota).increment();
  }

  /** Exposes the throttling counter of {@code quota} at 0, so that rules have a series before the first throttling. */
  public void quotaKnown(String quota) {
    throttledCounter(quota);
  }

  private Counter throttledCounter(String quota) {
    return throttled.computeIfAbsent(quota, q -> Counter.builder("pulsar_proxy_quota_throttled")
        .description("Requests, handshakes and WebSocket producers throttled by a quota per principal, by quota")
        .tag("quota", q).register(registry));
  }

  /** Exposes the {@code Idempotency-Key}s held by the produce service, in flight and completed. */
  public void idempotencyKeys(Supplier<Number> held) {
    Gauge.builder("pulsar_proxy_idempotency_keys", held)
        .description("Idempotency keys held by the produce service, in flight and completed")
        .strongReference(true).register(registry);
  }

  /** Counts a completed {@code Idempotency-Key} forgotten before its window ended, to make room for a new one. */
  public void idempotencyEvicted() {
    idempotencyEvictions.increment();
  }

  /**
   * Counts a broker probe by outcome: {@code answered}, {@code refused} (an error: down at once) or
   * {@code unanswered} (no answer within its time-out: down at the second in a row).
   */
  public void probe(String outcome) {
    probesByOutcome.computeIfAbsent(outcome, o -> Counter.builder("pulsar_proxy_probes")
        .description("Broker probes, by outcome").tag("outcome", o).register(registry)).increment();
  }

  /** Counts a produce request answered with the outcome of an earlier one with the same {@code Idempotency-Key}. */
  public void idempotentReplay() {
    idempotentReplays.increment();
  }

  /** Counts a produce request refused with 422 because its {@code Idempotency-Key} was used for another request. */
  public void idempotencyConflict() {
    idempotencyConflicts.increment();
  }

  /** Exposes the number of producers held open by the producer cache. */
  public void cachedProducers(Supplier<Number> count) {
    Gauge.builder("pulsar_proxy_producers_cached", count).description("Pulsar producers held open by the proxy")
        .strongReference(true).register(registry);
  }

  /** Exposes the number of Pulsar clients that act with forwarded client tokens ({@code ws.forwardClientTokens}). */
  public void tokenClients(Supplier<Number> count) {
    Gauge.builder("pulsar_proxy_token_clients", count)
        .description("Pulsar clients acting with forwarded client tokens")
        .strongReference(true).register(registry);
  }

  /**
   * Exposes the number of WebSocket connections open, by role ({@code producer}, {@code consumer}, {@code reader});
   * call once per role.
   */
  public void webSockets(String role, Supplier<Number> count) {
    Gauge.builder("pulsar_proxy_websockets", count).description("WebSocket connections open, by role")
        .tag("role", role).strongReference(true).register(registry);
  }

  /**
   * Records the broker state: the gauge {@code pulsar_proxy_broker_state{state=…}} is 1 for the current state and 0
   * for the others; {@code pulsar_proxy_broker_up} is 1 only while the state is UP.
   */
  public void brokerState(String state) {
    brokerStates.computeIfAbsent(state, s -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder("pulsar_proxy_broker_state", holder, AtomicInteger::get)
          .description("1 for the current broker state, else 0").tag("state", s).register(registry);
      return holder;
    });
    brokerStates.forEach((s, holder) -> holder.set(s.equals(state) ? 1 : 0));
    if (registry.find("pulsar_proxy_broker_up").gauge() == null) {
      Gauge.builder("pulsar_proxy_broker_up", brokerStates, states -> {
        AtomicInteger up = states.get("UP");
        return up == null ? 0 : up.get();
      }).description("1 while the broker answers the proxy's probe").register(registry);
    }
  }
}
