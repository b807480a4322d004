package io.pulsarproxy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Turns the text of a YAML config file into nested JSON. Stricter than YAML 1.1 defaults, so that a value means what
 * it looks like: only {@code true}/{@code false} are booleans ({@code yes}, {@code on}, {@code off} stay strings, and
 * are then rejected where a boolean is expected), only decimal numbers are numbers ({@code 0x1F}, {@code 1:30} and
 * dates stay strings) and duplicate keys are an error. Error messages give the line and column but never quote the
 * text of the file, which may hold a secret. Thread-safe (a parser is created per call).
 */
final class YamlParser {

  private YamlParser() {}

  /**
   * @param text   the file content; empty or only comments means "no settings"
   * @param source how to name the file in error messages
   * @throws ConfigException if the text is not YAML or its top level is not a mapping
   */
  static JsonObject parse(String text, String source) {
    Object doc;
    try {
      doc = newYaml().load(text);
    } catch (MarkedYAMLException e) {
      throw new ConfigException(List.of(source + ": invalid YAML" + at(e.getProblemMark()) + ": " + describe(e)));
    } catch (YAMLException e) {
      // Unmarked failures (limits, bad encoding): their message does not quote the document.
      throw new ConfigException(List.of(source + ": invalid YAML: " + e.getMessage()));
    } catch (IllegalArgumentException e) {
      // A value its tag cannot construct, e.g. '!!binary' with bad base64: SnakeYAML lets the decoder's error out.
      throw new ConfigException(List.of(source + ": invalid YAML: a tagged value cannot be read: " + e.getMessage()));
    } catch (RuntimeException e) {
      // A tag on a node of the wrong kind ('!!set' on a single value) fails inside SnakeYAML with a ClassCastException.
      throw new ConfigException(List.of(source + ": invalid YAML: a tagged value does not fit its tag ("
          + e.getClass().getSimpleName() + ")"));
    }
    if (doc == null) {
      return new JsonObject();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException(List.of(source + ": the top level must be a mapping of sections (pulsar:, http:, ...)"));
    }
    try {
      return toJson(map, Collections.newSetFromMap(new IdentityHashMap<>()));
    } catch (IllegalStateException e) {
      throw new ConfigException(List.of(source + ": " + e.getMessage()));
    }
  }

  private static Yaml newYaml() {
    LoaderOptions loader = new LoaderOptions();
    loader.setAllowDuplicateKeys(false);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(new SafeConstructor(loader), new Representer(dumper), dumper, loader, new StrictResolver());
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
  }

  private static String describe(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? "syntax error" : e.getProblem();
    return e.getContext() == null ? problem : e.getContext() + ", " + problem;
  }

  /**
   * @param open the mappings and sequences being converted, from the top down: an alias may make a node its own
   *             descendant ({@code a: &x [*x]}), which has no JSON form and would recurse without end
   */
  private static JsonObject toJson(Map<?, ?> map, Set<Object> open) {
    enter(map, open);
    JsonObject json = new JsonObject();
    map.forEach((k, v) -> json.put(String.valueOf(k), toJsonValue(v, open)));
    open.remove(map);
    return json;
  }

  private static void enter(Object node, Set<Object> open) {
    if (!open.add(node)) {
      throw new IllegalStateException("an alias (*name) refers to a node that contains it; a configuration value "
          + "cannot contain itself");
    }
  }

  private static Object toJsonValue(Object value, Set<Object> open) {
    if (value instanceof Map<?, ?> m) {
      return toJson(m, open);
    }
    if (value instanceof List<?> list) {
      enter(list, open);
      JsonArray array = new JsonArray();
      list.forEach(item -> array.add(toJsonValue(item, open)));
      open.remove(list);
      return array;
    }
    if (value instanceof BigInteger big) {
      // Too large for a long: keep the digits, validation reports them as out of range.
      return big.bitLength() < 64 ? (Object) big.longValue() : big.toString();
    }
    if (value == null || value instanceof String || value instanceof Boolean || value instanceof Number) {
      return value;
    }
    return String.valueOf(value);
  }

  /** The YAML 1.2 core schema, more or less: no yes/no/on/off booleans, no octal/hex/sexagesimal ints, no dates. */
  private static final class StrictResolver extends Resolver {
    private static final Pattern BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final Pattern INT = Pattern.compile("^[-+]?(?:0|[1-9][0-9]*)$");
    private static final Pattern FLOAT =
        Pattern.compile("^[-+]?(?:[0-9]+\\.[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, BOOL, "tTfF", 10);
      addImplicitResolver(Tag.INT, INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, MERGE, "<", 10);
      addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, EMPTY, null, 10);
    }
  }
}
