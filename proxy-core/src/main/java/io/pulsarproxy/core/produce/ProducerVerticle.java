package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProducerConfig;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.schema.SchemaAnswer;
import io.pulsarproxy.core.schema.SchemaQuery;
import io.pulsarproxy.core.schema.KnownSchema;
import io.pulsarproxy.core.schema.SchemaCache;
import io.pulsarproxy.core.schema.SchemaSpec;
import io.pulsarproxy.core.schema.TopicSchema;
import io.pulsarproxy.core.schema.TopicSchemas;
import io.pulsarproxy.core.schema.encode.Encoded;
import io.pulsarproxy.core.schema.encode.SchemaMismatch;
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.pulsarproxy.core.supervisor.PulsarGuard;
import io.pulsarproxy.core.trace.Tracing;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The produce service on {@link Addresses#PRODUCE}: takes a {@link ProduceRequest}, sends its messages in order with
 * the topic's cached producer, and replies with a {@link ProduceReply} once the broker has answered for every
 * message. A message is reported ok only when the broker acknowledged it.
 *
 * <p>On {@link Addresses#PRODUCERS} it opens and releases producers for long-lived clients ({@link ProducerCommand}):
 * a WebSocket opens its producer before it is accepted and holds it while connected.
 *
 * <p>While the supervisor reports the broker DOWN, requests are held for it to come back, at most
 * {@code producer.outageWait}; then they, and the sends that were already waiting on Pulsar, fail with
 * {@link ErrorCode#BROKER_UNAVAILABLE}, and later requests fail at once, instead of waiting for Pulsar's timeouts
 * (see {@link PulsarGuard}). When recent attempts to reach the broker failed (the guard's circuit is open), requests
 * fail at once too. On stop it stops taking requests, waits for the sends in flight (bounded
 * by {@code shutdown.timeout}) and closes its producers.
 *
 * <p>A request with an {@link Idempotency} is sent once per principal and key within {@code
 * produce.idempotencyWindow}: repeats wait for the first one's sends and get their outcome ({@link IdempotencyStore}).
 *
 * <p>Each request is one {@code send <topic>} span (kind PRODUCER), a child of the trace context the request came
 * with; its messages carry that span's {@code traceparent} (and the {@code tracestate}) in their properties, in place
 * of properties of those names the client set, so that a consumer on any Pulsar client continues the trace.
 */
public final class ProducerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerVerticle.class);

  private final PulsarClients clients;
  private final ProxyMetrics metrics;
  private final Tracing tracing;
  private ProxyConfig config;
  private ProducerCache cache;
  private SchemaCache schemaCache;
  private TopicSchemas schemas;
  private MessageConsumer<ProduceRequest> consumer;
  private MessageConsumer<ProducerCommand> commands;
  private MessageConsumer<SchemaQuery> schemaQueries;
  private PulsarGuard guard;
  private int requestsInFlight;
  private Promise<Void> drained;
  private long evictionTimer;
  private IdempotencyStore idempotency;
  private long expiryTimer;
  private long statsTimer = -1;
  /** The last statistics taken, read by the scrape on its own thread. */
  private volatile ProducerCache.Stats lastStats = new ProducerCache.Stats(0, 0, 0, 0);

  public ProducerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics) {
    this(config, clients, metrics, Tracing.NOOP);
  }

  public ProducerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics, Tracing tracing) {
    this.config = config;
    this.clients = clients;
    this.metrics = metrics;
    this.tracing = tracing;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    cache = new ProducerCache(context, clients, config.producer(), System::nanoTime);
    metrics.cachedProducers(() -> cache.size());
    schemaCache = SchemaCache.shared(vertx, config.pulsar(), clients);
    schemas = new TopicSchemas(schemaCache, config.pulsar().schemaCacheMaxEntries());
    Duration statsInterval = config.pulsar().statsInterval();
    if (!statsInterval.isZero()) {
      metrics.pulsarProducerGauges(() -> lastStats.pending(), () -> lastStats.p99Millis());
      statsTimer = vertx.setPeriodic(Math.max(1_000, statsInterval.toMillis()), id -> {
        lastStats = cache.takeStats();
        metrics.pulsarSends(lastStats.sent(), lastStats.failed());
      });
    }
    idempotency = new IdempotencyStore(config.produce().idempotencyWindow(), config.produce().idempotencyMaxKeys(),
        System::nanoTime, metrics::idempotencyEvicted);
    metrics.idempotencyKeys(() -> idempotency.size());
    guard = new PulsarGuard(vertx, "producers", config.resilience(), config.producer().outageWait());
    metrics.circuitBreaker("producers", () -> guard.isOpen());
    // A producer that cannot be created while a broker restarts is retried with backoff within the operation timeout;
    // one created after its requests were refused (the broker was down too long) is closed.
    cache.createWith(attempt -> guard.call(attempt,
        System.nanoTime() + config.pulsar().operationTimeout().toNanos(), Producer::closeAsync));
    // Sends waiting on a broker that stays down fail now rather than after producer.sendTimeout.
    guard.onOutage(() -> {
      int abandoned = cache.abandonDisconnected();
      if (abandoned > 0) {
        LOG.debug("Closed {} producers waiting on the broker; their pending sends fail", abandoned);
      }
    });
    vertx.eventBus().<ProxyConfig>localConsumer(Addresses.CONFIG_CHANGED, msg -> reconfigure(msg.body()));
    scheduleEviction();
    scheduleExpiry(config.produce().idempotencyWindow());
    consumer = vertx.eventBus().localConsumer(Addresses.PRODUCE, this::handle);
    commands = vertx.eventBus().localConsumer(Addresses.PRODUCERS, this::control);
    schemaQueries = vertx.eventBus().localConsumer(Addresses.SCHEMAS, this::schema);
    return Future.all(consumer.completion(), commands.completion(), schemaQueries.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(evictionTimer);
    vertx.cancelTimer(expiryTimer);
    vertx.cancelTimer(statsTimer);
    Duration deadline = config.shutdown().timeout();
    return Future.all(consumer.unregister(), commands.unregister(), schemaQueries.unregister())
        .compose(v -> drain().timeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
            .onFailure(err -> LOG.warn("{} produce requests still in flight after {}; closing producers",
                requestsInFlight, deadline))
            .otherwiseEmpty())
        .compose(v -> cache.closeAll());
  }

  private void reconfigure(ProxyConfig newConfig) {
    ProducerConfig old = config.producer();
    if (!config.produce().equals(newConfig.produce())) {
      idempotency.reconfigure(newConfig.produce().idempotencyWindow(), newConfig.produce().idempotencyMaxKeys());
      vertx.cancelTimer(expiryTimer);
      scheduleExpiry(newConfig.produce().idempotencyWindow());
    }
    config = newConfig;
    if (!old.withOutageWait(newConfig.producer().outageWait()).equals(newConfig.producer())) {
      LOG.info("Producer defaults changed: new producers use {}", newConfig.producer());
      cache.reconfigure(newConfig.producer());
      vertx.cancelTimer(evictionTimer);
      scheduleEviction();
    }
  }

  private void scheduleEviction() {
    long period = Math.max(1_000, Math.min(30_000, config.producer().cacheIdleTimeout().toMillis() / 2));
    evictionTimer = vertx.setPeriodic(period, id -> {
      int closed = cache.evictIdle();
      if (closed > 0) {
        LOG.debug("Closed {} idle producers", closed);
      }
    });
  }

  private void scheduleExpiry(Duration window) {
    long period = Math.max(1_000, Math.min(30_000, window.toMillis() / 4));
    expiryTimer = vertx.setPeriodic(period, id -> idempotency.expire());
  }

  private void handle(Message<ProduceRequest> message) {
    // Vert.x made the sender's trace context (carried in the message's headers) current on this message's context.
    Span span = tracing.tracer().spanBuilder("send " + message.body().topic())
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("messaging.system", "pulsar")
        .setAttribute("messaging.destination.name", message.body().topic().toString())
        .setAttribute("messaging.batch.message_count", (long) message.body().messages().size())
        .startSpan();
    ProduceRequest request = message.body().traced(Tracing.properties(Context.current().with(span)));
    Future<ProduceReply> reply = request.idempotency() != null && config.produce().idempotencyEnabled()
        ? produceOnce(request)
        : produce(request);
    reply.onComplete(r -> {
      ProduceReply answer = r.succeeded() ? r.result()
          : failAll(request, new ProxyException(ErrorCode.INTERNAL_ERROR, "the produce service failed"));
      if (answer.rejection() != null) {
        span.setStatus(StatusCode.ERROR, answer.rejection().code().name());
      }
      answer.firstFailure().ifPresent(f -> span.setStatus(StatusCode.ERROR, f.error().code().name()));
      span.end();
      message.reply(answer, Codecs.LOCAL);
    });
  }

  /**
   * A request with an {@code Idempotency-Key}: the first with its key is sent; a repeat waits for the first one's
   * sends, however long after its HTTP answer they complete, and gets their outcome. Only the messages whose send
   * failed are sent again, by the first repeat that finds them failed; the others keep the ids they got.
   */
  private Future<ProduceReply> produceOnce(ProduceRequest request) {
    IdempotencyStore.Claim claim;
    try {
      claim = idempotency.claim(request.idempotency(), request.messages().size());
    } catch (ProxyException e) {
      if (e.code() == ErrorCode.IDEMPOTENCY_KEY_REUSED) {
        metrics.idempotencyConflict();
      }
      return Future.succeededFuture(ProduceReply.rejected(e));
    }
    IdempotencyStore.Entry entry = claim.entry();
    if (claim.created()) {
      idempotency.start(entry, produce(request));
      return entry.outcome();
    }
    return repeat(entry, request);
  }

  private Future<ProduceReply> repeat(IdempotencyStore.Entry entry, ProduceRequest request) {
    Future<ProduceReply> observed = entry.outcome();
    return observed.compose(previous -> {
      if (previous.rejection() != null) {
        // Refused as a whole (its values do not fit the schema): nothing was sent, the repeat is refused the same way.
        return Future.succeededFuture(previous);
      }
      if (previous.firstFailure().isEmpty()) {
        metrics.idempotentReplay();
        return Future.succeededFuture(previous.asReplay());
      }
      if (entry.outcome() != observed) {
        // Another repeat is already sending the failed messages again: wait for that.
        return repeat(entry, request);
      }
      List<Integer> failed = new ArrayList<>();
      List<OutgoingMessage> resend = new ArrayList<>();
      for (int i = 0; i < previous.results().size(); i++) {
        if (!previous.results().get(i).isOk()) {
          failed.add(i);
          resend.add(request.messages().get(i));
        }
      }
      Promise<ProduceReply> merged = Promise.promise();
      try {
        idempotency.start(entry, merged.future());
      } catch (ProxyException e) {
        return Future.succeededFuture(ProduceReply.rejected(e));
      }
      produce(request.only(resend)).map(again -> {
        List<ProduceResult> results = new ArrayList<>(previous.results());
        for (int j = 0; j < failed.size(); j++) {
          results.set(failed.get(j), again.results().get(j));
        }
        return new ProduceReply(results);
      }).onComplete(merged);
      return merged.future();
    });
  }

  /** Sends the request's messages; the reply is never a failed future. */
  private Future<ProduceReply> produce(ProduceRequest request) {
    requestsInFlight++;
    return guard.admit().transform(admitted -> produce(request, admitted)).andThen(sent -> done());
  }

  private Future<ProduceReply> produce(ProduceRequest request, AsyncResult<Void> admitted) {
    if (admitted.failed()) {
      return Future.succeededFuture(failAll(request, PulsarErrors.map(admitted.cause())));
    }
    if (!request.mayBeTyped()) {
      return sendWith(request, null);
    }
    SchemaSpec spec = request.schema() != null ? request.schema() : SchemaSpec.LATEST;
    return schemas.resolve(request.topic().fullName(), spec).transform(resolved -> {
      if (resolved.failed()) {
        return Future.succeededFuture(ProduceReply.rejected(PulsarErrors.map(resolved.cause())));
      }
      if (resolved.result().isEmpty()) {
        // No schema: a value is sent as its JSON text.
        return sendWith(request.only(request.messages().stream().map(OutgoingMessage::withJsonText).toList()), null);
      }
      TopicSchema schema = resolved.result().get();
      if (request.independent()) {
        return sendEachThatFits(request, schema);
      }
      List<OutgoingMessage> encoded;
      try {
        encoded = encode(request.messages(), schema);
      } catch (ProxyException e) {
        return Future.succeededFuture(ProduceReply.rejected(e));
      }
      return sendWith(request.only(encoded), schema);
    });
  }

  /** Independent messages: those whose value does not fit fail on their own; the others are sent. */
  private Future<ProduceReply> sendEachThatFits(ProduceRequest request, TopicSchema schema) {
    List<OutgoingMessage> fitting = new ArrayList<>();
    ProduceResult[] results = new ProduceResult[request.messages().size()];
    for (int i = 0; i < results.length; i++) {
      try {
        fitting.add(encode(List.of(request.messages().get(i)), schema).get(0));
      } catch (ProxyException e) {
        String problem = e.details().get(0).field().substring("messages[0].".length()) + ": "
            + e.details().get(0).message();
        results[i] = ProduceResult.failed(new ProxyException(ErrorCode.SCHEMA_MISMATCH, problem));
      }
    }
    return sendWith(request.only(fitting), schema).map(sent -> {
      int next = 0;
      for (int i = 0; i < results.length; i++) {
        if (results[i] == null) {
          results[i] = sent.results().get(next++);
        }
      }
      return new ProduceReply(List.of(results));
    });
  }

  /**
   * Encodes every JSON value of a request to the schema; a message given as bytes is sent as it is (taken to be
   * encoded to the schema already). All or nothing: every value that does not fit is named in the one
   * {@code SCHEMA_MISMATCH}.
   */
  static List<OutgoingMessage> encode(List<OutgoingMessage> messages, TopicSchema schema) {
    List<OutgoingMessage> out = new ArrayList<>(messages.size());
    List<ProxyException.Detail> mismatches = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      OutgoingMessage m = messages.get(i);
      if (m.value() == null) {
        out.add(m);
        continue;
      }
      try {
        Encoded e = schema.encoder().encode(m.value(), "value");
        out.add(m.encodedAs(e.value(), e.key()));
      } catch (SchemaMismatch e) {
        mismatches.add(new ProxyException.Detail("messages[" + i + "]." + e.path(), e.problem()));
      }
    }
    if (!mismatches.isEmpty()) {
      ProxyException.Detail first = mismatches.get(0);
      String more = mismatches.size() > 1 ? " (and " + (mismatches.size() - 1) + " more)" : "";
      throw new ProxyException(ErrorCode.SCHEMA_MISMATCH, first.field() + ": " + first.message() + more, mismatches);
    }
    return out;
  }

  /** Sends with the producer of plain bytes ({@code schema} null) or of bytes encoded to {@code schema}. */
  private Future<ProduceReply> sendWith(ProduceRequest request, TopicSchema schema) {
    ProducerCache.Lease lease;
    try {
      lease = schema == null
          ? cache.acquire(request.topic(), request.options())
          : cache.acquire(request.topic(), request.options(), schema.producer());
    } catch (ProxyException e) {
      return Future.succeededFuture(failAll(request, e));
    }
    return lease.producer()
        .compose(producer -> sendAll(producer, request, lease))
        .recover(err -> {
          ProxyException error = PulsarErrors.map(err);
          if (error.code() == ErrorCode.SCHEMA_INCOMPATIBLE) {
            // The topic's schema is not what this verticle believed: read it again for the next request. The broker
            // refused the producer, so nothing was sent: the request is refused as a whole, with the broker's reason.
            schemas.invalidate(request.topic().fullName());
            failAll(request, error);
            return Future.succeededFuture(ProduceReply.rejected(error));
          }
          return Future.succeededFuture(failAll(request, error));
        })
        .andThen(sent -> lease.release());
  }

  /** One request less in flight. */
  private void done() {
    if (--requestsInFlight == 0 && drained != null) {
      drained.tryComplete();
    }
  }

  /**
   * Reads a topic's schema for the schema endpoint, through the schema cache (the latest version is at most
   * {@link SchemaCache#LATEST_TTL} old).
   */
  private void schema(Message<SchemaQuery> message) {
    SchemaQuery query = message.body();
    guard.admit()
        .compose(v -> schemaCache.get(query.topic().fullName(), query.version()))
        .map(found -> found.map(KnownSchema::schema))
        .onComplete(read -> {
          SchemaAnswer answer;
          if (read.failed()) {
            answer = new SchemaAnswer(null, PulsarErrors.map(read.cause()));
          } else if (read.result().isEmpty()) {
            answer = new SchemaAnswer(null, new ProxyException(ErrorCode.SCHEMA_NOT_FOUND, query.topic()
                + (query.version() == null ? " has no schema" : " has no schema version " + query.version())));
          } else {
            answer = new SchemaAnswer(read.result().get(), null);
          }
          message.reply(answer, Codecs.LOCAL);
        });
  }

  private void control(Message<ProducerCommand> message) {
    ProducerCommand command = message.body();
    if (command instanceof ProducerCommand.Release release) {
      cache.unhold(release.topic(), release.options());
      return;
    }
    guard.admit().onComplete(admitted -> {
      if (admitted.failed()) {
        message.reply(new ProducerOpened(null, PulsarErrors.map(admitted.cause())), Codecs.LOCAL);
      } else {
        open(message, command);
      }
    });
  }

  private void open(Message<ProducerCommand> message, ProducerCommand command) {
    ProducerCache.Lease lease;
    try {
      lease = cache.hold(command.topic(), command.options());
    } catch (ProxyException e) {
      message.reply(new ProducerOpened(null, e), Codecs.LOCAL);
      return;
    }
    lease.producer().onComplete(created -> {
      lease.release();
      if (created.succeeded()) {
        message.reply(new ProducerOpened(created.result().getProducerName(), null), Codecs.LOCAL);
      } else {
        cache.unhold(command.topic(), command.options());
        message.reply(new ProducerOpened(null, PulsarErrors.mapCreation(created.cause())), Codecs.LOCAL);
      }
    });
  }

  /**
   * Issues every send at once, in order (the producer keeps that order), and waits for all the acks. The producer
   * completes each send on its IO thread; those callbacks only fill this request's own arrays, and the last one
   * comes back to the verticle's context once for the whole request (a hop and a chain of futures per message was
   * a large share of the produce path's CPU).
   */
  private Future<ProduceReply> sendAll(Producer<byte[]> producer, ProduceRequest request, ProducerCache.Lease lease) {
    List<OutgoingMessage> messages = request.messages();
    int count = messages.size();
    if (count == 0) {
      return Future.succeededFuture(new ProduceReply(List.of()));
    }
    MessageId[] ids = new MessageId[count];
    Throwable[] errors = new Throwable[count];
    long[] ackedAt = new long[count];
    AtomicInteger outstanding = new AtomicInteger(count);
    Promise<ProduceReply> done = Promise.promise();
    long start = System.nanoTime();
    Map<String, String> trace = request.trace();
    for (int i = 0; i < count; i++) {
      int index = i;
      send(producer, messages.get(i), trace).whenComplete((id, err) -> {
        ids[index] = id;
        errors[index] = err;
        ackedAt[index] = System.nanoTime();
        if (outstanding.decrementAndGet() == 0) {
          // Back on the verticle's context, with the request's trace context current again: what runs and logs from
          // here on (the reply, its listeners) belongs to this request's send span.
          context.runOnContext(v -> {
            try (Scope scope = Tracing.extract(trace).makeCurrent()) {
              ProduceReply reply = reply(messages, ids, errors, ackedAt, start,
                  lease.key().schema() == null ? null : lease.schemaVersion());
              LOG.debug("{} messages to {} answered by the broker", count, request.topic());
              done.complete(reply);
            }
          });
        }
      });
    }
    return done.future();
  }

  private static CompletableFuture<MessageId> send(Producer<byte[]> producer, OutgoingMessage m,
      Map<String, String> trace) {
    try {
      TypedMessageBuilder<byte[]> builder = producer.newMessage().value(m.payload())
          .properties(traced(m.properties(), trace));
      if (m.keyBytes() != null) {
        builder.keyBytes(m.keyBytes());
      } else if (m.key() != null) {
        builder.key(m.key());
      }
      if (m.eventTime() != null) {
        builder.eventTime(m.eventTime());
      }
      if (m.deliverAt() != null) {
        builder.deliverAt(m.deliverAt());
      }
      if (m.deliverAfterMs() != null) {
        builder.deliverAfter(m.deliverAfterMs(), TimeUnit.MILLISECONDS);
      }
      if (m.sequenceId() != null) {
        builder.sequenceId(m.sequenceId());
      }
      if (m.replicationClusters() != null) {
        builder.replicationClusters(m.replicationClusters());
      }
      return builder.sendAsync();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The message's properties with the request's trace context in place of the client's. */
  private static Map<String, String> traced(Map<String, String> properties, Map<String, String> trace) {
    if (trace.isEmpty() || properties.isEmpty()) {
      return trace.isEmpty() ? properties : trace;
    }
    Map<String, String> merged = new HashMap<>(properties);
    merged.remove(Tracing.TRACESTATE);
    merged.putAll(trace);
    return merged;
  }

  /** The reply once every send has its answer; counts the messages by outcome. On the verticle's context. */
  private ProduceReply reply(List<OutgoingMessage> messages, MessageId[] ids, Throwable[] errors, long[] ackedAt,
      long start, Long schemaVersion) {
    List<ProduceResult> results = new ArrayList<>(ids.length);
    int ok = 0;
    long okBytes = 0;
    for (int i = 0; i < ids.length; i++) {
      if (errors[i] == null) {
        results.add(ProduceResult.ok(ids[i], schemaVersion));
        ok++;
        okBytes += messages.get(i).payload().length;
        metrics.produceLatency(ackedAt[i] - start);
      } else {
        ProxyException error = PulsarErrors.map(errors[i]);
        results.add(ProduceResult.failed(error));
        metrics.messagesProduced(error.code().name().toLowerCase(Locale.ROOT), 1, messages.get(i).payload().length);
      }
    }
    if (ok > 0) {
      metrics.messagesProduced(ProxyMetrics.OK, ok, okBytes);
    }
    return new ProduceReply(results);
  }

  private ProduceReply failAll(ProduceRequest request, ProxyException error) {
    List<ProduceResult> results = new ArrayList<>(request.messages().size());
    String outcome = error.code().name().toLowerCase(Locale.ROOT);
    for (OutgoingMessage m : request.messages()) {
      results.add(ProduceResult.failed(error));
      metrics.messagesProduced(outcome, 1, m.size());
    }
    return new ProduceReply(results);
  }

  private Future<Void> drain() {
    if (requestsInFlight == 0) {
      return Future.succeededFuture();
    }
    drained = Promise.promise();
    return drained.future();
  }
}
