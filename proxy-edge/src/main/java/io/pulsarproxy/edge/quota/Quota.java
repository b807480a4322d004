package io.pulsarproxy.edge.quota;

/** What a quota per principal limits, with the key that sets it and the bounded metric label it is counted under. */
public enum Quota {
  PRODUCE_RATE("quotas.produceMessagesPerSecond", "produce_rate"),
  PRODUCE_BYTES("quotas.produceBytesPerSecond", "produce_bytes"),
  WEBSOCKETS("quotas.maxWebSockets", "websockets"),
  SSE_STREAMS("quotas.maxSseStreams", "sse_streams"),
  CONSUMER_INSTANCES("quotas.maxConsumerInstances", "consumer_instances"),
  IN_FLIGHT("quotas.maxInFlightRequests", "in_flight");

  private final String key;
  private final String label;

  Quota(String key, String label) {
    this.key = key;
    this.label = label;
  }

  /** The configuration key that sets it, named in refusals. */
  public String key() {
    return key;
  }

  /** The {@code quota} label of {@code pulsar_proxy_quota_throttled}. */
  public String label() {
    return label;
  }
}
