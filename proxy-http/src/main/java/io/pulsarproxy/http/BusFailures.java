package io.pulsarproxy.http;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/** Maps a failed event-bus request to one of the proxy's services to the error a client gets. */
public final class BusFailures {
  private BusFailures() {}

  /** @param service how to name the service in the message, e.g. {@code produce} */
  public static ProxyException map(Throwable err, String service) {
    if (err instanceof ProxyException p) {
      return p;
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return new ProxyException(ErrorCode.TIMEOUT, "the " + service + " service did not answer in time");
    }
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return new ProxyException(ErrorCode.SHUTTING_DOWN, "the " + service + " service is not running");
    }
    return new ProxyException(ErrorCode.INTERNAL_ERROR, String.valueOf(err.getMessage()));
  }
}
