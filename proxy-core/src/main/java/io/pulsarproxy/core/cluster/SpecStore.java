package io.pulsarproxy.core.cluster;

import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The specs of consumer instances, each with the id of the node that owns it, where every node of the cluster finds
 * them: a Vert.x shared-data {@link AsyncMap}, which is a Hazelcast map (one backup on another member, so it outlives
 * the loss of any one node) when Vert.x runs clustered, and a map of this process otherwise. A survivor reads the
 * specs a departed node owned ({@link #ownedBy}) and takes each over ({@link #claim}); only one survivor wins a spec.
 *
 * <p>A spec is a small JSON object whose content is its user's business; it must not hold secrets (the cluster's own
 * traffic is not encrypted). Each node may own at most {@code maxOwned} specs; {@link #put} beyond it fails with 503
 * {@code OVERLOADED}. Futures complete on the caller's context; use one instance per verticle.
 */
public final class SpecStore {
  /** The name of the map in the cluster. */
  public static final String MAP = "pulsar-proxy.consumer-specs";
  /** The owner of a spec its node gave up ({@link #release}): any node may claim it. */
  public static final String RELEASED = "";

  /** One stored spec: the instance's id, the node that owns it, the spec. */
  public record Entry(String id, String owner, JsonObject spec) {
    public Entry {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(spec, "spec");
    }

    JsonObject toJson() {
      return new JsonObject().put("owner", owner).put("spec", spec);
    }

    static Entry of(String id, JsonObject value) {
      return new Entry(id, value.getString("owner"), value.getJsonObject("spec"));
    }
  }

  private final Vertx vertx;
  private final String nodeId;
  private final int maxOwned;
  /** The ids this node stored or claimed and has not removed: what {@code maxOwned} bounds. */
  private final Set<String> owned = new HashSet<>();
  private Future<AsyncMap<String, JsonObject>> map;

  /**
   * @param nodeId   this node's id, recorded as the owner of what it stores
   * @param maxOwned the most specs this node may own at once
   */
  public SpecStore(Vertx vertx, String nodeId, int maxOwned) {
    this.vertx = vertx;
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.maxOwned = maxOwned;
  }

  /** This node's id: the owner of what it stores. */
  public String nodeId() {
    return nodeId;
  }

  /** Stores (or replaces) the spec of instance {@code id}, owned by this node. */
  public Future<Void> put(String id, JsonObject spec) {
    if (!owned.contains(id) && owned.size() >= maxOwned) {
      return Future.failedFuture(new ProxyException(ErrorCode.OVERLOADED,
          "this node already owns " + maxOwned + " consumer instances"));
    }
    owned.add(id);
    return map().compose(m -> m.put(id, new Entry(id, nodeId, spec).toJson()))
        .onFailure(err -> owned.remove(id));
  }

  /** The spec of instance {@code id}, whichever node owns it; empty when there is none. */
  public Future<Optional<Entry>> get(String id) {
    return map().compose(m -> m.get(id)).map(value -> Optional.ofNullable(value).map(v -> Entry.of(id, v)));
  }

  /** Forgets instance {@code id} (it was deleted or expired); nothing happens when it is not there. */
  public Future<Void> remove(String id) {
    owned.remove(id);
    return map().compose(m -> m.remove(id)).mapEmpty();
  }

  /**
   * Gives instance {@code id} up without forgetting it: its owner becomes {@link #RELEASED}, which any node may
   * {@link #claim} at once (this node is stopping and hands its instances over).
   */
  public Future<Void> release(String id) {
    owned.remove(id);
    return map().compose(m -> m.get(id).compose(value -> value == null ? Future.succeededFuture()
        : m.replaceIfPresent(id, value, new Entry(id, RELEASED, Entry.of(id, value).spec()).toJson()).mapEmpty()));
  }

  /** The specs {@code node} owns, e.g. a departed node's ({@code proxy.cluster.nodeLeft}). Reads the whole map. */
  public Future<List<Entry>> ownedBy(String node) {
    return map().compose(AsyncMap::entries).map(entries -> entries.entrySet().stream()
        .map(e -> Entry.of(e.getKey(), e.getValue())).filter(e -> e.owner().equals(node)).toList());
  }

  /**
   * Makes this node the owner of {@code entry}, as it was read: completes with {@code false} when the spec changed or
   * went in between (another node claimed it first, or it was deleted), or when this node owns {@code maxOwned}.
   */
  public Future<Boolean> claim(Entry entry) {
    if (owned.size() >= maxOwned) {
      return Future.succeededFuture(false);
    }
    Entry mine = new Entry(entry.id(), nodeId, entry.spec());
    return map().compose(m -> m.replaceIfPresent(entry.id(), entry.toJson(), mine.toJson()))
        .onSuccess(won -> {
          if (won) {
            owned.add(entry.id());
          }
        });
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(MAP);
    }
    return map;
  }
}
