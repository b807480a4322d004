package io.pulsarproxy.core.produce;

import java.util.List;
import java.util.Optional;

/** Reply to a {@link ProduceRequest}: one result per message, in request order. */
public record ProduceReply(List<ProduceResult> results) {
  public ProduceReply {
    results = List.copyOf(results);
  }

  /** The first failure, if any message failed. */
  public Optional<ProduceResult> firstFailure() {
    return results.stream().filter(r -> !r.isOk()).findFirst();
  }
}
