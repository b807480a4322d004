package io.pulsarproxy.config;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Quotas per principal: what one principal (a token's role, an API key's role, a certificate's name; {@code anonymous}
 * without authentication) may use at once, with defaults and per-role overrides. Off by default. Reloadable: new
 * limits apply to the next request, frame or handshake.
 *
 * @param enabled       {@code quotas.enabled}: check the limits below at all
 * @param defaults      the limits of every principal without an override
 * @param maxPrincipals {@code quotas.maxPrincipals}: principals whose state (rate buckets, counts) is kept; beyond it
 *                      the least recently seen one with nothing open is forgotten
 * @param overrides     {@code quotas.overrides}: the limits of some roles, each key not given taking the default's
 *                      value
 */
public record QuotasConfig(boolean enabled, Limits defaults, int maxPrincipals, List<RoleLimits> overrides) {
  public QuotasConfig {
    overrides = List.copyOf(overrides);
  }

  /** The limits of {@code role}: its override, else the defaults. */
  public Limits limitsFor(String role) {
    for (RoleLimits o : overrides) {
      if (o.role().equals(role)) {
        return o.limits();
      }
    }
    return defaults;
  }

  /** The overrides by role (for lookups in a hot path). */
  public Map<String, Limits> overridesByRole() {
    return overrides.stream().collect(Collectors.toUnmodifiableMap(RoleLimits::role, RoleLimits::limits, (a, b) -> a));
  }

  /**
   * One principal's limits; {@code 0} is unlimited for each.
   *
   * @param produceMessagesPerSecond {@code quotas.produceMessagesPerSecond}: messages produced (HTTP and WebSocket
   *                                 together); bursts of one second's worth pass at once
   * @param produceBytesPerSecond    {@code quotas.produceBytesPerSecond}: payload bytes produced, likewise
   * @param maxWebSockets            {@code quotas.maxWebSockets}: WebSockets open at once (all roles)
   * @param maxSseStreams            {@code quotas.maxSseStreams}: SSE streams open at once
   * @param maxConsumerInstances     {@code quotas.maxConsumerInstances}: HTTP consumer instances open at once
   * @param maxInFlightRequests      {@code quotas.maxInFlightRequests}: HTTP requests in progress at once (long polls
   *                                 and SSE streams included)
   */
  public record Limits(long produceMessagesPerSecond, long produceBytesPerSecond, int maxWebSockets, int maxSseStreams,
      int maxConsumerInstances, int maxInFlightRequests) {
    /** The keys of a limit within {@code quotas} and of an override, in this order. */
    public static final List<String> KEYS = List.of("produceMessagesPerSecond", "produceBytesPerSecond",
        "maxWebSockets", "maxSseStreams", "maxConsumerInstances", "maxInFlightRequests");

    /** A copy where the values {@code value} gives (by key) replace these; a null answer keeps this one's value. */
    Limits with(Function<String, Long> value) {
      return new Limits(
          or(value.apply("produceMessagesPerSecond"), produceMessagesPerSecond),
          or(value.apply("produceBytesPerSecond"), produceBytesPerSecond),
          (int) or(value.apply("maxWebSockets"), maxWebSockets),
          (int) or(value.apply("maxSseStreams"), maxSseStreams),
          (int) or(value.apply("maxConsumerInstances"), maxConsumerInstances),
          (int) or(value.apply("maxInFlightRequests"), maxInFlightRequests));
    }

    private static long or(Long value, long fallback) {
      return value == null ? fallback : value;
    }
  }

  /** {@code {role, <limit keys>}}: one item of {@code quotas.overrides}, its absent keys filled from the defaults. */
  public record RoleLimits(String role, Limits limits) {}
}
