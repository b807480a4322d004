package io.pulsarproxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations written in the configuration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or a bare
 * integer meaning milliseconds. Units are case-insensitive and may be separated from the number by spaces. Negative
 * and fractional values are not durations. Stateless and thread-safe.
 */
public final class Durations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

  private Durations() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} is not a duration, or is too large to represent
   */
  public static Duration parse(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "ms" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> throw new IllegalStateException(unit);
      };
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      throw new IllegalArgumentException("duration too large: '" + text + "'", tooLarge);
    }
  }

  /**
   * Formats {@code duration} in the largest unit that represents it exactly ({@code 30s}, {@code 5m}, {@code 250ms}),
   * so that it can be parsed back by {@link #parse(String)}. Sub-millisecond parts are dropped.
   */
  public static String format(Duration duration) {
    long ms = duration.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms != 0 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
