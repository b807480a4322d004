package io.pulsarproxy.core.supervisor;

/**
 * What the supervisor knows of one cluster from its probes. Confined to the supervisor's context.
 */
final class ClusterProbe {
  final String serviceUrl;
  boolean probing;
  boolean up;
  /** When the current run of successful (up) or failed (down) probes started, in nanoseconds; 0 before any probe. */
  long since;
  String lastError = "no probe answered yet";

  ClusterProbe(String serviceUrl) {
    this.serviceUrl = serviceUrl;
  }

  void record(boolean answered, String error, long now) {
    if (answered != up || since == 0) {
      since = now;
    }
    up = answered;
    lastError = answered ? null : error;
  }

  /** How long the cluster has been in its current state. */
  long forNanos(long now) {
    return since == 0 ? 0 : now - since;
  }
}
