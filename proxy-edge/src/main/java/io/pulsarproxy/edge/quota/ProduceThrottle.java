package io.pulsarproxy.edge.quota;

/**
 * The produce rate of one principal, as a WebSocket producer meets it: every frame is charged and none is refused;
 * the answer says how long the socket should not read to stay within the rate.
 */
@FunctionalInterface
public interface ProduceThrottle {
  /** A principal without a produce rate (quotas off, or unlimited). */
  ProduceThrottle NONE = (messages, bytes) -> 0;

  /**
   * Charges {@code messages} messages of {@code bytes} payload bytes, which are produced whatever the answer.
   *
   * @return nanoseconds to stop reading for (the time the buckets take to pay back what was charged beyond them);
   *         0 to go on at once
   */
  long charge(int messages, long bytes);
}
