package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ProxyException;

/**
 * Reply to {@link ProducerCommand.Open}: the name the broker knows the producer by, or why it could not be opened.
 * Exactly one of the two is set.
 */
public record ProducerOpened(String producerName, ProxyException error) {
  public boolean isOk() {
    return error == null;
  }
}
