package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.Codecs;
import io.pulsarproxy.core.consume.CommandReply;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.bus.BusErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** Sends {@link ConsumerCommand}s to the consume service; replies complete on the caller's context. */
final class ConsumeService {
  private final Vertx vertx;
  private volatile DeliveryOptions options;

  ConsumeService(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    timeout(timeoutMs);
  }

  /** How long to wait for a reply: the Pulsar operation timeout plus a margin. */
  void timeout(long timeoutMs) {
    this.options = new DeliveryOptions(Codecs.LOCAL).setSendTimeout(timeoutMs);
  }

  /** The reply's value, or the service's error as a failed future. */
  Future<Object> send(ConsumerCommand command) {
    return vertx.eventBus().<CommandReply>request(Addresses.CONSUMER, command, options)
        .recover(err -> Future.failedFuture(BusErrors.map(err, "the consume service")))
        .compose(reply -> reply.body().isOk()
            ? Future.succeededFuture(reply.body().value())
            : Future.failedFuture(reply.body().error()));
  }
}
