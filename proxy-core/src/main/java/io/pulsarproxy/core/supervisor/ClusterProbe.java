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

  /** Probes in a row that got no answer within their time-out. */
  int unanswered;

  /**
   * Records a probe: answered (up), refused (down at once) or without an answer within its time-out. A cluster seen
   * up stays up through one unanswered probe: a broker too busy to answer one lookup in time (or a proxy too busy to
   * read its answer) is not down, and taking it for down would refuse every request. The second in a row counts.
   *
   * @return whether this was such a probe, missed and let pass
   */
  boolean record(boolean answered, boolean timedOut, String error, long now) {
    unanswered = !answered && timedOut ? unanswered + 1 : 0;
    if (!answered && timedOut && up && unanswered < 2) {
      return true;
    }
    if (answered != up || since == 0) {
      since = now;
    }
    up = answered;
    lastError = answered ? null : error;
    return false;
  }

  /** How long the cluster has been in its current state. */
  long forNanos(long now) {
    return since == 0 ? 0 : now - since;
  }
}
