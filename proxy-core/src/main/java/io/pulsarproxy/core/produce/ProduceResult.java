package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ProxyException;
import org.apache.pulsar.client.api.MessageId;

/** The outcome of one message: the broker's id, or the error. Exactly one of the two is set. */
public record ProduceResult(MessageId messageId, ProxyException error) {
  public static ProduceResult ok(MessageId id) {
    return new ProduceResult(id, null);
  }

  public static ProduceResult failed(ProxyException error) {
    return new ProduceResult(null, error);
  }

  public boolean isOk() {
    return error == null;
  }
}
