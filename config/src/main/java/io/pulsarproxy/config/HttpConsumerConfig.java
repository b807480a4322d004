package io.pulsarproxy.config;

import java.time.Duration;

/**
 * The HTTP consume API: consumer instances polled over HTTP, Server-Sent Events streams and reads. Reloadable: new
 * requests use the new values.
 *
 * @param idleTimeout           {@code httpConsumer.idleTimeout}: a consumer instance without any request for this
 *                              long is closed, and Pulsar redelivers what it had not acknowledged
 * @param maxInstances          {@code httpConsumer.maxInstances}: consumer instances and SSE streams open at once;
 *                              beyond it creating one is answered 503 with {@code Retry-After}
 * @param maxInstancesPerClient {@code httpConsumer.maxInstancesPerClient}: the same, per client (the
 *                              {@code X-Client-Id} header, else the remote address); beyond it 429
 * @param maxWait               {@code httpConsumer.maxWait}: the longest {@code waitMs} of a long poll or read
 * @param maxMessages           {@code httpConsumer.maxMessages}: the largest {@code max} of a poll or read and the
 *                              largest {@code receiverQueueSize}, so the messages one request or instance holds are
 *                              bounded
 * @param sseHeartbeatInterval  {@code httpConsumer.sseHeartbeatInterval}: a comment line on idle SSE streams keeps
 *                              intermediaries from cutting them ({@code 0}: none)
 * @param sseConfirmDelay       {@code httpConsumer.sseConfirmDelay}: with {@code ack=auto}, a message is acknowledged
 *                              once its event was written and the stream stayed healthy this long after (or sooner,
 *                              when a reconnection's {@code Last-Event-ID} covers it)
 * @param sseMaxUnconfirmed     {@code httpConsumer.sseMaxUnconfirmed}: events of one stream written and not confirmed
 *                              yet, at most; at the limit the stream waits for confirmations before delivering more
 */
public record HttpConsumerConfig(
    Duration idleTimeout,
    int maxInstances,
    int maxInstancesPerClient,
    Duration maxWait,
    int maxMessages,
    Duration sseHeartbeatInterval,
    Duration sseConfirmDelay,
    int sseMaxUnconfirmed) {

  public HttpConsumerConfig {
    java.util.Objects.requireNonNull(idleTimeout, "idleTimeout");
    java.util.Objects.requireNonNull(maxWait, "maxWait");
    java.util.Objects.requireNonNull(sseHeartbeatInterval, "sseHeartbeatInterval");
    java.util.Objects.requireNonNull(sseConfirmDelay, "sseConfirmDelay");
  }
}
