package io.pulsarproxy.core.produce;

import io.pulsarproxy.core.error.ProxyException;
import java.util.List;
import java.util.Optional;

/**
 * Reply to a {@link ProduceRequest}: one result per message, in request order.
 *
 * @param results   one per message; empty when the request was refused
 * @param replayed  whether these are the results of an earlier request with the same {@code Idempotency-Key}
 * @param rejection why a request with an {@code Idempotency-Key} was refused as a whole (nothing sent), else null
 */
public record ProduceReply(List<ProduceResult> results, boolean replayed, ProxyException rejection) {
  public ProduceReply {
    results = List.copyOf(results);
  }

  public ProduceReply(List<ProduceResult> results) {
    this(results, false, null);
  }

  static ProduceReply rejected(ProxyException rejection) {
    return new ProduceReply(List.of(), false, rejection);
  }

  ProduceReply asReplay() {
    return new ProduceReply(results, true, null);
  }

  /** The first failure, if any message failed. */
  public Optional<ProduceResult> firstFailure() {
    return results.stream().filter(r -> !r.isOk()).findFirst();
  }
}
