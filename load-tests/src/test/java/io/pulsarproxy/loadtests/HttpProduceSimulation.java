package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * HTTP produce: {@code POST /api/v1/topics/persistent/{ns}/{topic}/messages}, one message per request
 * ({@code produce single}) and then {@code batchSize} messages per request ({@code produce batch}), each phase for
 * {@code duration}. A response passes when it is 200 and every {@code results[*].ok} is true, one per message.
 *
 * <p>{@code rate} = 0: {@code users} closed-loop users, each sending its next request when the previous answered
 * (throughput). {@code rate} above 0: an open model at {@code rate} messages per second in all, whatever the
 * answers take (latency at a given load, no coordinated omission), over at most {@code users} shared connections.
 *
 * <pre>
 * -DbaseUrl=http://localhost:8088 -Dmode=both|single|batch -Dusers=16 -DbatchSize=100 -Dduration=30s -Drate=0
 * -DpayloadSize=1024 -Dtopic=load-http-produce -DmaxErrorPct=0.1 -Dp99Ms=1000
 * </pre>
 */
public class HttpProduceSimulation extends Simulation {

  private final Settings settings = new Settings("HttpProduceSimulation");
  private final String baseUrl = settings.baseUrl();
  private final String mode = settings.string("mode", "both");
  private final int users = settings.integer("users", 16);
  private final int batchSize = settings.integer("batchSize", 100);
  private final Duration duration = settings.duration("duration", "30s");
  private final double rate = settings.decimal("rate", 0);
  private final String payload = Settings.payloadBase64(settings.integer("payloadSize", 1024));
  private final String topic = settings.string("topic", "load-http-produce");

  {
    String path = "/api/v1/topics/" + settings.topicPath(topic) + "/messages";
    if (!List.of("both", "single", "batch").contains(mode)) {
      throw new IllegalArgumentException("-Dmode: both, single or batch, not " + mode);
    }
    List<PopulationBuilder> phases = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (!mode.equals("batch")) {
      phases.add(phase("produce single", path, 1));
      names.add("produce single");
    }
    if (!mode.equals("single")) {
      phases.add(phase("produce batch", path, batchSize));
      names.add("produce batch");
    }
    PopulationBuilder first = phases.get(0);
    PopulationBuilder run = phases.size() == 1 ? first : first.andThen(phases.get(1));
    var protocol = http.baseUrl(baseUrl).contentTypeHeader("application/json").acceptHeader("application/json");
    setUp(run)
        .protocols(rate > 0 ? protocol.shareConnections().maxConnectionsPerHost(users) : protocol)
        .maxDuration(duration.multipliedBy(phases.size()).plusSeconds(60))
        .assertions(settings.assertions(names, List.of()));
    settings.print();
  }

  private PopulationBuilder phase(String name, String path, int messagesPerRequest) {
    ChainBuilder produce = exec(HttpProduce.request(name, path, HttpProduce.body(payload, messagesPerRequest),
        messagesPerRequest));
    if (rate > 0) {
      return scenario(name).exec(produce)
          .injectOpen(constantUsersPerSec(rate / messagesPerRequest).during(duration));
    }
    return scenario(name).exec(during(duration).on(produce))
        .injectClosed(constantConcurrentUsers(users).during(duration));
  }
}
