package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * Pulsar WebSocket producers: {@code users} sockets, each sending bursts of {@code window} messages (all in flight
 * at once) and checking every ack, matched by {@code context}, for {@code result == "ok"}.
 *
 * <p>Works against the proxy ({@code -DwsUrl=ws://localhost:8088}) and against Pulsar's own WebSocket service
 * ({@code -DwsUrl=ws://localhost:8080}), which speak the same protocol. Request names in the report: {@code ack}
 * (one per message; its response time is the message's send-to-ack latency), {@code send} (not timed: Gatling logs
 * a send as it leaves), {@code connect producer}, {@code close producer}.
 *
 * <pre>
 * -Dusers=10 -Dwindow=10 -Dduration=30s -Drate=0 (msg/s in all, 0 = as fast as acks allow)
 * -DpayloadSize=1024 -Dtopic=load-ws-produce -DackTimeout=30s -DmaxErrorPct=0.1 -Dp99Ms=1000
 * </pre>
 */
public class WsProduceSimulation extends Simulation {

  private final Settings settings = new Settings("WsProduceSimulation");
  private final String wsUrl = settings.wsUrl();
  private final int users = settings.integer("users", 10);
  private final int window = Math.max(1, settings.integer("window", 10));
  private final Duration duration = settings.duration("duration", "30s");
  private final double rate = settings.decimal("rate", 0);
  private final String payload = Settings.payloadBase64(settings.integer("payloadSize", 1024));
  private final String topic = settings.string("topic", "load-ws-produce");
  private final Duration ackTimeout = settings.duration("ackTimeout", "30s");
  private final Duration ramp = settings.duration("ramp", "2s");

  {
    String url = wsUrl + WsChains.producerPath(settings, topic, "");
    setUp(scenario("WebSocket produce")
        .exec(WsChains.producer(url, window, payload, duration, rate / users, ackTimeout))
        .injectOpen(rampUsers(users).during(ramp)))
        .protocols(http.wsBaseUrl(wsUrl))
        .maxDuration(duration.plus(ramp).plus(ackTimeout).plusSeconds(10))
        .assertions(settings.assertions(List.of("ack"), List.of()));
    settings.print();
  }
}
