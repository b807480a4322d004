package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ProxyException;
import org.apache.pulsar.client.api.MessageId;

/**
 * The outcome of one message: the broker's id, or the error. Exactly one of the two is set. {@code schemaVersion} is
 * the topic schema version the message was written with, when it was produced with a schema (else null).
 */
public record ProduceResult(MessageId messageId, ProxyException error, Long schemaVersion) {
  public static ProduceResult ok(MessageId id) {
    return new ProduceResult(id, null, null);
  }

  public static ProduceResult ok(MessageId id, Long schemaVersion) {
    return new ProduceResult(id, null, schemaVersion);
  }

  public static ProduceResult failed(ProxyException error) {
    return new ProduceResult(null, error, null);
  }

  public boolean isOk() {
    return error == null;
  }
}
