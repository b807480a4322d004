package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A realistic mix on one proxy, and the soak's load: browser-like WebSocket consumers (one Shared subscription)
 * fed by WebSocket producers and by backend services producing over HTTP (single messages and batches), plus,
 * when {@code httpConsumers} is above 0, HTTP consumer instances on a second subscription.
 *
 * <p>All producers write to one topic; the WebSocket consumers share subscription {@code ws}, the HTTP consumers
 * {@code http}. Consumers connect first (over {@code ramp}), the producers then run for {@code duration}.
 *
 * <pre>
 * -DbaseUrl=http://localhost:8088 -DwsUrl=(from baseUrl) -Dduration=60s -Dramp=20s
 * -DwsConsumers=200 -DwsProducers=10 -DwsRate=1000 -Dwindow=5
 * -DhttpSingleRate=200 -DhttpBatchRate=1000 -DbatchSize=50 -DhttpConsumers=0 -DpayloadSize=1024
 * -Dtopic=load-mixed-{time} -DreceiveTimeout=15s -Dconnections=64 -DmaxErrorPct=0.1 -Dp99Ms=1000
 * </pre>
 */
public class MixedSimulation extends Simulation {

  private final Settings settings = new Settings("MixedSimulation");
  private final String baseUrl = settings.baseUrl();
  private final String wsUrl = settings.wsUrl();
  private final Duration duration = settings.duration("duration", "60s");
  private final Duration ramp = settings.duration("ramp", "20s");
  private final int wsConsumers = settings.integer("wsConsumers", 200);
  private final int wsProducers = Math.max(1, settings.integer("wsProducers", 10));
  private final double wsRate = settings.decimal("wsRate", 1000);
  private final int window = Math.max(1, settings.integer("window", 5));
  private final double httpSingleRate = settings.decimal("httpSingleRate", 200);
  private final double httpBatchRate = settings.decimal("httpBatchRate", 1000);
  private final int batchSize = Math.max(1, settings.integer("batchSize", 50));
  private final int httpConsumers = settings.integer("httpConsumers", 0);
  private final String payload = Settings.payloadBase64(settings.integer("payloadSize", 1024));
  private final String topic = settings.string("topic", "load-mixed-" + System.currentTimeMillis());
  private final Duration receiveTimeout = settings.duration("receiveTimeout", "15s");

  {
    List<PopulationBuilder> load = new ArrayList<>();
    List<String> timed = new ArrayList<>();
    List<String> counted = new ArrayList<>();
    // Consumers stop a little before the producers: one still waiting after them would time out for want of messages.
    Duration consumeFor = ramp.plus(duration).minusSeconds(2);
    if (wsConsumers > 0) {
      String url = wsUrl + WsChains.consumerPath(settings, topic, "ws", "subscriptionType=Shared");
      load.add(scenario("WebSocket consumers")
          .exec(WsChains.consumer(session -> url, () -> this.producersFrom, () -> this.consumersUntil, receiveTimeout))
          .injectOpen(rampUsers(wsConsumers).during(ramp)));
      counted.add("receive");
    }
    if (httpConsumers > 0) {
      load.add(scenario("HTTP consumers")
          .exec(HttpConsume.consumer(settings.topicName(topic), "http", 100, Duration.ofSeconds(1), consumeFor,
              settings.string("ackPath", "/api/v1/consumers/{id}/acks")))
          .injectOpen(rampUsers(httpConsumers).during(ramp)));
      timed.add("poll");
    }
    if (wsRate > 0) {
      load.add(scenario("WebSocket producers")
          .exec(WsChains.producer(wsUrl + WsChains.producerPath(settings, topic, ""), window, payload, duration,
              wsRate / wsProducers, Duration.ofSeconds(30)))
          .injectOpen(nothingFor(ramp), rampUsers(wsProducers).during(Duration.ofSeconds(1))));
      timed.add("ack");
    }
    String producePath = "/api/v1/topics/" + settings.topicPath(topic) + "/messages";
    if (httpSingleRate > 0) {
      load.add(scenario("HTTP single produce")
          .exec(HttpProduce.request("produce single", producePath, HttpProduce.body(payload, 1), 1))
          .injectOpen(nothingFor(ramp), constantUsersPerSec(httpSingleRate).during(duration)));
      timed.add("produce single");
    }
    if (httpBatchRate > 0) {
      load.add(scenario("HTTP batch produce")
          .exec(HttpProduce.request("produce batch", producePath, HttpProduce.body(payload, batchSize), batchSize))
          .injectOpen(nothingFor(ramp), constantUsersPerSec(httpBatchRate / batchSize).during(duration)));
      timed.add("produce batch");
    }
    if (load.isEmpty()) {
      throw new IllegalArgumentException("nothing to run: every consumer count and rate is 0");
    }
    setUp(load)
        .protocols(http.baseUrl(baseUrl).wsBaseUrl(wsUrl)
            .contentTypeHeader("application/json").acceptHeader("application/json")
            .shareConnections()
            .maxConnectionsPerHost(settings.integer("connections", 64))
            .wsUnmatchedInboundMessageBufferSize(WsChains.UNMATCHED_BUFFER))
        .maxDuration(ramp.plus(duration).plus(receiveTimeout).plusSeconds(60))
        .assertions(settings.assertions(timed, counted));
    settings.print();
  }

  /** When the producers begin (the ramp's end): consumers count their receive timeout from then. */
  private volatile long producersFrom;
  private volatile long consumersUntil;

  @Override
  public void before() {
    producersFrom = System.currentTimeMillis() + ramp.toMillis();
    consumersUntil = System.currentTimeMillis() + ramp.plus(duration).minusSeconds(2).toMillis();
  }

  @Override
  public void after() {
    WsChains.printConsumerTotals();
    if (httpConsumers > 0) {
      System.out.printf("HTTP consumers: %d messages received%n", HttpConsume.RECEIVED.sum());
    }
  }
}
