package io.pulsarproxy.core.supervisor;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.Codecs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * A verticle's view of the broker state, kept current from {@link Addresses#PULSAR_STATE}. Create it in
 * {@code start()}; read it on the verticle's context only.
 */
public final class BrokerStateTracker {
  private BrokerStatus.State state = BrokerStatus.State.STARTING;

  public BrokerStateTracker(Vertx vertx) {
    vertx.eventBus().<BrokerStatus>consumer(Addresses.PULSAR_STATE, msg -> state = msg.body().state());
    // The supervisor may have published its first state before this verticle listened: ask for it once.
    vertx.eventBus().<JsonObject>request(Addresses.PULSAR_STATUS, null, Codecs.LOCAL).onSuccess(reply -> {
      if (state == BrokerStatus.State.STARTING) {
        state = BrokerStatus.State.valueOf(reply.body().getString("state"));
      }
    });
  }

  /** True while the last probe failed: new work should fail fast instead of waiting for Pulsar's timeouts. */
  public boolean isDown() {
    return state == BrokerStatus.State.DOWN;
  }
}
