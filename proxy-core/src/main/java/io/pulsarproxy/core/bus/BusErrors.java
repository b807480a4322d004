package io.pulsarproxy.core.bus;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Maps a failed event-bus request (no answer in time, nobody listening) to the proxy's error model. */
public final class BusErrors {
  private BusErrors() {}

  /**
   * @param service what was asked, for the message, e.g. "the produce service"
   */
  public static ProxyException map(Throwable err, String service) {
    if (err instanceof ProxyException p) {
      return p;
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return new ProxyException(ErrorCode.TIMEOUT, service + " did not answer in time");
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ProxyException(ErrorCode.SHUTTING_DOWN, service + " is not running");
    }
    return new ProxyException(ErrorCode.INTERNAL_ERROR, String.valueOf(err.getMessage()));
  }
}
