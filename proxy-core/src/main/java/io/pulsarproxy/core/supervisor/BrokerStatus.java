package io.pulsarproxy.core.supervisor;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What the supervisor knows about the broker, published on {@code proxy.pulsar.state} whenever it changes.
 *
 * @param state  the state
 * @param reason why, in words (the probe's error when DOWN)
 * @param since  when the state was entered
 */
public record BrokerStatus(State state, String reason, Instant since) {
  /** Broker states. */
  public enum State {
    /** No probe has answered yet. */
    STARTING,
    /** The last probe got an answer from the broker. */
    UP,
    /** The last probe failed or timed out. */
    DOWN,
    /** The proxy is shutting down. */
    STOPPING
  }

  public JsonObject toJson() {
    return new JsonObject().put("state", state.name()).put("reason", reason).put("since", since.toString());
  }
}
