package io.pulsarproxy.core.produce;

import java.util.Objects;

/**
 * The {@code Idempotency-Key} of a produce request, scoped to who sent it.
 *
 * @param scope       the principal the key belongs to: one client never sees another's answer
 * @param key         the header's value
 * @param fingerprint a digest of what was asked (method, path, content type, metadata headers and body): a repeat
 *                    must ask for the same
 */
public record Idempotency(String scope, String key, String fingerprint) {
  public Idempotency {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(fingerprint, "fingerprint");
  }
}
