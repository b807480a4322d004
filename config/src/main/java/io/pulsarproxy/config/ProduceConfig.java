package io.pulsarproxy.config;

import java.time.Duration;
import java.util.Objects;

/**
 * HTTP produce requests with an {@code Idempotency-Key}.
 *
 * @param idempotencyWindow  {@code produce.idempotencyWindow}: how long after its answer a key is remembered; a repeat
 *                           within it gets the first answer; zero turns the header off (it is then ignored)
 * @param idempotencyMaxKeys {@code produce.idempotencyMaxKeys}: the most keys remembered at once
 */
public record ProduceConfig(Duration idempotencyWindow, int idempotencyMaxKeys) {

  public ProduceConfig {
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
  }

  /** Whether {@code Idempotency-Key} is honoured. */
  public boolean idempotencyEnabled() {
    return !idempotencyWindow.isZero();
  }
}
