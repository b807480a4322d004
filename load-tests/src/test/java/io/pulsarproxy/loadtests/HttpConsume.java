package io.pulsarproxy.loadtests;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.doIf;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's HTTP consume API as a Gatling loop: create a consumer instance, poll for messages, acknowledge them,
 * delete the instance. Everything this load test assumes about that API is in this class, to be adapted in one
 * place when the API lands:
 * <ul>
 *   <li>{@code POST /api/v1/consumers} {@code {"topic","subscription","subscriptionType":"Shared"}} → 201
 *   {@code {"id":…}}</li>
 *   <li>{@code GET /api/v1/consumers/{id}/messages?max=N&waitMs=T} → 200 with {@code [{"messageId":…},…]} or
 *   {@code {"messages":[…]}} (either is accepted; an empty poll may also be 204)</li>
 *   <li>{@code POST /api/v1/consumers/{id}/acks} {@code {"messageIds":[…]}} → 2xx (path: {@code -DackPath}, with
 *   {@code {id}} in it)</li>
 *   <li>{@code DELETE /api/v1/consumers/{id}} → 2xx</li>
 * </ul>
 */
final class HttpConsume {

  static final LongAdder RECEIVED = new LongAdder();

  private static final String ID = "consumerId";
  private static final String IDS_ARRAY = "idsFromArray";
  private static final String IDS_OBJECT = "idsFromObject";
  private static final String TO_ACK = "idsToAck";

  private HttpConsume() {
  }

  /**
   * One consumer instance on {@code topicName}/{@code subscription}, polling {@code max} messages with
   * {@code waitMs} long-poll for {@code duration}, acknowledging each batch, then deleted.
   */
  static ChainBuilder consumer(String topicName, String subscription, int max, Duration wait, Duration duration,
      String ackPath) {
    String create = "{\"topic\":\"" + topicName + "\",\"subscription\":\"" + subscription
        + "\",\"subscriptionType\":\"Shared\"}";
    ChainBuilder poll = exec(session -> session.remove(IDS_ARRAY).remove(IDS_OBJECT))
        .exec(http("poll").get("/api/v1/consumers/#{" + ID + "}/messages?max=" + max + "&waitMs=" + wait.toMillis())
            .check(status().in(200, 204))
            .check(jsonPath("$[*].messageId").findAll().optional().saveAs(IDS_ARRAY))
            .check(jsonPath("$.messages[*].messageId").findAll().optional().saveAs(IDS_OBJECT)))
        .exec(HttpConsume::collectIds)
        .exec(doIf(session -> !session.getList(TO_ACK).isEmpty()).then(
            exec(http("ack").post(ackPath.replace("{id}", "#{" + ID + "}"))
                .body(StringBody(HttpConsume::ackBody))
                .check(status().in(200, 202, 204)))));
    return exec(http("create consumer").post("/api/v1/consumers")
            .body(StringBody(create))
            .check(status().is(201))
            .check(jsonPath("$.id").saveAs(ID)))
        // Without a consumer there is nothing to poll: one failed create, not a loop of failed polls.
        .exitHereIfFailed()
        .exec(during(duration).on(poll))
        .exec(http("delete consumer").delete("/api/v1/consumers/#{" + ID + "}").check(status().in(200, 204)));
  }

  private static Session collectIds(Session session) {
    List<String> ids = new ArrayList<>();
    if (session.contains(IDS_ARRAY)) {
      ids.addAll(session.getList(IDS_ARRAY));
    }
    if (session.contains(IDS_OBJECT)) {
      ids.addAll(session.getList(IDS_OBJECT));
    }
    RECEIVED.add(ids.size());
    return session.set(TO_ACK, ids);
  }

  private static String ackBody(Session session) {
    StringJoiner ids = new StringJoiner("\",\"", "{\"messageIds\":[\"", "\"]}");
    session.<String>getList(TO_ACK).forEach(ids::add);
    return ids.toString();
  }
}
