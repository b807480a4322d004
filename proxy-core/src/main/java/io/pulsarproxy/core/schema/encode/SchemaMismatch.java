package io.pulsarproxy.core.schema.encode;

/**
 * A JSON value that does not fit the topic's schema: where ({@code value.address.zip}) and why ({@code expected int,
 * got string}). Thrown by the encoders; the produce service turns it into {@code SCHEMA_MISMATCH}.
 */
public final class SchemaMismatch extends RuntimeException {
  private final String path;
  private final String problem;

  public SchemaMismatch(String path, String problem) {
    super(path + ": " + problem, null, false, false);
    this.path = path;
    this.problem = problem;
  }

  /** The JSON path of the value that does not fit, starting at the encoded value ({@code value}, {@code key}). */
  public String path() {
    return path;
  }

  public String problem() {
    return problem;
  }

  /** The same mismatch under {@code prefix} ({@code messages[3]}). */
  public SchemaMismatch under(String prefix) {
    return new SchemaMismatch(prefix + "." + path, problem);
  }

  /** What a JSON value is, in the words of a JSON document: object, array, string, number, boolean or null. */
  public static String jsonType(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof java.util.Map || value instanceof io.vertx.core.json.JsonObject) {
      return "object";
    }
    if (value instanceof java.util.List || value instanceof io.vertx.core.json.JsonArray) {
      return "array";
    }
    if (value instanceof CharSequence) {
      return "string";
    }
    if (value instanceof Number) {
      return "number";
    }
    if (value instanceof Boolean) {
      return "boolean";
    }
    return value.getClass().getSimpleName();
  }

  /** {@code expected <what>, got <JSON type of value>}. */
  public static SchemaMismatch expected(String path, String what, Object value) {
    return new SchemaMismatch(path, "expected " + what + ", got " + jsonType(value));
  }
}
