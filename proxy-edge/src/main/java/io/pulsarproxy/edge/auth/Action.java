package io.pulsarproxy.edge.auth;

import java.util.Locale;

/** What a principal does with a topic; the names are those of {@code authorization.rules[].actions}. */
public enum Action {
  /** HTTP produce, WebSocket producers. */
  PRODUCE,
  /** Subscriptions: consumer instances, SSE streams, WebSocket consumers. */
  CONSUME,
  /** Readers: HTTP reads, WebSocket readers. */
  READ;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
