package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.List;

/**
 * Many Pulsar WebSocket consumer sockets receiving and acknowledging ({@code {"messageId":…}}) every message while
 * WebSocket producers run on the same topic.
 *
 * <p>{@code -Dmode=shared}: all consumers on one Shared subscription (the load is split between them);
 * {@code -Dmode=each}: one subscription per consumer (every consumer gets every message: keep the rate low).
 * Consumers connect first (over {@code ramp}), producers start once they are all there and run for
 * {@code duration} plus {@code receiveTimeout}; all consumers stop {@code duration} after the ramp, while the
 * producers still run, so no consumer waits in vain at the end (what is produced after that stays in the backlog).
 *
 * <p>Request names: {@code receive} (one per message taken by a check; its time is the wait for the next message,
 * not a latency), {@code send ack} (not timed), {@code ack} and {@code send} (the producers', as in
 * {@link WsProduceSimulation}), {@code connect …}, {@code close …}. The totals printed at the end count every message received, including those that arrived
 * between two checks and were taken from Gatling's unmatched-message buffer.
 *
 * <pre>
 * -DwsUrl=ws://localhost:8088 -Dconsumers=100 -Dmode=shared|each -Dproducers=4 -Drate=2000 -Dwindow=10
 * -Dduration=30s -Dramp=10s -DpayloadSize=1024 -Dtopic=load-ws-consume-{time} -Dsubscription=load
 * -DreceiveTimeout=10s -DmaxErrorPct=0.1 -Dp99Ms=1000
 * </pre>
 */
public class WsConsumeSimulation extends Simulation {

  private final Settings settings = new Settings("WsConsumeSimulation");
  private final String wsUrl = settings.wsUrl();
  private final int consumers = settings.integer("consumers", 100);
  private final String mode = settings.string("mode", "shared");
  private final int producers = settings.integer("producers", 4);
  private final double rate = settings.decimal("rate", 2000);
  private final int window = Math.max(1, settings.integer("window", 10));
  private final Duration duration = settings.duration("duration", "30s");
  private final Duration ramp = settings.duration("ramp", "10s");
  private final String payload = Settings.payloadBase64(settings.integer("payloadSize", 1024));
  // A new topic per run by default: a backlog left by an earlier run would distort the counts.
  private final String topic = settings.string("topic", "load-ws-consume-" + System.currentTimeMillis());
  private final String subscription = settings.string("subscription", "load");
  private final Duration receiveTimeout = settings.duration("receiveTimeout", "10s");

  {
    if (!mode.equals("shared") && !mode.equals("each")) {
      throw new IllegalArgumentException("-Dmode: shared or each, not " + mode);
    }
    boolean shared = mode.equals("shared");
    Duration produceFor = duration.plus(receiveTimeout);
    setUp(
        scenario("WebSocket consumers")
            .exec(session -> session.set("subscription",
                shared ? subscription : subscription + "-" + session.userId()))
            .exec(WsChains.consumer(session -> wsUrl + WsChains.consumerPath(settings, topic,
                    session.getString("subscription"), "subscriptionType=" + (shared ? "Shared" : "Exclusive")),
                () -> this.producersFrom, () -> this.consumersUntil, receiveTimeout))
            .injectOpen(rampUsers(consumers).during(ramp)),
        scenario("WebSocket producers")
            .exec(WsChains.producer(wsUrl + WsChains.producerPath(settings, topic, ""), window, payload,
                produceFor, rate / producers, Duration.ofSeconds(30)))
            .injectOpen(nothingFor(ramp), rampUsers(producers).during(Duration.ofSeconds(1))))
        .protocols(http.wsBaseUrl(wsUrl).wsUnmatchedInboundMessageBufferSize(WsChains.UNMATCHED_BUFFER))
        .maxDuration(ramp.plus(produceFor).plusSeconds(60))
        .assertions(settings.assertions(List.of("ack"), List.of("receive")));
    settings.print();
  }

  /** When the producers begin (the ramp's end): consumers count their receive timeout from then. */
  private volatile long producersFrom;
  /** When the consumers stop: as the producers' planned end begins, so none waits for messages that never come. */
  private volatile long consumersUntil;

  @Override
  public void before() {
    producersFrom = System.currentTimeMillis() + ramp.toMillis();
    consumersUntil = System.currentTimeMillis() + ramp.plus(duration).toMillis();
  }

  @Override
  public void after() {
    WsChains.printConsumerTotals();
  }
}
