package io.pulsarproxy.core.consume;

import io.pulsarproxy.core.error.ProxyException;

/** Reply to a {@link ConsumerCommand}: a value (may be null) or an error. */
public record CommandReply(Object value, ProxyException error) {
  public static final CommandReply OK = new CommandReply(null, null);

  public static CommandReply of(Object value) {
    return new CommandReply(value, null);
  }

  public static CommandReply failed(ProxyException error) {
    return new CommandReply(null, error);
  }

  public boolean isOk() {
    return error == null;
  }
}
