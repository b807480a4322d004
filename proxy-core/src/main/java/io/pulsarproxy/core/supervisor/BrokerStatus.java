package io.pulsarproxy.core.supervisor;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * What the supervisor knows about the broker, published on {@code proxy.pulsar.state} whenever it changes.
 *
 * @param state  the state
 * @param reason why, in words (the probe's error when DOWN)
 * @param since  when the state was entered
 * @param cluster the service URL of the cluster the proxy uses
 */
public record BrokerStatus(State state, String reason, Instant since, String cluster) {
  /** Broker states. */
  public enum State {
    /** No probe has answered yet. */
    STARTING,
    /** The last probe got an answer from the broker. */
    UP,
    /** The last probe failed or timed out. */
    DOWN,
    /** The primary cluster is unreachable; the proxy works with a secondary cluster. */
    FAILED_OVER,
    /** The proxy is shutting down. */
    STOPPING
  }

  /** Whether the proxy can serve: a cluster answers (the primary, or a secondary after failover). */
  public boolean serving() {
    return state == State.UP || state == State.FAILED_OVER;
  }

  public JsonObject toJson() {
    return new JsonObject().put("state", state.name()).put("reason", reason).put("since", since.toString())
        .put("cluster", cluster);
  }
}
