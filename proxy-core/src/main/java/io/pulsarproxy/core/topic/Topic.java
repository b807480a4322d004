package io.pulsarproxy.core.topic;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A validated, fully qualified Pulsar topic name.
 *
 * <p>The rules are Pulsar's: tenant, namespace and every segment of the topic's own name are named entities,
 * made of ASCII letters, digits and {@code - = : . _} only, never empty. Two rules are stricter than the broker's,
 * for names it accepts but that do not mean what the client wrote: a segment may not be {@code .}, {@code ..} or
 * contain {@code ..} (the broker keeps topics under paths built from their names), and no segment is empty. A
 * {@code /} in the local name makes it one of Pulsar's legacy names ({@code tenant/cluster/namespace/topic}), as
 * Pulsar's WebSocket paths may give; REST paths take one segment ({@link #of}).
 *
 * @param domain    {@code persistent} or {@code non-persistent}
 * @param tenant    tenant name
 * @param namespace namespace name (the cluster of a legacy name)
 * @param local     the topic's own name ({@code namespace/topic…} for a legacy name)
 */
public record Topic(String domain, String tenant, String namespace, String local) {
  private static final Pattern NAMED_ENTITY = Pattern.compile("[-=:.\\w]+");
  private static final String ALLOWED = "ASCII letters, digits and - = : . _";
  private static final int MAX_LENGTH = 1024;
  private static final String FORM = "persistent://tenant/namespace/topic";

  public Topic {
    List<ProxyException.Detail> problems = new ArrayList<>();
    if (!"persistent".equals(domain) && !"non-persistent".equals(domain)) {
      problems.add(new ProxyException.Detail("domain",
          quote(domain) + " is not a topic domain (persistent or non-persistent)"));
    }
    check("tenant", tenant, problems);
    check("namespace", namespace, problems);
    if (local == null || local.isEmpty()) {
      problems.add(new ProxyException.Detail("topic", "must not be empty"));
    } else if (local.length() > MAX_LENGTH) {
      problems.add(new ProxyException.Detail("topic", "is " + local.length() + " characters; at most " + MAX_LENGTH
          + " are allowed"));
    } else {
      for (String segment : local.split("/", -1)) {
        if (!check("topic", segment, problems)) {
          break;
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ProxyException(ErrorCode.INVALID_TOPIC,
          problems.stream().map(d -> d.field() + ": " + d.message()).reduce((a, b) -> a + "; " + b).orElseThrow(),
          problems);
    }
  }

  /**
   * The topic of a REST path ({@code …/{domain}/{tenant}/{namespace}/{topic}/…}), whose local name is one segment:
   * a {@code /} in it (sent as {@code %2F}) would make Pulsar read a different, legacy name, so it is refused.
   */
  public static Topic of(String domain, String tenant, String namespace, String local) {
    if (local != null && local.indexOf('/') >= 0) {
      String message = quote(local) + " contains '/' (%2F); a topic name in a path is one segment";
      throw new ProxyException(ErrorCode.INVALID_TOPIC, "topic: " + message,
          List.of(new ProxyException.Detail("topic", message)));
    }
    return new Topic(domain, tenant, namespace, local);
  }

  /** Parses {@code persistent://tenant/namespace/topic} (or Pulsar's legacy {@code …://tenant/cluster/ns/topic}). */
  public static Topic parse(String fullName) {
    int scheme = fullName == null ? -1 : fullName.indexOf("://");
    String[] parts = scheme < 0 ? new String[0] : fullName.substring(scheme + 3).split("/", 3);
    if (parts.length < 3) {
      String message = quote(fullName) + " is not a full topic name (" + FORM + ")";
      throw new ProxyException(ErrorCode.INVALID_TOPIC, "topic: " + message,
          List.of(new ProxyException.Detail("topic", message)));
    }
    return new Topic(fullName.substring(0, scheme), parts[0], parts[1], parts[2]);
  }

  /** {@code domain://tenant/namespace/local}, the name Pulsar clients take. */
  public String fullName() {
    return domain + "://" + tenant + "/" + namespace + "/" + local;
  }

  /** Whether {@code name} is a valid segment; if not, a problem naming {@code field} is added. */
  private static boolean check(String field, String name, List<ProxyException.Detail> problems) {
    String problem = null;
    if (name == null || name.isEmpty()) {
      problem = "must not be empty";
    } else if (!NAMED_ENTITY.matcher(name).matches()) {
      problem = quote(name) + " has characters other than " + ALLOWED;
    } else if (name.contains("..")) {
      problem = quote(name) + " must not contain '..'";
    } else if (name.equals(".")) {
      problem = "'.' is not a name";
    }
    if (problem != null) {
      problems.add(new ProxyException.Detail(field, problem));
      return false;
    }
    return true;
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 100 ? s.substring(0, 100) + "…" : s;
    StringBuilder out = new StringBuilder("'");
    shown.codePoints().forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append('\'').toString();
  }

  @Override
  public String toString() {
    return fullName();
  }
}
