package io.pulsarproxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.md's configuration reference is the table {@link ConfigKeys#referenceTable()} makes from the declarations.
 * After adding or changing a key, {@code -Dconfig.writeReference=true} rewrites the table in README.md.
 */
class ConfigReferenceTest {
  private static final Path README = Path.of("..", "README.md");
  private static final String BEGIN = "<!-- config-reference: generated from ConfigKeys.java by ConfigReferenceTest -->";
  private static final String END = "<!-- end config-reference -->";
  private static final Pattern TABLE = Pattern.compile(Pattern.quote(BEGIN) + "\n(.*?)" + Pattern.quote(END),
      Pattern.DOTALL);

  @Test
  void readmeTableIsTheDeclarations() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    Matcher m = TABLE.matcher(readme);
    assertThat(m.find()).as("README.md has the markers of the configuration reference").isTrue();
    String generated = ConfigKeys.referenceTable();
    if (Boolean.getBoolean("config.writeReference") && !m.group(1).equals(generated)) {
      Files.writeString(README, readme.substring(0, m.start(1)) + generated + readme.substring(m.end(1)),
          StandardCharsets.UTF_8);
      return;
    }
    assertThat(rows(m.group(1)))
        .as("README.md's configuration reference; rewrite it with -Dconfig.writeReference=true")
        .containsExactlyElementsOf(rows(generated));
  }

  @Test
  void everyRowNamesTheKeyItsDefaultItsVariableAndItsDoc() {
    List<String> rows = rows(ConfigKeys.referenceTable());
    assertThat(rows).hasSize(ConfigKeys.ALL.size() + 2);
    for (int i = 0; i < ConfigKeys.ALL.size(); i++) {
      ConfigKey key = ConfigKeys.ALL.get(i);
      String[] cells = rows.get(i + 2).substring(2, rows.get(i + 2).length() - 2).split(" \\| ", 5);
      assertThat(cells[0]).isEqualTo("`" + key.name() + "`");
      assertThat(cells[2]).isEqualTo(key.overridable() ? "`" + ConfigLoader.envVarName(key.name()) + "`"
          : "(file only)");
      assertThat(cells[3]).isEqualTo(key.live() ? "yes" : "restart");
      assertThat(cells[4]).isEqualTo(key.doc()).doesNotContain("\n");
    }
    assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("| `http.port` | `8088` | `PROXY_HTTP_PORT` | restart |"))
        .anySatisfy(r -> assertThat(r).startsWith("| `pulsar.authToken` | none | `PROXY_PULSAR_AUTH_TOKEN` |"))
        .anySatisfy(r -> assertThat(r).startsWith("| `log.loggers` | `{}` | (file only) | yes |"))
        .anySatisfy(r -> assertThat(r).startsWith("| `producer.sendTimeout` | `30s` | `PROXY_PRODUCER_SEND_TIMEOUT` |"
            + " yes |"));
  }

  private static List<String> rows(String table) {
    return new ArrayList<>(table.lines().toList());
  }
}
