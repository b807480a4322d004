package io.pulsarproxy.config;

import java.util.List;

/**
 * The configuration is invalid. Carries every problem found, each naming the key and the bad value (never the value
 * of a secret), e.g. {@code http.port: '70000' is not a port (0..65535)}. The message joins them on one line, so it
 * can be printed as is before exiting, or logged as one line.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /** @param problems at least one problem, in the order they were found */
  public ConfigException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in the order they were found; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    return (problems.size() == 1 ? "invalid configuration: " : "invalid configuration (" + problems.size() + " problems): ")
        + String.join("; ", problems);
  }
}
