package io.pulsarproxy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads typed values out of the merged JSON for {@link ConfigLoader#build}, collecting problems instead of stopping at
 * the first. A getter that finds a bad value records a problem naming the key and the value, and returns the key's
 * default so that building can go on and report the other problems too. Not thread-safe: one per build.
 */
final class Fields {
  private static final int MAX_SHOWN = 80;
  /** Keys whose values are never shown: the secrets. */
  private final Set<String> secretKeys = new HashSet<>();

  private final JsonObject root;
  private final Map<String, Object> defaults;
  private final List<String> problems = new ArrayList<>();
  private final Set<String> invalid = new HashSet<>();
  private final Set<String> badSections = new HashSet<>();
  /** Each key's value, read and checked as declared; the default where the value is bad. */
  private final Map<String, Object> values = new HashMap<>();
  /** The keys the binder asked for, to find a declared key that nothing reads. */
  private final Set<String> used = new HashSet<>();

  Fields(JsonObject root, Map<String, Object> defaults) {
    this.root = root;
    this.defaults = defaults;
    for (String section : ConfigLoader.sections()) {
      Object value = root.getValue(section);
      if (!(value instanceof JsonObject)) {
        badSections.add(section);
        problems.add(section + ": must be a mapping of keys (e.g. 'port: 8088' under '" + section + ":'), found "
            + (value == null ? "no value" : "'" + shorten(value) + "'"));
      }
    }
    for (ConfigKey key : ConfigKeys.ALL) {
      if (key.type() == ConfigKey.Type.SECRET) {
        secretKeys.add(key.name());
      }
    }
    for (ConfigKey key : ConfigKeys.ALL) {
      values.put(key.name(), read(key));
    }
  }

  /** Reads {@code key} as its declaration says, recording any problem. */
  private Object read(ConfigKey key) {
    String name = key.name();
    return switch (key.type()) {
      case STRING -> string(name, key.check(), key.reason());
      case OPTIONAL_STRING -> optionalString(name).filter(v -> {
        boolean ok = key.check().test(v);
        if (!ok) {
          bad(name, key.reason());
        }
        return ok;
      });
      case SECRET -> secret(name);
      case FILE -> readableFile(name);
      case INTEGER -> integer(name, (int) key.min(), (int) key.max());
      case PORT -> port(name);
      case SIZE -> size(name, key.min());
      case DURATION -> duration(name, key.minDuration());
      case BOOLEAN -> bool(name);
      case CHOICE -> oneOf(name, key.choices());
      case LIST -> stringList(name, key.check(), key.reason());
      case STRUCTURE -> raw(name);
    };
  }

  /**
   * The value of a declared key, of the Java type its {@link ConfigKey.Type} gives; its default when the value was
   * bad (a problem is recorded then).
   */
  @SuppressWarnings("unchecked")
  <T> T get(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("not a declared config key: " + key);
    }
    used.add(key);
    return (T) values.get(key);
  }

  /** The declared keys that {@link #get} was never asked for: each is a key that nothing would use. */
  List<String> unused() {
    return ConfigKeys.ALL.stream().map(ConfigKey::name).filter(k -> !used.contains(k)).toList();
  }

  /** Every key's value, by name (defaults where values are bad). */
  Map<String, Object> values() {
    return values;
  }

  List<String> problems() {
    return problems;
  }

  void problem(String problem) {
    problems.add(problem);
  }

  /** Whether {@code key} was read without a problem. */
  boolean valid(String key) {
    return !invalid.contains(key) && !badSections.contains(ConfigLoader.section(key));
  }

  /** The raw value of {@code key}; {@code null} when it is null or its section is not a mapping. */
  Object raw(String key) {
    String section = ConfigLoader.section(key);
    if (badSections.contains(section)) {
      return null;
    }
    return root.getJsonObject(section).getValue(ConfigLoader.name(key));
  }

  /** {@code key}'s value as shown in messages: quoted by the caller, shortened, never a secret. */
  String display(String key) {
    return secretKeys.contains(key) ? "****" : shorten(raw(key));
  }

  static String shorten(Object value) {
    String s = value instanceof JsonObject || value instanceof JsonArray ? value.toString() : String.valueOf(value);
    return s.length() <= MAX_SHOWN ? s : s.substring(0, MAX_SHOWN) + "...";
  }

  /**
   * The value of a scalar key as text; {@code null} (after recording a problem) when it is missing, a mapping or a
   * list, or when its section is not a mapping.
   */
  private String scalar(String key) {
    String section = ConfigLoader.section(key);
    if (badSections.contains(section)) {
      return null;
    }
    JsonObject s = root.getJsonObject(section);
    Object value = s.getValue(ConfigLoader.name(key));
    if (value == null) {
      fail(key, key + ": no value (remove the key to use the default, " + defaults.get(key) + ")");
      return null;
    }
    if (value instanceof JsonObject || value instanceof JsonArray) {
      fail(key, key + ": expected a single value, found a " + (value instanceof JsonObject ? "mapping" : "list"));
      return null;
    }
    return String.valueOf(value);
  }

  private void fail(String key, String problem) {
    invalid.add(key);
    problems.add(problem);
  }

  private void bad(String key, String what) {
    fail(key, key + ": '" + display(key) + "' " + what);
  }

  private String defaultText(String key) {
    return String.valueOf(defaults.get(key));
  }

  String string(String key, Predicate<String> valid, String reason) {
    String value = scalar(key);
    if (value == null) {
      return defaultText(key);
    }
    if (!(raw(key) instanceof String) && !(raw(key) instanceof Number)) {
      // A YAML number is taken as its text (tracing.samplingRatio: 0.5); lists and mappings are not strings.
      bad(key, "is not a string");
    } else if (value.isBlank()) {
      fail(key, key + ": must not be empty");
    } else if (!valid.test(value)) {
      bad(key, reason);
    } else {
      return value;
    }
    return defaultText(key);
  }

  /**
   * A list of strings: a YAML list, or (from the environment or a system property) one string whose items are
   * separated by spaces or semicolons. Commas are not separators: Pulsar URLs use them between hosts.
   */
  List<String> stringList(String key, Predicate<String> valid, String reason) {
    Object value = raw(key);
    List<String> items = new java.util.ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(item -> items.add(String.valueOf(item).trim()));
    } else if (value instanceof String s) {
      for (String item : s.trim().split("[;\\s]+")) {
        if (!item.isEmpty()) {
          items.add(item);
        }
      }
    } else if (value != null) {
      bad(key, "is not a list of strings");
      return List.of();
    }
    for (String item : items) {
      if (!valid.test(item)) {
        fail(key, key + ": '" + shorten(item) + "' " + reason);
        return List.of();
      }
    }
    return List.copyOf(items);
  }

  /** An optional string: absent, null or blank means "not set". */
  Optional<String> optionalString(String key) {
    Object value = raw(key);
    if (value == null || value instanceof String s && s.isBlank()) {
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      bad(key, "is not a string");
      return Optional.empty();
    }
    return Optional.of(s.trim());
  }

  /** A secret is never shown, not even in error messages. An absent, null or blank value means "not set". */
  Optional<Secret> secret(String key) {
    Object value = raw(key);
    if (value == null || value instanceof String s && s.isBlank()) {
      return Optional.empty();
    }
    if (!(value instanceof String s)) {
      fail(key, key + ": must be a string (value not shown: it is a secret)");
      return Optional.empty();
    }
    return Optional.of(new Secret(s.trim()));
  }

  /** Whether {@code key} has a value other than blank text. */
  boolean present(String key) {
    Object value = raw(key);
    return value != null && !(value instanceof String s && s.isBlank());
  }

  /**
   * A file that must exist and be readable when the configuration is loaded; absent, null or blank means "not set".
   * Blocking: checks the file system.
   */
  Optional<Path> readableFile(String key) {
    if (!present(key)) {
      return Optional.empty();
    }
    if (!(raw(key) instanceof String s)) {
      bad(key, "is not a file name");
      return Optional.empty();
    }
    Path file;
    try {
      file = Path.of(s.trim());
    } catch (InvalidPathException e) {
      bad(key, "is not a file name");
      return Optional.empty();
    }
    if (!Files.exists(file)) {
      bad(key, "cannot be read (no such file)");
    } else if (!Files.isRegularFile(file)) {
      bad(key, "cannot be read (not a file)");
    } else if (!Files.isReadable(file)) {
      bad(key, "cannot be read (permission denied)");
    } else {
      return Optional.of(file);
    }
    return Optional.empty();
  }

  /** An integer in {@code min..max}. */
  int integer(String key, int min, int max) {
    return (int) number(key, min, max, null);
  }

  int port(String key) {
    return (int) number(key, 0, 65535, "is not a port (0..65535)");
  }

  /**
   * An integer in {@code min..max}, as a YAML number or as text.
   *
   * @param reason what to say of any bad value; {@code null} for the generic messages
   */
  private long number(String key, long min, long max, String reason) {
    String text = scalar(key);
    if (text == null) {
      return ((Number) defaults.get(key)).longValue();
    }
    Object raw = raw(key);
    Long value = null;
    if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof String s) {
      try {
        value = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    if (value != null && value >= min && value <= max) {
      return value;
    }
    if (reason != null) {
      bad(key, reason);
    } else if (value == null) {
      bad(key, "is not an integer");
    } else if (value < min) {
      bad(key, "must be at least " + min);
    } else {
      bad(key, "must be at most " + max);
    }
    return ((Number) defaults.get(key)).longValue();
  }

  /** A duration of at least {@code min}; integers are milliseconds. */
  Duration duration(String key, Duration min) {
    String text = scalar(key);
    if (text != null) {
      Object raw = raw(key);
      Duration value = null;
      if (raw instanceof Integer || raw instanceof Long) {
        long ms = ((Number) raw).longValue();
        value = ms < 0 ? null : Duration.ofMillis(ms);
      } else if (raw instanceof String s) {
        try {
          value = Durations.parse(s);
        } catch (IllegalArgumentException e) {
          // reported below
        }
      }
      if (value == null) {
        bad(key, "is not a duration (e.g. 500ms, 30s, 5m, 1h; a bare number is milliseconds)");
      } else if (value.compareTo(min) < 0) {
        bad(key, min.isZero() ? "must not be negative"
            : min.equals(Duration.ofMillis(1)) ? "must be greater than 0" : "must be at least " + Durations.format(min));
      } else {
        return value;
      }
    }
    return Durations.parse(defaultText(key));
  }

  /** A size in bytes of at least {@code min}; integers are bytes. */
  long size(String key, long min) {
    String text = scalar(key);
    if (text != null) {
      Object raw = raw(key);
      Long value = null;
      if (raw instanceof Integer || raw instanceof Long) {
        long bytes = ((Number) raw).longValue();
        value = bytes < 0 ? null : bytes;
      } else if (raw instanceof String s) {
        try {
          value = Sizes.parse(s);
        } catch (IllegalArgumentException e) {
          // reported below
        }
      }
      if (value == null) {
        bad(key, "is not a size (e.g. 512, 64KB, 5MB, 1GB)");
      } else if (value < min) {
        bad(key, min == 1 ? "must be greater than 0" : "must be at least " + Sizes.format(min));
      } else {
        return value;
      }
    }
    return Sizes.parse(defaultText(key));
  }

  /** {@code true} or {@code false}, as a YAML boolean or as text in any case; nothing else (no yes, on, 1). */
  boolean bool(String key) {
    String text = scalar(key);
    if (text != null) {
      Object raw = raw(key);
      if (raw instanceof Boolean b) {
        return b;
      }
      if (raw instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(s.trim());
      }
      bad(key, "is not a boolean (true or false)");
    }
    return (Boolean) defaults.get(key);
  }

  /** One of {@code allowed}, case-insensitive; returned upper case. */
  String oneOf(String key, List<String> allowed) {
    String text = scalar(key);
    if (text != null) {
      String upper = text.trim().toUpperCase(Locale.ROOT);
      if (raw(key) instanceof String && allowed.contains(upper)) {
        return upper;
      }
      bad(key, "is not one of " + String.join(", ", allowed));
    }
    return defaultText(key);
  }

  /** Records a problem for every section or key that is not in the table of known keys. */
  /** Keys that are gone, with what took their place. */
  private static final java.util.Map<String, String> REPLACED = java.util.Map.of(
      "produce.schemaCacheMaxEntries", "pulsar.schemaCacheMaxEntries (one schema cache for producing and consuming)",
      "consumer.schemaCacheSize", "pulsar.schemaCacheMaxEntries (one schema cache for producing and consuming)");

  void rejectUnknownKeys() {
    List<String> sections = ConfigLoader.sections();
    for (String section : root.fieldNames()) {
      if (!sections.contains(section)) {
        problems.add(section + ": unknown section (known sections: " + String.join(", ", sections) + ")");
      } else if (!badSections.contains(section)) {
        List<String> names = defaults.keySet().stream()
            .filter(k -> ConfigLoader.section(k).equals(section)).map(ConfigLoader::name).toList();
        for (String name : root.getJsonObject(section).fieldNames()) {
          String replacement = REPLACED.get(section + "." + name);
          if (replacement != null) {
            problems.add(section + "." + name + ": replaced by " + replacement);
          } else if (!names.contains(name)) {
            problems.add(section + "." + name + ": unknown key (known keys in " + section + ": "
                + String.join(", ", names) + ")");
          }
        }
      }
    }
  }
}
