package io.pulsarproxy.edge;

import io.pulsarproxy.config.ProxyConfig;
import io.pulsarproxy.core.error.ErrorCode;
import io.pulsarproxy.core.error.ProxyException;
import io.pulsarproxy.metrics.ProxyMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every request body on the edge, within {@code http.maxBodySize} (413) and the {@link MemoryBudget} of
 * in-flight bytes ({@code http.maxInFlightBytes}, 503 with {@code Retry-After}), and hands it to the routes as
 * {@link #body(RoutingContext)}. Routes do not read bodies themselves (no Vert.x {@code BodyHandler}), so that no body
 * is buffered outside the budget.
 *
 * <p>A body with a {@code Content-Length} takes its bytes from the budget before anything is read (a client that sent
 * {@code Expect: 100-continue} is refused before it sends the body), and is read into one buffer of exactly that
 * size. A chunked body takes its bytes chunk by chunk as they arrive, and is refused as soon as the next chunk does not
 * fit. The bytes go back when the request ends: its response sent, the connection closed or reset, a failure answered.
 * The body of a refused request is read and dropped, and the 503 sent once it has all come, so the connection stays
 * usable.
 *
 * <p>Runs on the edge verticle's event loop; one instance serves every request of that verticle.
 */
public final class BoundedBodyHandler implements Handler<RoutingContext> {
  /** Context key of the body read. */
  private static final String BODY = "pulsar-proxy.body";
  /** Chunks of a chunked body are copied into blocks of this size, so that tiny chunks cost no more than their bytes. */
  private static final int BLOCK = 64 * 1024;

  private final MemoryBudget budget;
  private final ProxyMetrics metrics;
  private volatile ProxyConfig config;

  public BoundedBodyHandler(ProxyConfig config, MemoryBudget budget, ProxyMetrics metrics) {
    this.config = config;
    this.budget = budget;
    this.metrics = metrics;
  }

  /** The body of the request, read by this handler; null when the request had none. */
  public static Buffer body(RoutingContext ctx) {
    return ctx.get(BODY);
  }

  /**
   * The body of the request, forgotten by the context: a handler that turned it into something else (parsed
   * messages) calls this so that the raw bytes can be collected while the request waits for its answer.
   */
  public static Buffer takeBody(RoutingContext ctx) {
    return ctx.remove(BODY);
  }

  /** A new valid configuration: later requests use its body size. */
  public void reconfigure(ProxyConfig newConfig) {
    config = newConfig;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long declared = contentLength(request);
    boolean chunked = request.version() == HttpVersion.HTTP_2
        || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
    if (request.canUpgradeToWebSocket() || (declared < 0 && !chunked)) {
      ctx.next();
      return;
    }
    if (request.isEnded()) {
      ctx.fail(new IllegalStateException("the request body was not read before the request ended"));
      return;
    }
    long maxBody = config.http().maxBodyBytes();
    if (declared > maxBody) {
      ctx.fail(413);
      return;
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    boolean expectsContinue = expect != null && expect.equalsIgnoreCase("100-continue")
        && request.version() != HttpVersion.HTTP_1_0;
    Reading reading = new Reading(ctx, maxBody, declared);
    boolean taken = declared < 0 || reading.take(declared);
    request.handler(reading::chunk).endHandler(v -> reading.end()).exceptionHandler(reading::failed).resume();
    if (expectsContinue) {
      if (taken) {
        ctx.response().writeContinue();
      } else {
        // The client waits for our word before it sends the body: refuse now, and it sends nothing.
        reading.refuseNow();
      }
    }
  }

  private static long contentLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null || value.isEmpty()) {
      return -1;
    }
    try {
      long length = Long.parseLong(value.trim());
      return length < 0 ? -1 : length;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** One request's body: what it holds of the budget, and the bytes read so far. */
  private final class Reading {
    private final RoutingContext ctx;
    private final long maxBody;
    private final long declared;
    private final List<Buffer> blocks = new ArrayList<>();
    private Buffer exact;
    private long held;
    private long read;
    /** Set once the request is refused, answered or failed: later chunks are dropped and nothing more is taken. */
    private boolean done;
    /** The refusal to answer once the body has been received (and dropped). */
    private ProxyException refusal;

    Reading(RoutingContext ctx, long maxBody, long declared) {
      this.ctx = ctx;
      this.maxBody = maxBody;
      this.declared = declared;
      // Response sent, connection closed or reset, failure answered: every way a request ends gives the bytes back.
      ctx.addEndHandler(v -> finish());
    }

    /**
     * Takes bytes from the budget; else gives back what the request holds, drops the rest of its body as it comes and
     * answers 503 once the client has sent it all. (Answering in the middle of an upload is legal, but clients that
     * read only after writing, wrk among them, would then wait on the connection for ever.)
     */
    boolean take(long bytes) {
      if (budget.tryAcquire(bytes)) {
        held += bytes;
        return true;
      }
      done = true;
      release();
      exact = null;
      blocks.clear();
      metrics.inFlightBytesExhausted("http");
      metrics.requestRejected(ErrorCode.OVERLOADED.name());
      refusal = new ProxyException(ErrorCode.OVERLOADED, "the request bodies in progress hold the in-flight byte "
          + "budget of " + budget.limit() + " bytes (http.maxInFlightBytes); retry later");
      return false;
    }

    /** Answers the refusal without waiting for the body. */
    void refuseNow() {
      ProxyException answer = refusal;
      refusal = null;
      ErrorResponses.send(ctx, answer);
    }

    void chunk(Buffer chunk) {
      if (done) {
        return;
      }
      read += chunk.length();
      if (read > maxBody) {
        done = true;
        release();
        ctx.fail(413);
        return;
      }
      if (declared >= 0) {
        if (exact == null) {
          exact = Buffer.buffer((int) Math.min(declared, Integer.MAX_VALUE));
        }
        exact.appendBuffer(chunk);
        return;
      }
      if (!take(chunk.length())) {
        return;
      }
      if (chunk.length() >= BLOCK) {
        blocks.add(chunk);
        return;
      }
      Buffer last = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
      if (last == null || last.length() + chunk.length() > BLOCK) {
        last = Buffer.buffer(BLOCK);
        blocks.add(last);
      }
      last.appendBuffer(chunk);
    }

    void end() {
      if (refusal != null) {
        refuseNow();
        return;
      }
      if (done) {
        return;
      }
      Buffer body;
      if (exact != null) {
        body = exact;
      } else if (blocks.size() == 1) {
        body = blocks.get(0);
      } else {
        body = Buffer.buffer((int) read);
        blocks.forEach(body::appendBuffer);
      }
      exact = null;
      blocks.clear();
      ctx.put(BODY, body);
      ctx.next();
    }

    void failed(Throwable error) {
      if (done) {
        return;
      }
      if (error instanceof HttpClosedException || ctx.response().closed()) {
        finish();
        return;
      }
      done = true;
      release();
      ctx.fail(new ProxyException(ErrorCode.BAD_REQUEST, "the request body could not be read: " + error.getMessage()));
    }

    /** The request ended: whatever it holds goes back. */
    void finish() {
      done = true;
      exact = null;
      blocks.clear();
      release();
    }

    private void release() {
      long bytes = held;
      held = 0;
      budget.release(bytes);
    }
  }
}
