package io.pulsarproxy.core.bus;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;

/** Maps a failed event-bus request (no answer in time, nobody listening) to the proxy's error model. */
public final class BusErrors {
  private BusErrors() {}

  /** Marks, as the cause, an error that came from the bus rather than from the service's answer. */
  private static final class NoAnswer extends RuntimeException {
    NoAnswer(Throwable err) {
      super(err.getMessage(), err, false, false);
    }
  }

  /**
   * @param service what was asked, for the message, e.g. "the produce service"
   * @return {@code err} itself when it is already the proxy's error; otherwise an error that {@link #unanswered}
   *         recognises
   */
  public static ProxyException map(Throwable err, String service) {
    if (err instanceof ProxyException p) {
      return p;
    }
    NoAnswer cause = new NoAnswer(err);
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return new ProxyException(ErrorCode.TIMEOUT, service + " did not answer in time", List.of(), cause);
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ProxyException(ErrorCode.SHUTTING_DOWN, service + " is not running", List.of(), cause);
    }
    return new ProxyException(ErrorCode.INTERNAL_ERROR, String.valueOf(err.getMessage()), List.of(), cause);
  }

  /**
   * Whether a request failed without an answer from the service (it did not answer in time, was not running, or the
   * bus could not deliver the request): what the request carried may not have been taken. False for the service's
   * own error.
   */
  public static boolean unanswered(Throwable err) {
    return !(err instanceof ProxyException) || err.getCause() instanceof NoAnswer;
  }
}
