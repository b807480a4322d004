package io.pulsarproxy.core.schema.decode;

/**
 * A message body that its schema cannot read. The message is short and meant for clients (it becomes the message's
 * {@code decodeError}): it names what was expected, never a Java class. No stack trace is kept.
 */
public final class UndecodableException extends RuntimeException {
  public UndecodableException(String reason) {
    super(reason, null, false, false);
  }
}
