package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProducerConfig;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.core.supervisor.PulsarClients;
import io.pulsarproxy.core.supervisor.PulsarGuard;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 */
public final class ProducerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ProducerVerticle.class);

  private final PulsarClients clients;
  private final ProxyMetrics metrics;
  private ProxyConfig config;
  private ProducerCache cache;
  private MessageConsumer<ProduceRequest> consumer;
  private MessageConsumer<ProducerCommand> commands;
  private PulsarGuard guard;
  private int requestsInFlight;
  private Promise<Void> drained;
  private long evictionTimer;
  private IdempotencyStore idempotency;
  private long expiryTimer;

  public ProducerVerticle(ProxyConfig config, PulsarClients clients, ProxyMetrics metrics) {
    this.config = config;
    this.clients = clients;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Codecs.register(vertx);
    cache = new ProducerCache(context, clients, config.producer(), System::nanoTime);
    metrics.cachedProducers(() -> cache.size());
    idempotency = new IdempotencyStore(config.produce().idempotencyWindow(), config.produce().idempotencyMaxKeys(),
        System::nanoTime, metrics::idempotencyEvicted);
    metrics.idempotencyKeys(() -> idempotency.size());
    guard = new PulsarGuard(vertx, "producers", config.resilience(), config.producer().outageWait());
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
    return Future.all(consumer.completion(), commands.completion());
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(evictionTimer);
    vertx.cancelTimer(expiryTimer);
    Duration deadline = config.shutdown().timeout();
    return Future.all(consumer.unregister(), commands.unregister())
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
    ProduceRequest request = message.body();
    Future<ProduceReply> reply = request.idempotency() != null && config.produce().idempotencyEnabled()
        ? produceOnce(request)
        : produce(request);
    reply.onComplete(r -> message.reply(r.succeeded() ? r.result()
        : failAll(request, new ProxyException(ErrorCode.INTERNAL_ERROR, "the produce service failed")), Codecs.LOCAL));
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
    ProducerCache.Lease lease;
    try {
      lease = cache.acquire(request.topic(), request.options());
    } catch (ProxyException e) {
      return Future.succeededFuture(failAll(request, e));
    }
    return lease.producer()
        .compose(producer -> sendAll(producer, request))
        .recover(err -> Future.succeededFuture(failAll(request, PulsarErrors.map(err))))
        .andThen(sent -> lease.release());
  }

  /** One request less in flight. */
  private void done() {
    if (--requestsInFlight == 0 && drained != null) {
      drained.tryComplete();
    }
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
  private Future<ProduceReply> sendAll(Producer<byte[]> producer, ProduceRequest request) {
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
    for (int i = 0; i < count; i++) {
      int index = i;
      send(producer, messages.get(i)).whenComplete((id, err) -> {
        ids[index] = id;
        errors[index] = err;
        ackedAt[index] = System.nanoTime();
        if (outstanding.decrementAndGet() == 0) {
          context.runOnContext(v -> done.complete(reply(messages, ids, errors, ackedAt, start)));
        }
      });
    }
    return done.future();
  }

  private static CompletableFuture<MessageId> send(Producer<byte[]> producer, OutgoingMessage m) {
    try {
      TypedMessageBuilder<byte[]> builder = producer.newMessage().value(m.payload()).properties(m.properties());
      if (m.key() != null) {
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

  /** The reply once every send has its answer; counts the messages by outcome. On the verticle's context. */
  private ProduceReply reply(List<OutgoingMessage> messages, MessageId[] ids, Throwable[] errors, long[] ackedAt,
      long start) {
    List<ProduceResult> results = new ArrayList<>(ids.length);
    int ok = 0;
    long okBytes = 0;
    for (int i = 0; i < ids.length; i++) {
      if (errors[i] == null) {
        results.add(ProduceResult.ok(ids[i]));
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
      metrics.messagesProduced(outcome, 1, m.payload().length);
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
