package io.pulsarproxy.ws;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.core.topic.Topic;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The path of a WebSocket handshake, as Pulsar's WebSocket service reads it:
 * <ul>
 *   <li>{@code /ws/v2/{producer|reader}/{domain}/{tenant}/{namespace}/{topic…}} — the topic may go on over further
 *       segments (joined with {@code /}, empty ones skipped);</li>
 *   <li>{@code /ws/v2/consumer/{domain}/{tenant}/{namespace}/{topic}/{subscription}} — exactly one segment each;</li>
 *   <li>{@code /ws/v3/consumer/{subscription}} — the topics come from the query ({@code topics}, {@code topicsPattern});</li>
 *   <li>the v1 forms {@code /ws/{role}/{domain}/{tenant}/{cluster}/{namespace}/…}.</li>
 * </ul>
 * Segments are form-decoded ({@code %XX}, {@code +} is a space).
 *
 * @param role         what the socket is
 * @param topic        the topic; null for a v3 (multi-topic) consumer
 * @param subscription the subscription of a consumer, else null
 */
record WsPath(Role role, Topic topic, String subscription) {
  /** What a socket does. */
  enum Role {
    PRODUCER, CONSUMER, READER;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Parses the raw (still percent-encoded) path of the request. */
  static WsPath parse(String rawPath) {
    List<String> parts = Arrays.asList(rawPath.split("/", -1));
    if (parts.size() < 4 || !parts.get(0).isEmpty() || !"ws".equals(parts.get(1))) {
      throw invalid(rawPath);
    }
    String version = parts.get(2);
    if ("v3".equals(version)) {
      if (!"consumer".equals(parts.get(3)) || parts.size() != 5) {
        throw invalid(rawPath);
      }
      return new WsPath(Role.CONSUMER, null, subscription(parts.get(4)));
    }
    boolean v2 = "v2".equals(version);
    Role role = role(v2 ? parts.get(3) : parts.get(2), rawPath);
    // Both forms put the topic's own name from segment 7 on: v2 has "v2" where v1 has the cluster.
    int domainAt = v2 ? 4 : 3;
    if (parts.size() < 8) {
      throw invalid(rawPath);
    }
    String domain = decode(parts.get(domainAt));
    String tenant = decode(parts.get(domainAt + 1));
    String namespace = v2 ? decode(parts.get(6)) : decode(parts.get(5)) + "/" + decode(parts.get(6));
    if (role == Role.CONSUMER) {
      if (parts.size() != 9) {
        throw invalid(rawPath);
      }
      return new WsPath(role, topic(domain, tenant, namespace, decode(parts.get(7))), subscription(parts.get(8)));
    }
    List<String> local = new ArrayList<>();
    local.add(parts.get(7));
    for (String segment : parts.subList(8, parts.size())) {
      if (!segment.isEmpty()) {
        local.add(segment);
      }
    }
    return new WsPath(role, topic(domain, tenant, namespace, decode(String.join("/", local))), null);
  }

  private static Role role(String segment, String rawPath) {
    return switch (segment) {
      case "producer" -> Role.PRODUCER;
      case "consumer" -> Role.CONSUMER;
      case "reader" -> Role.READER;
      default -> throw invalid(rawPath);
    };
  }

  /**
   * A v1 namespace is {@code cluster/namespace}: the topic keeps both, which gives Pulsar's v1 name
   * {@code domain://tenant/cluster/namespace/topic}.
   */
  private static Topic topic(String domain, String tenant, String namespace, String local) {
    int slash = namespace.indexOf('/');
    return slash < 0
        ? new Topic(domain, tenant, namespace, local)
        : new Topic(domain, tenant, namespace.substring(0, slash), namespace.substring(slash + 1) + "/" + local);
  }

  private static String subscription(String segment) {
    String name = decode(segment);
    if (name.isEmpty()) {
      throw ProxyException.badField("subscription", "must not be empty");
    }
    return name;
  }

  static String decode(String segment) {
    try {
      return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ProxyException(ErrorCode.INVALID_TOPIC, "'" + segment + "' is not a valid percent-encoded segment");
    }
  }

  private static ProxyException invalid(String rawPath) {
    return new ProxyException(ErrorCode.BAD_REQUEST, "'" + rawPath + "' is not a WebSocket path of this proxy: use "
        + "/ws/v2/producer/{persistent|non-persistent}/{tenant}/{namespace}/{topic}, "
        + "/ws/v2/consumer/…/{topic}/{subscription}, /ws/v2/reader/…/{topic} or /ws/v3/consumer/{subscription}");
  }
}
