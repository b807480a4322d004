package io.pulsarproxy.edge.auth;

import io.pulsarproxy.config.AuthConfig;
import io.pulsarproxy.config.AuthorizationConfig;
import io.pulsarproxy.config.AuthorizationConfig.TopicRule;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decides whether a principal may do an action on a topic. With authentication off, or with
 * {@code authorization.mode: broker} (the broker decides with the client's token), everything passes here; in
 * {@code proxy} mode only what a rule allows passes (deny by default). Immutable.
 */
public final class Authorizer {
  private record Compiled(String role, List<String> actions, List<Pattern> topics, List<String> globs) {}

  private final boolean enforced;
  private final boolean brokerDecides;
  private final List<Compiled> rules = new ArrayList<>();

  public Authorizer(AuthConfig auth, AuthorizationConfig authorization) {
    this.brokerDecides = authorization.brokerDecides();
    this.enforced = auth.enabled() && !brokerDecides;
    for (TopicRule rule : authorization.rules()) {
      rules.add(new Compiled(rule.role(), rule.actions(),
          rule.topics().stream().map(Authorizer::glob).toList(), rule.topics()));
    }
  }

  /** Whether the broker decides with the client's token ({@code authorization.mode: broker}). */
  public boolean brokerDecides() {
    return brokerDecides;
  }

  private static Pattern glob(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (String part : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(part));
    }
    return Pattern.compile(regex.toString());
  }

  /**
   * Passes, or throws {@link ErrorCode#FORBIDDEN} naming the principal, the action and the topic.
   *
   * @param topic a full topic name ({@code persistent://tenant/namespace/topic})
   */
  public void check(Principal principal, Action action, String topic) {
    if (!enforced || rules.stream().anyMatch(r -> applies(r, principal, action)
        && r.topics().stream().anyMatch(p -> p.matcher(topic).matches()))) {
      return;
    }
    throw forbidden(principal, action, topic);
  }

  /**
   * For a pattern subscription ({@code topicsPattern}, one namespace): passes only when a rule allows the action on
   * every topic of the pattern's namespace ({@code persistent://tenant/namespace/*} or broader).
   */
  public void checkPattern(Principal principal, Action action, String topicsPattern) {
    if (!enforced) {
      return;
    }
    int slash = topicsPattern.indexOf("://");
    int ns = slash < 0 ? -1 : nthSlash(topicsPattern, slash + 3, 2);
    String namespace = ns < 0 ? null : topicsPattern.substring(0, ns + 1);
    if (namespace != null && rules.stream().anyMatch(r -> applies(r, principal, action)
        && r.globs().stream().anyMatch(g -> g.endsWith("*") && namespace.startsWith(g.substring(0, g.length() - 1))))) {
      return;
    }
    throw forbidden(principal, action, topicsPattern);
  }

  private static int nthSlash(String s, int from, int n) {
    int at = from - 1;
    for (int i = 0; i < n; i++) {
      at = s.indexOf('/', at + 1);
      if (at < 0) {
        return -1;
      }
    }
    return at;
  }

  private static boolean applies(Compiled rule, Principal principal, Action action) {
    return (rule.role().equals("*") && !principal.anonymous() || rule.role().equals(principal.name()))
        && rule.actions().contains(action.label());
  }

  private static ProxyException forbidden(Principal principal, Action action, String topic) {
    return new ProxyException(ErrorCode.FORBIDDEN, principal.name() + " may not " + action.label() + " " + topic
        + " (authorization.rules)");
  }
}
