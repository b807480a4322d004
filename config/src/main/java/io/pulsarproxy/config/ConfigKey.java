package io.pulsarproxy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The declaration of one configuration key: everything the loader, the validation, the reload and the configuration
 * reference in README.md know about it. The environment variable and the system property are derived from the name.
 * Declared once, in {@link ConfigKeys#ALL}, with the static factories below, e.g.
 * <pre>{@code
 * integer("http.maxMessagesPerRequest", 1000, 1, "more: 400"),
 * duration("pulsar.operationTimeout", "30s", "1ms", "lookups, producer creation").restart(),
 * }</pre>
 *
 * @param name         {@code section.key} ({@code section.group.key} for a grouped key such as {@code http.tls.certFile})
 * @param type         what the value is, and so how it is read and checked
 * @param defaultValue the built-in value, as it would be written in YAML ({@code "30s"}, {@code 8088}, a list);
 *                     {@code null}: not set
 * @param doc          one line for the configuration reference (Markdown)
 * @param live         whether a change in the file applies without a restart
 * @param min          the least value: a number, bytes for a size, milliseconds for a duration
 * @param max          the largest value of a number
 * @param choices      the allowed values of a {@link Type#CHOICE}, upper case
 * @param check        what a string, or each item of a list, must satisfy besides its type
 * @param reason       what to say of a value that fails {@code check} ({@code 'value' <reason>})
 */
public record ConfigKey(String name, Type type, Object defaultValue, String doc, boolean live, long min, long max,
    List<String> choices, Predicate<String> check, String reason) {

  /** What the value of a key is; the Java type a key of it is read as follows each. */
  public enum Type {
    /** {@code String}, not blank. */
    STRING,
    /** {@code Optional<String>}: absent or blank is empty. */
    OPTIONAL_STRING,
    /** {@code Optional<Secret>}: never shown in logs or messages. */
    SECRET,
    /** {@code Optional<Path>} of a file that must be readable at load time. */
    FILE,
    /** {@code Integer} from {@code min} to {@code max}. */
    INTEGER,
    /** {@code Integer} from 0 to 65535. */
    PORT,
    /** {@code Long} bytes: {@code 512}, {@code 64KB}, {@code 5MB}. */
    SIZE,
    /** {@link Duration}: {@code 500ms}, {@code 30s}, {@code 5m}; a bare number is milliseconds. */
    DURATION,
    /** {@code Boolean}: {@code true} or {@code false}. */
    BOOLEAN,
    /** {@code String}, one of {@code choices} (case-insensitive), returned upper case. */
    CHOICE,
    /** {@code List<String>}: a YAML list, or items separated by spaces or {@code ;} in the environment. */
    LIST,
    /** A YAML structure (mapping or list of mappings), set in the file only and checked by the loader's binder. */
    STRUCTURE
  }

  public ConfigKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(doc, "doc");
    if (name.indexOf('.') < 1 || name.endsWith(".")) {
      throw new IllegalArgumentException("a key is section.key: " + name);
    }
    choices = List.copyOf(choices);
    check = check == null ? v -> true : check;
  }

  private static ConfigKey of(String name, Type type, Object defaultValue, long min, String doc) {
    return new ConfigKey(name, type, defaultValue, doc, true, min, Integer.MAX_VALUE, List.of(), null, "");
  }

  /** A string that must not be blank. */
  public static ConfigKey string(String name, String defaultValue, String doc) {
    return of(name, Type.STRING, defaultValue, 0, doc);
  }

  /** A string that may be left unset. */
  public static ConfigKey optionalString(String name, String doc) {
    return of(name, Type.OPTIONAL_STRING, null, 0, doc);
  }

  /** A secret (token, password, key) that may be left unset; its value is never shown. */
  public static ConfigKey secret(String name, String doc) {
    return of(name, Type.SECRET, null, 0, doc);
  }

  /** A file that may be left unset; when set it must be readable. */
  public static ConfigKey file(String name, String doc) {
    return of(name, Type.FILE, null, 0, doc);
  }

  /** A whole number of at least {@code min}. */
  public static ConfigKey integer(String name, int defaultValue, int min, String doc) {
    return of(name, Type.INTEGER, defaultValue, min, doc);
  }

  /** A TCP port, 0 to pick a free one. */
  public static ConfigKey port(String name, int defaultValue, String doc) {
    return new ConfigKey(name, Type.PORT, defaultValue, doc, true, 0, 65535, List.of(), null, "");
  }

  /** A size in bytes of at least {@code min}. */
  public static ConfigKey size(String name, String defaultValue, long min, String doc) {
    return of(name, Type.SIZE, defaultValue, min, doc);
  }

  /** A duration of at least {@code min} (e.g. {@code "0"}, {@code "1ms"}). */
  public static ConfigKey duration(String name, String defaultValue, String min, String doc) {
    return of(name, Type.DURATION, defaultValue, Durations.parse(min).toMillis(), doc);
  }

  public static ConfigKey bool(String name, boolean defaultValue, String doc) {
    return of(name, Type.BOOLEAN, defaultValue, 0, doc);
  }

  /** One of {@code choices}, case-insensitive; the default as it is documented ({@code "none"}, {@code "INFO"}). */
  public static ConfigKey oneOf(String name, String defaultValue, List<String> choices, String doc) {
    return new ConfigKey(name, Type.CHOICE, defaultValue, doc, true, 0, 0, choices, null, "");
  }

  /** A list of strings. */
  public static ConfigKey list(String name, List<String> defaultValue, String doc) {
    return of(name, Type.LIST, new JsonArray(List.copyOf(defaultValue)), 0, doc);
  }

  /** A YAML-only structure: an empty mapping or list by default. */
  public static ConfigKey structure(String name, Object emptyDefault, String doc) {
    if (!(emptyDefault instanceof JsonObject) && !(emptyDefault instanceof JsonArray)) {
      throw new IllegalArgumentException("a structure's default is a JsonObject or JsonArray: " + name);
    }
    return of(name, Type.STRUCTURE, emptyDefault, 0, doc);
  }

  /** This key, with {@code check} on its value (each item of a list); a failing value is {@code 'value' reason}. */
  public ConfigKey check(Predicate<String> check, String reason) {
    return new ConfigKey(name, type, defaultValue, doc, live, min, max, choices, check, reason);
  }

  /** This key, taking effect only after a restart (a change in the file is logged as such). */
  public ConfigKey restart() {
    return new ConfigKey(name, type, defaultValue, doc, false, min, max, choices, check, reason);
  }

  /** The section: {@code http} of {@code http.tls.certFile}. */
  public String section() {
    return name.substring(0, name.indexOf('.'));
  }

  /** The name within the section: {@code tls.certFile} of {@code http.tls.certFile}. */
  public String key() {
    return name.substring(name.indexOf('.') + 1);
  }

  /** Whether the environment and system properties can set it (all but structures). */
  public boolean overridable() {
    return type != Type.STRUCTURE;
  }

  /** {@code PROXY_} + the name in upper snake case: {@code PROXY_HTTP_MAX_BODY_SIZE} for {@code http.maxBodySize}. */
  public String envVar() {
    return ConfigLoader.envVarName(name);
  }

  /** {@code proxy.} + the name: {@code proxy.http.port}. */
  public String systemProperty() {
    return ConfigLoader.systemPropertyName(name);
  }

  /** A fresh copy of the default (lists and mappings are mutable JSON). */
  Object defaultCopy() {
    return defaultValue instanceof JsonObject o ? o.copy() : defaultValue instanceof JsonArray a ? a.copy()
        : defaultValue;
  }

  /** The lowest duration allowed. */
  Duration minDuration() {
    return Duration.ofMillis(min);
  }
}
