package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.core.bus.BusErrors;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.edge.ErrorResponses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The requests to a consumer instance's address ({@code Addresses.consumerInstance(id)}) and their answers, as JSON
 * so that they can cross nodes: {@code {"op", "principal", …}} in, {@code {"status", "body"}} or the error envelope
 * with {@code retryAfter} out; a poll's messages come back as bytes ({@link #pollAnswer(Buffer, List)}). The edge
 * instance serving the client's request sends; the one owning the instance answers ({@link ConsumerRegistry}). A
 * request nobody serves is the 404 of an unknown instance.
 */
final class InstanceCalls {
  static final String OP = "op";
  static final String PRINCIPAL = "principal";
  static final String STATUS = "status";
  static final String BODY = "body";
  /** With a poll's answer: the ids of its messages, negatively acknowledged when the answer cannot be written. */
  static final String IDS = "ids";

  private InstanceCalls() {}

  static JsonObject call(String op, String principal) {
    return new JsonObject().put(OP, op).put(PRINCIPAL, principal);
  }

  /**
   * Sends {@code call} to instance {@code id} and completes with the owner's answer ({@code {"status", "body"}}) on
   * the caller's context; fails with the owner's error, the 404 of an unknown instance when nobody serves the id, or
   * a timeout after {@code timeoutMs}.
   */
  static Future<JsonObject> request(Vertx vertx, String id, JsonObject call, long timeoutMs) {
    return request(vertx, id, call, timeoutMs, err -> Future.failedFuture(unanswered(id, err)));
  }

  /**
   * As {@link #request(Vertx, String, JsonObject, long)}; what a request the bus got no answer to comes to (nobody
   * serves the id, the owner could not be reached or did not answer in time) is {@code unanswered}'s.
   */
  static Future<JsonObject> request(Vertx vertx, String id, JsonObject call, long timeoutMs,
      Function<ReplyException, Future<JsonObject>> unanswered) {
    return vertx.eventBus().request(Addresses.consumerInstance(id), call,
            new DeliveryOptions().setSendTimeout(timeoutMs))
        .map(reply -> reply.body() instanceof Buffer poll ? readPollAnswer(poll) : (JsonObject) reply.body())
        .recover(err -> err instanceof ReplyException re && re.failureType() != ReplyFailure.RECIPIENT_FAILURE
            ? unanswered.apply(re) : Future.failedFuture(BusErrors.map(err, "consumer instance " + id)))
        .compose(answer -> {
          return answer.containsKey(STATUS) ? Future.succeededFuture(answer) : Future.failedFuture(error(answer));
        });
  }

  /** The error of a request the bus got no answer to: the 404 of an unknown instance when nobody serves the id. */
  static ProxyException unanswered(String id, ReplyException err) {
    return err.failureType() == ReplyFailure.NO_HANDLERS ? ConsumerRegistry.unknown(id)
        : BusErrors.map(err, "consumer instance " + id);
  }

  /** Sends {@code call} to instance {@code id} without waiting for an answer (a cancellation, a redelivery). */
  static void send(Vertx vertx, String id, JsonObject call) {
    vertx.eventBus().send(Addresses.consumerInstance(id), call);
  }

  static void ok(Message<JsonObject> request, int status, Object body) {
    JsonObject answer = new JsonObject().put(STATUS, status);
    if (body != null) {
      answer.put(BODY, body);
    }
    request.reply(answer);
  }

  /**
   * A poll's answer: the messages already written as the HTTP body, which the edge instance serving the client writes
   * as they are. It goes back as bytes, not JSON: the number of ids, each id (length and UTF-8), then the body. Across
   * nodes neither side encodes the body again (as base64 in a JSON answer it cost both nodes more than the poll).
   */
  static void pollAnswer(Message<JsonObject> request, JsonArray messages, List<String> ids) {
    request.reply(pollAnswer(messages.toBuffer(), ids));
  }

  static Buffer pollAnswer(Buffer body, List<String> ids) {
    Buffer answer = Buffer.buffer(body.length() + 4 + ids.size() * 40).appendInt(ids.size());
    for (String id : ids) {
      byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
      answer.appendInt(bytes.length).appendBytes(bytes);
    }
    return answer.appendBuffer(body);
  }

  /** {@link #pollAnswer(Buffer, List)} read back as {@code {"status": 200, "body": <bytes>, "ids": [...]}}. */
  static JsonObject readPollAnswer(Buffer answer) {
    int count = answer.getInt(0);
    JsonArray ids = new JsonArray(new ArrayList<>(count));
    int at = 4;
    for (int i = 0; i < count; i++) {
      int length = answer.getInt(at);
      ids.add(answer.getString(at + 4, at + 4 + length, "UTF-8"));
      at += 4 + length;
    }
    return new JsonObject().put(STATUS, 200).put(BODY, answer.slice(at, answer.length())).put(IDS, ids);
  }

  static void fail(Message<JsonObject> request, ProxyException e) {
    request.reply(ErrorResponses.envelope(e).put("retryAfter", e.retryAfterSeconds()));
  }

  private static ProxyException error(JsonObject answer) {
    ErrorCode code = ErrorCode.valueOf(answer.getString("error"));
    String message = answer.getString("message");
    int retryAfter = answer.getInteger("retryAfter", 0);
    if (retryAfter != code.retryAfterSeconds()) {
      return ProxyException.retryAfter(code, message, retryAfter);
    }
    List<ProxyException.Detail> details = new ArrayList<>();
    JsonArray given = answer.getJsonArray("details", new JsonArray());
    for (int i = 0; i < given.size(); i++) {
      JsonObject d = given.getJsonObject(i);
      details.add(new ProxyException.Detail(d.getString("field"), d.getString("message")));
    }
    return new ProxyException(code, message, details);
  }

  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>(array == null ? 0 : array.size());
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        out.add(array.getString(i));
      }
    }
    return out;
  }
}
