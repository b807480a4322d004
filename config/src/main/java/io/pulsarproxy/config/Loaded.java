package io.pulsarproxy.config;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A built configuration together with the value each declared key had in it, to tell which keys a reload changed.
 *
 * @param config the typed configuration
 * @param values every key's value as read (a {@code Duration}, an {@code Optional}, ...), by name
 */
record Loaded(ProxyConfig config, Map<String, Object> values) {
  Loaded {
    Objects.requireNonNull(config, "config");
    values = Collections.unmodifiableMap(new HashMap<>(values));
  }

  /** The keys whose value differs in {@code next}, in documentation order. */
  List<String> changedKeys(Loaded next) {
    return ConfigKeys.ALL.stream().map(ConfigKey::name)
        .filter(key -> !Objects.equals(values.get(key), next.values.get(key))).toList();
  }
}
