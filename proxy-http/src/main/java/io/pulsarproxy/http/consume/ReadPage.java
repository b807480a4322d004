package io.pulsarproxy.http.consume;

import io.pulsarproxy.config.Addresses;
import io.pulsarproxy.config.Secret;
import io.pulsarproxy.core.consume.ConsumerClient;
import io.pulsarproxy.core.consume.ConsumerCommand;
import io.pulsarproxy.core.consume.InboundMessage;
import io.pulsarproxy.core.consume.SessionEvent;
import io.pulsarproxy.core.error.PulsarErrors;
import io.pulsarproxy.edge.ErrorResponses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One page of {@code GET …/messages}: a reader session of the consume service, opened for this request and closed
 * after it, so no subscription is left behind. The page ends when {@code max} messages arrived, when the reader says
 * the topic has no more (asked whenever messages arrived and fewer than {@code max} are there), or after
 * {@code waitMs} when nothing came. The answer's {@code next} is the last message's id (exclusive start of the next
 * page). Confined to the edge verticle's context.
 */
final class ReadPage {
  private final RoutingContext ctx;
  /** The client's token with authorization.mode broker, else null. */
  private final Secret token;
  private final ConsumeRequests.Read read;
  private final ConsumerClient service;
  private final Vertx vertx;
  private final Consumer<ReadPage> onDone;
  private final String sessionId = "read-" + UUID.randomUUID();
  private final List<InboundMessage> messages = new ArrayList<>();
  private MessageConsumer<SessionEvent> events;
  private long timer = -1;
  private boolean asking;
  private boolean askAgain;
  private boolean done;

  /** @param onDone called once the page is answered or abandoned */
  ReadPage(RoutingContext ctx, ConsumeRequests.Read read, Secret token, ConsumerClient service, Vertx vertx,
      Consumer<ReadPage> onDone) {
    this.ctx = ctx;
    this.token = token;
    this.read = read;
    this.service = service;
    this.vertx = vertx;
    this.onDone = onDone;
  }

  /** Answers now with what was read so far: the proxy is stopping. */
  void end() {
    finish(true);
  }

  void start() {
    events = vertx.eventBus().localConsumer(Addresses.session(sessionId), msg -> onEvent(msg.body()));
    ctx.response().closeHandler(v -> finish(false));
    service.open(sessionId, read.spec(), token, read.format() == BodyFormat.JSON)
        .onSuccess(v -> {
          if (done) {
            service.close(sessionId, false);
            return;
          }
          service.send(new ConsumerCommand.Permit(sessionId, read.max()));
          timer = vertx.setTimer(Math.max(1, read.waitMs()), t -> finish(true));
          askWhetherMore();
        })
        .onFailure(err -> {
          if (!done) {
            done = true;
            events.unregister();
            onDone.accept(this);
            ErrorResponses.send(ctx, PulsarErrors.map(err));
          }
        });
  }

  private void onEvent(SessionEvent event) {
    if (done) {
      return;
    }
    if (event instanceof SessionEvent.Delivered d) {
      messages.addAll(d.messages());
      if (messages.size() >= read.max()) {
        finish(true);
      } else {
        askWhetherMore();
      }
    } else if (event instanceof SessionEvent.Ended e) {
      if (messages.isEmpty()) {
        done = true;
        vertx.cancelTimer(timer);
        events.unregister();
        onDone.accept(this);
        ErrorResponses.send(ctx, e.reason());
      } else {
        finish(true);
      }
    }
  }

  /** Ends the page once the reader has nothing more and something was read; one question at a time. */
  private void askWhetherMore() {
    if (asking) {
      askAgain = true;
      return;
    }
    asking = true;
    service.hasMessageAvailable(sessionId).onComplete(answer -> {
      asking = false;
      if (done) {
        return;
      }
      if (askAgain) {
        askAgain = false;
        askWhetherMore();
      } else if (answer.succeeded() && !answer.result() && !messages.isEmpty()) {
        finish(true);
      }
    });
  }

  private void finish(boolean respond) {
    if (done) {
      return;
    }
    done = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    events.unregister();
    onDone.accept(this);
    service.close(sessionId, false);
    if (!respond) {
      return;
    }
    JsonArray page = new JsonArray();
    messages.forEach(m -> page.add(MessageJson.of(m, read.format())));
    String next = messages.isEmpty() ? read.from() : messages.get(messages.size() - 1).messageId();
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("messages", page).put("next", next).toBuffer());
  }
}
