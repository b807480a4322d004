package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * HTTP consumer instances on one Shared subscription, polling and acknowledging, while HTTP producers send batches
 * to the same topic at {@code rate} messages per second. The consume API it calls is described (and kept) in
 * {@link HttpConsume}.
 *
 * <p>Request names: {@code poll} (timed: a long poll returns at the latest after {@code waitMs}), {@code ack},
 * {@code create consumer}, {@code delete consumer}, {@code produce batch}.
 *
 * <pre>
 * -DbaseUrl=http://localhost:8088 -Dconsumers=20 -Dmax=100 -DwaitMs=1000 -Drate=2000 -DbatchSize=100
 * -Dduration=30s -Dramp=5s -DpayloadSize=1024 -Dtopic=load-http-consume-{time} -Dsubscription=load
 * -DackPath=/api/v1/consumers/{id}/acks -Dconnections=64 -DmaxErrorPct=0.1 -Dp99Ms=1000
 * </pre>
 */
public class HttpConsumeSimulation extends Simulation {

  private final Settings settings = new Settings("HttpConsumeSimulation");
  private final String baseUrl = settings.baseUrl();
  private final int consumers = settings.integer("consumers", 20);
  private final int max = settings.integer("max", 100);
  private final Duration wait = Duration.ofMillis(settings.integer("waitMs", 1000));
  private final double rate = settings.decimal("rate", 2000);
  private final int batchSize = Math.max(1, settings.integer("batchSize", 100));
  private final Duration duration = settings.duration("duration", "30s");
  private final Duration ramp = settings.duration("ramp", "5s");
  private final String payload = Settings.payloadBase64(settings.integer("payloadSize", 1024));
  private final String topic = settings.string("topic", "load-http-consume-" + System.currentTimeMillis());
  private final String subscription = settings.string("subscription", "load");
  private final String ackPath = settings.string("ackPath", "/api/v1/consumers/{id}/acks");

  {
    String producePath = "/api/v1/topics/" + settings.topicPath(topic) + "/messages";
    setUp(
        scenario("HTTP consumers")
            .exec(HttpConsume.consumer(settings.topicName(topic), subscription, max, wait, ramp.plus(duration),
                ackPath))
            .injectOpen(rampUsers(consumers).during(ramp)),
        scenario("HTTP producers")
            .exec(HttpProduce.request("produce batch", producePath, HttpProduce.body(payload, batchSize), batchSize))
            .injectOpen(nothingFor(ramp), constantUsersPerSec(rate / batchSize).during(duration)))
        .protocols(http.baseUrl(baseUrl).contentTypeHeader("application/json").acceptHeader("application/json")
            .shareConnections()
            .maxConnectionsPerHost(settings.integer("connections", 64)))
        .maxDuration(ramp.plus(duration).plus(wait).plusSeconds(60))
        .assertions(settings.assertions(List.of("poll"), List.of("ack")));
    settings.print();
  }

  @Override
  public void after() {
    System.out.printf("HTTP consumers: %d messages received%n", HttpConsume.RECEIVED.sum());
  }
}
