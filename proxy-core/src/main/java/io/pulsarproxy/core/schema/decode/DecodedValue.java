package io.pulsarproxy.core.schema.decode;

/**
 * What decoding a message with its schema gave: the natural JSON {@code value} (see {@link ValueDecoder}), or the
 * short reason it could not be decoded ({@code error}, non-null exactly then).
 */
public record DecodedValue(Object value, String error) {
  public static DecodedValue of(Object value) {
    return new DecodedValue(value, null);
  }

  public static DecodedValue failed(String error) {
    return new DecodedValue(null, error);
  }

  public boolean failed() {
    return error != null;
  }
}
