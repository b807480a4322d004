package io.pulsarproxy.core.produce;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.bus.ServiceClient;
import io.pulsarproxy.core.topic.Topic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The typed client of the produce service ({@link ProducerVerticle}): the requests of {@code Addresses.PRODUCE} and
 * {@code Addresses.PRODUCERS}, how long each may take, and the unwrapping of their replies. Every future completes on
 * the caller's context; a failure is always a {@link io.pulsarproxy.core.error.ProxyException}.
 *
 * <p>How long a request may take follows the configuration it was last given: a send, the producer's send timeout
 * (the request's own, else {@code producer.sendTimeout}) and a lookup ({@code pulsar.operationTimeout}); opening a
 * producer, a lookup; both with {@link ServiceClient#MARGIN_MS} to spare.
 */
public final class ProduceClient extends ServiceClient {
  public ProduceClient(Vertx vertx, ProxyConfig config) {
    super(vertx, config, "the produce service");
  }

  /**
   * Sends the request's messages, in order, with the producer of its topic and options. Completes with one result per
   * message (each acknowledged by the broker or failed with its own error); fails only when the service did not
   * answer.
   */
  public Future<ProduceReply> send(ProduceRequest request) {
    return request(Addresses.PRODUCE, request, sendTimeoutMs(request.options()));
  }

  /**
   * Opens the producer of {@code topic} and {@code options} and holds it until {@link #release}. Completes with the
   * name the broker knows it by, or fails with why it could not be opened (a name in use is {@code CONFLICT}).
   */
  public Future<String> open(Topic topic, ProducerOptions options) {
    return this.<ProducerOpened>request(Addresses.PRODUCERS, new ProducerCommand.Open(topic, options),
            operationTimeoutMs())
        .compose(opened -> opened.isOk()
            ? Future.succeededFuture(opened.producerName()) : Future.failedFuture(opened.error()));
  }

  /** Ends the hold of one {@link #open}; there is no answer. */
  public void release(Topic topic, ProducerOptions options) {
    vertx().eventBus().send(Addresses.PRODUCERS, new ProducerCommand.Release(topic, options), Codecs.LOCAL);
  }

  /** How long a send with {@code options} may take before the client gives up on an answer. */
  long sendTimeoutMs(ProducerOptions options) {
    Integer own = options.sendTimeoutMs();
    long send = own != null && own > 0 ? own : config().producer().sendTimeout().toMillis();
    return send + operationTimeoutMs();
  }
}
