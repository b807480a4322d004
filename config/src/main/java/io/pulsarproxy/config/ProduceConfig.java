package io.pulsarproxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * HTTP produce requests with an {@code Idempotency-Key}.
 *
 * @param idempotencyWindow  {@code produce.idempotencyWindow}: how long after its answer a key is remembered; a repeat
 *                           within it gets the first answer; zero turns the header off (it is then ignored)
 * @param idempotencyMaxKeys {@code produce.idempotencyMaxKeys}: the most keys remembered at once
 * @param schemaCacheMaxEntries {@code produce.schemaCacheMaxEntries}: topic schemas and encoders kept per produce
 *                              verticle
 */
public record ProduceConfig(Duration idempotencyWindow, int idempotencyMaxKeys, int schemaCacheMaxEntries) {

  /** The defaults of the schema cache. */
  public ProduceConfig(Duration idempotencyWindow, int idempotencyMaxKeys) {
    this(idempotencyWindow, idempotencyMaxKeys, 1000);
  }

  public ProduceConfig {
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
  }

  /** Whether {@code Idempotency-Key} is honoured. */
  public boolean idempotencyEnabled() {
    return !idempotencyWindow.isZero();
  }
}
