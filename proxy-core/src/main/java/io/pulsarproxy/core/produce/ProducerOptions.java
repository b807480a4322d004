package io.pulsarproxy.core.produce;

/**
 * The options of a produce request that change which Pulsar producer serves it. Requests with equal options share
 * one cached producer per topic. Null fields take the configured producer defaults.
 *
 * @param producerName a fixed producer name (a second producer with the same name is refused by the broker)
 */
public record ProducerOptions(String producerName) {
  /** Configured defaults, what the HTTP produce API uses. */
  public static final ProducerOptions DEFAULTS = new ProducerOptions(null);
}
