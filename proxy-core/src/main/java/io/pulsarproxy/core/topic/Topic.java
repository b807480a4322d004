package io.pulsarproxy.core.topic;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A validated, fully qualified Pulsar topic name.
 *
 * @param domain    {@code persistent} or {@code non-persistent}
 * @param tenant    tenant name
 * @param namespace namespace name
 * @param local     the topic's own name (may contain {@code /})
 */
public record Topic(String domain, String tenant, String namespace, String local) {
  private static final Pattern NAMED_ENTITY = Pattern.compile("[-=:.\\w]+");
  private static final int MAX_LENGTH = 1024;

  public Topic {
    List<ProxyException.Detail> problems = new ArrayList<>();
    if (!"persistent".equals(domain) && !"non-persistent".equals(domain)) {
      problems.add(new ProxyException.Detail("domain",
          "'" + domain + "' is not a topic domain (persistent or non-persistent)"));
    }
    if (tenant == null || !NAMED_ENTITY.matcher(tenant).matches()) {
      problems.add(new ProxyException.Detail("tenant",
          "'" + tenant + "' is not a valid tenant name (letters, digits, - = : . _)"));
    }
    if (namespace == null || !NAMED_ENTITY.matcher(namespace).matches()) {
      problems.add(new ProxyException.Detail("namespace",
          "'" + namespace + "' is not a valid namespace name (letters, digits, - = : . _)"));
    }
    if (local == null || local.isBlank() || local.length() > MAX_LENGTH
        || local.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add(new ProxyException.Detail("topic", "'" + local + "' is not a valid topic name"));
    }
    if (!problems.isEmpty()) {
      throw new ProxyException(ErrorCode.INVALID_TOPIC,
          problems.stream().map(d -> d.field() + ": " + d.message()).reduce((a, b) -> a + "; " + b).orElseThrow(),
          problems);
    }
  }

  /** Parses {@code persistent://tenant/namespace/topic}. */
  public static Topic parse(String fullName) {
    int scheme = fullName == null ? -1 : fullName.indexOf("://");
    if (scheme < 0) {
      throw ProxyException.badField("topic", "'" + fullName + "' is not a full topic name (persistent://tenant/ns/topic)");
    }
    String[] parts = fullName.substring(scheme + 3).split("/", 3);
    if (parts.length < 3) {
      throw ProxyException.badField("topic", "'" + fullName + "' is not a full topic name (persistent://tenant/ns/topic)");
    }
    return new Topic(fullName.substring(0, scheme), parts[0], parts[1], parts[2]);
  }

  /** {@code domain://tenant/namespace/local}, the name Pulsar clients take. */
  public String fullName() {
    return domain + "://" + tenant + "/" + namespace + "/" + local;
  }

  @Override
  public String toString() {
    return fullName();
  }
}
