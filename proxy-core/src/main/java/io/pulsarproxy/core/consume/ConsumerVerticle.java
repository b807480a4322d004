package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConsumerConfig;
import io.pulsarproxy.config.ManagementConfig;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.config.PulsarConfig;
import io.pulsarproxy.config.ResilienceConfig;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.consume.ConsumerCommand.Ack;
import io.pulsarproxy.core.consume.ConsumerCommand.AckCumulative;
import io.pulsarproxy.core.consume.ConsumerCommand.Close;
import io.pulsarproxy.core.consume.ConsumerCommand.HasMessageAvailable;
import io.pulsarproxy.core.consume.ConsumerCommand.IsEndOfTopic;
import io.pulsarproxy.core.consume.ConsumerCommand.Nack;
import io.pulsarproxy.core.consume.ConsumerCommand.Open;
import io.pulsarproxy.core.consume.ConsumerCommand.Pause;
import io.pulsarproxy.core.consume.ConsumerCommand.Permit;
import io.pulsarproxy.core.consume.ConsumerCommand.Seek;
import io.pulsarproxy.core.consume.ConsumerCommand.Unsubscribe;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.produce.MessageIds;
import io.pulsarproxy.core.schema.SchemaCache;
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.pulsarproxy.core.supervisor.PulsarGuard;
import io.opentelemetry.api.trace.SpanKind;
import io.pulsarproxy.core.trace.Tracing;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.pulsarproxy.metrics.SubscriptionLag;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerBuilder;
import org.apache.pulsar.client.api.ConsumerStats;
import org.apache.pulsar.client.api.DeadLetterPolicy;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.client.api.ReaderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consume service on {@link Addresses#CONSUMER}: opens Pulsar consumers and readers for client sessions (a
 * WebSocket, an HTTP consumer instance, an SSE stream), pushes their messages to the session's address as
 * {@link SessionEvent}s, and carries out the session's acks, nacks and other commands.
 *
 * <p>Flow control is by permits: a session receives at most as many messages as it has permitted, and once paused
 * nothing beyond the receives already asked of Pulsar (at most {@link #PIPELINE}, within its permits). The edges
 * turn their own rules (push window, pull mode, a full socket, a long poll) into permits, so a slow client never
 * makes the proxy take more from Pulsar than it can hold. Nothing is ever acknowledged on a client's
 * behalf: unacknowledged messages come again from Pulsar after an ack timeout, a nack, or when the session closes.
 */
public final class ConsumerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerVerticle.class);
  /** Receives asked of Pulsar at once per session, at most (never more than its permits). */
  static final int PIPELINE = 16;
  /** How often a seek checks whether its consumer is subscribed again. */
  private static final long RESUBSCRIBE_CHECK_MS = 5;

  private final PulsarClients clients;
  private final ProxyMetrics metrics;
  private final Tracing tracing;
  private ConsumerConfig config;
  private final Map<String, PulsarSession> sessions = new HashMap<>();
  /** Sessions whose consumer is being created, counted against the limit. */
  private int opening;
  private final Duration operationTimeout;
  private final Duration outageWait;
  private final ResilienceConfig resilience;
  private final ManagementConfig management;
  private final Duration statsInterval;
  private PulsarGuard guard;
  private SchemaCache decoders;
  private final PulsarConfig pulsar;
  private SubscriptionLag lag;
  /** A lag sampling round is in progress: the next one waits for its answers rather than piling up calls. */
  private boolean sampling;
  private long lagTimer = -1;
  private long statsTimer = -1;

  public ConsumerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics) {
    this(config, clients, metrics, Tracing.NOOP);
  }

  /** @param tracing where the spans of deliveries of messages that carry a trace context go */
  public ConsumerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics, Tracing tracing) {
    this.tracing = tracing;
    this.config = config.consumer();
    this.operationTimeout = config.pulsar().operationTimeout();
    this.outageWait = config.producer().outageWait();
    this.resilience = config.resilience();
    this.management = config.management();
    this.statsInterval = config.pulsar().statsInterval();
    this.pulsar = config.pulsar();
    this.clients = clients;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    guard = new PulsarGuard(vertx, "consumers", resilience, outageWait);
    decoders = SchemaCache.shared(vertx, pulsar, clients);
    metrics.circuitBreaker("consumers", () -> guard.isOpen());
    metrics.consumerSessions(() -> sessions.size());
    if (!management.lagInterval().isZero()) {
      lag = metrics.subscriptionLag(management.lagMaxSeries());
      lagTimer = vertx.setPeriodic(management.lagInterval().toMillis(), id -> sampleLag());
    }
    if (!statsInterval.isZero()) {
      statsTimer = vertx.setPeriodic(Math.max(1_000, statsInterval.toMillis()),
          id -> sessions.values().forEach(this::countStats));
    }
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> config = msg.body().consumer());
    return vertx.eventBus().<ConsumerCommand>localConsumer(Addresses.CONSUMER, this::handle).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(lagTimer);
    vertx.cancelTimer(statsTimer);
    List<Future<Void>> closing = new ArrayList<>();
    for (PulsarSession s : List.copyOf(sessions.values())) {
      vertx.eventBus().send(s.address, new SessionEvent.Ended(
          new ProxyException(ErrorCode.SHUTTING_DOWN, "the proxy is shutting down")), Codecs.LOCAL);
      closing.add(close(s, false));
    }
    return Future.join(closing);
  }

  private void handle(Message<ConsumerCommand> message) {
    ConsumerCommand command = message.body();
    Future<Object> result;
    try {
      result = command instanceof Open open ? open(open) : onSession(command);
    } catch (ProxyException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(done -> message.reply(done.succeeded()
        ? CommandReply.of(done.result())
        : CommandReply.failed(PulsarErrors.map(done.cause())), Codecs.LOCAL));
  }

  private Future<Object> onSession(ConsumerCommand command) {
    PulsarSession s = sessions.get(command.sessionId());
    if (s == null) {
      return command instanceof Close
          ? Future.succeededFuture()
          : Future.failedFuture(new ProxyException(ErrorCode.NOT_FOUND, "no session " + command.sessionId()));
    }
    if (command instanceof Permit p) {
      s.permits = (int) Math.min(Integer.MAX_VALUE, (long) s.permits + Math.max(0, p.count()));
      pump(s);
      return Future.succeededFuture();
    }
    if (command instanceof Pause p) {
      s.paused = p.paused();
      pump(s);
      return Future.succeededFuture();
    }
    if (command instanceof Ack a) {
      return acknowledge(s, a.messageIds(), a.permits());
    }
    if (command instanceof Nack n) {
      return negativeAcknowledge(s, n.messageIds(), n.permits());
    }
    if (command instanceof AckCumulative a) {
      return requireConsumer(s).compose(c ->
          pulsar(c.acknowledgeCumulativeAsync(resolve(s, a.messageId(), "upTo")))).map(v -> null);
    }
    if (command instanceof Unsubscribe) {
      return requireConsumer(s).compose(c -> {
        s.stopped = true;
        return pulsar(c.unsubscribeAsync());
      }).map(v -> null);
    }
    if (command instanceof IsEndOfTopic) {
      return Future.succeededFuture(
          s.consumer != null ? s.consumer.hasReachedEndOfTopic() : s.reader.hasReachedEndOfTopic());
    }
    if (command instanceof HasMessageAvailable) {
      return s.reader != null
          ? pulsar(s.reader.hasMessageAvailableAsync()).map(available -> (Object) available)
          : Future.failedFuture(new ProxyException(ErrorCode.BAD_REQUEST, "a subscription is not a reader"));
    }
    if (command instanceof Seek k) {
      return seek(s, k);
    }
    if (command instanceof Close c) {
      return close(s, c.unsubscribe()).map(v -> null);
    }
    throw new IllegalArgumentException("unknown command " + command.getClass().getSimpleName());
  }

  private Future<Object> open(Open open) {
    String id = open.sessionId();
    if (sessions.containsKey(id)) {
      throw new ProxyException(ErrorCode.CONFLICT, "session " + id + " is already open");
    }
    if (sessions.size() + opening >= config.maxSessions()) {
      throw new ProxyException(ErrorCode.OVERLOADED, "the proxy holds " + config.maxSessions()
          + " consumer sessions, its limit (consumer.maxSessions); retry later");
    }
    opening++;
    // Retriable failures (broker restarting, lookups) are retried with backoff until the operation timeout; while
    // the cluster is down the guard holds the open for producer.outageWait, then refuses it. A consumer or reader
    // Pulsar creates after that is closed.
    long deadline = System.nanoTime() + operationTimeout.toNanos();
    Secret token = open.token();
    // The client acting with the session's token (or the proxy's own) is held until the session closes.
    Future<PulsarSession> created = Future.fromCompletionStage(clients.acquire(token), context)
        .compose(client -> guard.call(() -> open.spec() instanceof ConsumerSpec spec
            ? subscribe(client, spec).map(c -> newSession(open, c, null, lagKey(spec)))
            : read(client, (ReaderSpec) open.spec()).map(r -> newSession(open, null, r, null)), deadline,
            abandoned -> pulsar(abandoned.consumer != null ? abandoned.consumer.closeAsync()
                : abandoned.reader.closeAsync()))
            .onFailure(err -> clients.release(token)));
    return created
        .andThen(done -> opening--)
        .map(s -> {
          sessions.put(id, s);
          return (Object) null;
        });
  }

  private PulsarSession newSession(Open open, Consumer<byte[]> consumer, Reader<byte[]> reader,
      SubscriptionLag.Key lagKey) {
    return new PulsarSession(open.sessionId(), Addresses.session(open.sessionId()), open.token(), consumer, reader,
        lagKey, Math.max(config.maxTrackedIds(), open.spec().receiverQueueSize()), PIPELINE,
        PulsarSession.queueOf(consumer), open.decodeValues());
  }

  /** The labels of a subscription's lag: the topic, topics or pattern as the client named them, and its name. */
  private static SubscriptionLag.Key lagKey(ConsumerSpec spec) {
    return new SubscriptionLag.Key(spec.topicsPattern() != null ? spec.topicsPattern() : String.join(",", spec.topics()),
        spec.subscription());
  }

  /**
   * One lag sampling round: one {@code getLastMessageIdsAsync} per consumer session (a request per partition to its
   * broker, answered from the broker's memory), compared on this context with where the session stands. Sessions
   * on the same subscription report the largest lag of theirs. A failed call keeps the session's previous sample.
   */
  private void sampleLag() {
    if (sampling) {
      return;
    }
    sampling = true;
    Map<SubscriptionLag.Key, SubscriptionLag.Sample> round = new LinkedHashMap<>();
    List<Future<?>> calls = new ArrayList<>();
    for (PulsarSession s : sessions.values()) {
      if (s.consumer == null) {
        continue;
      }
      calls.add(pulsar(s.consumer.getLastMessageIdsAsync())
          .onSuccess(last -> s.lastLag = s.lag.sample(last, s.handedOut.size(), s.oldestHandedOut(),
              System.currentTimeMillis()))
          .onFailure(err -> lag.sampleFailed())
          .onComplete(done -> {
            if (sessions.get(s.id) == s && s.lastLag != null) {
              round.merge(s.lagKey, s.lastLag, (a, b) -> a.messages() >= b.messages() ? a : b);
            }
          }));
    }
    Future.join(calls).onComplete(done -> {
      sampling = false;
      lag.publish(round);
    });
  }

  /** Adds what the Pulsar client counted for this session's consumer since the last time. */
  private void countStats(PulsarSession s) {
    if (s.consumer == null || statsInterval.isZero()) {
      return;
    }
    ConsumerStats stats = s.consumer.getStats();
    long received = stats.getTotalMsgsReceived();
    long acks = stats.getTotalAcksSent();
    metrics.pulsarReceives(Math.max(0, received - s.receivedCounted), Math.max(0, acks - s.acksCounted));
    s.receivedCounted = received;
    s.acksCounted = acks;
  }

  private Future<Consumer<byte[]>> subscribe(PulsarClient client, ConsumerSpec spec) {
    ConsumerBuilder<byte[]> b = client.newConsumer()
        .subscriptionName(spec.subscription())
        .subscriptionType(spec.subscriptionType())
        .subscriptionMode(spec.subscriptionMode())
        .subscriptionInitialPosition(spec.initialPosition())
        .receiverQueueSize(spec.receiverQueueSize())
        .acknowledgmentGroupTime(config.ackGroupTime().toNanos(), TimeUnit.NANOSECONDS);
    if (spec.topicsPattern() != null) {
      try {
        b.topicsPattern(Pattern.compile(spec.topicsPattern()));
      } catch (PatternSyntaxException e) {
        throw ProxyException.badField("topicsPattern", "is not a regular expression: " + e.getDescription());
      }
    } else {
      b.topics(spec.topics());
    }
    if (spec.ackTimeoutMs() > 0) {
      b.ackTimeout(spec.ackTimeoutMs(), TimeUnit.MILLISECONDS);
    }
    if (spec.consumerName() != null) {
      b.consumerName(spec.consumerName());
    }
    if (spec.priorityLevel() != null) {
      b.priorityLevel(spec.priorityLevel());
    }
    if (spec.negativeAckRedeliveryDelayMs() != null) {
      b.negativeAckRedeliveryDelay(spec.negativeAckRedeliveryDelayMs(), TimeUnit.MILLISECONDS);
    }
    if (spec.maxRedeliverCount() != null) {
      DeadLetterPolicy.DeadLetterPolicyBuilder dlq = DeadLetterPolicy.builder()
          .maxRedeliverCount(spec.maxRedeliverCount());
      if (spec.deadLetterTopic() != null) {
        dlq.deadLetterTopic(spec.deadLetterTopic());
      }
      b.deadLetterPolicy(dlq.build());
    }
    if (spec.cryptoFailureAction() != null) {
      b.cryptoFailureAction(spec.cryptoFailureAction());
    }
    return pulsar(b.subscribeAsync());
  }

  private Future<Reader<byte[]>> read(PulsarClient client, ReaderSpec spec) {
    ReaderBuilder<byte[]> b = client.newReader()
        .topic(spec.topic())
        .receiverQueueSize(spec.receiverQueueSize())
        .startMessageId(spec.startTimestamp() != null ? MessageId.earliest : spec.startMessageId());
    if (spec.startInclusive()) {
      b.startMessageIdInclusive();
    }
    if (spec.readerName() != null) {
      b.readerName(spec.readerName());
    }
    Future<Reader<byte[]>> reader = pulsar(b.createAsync());
    if (spec.startTimestamp() == null) {
      return reader;
    }
    return reader.compose(r -> pulsar(r.seekAsync(spec.startTimestamp())).map(v -> r)
        .recover(err -> pulsar(r.closeAsync()).transform(ignored -> Future.failedFuture(err))));
  }

  /**
   * Asks Pulsar for messages while the session has permits not yet spoken for: up to {@link #PIPELINE} receives at
   * once, of which one waits for a message while Pulsar has none ({@link PulsarSession#canReceive}); what Pulsar
   * already holds for the session is taken in one turn and handed over as one event.
   */
  private void pump(PulsarSession s) {
    while (s.canReceive()) {
      CompletableFuture<org.apache.pulsar.client.api.Message<byte[]>> next = s.next();
      s.pending.addLast(next);
      pulsar(next).onComplete(done -> received(s));
    }
  }

  /**
   * Hands the session the messages of its completed receives, oldest first and in one event: a receive completed
   * out of turn waits for those asked before it, so the order is Pulsar's whatever order the callbacks run in.
   */
  private void received(PulsarSession s) {
    if (sessions.get(s.id) != s) {
      return; // closed meanwhile: the message is not acknowledged and Pulsar will deliver it again
    }
    List<InboundMessage> batch = new ArrayList<>();
    List<Future<InboundMessage>> decoding = new ArrayList<>();
    Throwable failure = null;
    while (!s.pending.isEmpty() && s.pending.peekFirst().isDone()) {
      CompletableFuture<org.apache.pulsar.client.api.Message<byte[]>> done = s.pending.pollFirst();
      org.apache.pulsar.client.api.Message<byte[]> m;
      try {
        m = done.getNow(null); // done: never waits
      } catch (CancellationException | CompletionException e) {
        failure = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        break;
      }
      InboundMessage inbound = InboundMessage.from(m);
      s.permits--;
      if (s.consumer != null) {
        s.handedOut.put(inbound.messageId(), new PulsarSession.Handed(m.getMessageId(), m.getPublishTime()));
        s.lag.took(m.getTopicName(), m.getMessageId());
        if (m.getRedeliveryCount() > 0) {
          metrics.redelivered();
        }
      }
      metrics.messageConsumed(inbound.payload().length);
      traceDelivery(inbound);
      batch.add(inbound);
      if (s.decodeValues) {
        decoding.add(decode(m, inbound));
      }
    }
    if (!batch.isEmpty()) {
      if (s.decodeValues) {
        s.deliveries = s.deliveries.transform(ignored -> Future.all(decoding)).map(all -> {
          if (sessions.get(s.id) == s) {
            vertx.eventBus().send(s.address, new SessionEvent.Delivered(all.list()), Codecs.LOCAL);
          }
          return null;
        });
      } else {
        vertx.eventBus().send(s.address, new SessionEvent.Delivered(batch), Codecs.LOCAL);
      }
    }
    if (failure != null) {
      ProxyException reason = PulsarErrors.map(failure);
      LOG.info("Session {} ended by Pulsar: {}", s.id, reason.getMessage());
      s.stopped = true;
      // After the messages still decoding, so that the session gets them before it hears it ended.
      s.deliveries.onComplete(delivered -> {
        if (sessions.get(s.id) != s) {
          return; // closed by its client meanwhile
        }
        vertx.eventBus().send(s.address, new SessionEvent.Ended(reason), Codecs.LOCAL);
        close(s, false);
      });
      return;
    }
    pump(s);
  }

  /**
   * A message that carries a trace context ({@code traceparent}, from the proxy or any producer) gets a
   * {@code deliver <topic>} span (kind CONSUMER) under it as the proxy receives it for a client; the client gets the
   * message's own properties.
   */
  private void traceDelivery(InboundMessage m) {
    String traceparent = m.properties().get(Tracing.TRACEPARENT);
    if (traceparent == null) {
      return;
    }
    tracing.tracer().spanBuilder("deliver " + m.topic())
        .setParent(Tracing.extract(m.properties()))
        .setSpanKind(SpanKind.CONSUMER)
        .setAttribute("messaging.system", "pulsar")
        .setAttribute("messaging.destination.name", m.topic())
        .setAttribute("messaging.message.id", m.messageId())
        .startSpan()
        .end();
  }

  /**
   * The message decoded with the schema version it was written with; as it is when it carries none. Never fails:
   * what cannot be decoded carries the reason.
   */
  private Future<InboundMessage> decode(org.apache.pulsar.client.api.Message<byte[]> m, InboundMessage inbound) {
    byte[] version = m.getSchemaVersion();
    if (version == null) {
      return Future.succeededFuture(inbound);
    }
    return decoders.decode(m.getTopicName(), version, inbound.payload(), m.hasKey() ? m.getKeyBytes() : null)
        .map(inbound::withDecoded);
  }

  /**
   * Grants the permits before anything can fail: they are the client's room, which an id that cannot be acknowledged
   * does not change. So a failed reply never means the permits were not taken, and the edge need not give them back.
   */
  private Future<Object> acknowledge(PulsarSession s, List<String> ids, int permits) {
    grant(s, permits);
    if (s.consumer == null || ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<MessageId> resolved = new ArrayList<>(ids.size());
    for (String id : ids) {
      resolved.add(resolve(s, id, "messageId"));
    }
    ids.forEach(s.handedOut::remove);
    return pulsar(s.consumer.acknowledgeAsync(resolved)).map(v -> null);
  }

  /** As {@link #acknowledge}: the permits are granted first. */
  private Future<Object> negativeAcknowledge(PulsarSession s, List<String> ids, int permits) {
    grant(s, permits);
    if (s.consumer != null) {
      metrics.negativeAcks(ids.size());
      for (String id : ids) {
        MessageId resolved = resolve(s, id, "messageId");
        s.handedOut.remove(id);
        s.consumer.negativeAcknowledge(resolved);
      }
    }
    return Future.succeededFuture();
  }

  private void grant(PulsarSession s, int permits) {
    if (permits > 0) {
      s.permits += permits;
      pump(s);
    }
  }

  private MessageId resolve(PulsarSession s, String id, String field) {
    if (id == null) {
      throw ProxyException.badField(field, "is missing");
    }
    PulsarSession.Handed handed = s.handedOut.get(id);
    return handed != null ? handed.id() : MessageIds.decode(id, field);
  }

  private Future<Object> seek(PulsarSession s, Seek k) {
    CompletionStage<Void> seeking;
    if (k.timestamp() != null) {
      seeking = s.consumer != null ? s.consumer.seekAsync(k.timestamp()) : s.reader.seekAsync(k.timestamp());
    } else {
      MessageId id = MessageIds.decode(k.messageId(), "messageId");
      seeking = s.consumer != null ? s.consumer.seekAsync(id) : s.reader.seekAsync(id);
    }
    s.handedOut.clear();
    s.lag.reset();
    Future<Void> sought = pulsar(seeking);
    return (s.consumer == null ? sought
        : sought.compose(v -> subscribedAgain(s.consumer, System.nanoTime() + operationTimeout.toNanos())))
        .map(v -> null);
  }

  /**
   * A seek makes the broker close the subscription's consumers, and Pulsar's client completes the seek when it starts
   * to subscribe again. The broker drops acknowledgements that come before that subscribe is done, so one sent on the
   * seek's answer could be lost for good (the message sought to is then never delivered again to be acknowledged).
   * The seek answers once the consumer is subscribed again; if that takes longer than the operation time-out, it
   * answers 503 and the client seeks again.
   */
  private Future<Void> subscribedAgain(Consumer<byte[]> consumer, long deadline) {
    if (consumer.isConnected()) {
      return Future.succeededFuture();
    }
    if (System.nanoTime() - deadline >= 0) {
      return Future.failedFuture(new ProxyException(ErrorCode.BROKER_UNAVAILABLE,
          "the seek is done but the subscription is not connected again yet; seek again"));
    }
    Promise<Void> connected = Promise.promise();
    vertx.setTimer(RESUBSCRIBE_CHECK_MS, id -> subscribedAgain(consumer, deadline).onComplete(connected));
    return connected.future();
  }

  private Future<Consumer<byte[]>> requireConsumer(PulsarSession s) {
    return s.consumer != null
        ? Future.succeededFuture(s.consumer)
        : Future.failedFuture(new ProxyException(ErrorCode.BAD_REQUEST, "a reader has no subscription"));
  }

  private Future<Void> close(PulsarSession s, boolean unsubscribe) {
    countStats(s);
    sessions.remove(s.id);
    s.stopped = true;
    s.pending.forEach(receive -> receive.cancel(false));
    s.pending.clear();
    Future<Void> before = unsubscribe && s.consumer != null
        ? pulsar(s.consumer.unsubscribeAsync()).otherwiseEmpty()
        : Future.succeededFuture();
    return before.compose(v -> pulsar(s.consumer != null ? s.consumer.closeAsync() : s.reader.closeAsync()))
        .onFailure(err -> LOG.debug("Closing session {}: {}", s.id, err.getMessage()))
        .otherwiseEmpty()
        .onComplete(done -> clients.release(s.token));
  }

  private <T> Future<T> pulsar(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }
}
