package io.pulsarproxy.config;

/**
 * A value that must never be printed: {@link #toString()} hides it. Read it with {@link #reveal()} only where it is
 * handed to the component that needs it.
 */
public final class Secret {
  private final String value;

  public Secret(String value) {
    this.value = java.util.Objects.requireNonNull(value, "value");
  }

  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "****";
  }
}
