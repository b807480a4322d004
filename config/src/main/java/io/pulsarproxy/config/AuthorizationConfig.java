package io.pulsarproxy.config;

import java.util.List;

/**
 * Who may use which topic, once authentication is on. Reloadable.
 *
 * @param mode  {@code authorization.mode}: {@code proxy} (the rules below, deny by default) or {@code broker} (the
 *              proxy acts at the broker with the client's own token, so that Pulsar's own authorisation decides)
 * @param rules {@code authorization.rules}: what each role may do
 */
public record AuthorizationConfig(String mode, List<TopicRule> rules) {
  public static final String PROXY = "proxy";
  public static final String BROKER = "broker";

  public AuthorizationConfig {
    rules = List.copyOf(rules);
  }

  public boolean brokerDecides() {
    return mode.equals(BROKER);
  }

  /**
   * One rule: {@code role} may do {@code actions} on the topics matching any of {@code topics}.
   *
   * @param role    a principal's name, or {@code *} for every authenticated principal
   * @param actions {@code produce}, {@code consume} (subscriptions: consumer instances, SSE, WebSocket consumers),
   *                {@code read} (readers and reads)
   * @param topics  full topic names where {@code *} matches any run of characters, e.g.
   *                {@code persistent://public/default/alice-*}
   */
  public record TopicRule(String role, List<String> actions, List<String> topics) {
    public TopicRule {
      actions = List.copyOf(actions);
      topics = List.copyOf(topics);
    }
  }
}
