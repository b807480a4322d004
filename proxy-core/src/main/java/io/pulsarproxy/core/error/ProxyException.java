package io.pulsarproxy.core.error;

import java.util.List;

/**
 * A failure with its {@link ErrorCode}, a message for the client and optional details (for validation errors, one
 * entry per bad field). Carries no stack trace: it is an answer, not a bug report.
 */
public final class ProxyException extends RuntimeException {
  private final ErrorCode code;
  private final List<Detail> details;
  private final int retryAfterSeconds;

  /** One problem with one field of the request, e.g. {@code messages[2].payload}. */
  public record Detail(String field, String message) {}

  public ProxyException(ErrorCode code, String message) {
    this(code, message, List.of(), null);
  }

  public ProxyException(ErrorCode code, String message, List<Detail> details) {
    this(code, message, details, null);
  }

  public ProxyException(ErrorCode code, String message, List<Detail> details, Throwable cause) {
    this(code, message, details, cause, code.retryAfterSeconds());
  }

  private ProxyException(ErrorCode code, String message, List<Detail> details, Throwable cause, int retryAfterSeconds) {
    super(message, cause, false, false);
    this.code = code;
    this.details = List.copyOf(details);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A failure whose client may retry after {@code seconds} (a quota that refills then), not the code's default. */
  public static ProxyException retryAfter(ErrorCode code, String message, int seconds) {
    return new ProxyException(code, message, List.of(), null, seconds);
  }

  public static ProxyException badField(String field, String message) {
    return new ProxyException(ErrorCode.BAD_REQUEST, field + ": " + message, List.of(new Detail(field, message)));
  }

  public ErrorCode code() {
    return code;
  }

  public List<Detail> details() {
    return details;
  }

  /** Seconds for a {@code Retry-After} header, or 0 when retrying the same request cannot help. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
