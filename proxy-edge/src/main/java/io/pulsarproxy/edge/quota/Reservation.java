package io.pulsarproxy.edge.quota;

/**
 * One socket, stream, consumer instance or request counted against its principal's quota. Give it back once, when
 * what it counts ends, on every path; further calls do nothing.
 */
public interface Reservation {
  /** The reservation of something no quota counts (quotas off). */
  Reservation NONE = () -> {};

  void release();
}
