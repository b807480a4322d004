package io.pulsarproxy.config;

import io.vertx.config.spi.ConfigProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The format of the config file for vertx-config ({@value #NAME}): the file's text through {@link YamlParser}, whose
 * YAML is stricter than vertx-config-yaml's (only {@code true}/{@code false} are booleans, duplicate keys are an
 * error, messages never quote the file). Never fails, so that the retriever does not log a bad file at ERROR on every
 * scan: the result is {@code {"file": <the parsed file>}}, or {@code {"fileProblems": [<why it is not YAML>]}}.
 * Parses off the event loop.
 */
public final class YamlFileProcessor implements ConfigProcessor {
  /** The format name, for {@code ConfigStoreOptions.setFormat}. */
  public static final String NAME = "pulsar-proxy-yaml";
  /** Where the parsed file is in the processor's result. */
  static final String FILE = "file";
  /** Where the reasons the file is not valid YAML are, when it is not. */
  static final String PROBLEMS = "fileProblems";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
    String source = ConfigLoader.fileSource(Path.of(configuration.getString("path")));
    String text = input.toString(StandardCharsets.UTF_8);
    return vertx.executeBlocking(() -> {
      try {
        return new JsonObject().put(FILE, YamlParser.parse(text, source));
      } catch (ConfigException e) {
        return new JsonObject().put(PROBLEMS, new JsonArray(e.problems()));
      }
    }, false);
  }
}
