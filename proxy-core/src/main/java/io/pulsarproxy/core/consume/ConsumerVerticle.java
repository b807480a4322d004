package io.pulsarproxy.core.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ConsumerConfig;
import io.pulsarproxy.config.ProxyConfig;
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
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.pulsarproxy.core.supervisor.PulsarGuard;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

  private final PulsarClients clients;
  private final ProxyMetrics metrics;
  private ConsumerConfig config;
  private final Map<String, PulsarSession> sessions = new HashMap<>();
  /** Sessions whose consumer is being created, counted against the limit. */
  private int opening;
  private final Duration operationTimeout;
  private final Duration outageWait;
  private final ResilienceConfig resilience;
  private PulsarGuard guard;

  public ConsumerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics) {
    this.config = config.consumer();
    this.operationTimeout = config.pulsar().operationTimeout();
    this.outageWait = config.producer().outageWait();
    this.resilience = config.resilience();
    this.clients = clients;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    guard = new PulsarGuard(vertx, "consumers", resilience, outageWait);
    metrics.consumerSessions(() -> sessions.size());
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> config = msg.body().consumer());
    return vertx.eventBus().<ConsumerCommand>localConsumer(Addresses.CONSUMER, this::handle).completion();
  }

  @Override
  public Future<?> stop() {
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
            ? subscribe(client, spec).map(c -> newSession(id, token, c, null, spec.receiverQueueSize()))
            : read(client, (ReaderSpec) open.spec())
                .map(r -> newSession(id, token, null, r, open.spec().receiverQueueSize())), deadline,
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

  private PulsarSession newSession(String id, Secret token, Consumer<byte[]> consumer, Reader<byte[]> reader,
      int window) {
    return new PulsarSession(id, Addresses.session(id), token, consumer, reader,
        Math.max(config.maxTrackedIds(), window), PIPELINE);
  }

  private Future<Consumer<byte[]>> subscribe(PulsarClient client, ConsumerSpec spec) {
    ConsumerBuilder<byte[]> b = client.newConsumer()
        .subscriptionName(spec.subscription())
        .subscriptionType(spec.subscriptionType())
        .subscriptionMode(spec.subscriptionMode())
        .subscriptionInitialPosition(spec.initialPosition())
        .receiverQueueSize(spec.receiverQueueSize());
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
   * once, so that each message's trip to the client library's thread and back overlaps the next ones'.
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
        s.handedOut.put(inbound.messageId(), m.getMessageId());
      }
      metrics.messageConsumed(inbound.payload().length);
      batch.add(inbound);
    }
    if (!batch.isEmpty()) {
      vertx.eventBus().send(s.address, new SessionEvent.Delivered(batch), Codecs.LOCAL);
    }
    if (failure != null) {
      ProxyException reason = PulsarErrors.map(failure);
      LOG.info("Session {} ended by Pulsar: {}", s.id, reason.getMessage());
      vertx.eventBus().send(s.address, new SessionEvent.Ended(reason), Codecs.LOCAL);
      close(s, false);
      return;
    }
    pump(s);
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
    MessageId handed = s.handedOut.get(id);
    return handed != null ? handed : MessageIds.decode(id, field);
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
    return pulsar(seeking).map(v -> null);
  }

  private Future<Consumer<byte[]>> requireConsumer(PulsarSession s) {
    return s.consumer != null
        ? Future.succeededFuture(s.consumer)
        : Future.failedFuture(new ProxyException(ErrorCode.BAD_REQUEST, "a reader has no subscription"));
  }

  private Future<Void> close(PulsarSession s, boolean unsubscribe) {
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
