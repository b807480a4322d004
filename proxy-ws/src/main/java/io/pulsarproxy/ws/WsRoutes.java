package io.pulsarproxy.ws;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.http.EdgeRoutes;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Pulsar's WebSocket API and the browser page, on the edge server's port:
 * <ul>
 *   <li>{@code /ws/v2/producer|consumer|reader/…}, {@code /ws/v3/consumer/…} and the v1 paths ({@link WsPath});</li>
 *   <li>{@code /} and {@code /ui/…}: a page that streams a topic and produces to it, using only the public APIs.</li>
 * </ul>
 * Reacts to {@link Addresses#CONFIG_CHANGED} (new limits apply to new sockets) and {@link Addresses#SHUTDOWN} (open
 * sockets are closed with 1001 once their pending acks are written).
 */
public final class WsRoutes implements EdgeRoutes {
  /** Classpath directory of the browser page. */
  static final String WEB_ROOT = "pulsar-proxy-ui";

  private final ProxyConfig config;
  private final ProxyMetrics metrics;
  private final List<WsSessions> mounted = new ArrayList<>();

  public WsRoutes(ProxyConfig config, ProxyMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    WsSessions sessions = new WsSessions(vertx, config.ws(), metrics);
    HandshakeHandler handshake = new HandshakeHandler(vertx, sessions, config, metrics);
    mounted.add(sessions);
    vertx.eventBus().<ProxyConfig>consumer(Addresses.CONFIG_CHANGED, msg -> {
      sessions.reconfigure(msg.body().ws());
      handshake.reconfigure(msg.body());
    });
    vertx.eventBus().consumer(Addresses.SHUTDOWN, msg -> sessions.shutdown());

    router.route("/ws/*").handler(handshake);
    StaticHandler page = StaticHandler.create(WEB_ROOT).setIndexPage("index.html");
    router.get("/").handler(page);
    router.get("/ui/*").handler(page);
  }

  /** Closes every socket (producers first write the acks they owe); completes when all are closed. */
  @Override
  public Future<?> drain() {
    List<Future<Void>> all = new ArrayList<>();
    mounted.forEach(sessions -> all.add(sessions.shutdown()));
    return Future.join(all);
  }
}
