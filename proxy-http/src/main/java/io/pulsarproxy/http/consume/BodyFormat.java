package io.pulsarproxy.http.consume;

import java.util.Locale;

/** How a message body is given to HTTP clients: {@code payload} (base64), {@code text} (UTF-8) or {@code value}. */
public enum BodyFormat {
  BASE64,
  TEXT,
  JSON;

  /** The name clients use: {@code base64}, {@code text}, {@code json}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
