package io.pulsarproxy.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the byte sizes written in the configuration: {@code 512} (bytes), {@code 512B}, {@code 64KB}, {@code 5MB},
 * {@code 1GB}, with binary multiples (1KB = 1024 bytes). Units are case-insensitive and may be separated from the
 * number by spaces. Negative and fractional values are not sizes. Stateless and thread-safe.
 */
public final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|mb|gb)?");

  private Sizes() {}

  /**
   * Parses {@code text} into a number of bytes.
   *
   * @throws IllegalArgumentException if {@code text} is not a size, or does not fit in a {@code long}
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("not a size: '" + text + "'");
    }
    try {
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2);
      return switch (unit) {
        case "b" -> amount;
        case "kb" -> Math.multiplyExact(amount, 1024L);
        case "mb" -> Math.multiplyExact(amount, 1024L * 1024);
        case "gb" -> Math.multiplyExact(amount, 1024L * 1024 * 1024);
        default -> throw new IllegalStateException(unit);
      };
    } catch (ArithmeticException | NumberFormatException tooLarge) {
      throw new IllegalArgumentException("size too large: '" + text + "'", tooLarge);
    }
  }

  /**
   * Formats {@code bytes} in the largest unit that represents it exactly ({@code 5MB}, {@code 1536}), so that it can be
   * parsed back by {@link #parse(String)}.
   */
  public static String format(long bytes) {
    if (bytes != 0 && bytes % (1024L * 1024 * 1024) == 0) {
      return bytes / (1024L * 1024 * 1024) + "GB";
    }
    if (bytes != 0 && bytes % (1024L * 1024) == 0) {
      return bytes / (1024L * 1024) + "MB";
    }
    if (bytes != 0 && bytes % 1024 == 0) {
      return bytes / 1024 + "KB";
    }
    return Long.toString(bytes);
  }
}
