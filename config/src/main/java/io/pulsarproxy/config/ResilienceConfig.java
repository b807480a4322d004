package io.pulsarproxy.config;

import java.time.Duration;

/**
 * Retries and circuit breaking towards Pulsar. Reloadable.
 *
 * @param retryInitialDelay   {@code resilience.retryInitialDelay}: first backoff before retrying a retriable failure
 *                            (connection lost, lookup failed, broker restarting); later ones grow exponentially with
 *                            full jitter, always within the request's deadline
 * @param retryMaxDelay       {@code resilience.retryMaxDelay}: the largest backoff
 * @param breakerMaxFailures  {@code resilience.breakerMaxFailures}: consecutive retriable failures that open the
 *                            circuit; while open, new work fails at once with 503 and {@code Retry-After}
 * @param breakerResetTimeout {@code resilience.breakerResetTimeout}: how long the circuit stays open before one trial
 */
public record ResilienceConfig(
    Duration retryInitialDelay,
    Duration retryMaxDelay,
    int breakerMaxFailures,
    Duration breakerResetTimeout) {}
