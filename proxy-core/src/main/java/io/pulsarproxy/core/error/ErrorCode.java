package io.pulsarproxy.core.error;

/**
 * The one error model of the proxy. Every failure a client can see is one of these codes; the edges turn it into an
 * HTTP status with the JSON error envelope, or a WebSocket {@code send-error:N} result.
 */
public enum ErrorCode {
  BAD_REQUEST(400, "send-error:7", 0, "The request is malformed or has invalid values"),
  SCHEMA_MISMATCH(400, "send-error:7", 0, "A JSON value does not fit the topic's schema"),
  INVALID_TOPIC(400, "send-error:7", 0, "The topic name is invalid"),
  UNAUTHENTICATED(401, "send-error:8", 0, "Missing or invalid credentials"),
  FORBIDDEN(403, "send-error:8", 0, "Not authorised for this topic"),
  NOT_FOUND(404, "send-error:8", 0, "No such resource"),
  SCHEMA_NOT_FOUND(404, "send-error:8", 0, "The topic has no schema, or not that version"),
  TOPIC_NOT_FOUND(404, "send-error:8", 0, "The topic does not exist and the broker does not create topics automatically"),
  METHOD_NOT_ALLOWED(405, "send-error:8", 0, "Method not allowed on this resource"),
  CONFLICT(409, "send-error:8", 0, "The producer name is taken or the producer was fenced"),
  SCHEMA_INCOMPATIBLE(409, "send-error:8", 0, "The schema is not compatible with the topic's schema"),
  PAYLOAD_TOO_LARGE(413, "send-error:7", 0, "The body or a message is larger than the configured or broker limit"),
  UNSUPPORTED_MEDIA_TYPE(415, "send-error:7", 0, "Unsupported content type"),
  IDEMPOTENCY_KEY_REUSED(422, "send-error:7", 0, "The Idempotency-Key was already used for a different request"),
  TOO_MANY_REQUESTS(429, "send-error:8", 1, "The broker asks to slow down"),
  INTERNAL_ERROR(500, "send-error:8", 0, "Unexpected error in the proxy"),
  BROKER_UNAVAILABLE(503, "send-error:8", 5, "The Pulsar broker is not reachable"),
  PRODUCER_QUEUE_FULL(503, "send-error:8", 1, "The producer's pending queue or the client's memory limit is full"),
  TOO_MANY_PRODUCERS(503, "send-error:8", 5, "The producer cache is full of busy producers"),
  OVERLOADED(503, "send-error:8", 1, "Too many requests in progress"),
  QUOTA_EXCEEDED(503, "send-error:8", 5, "The topic's backlog quota is exceeded"),
  TOPIC_TERMINATED(503, "send-error:8", 0, "The topic is terminated"),
  SHUTTING_DOWN(503, "send-error:8", 5, "The proxy is shutting down"),
  INSTANCE_MOVING(503, "send-error:8", 1, "The consumer instance is moving to another node of the cluster"),
  TIMEOUT(504, "send-error:8", 0, "The broker did not acknowledge in time");

  private final int httpStatus;
  private final String wsResult;
  private final int retryAfterSeconds;
  private final String description;

  ErrorCode(int httpStatus, String wsResult, int retryAfterSeconds, String description) {
    this.httpStatus = httpStatus;
    this.wsResult = wsResult;
    this.retryAfterSeconds = retryAfterSeconds;
    this.description = description;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The {@code result} field of a Pulsar WebSocket producer ack for this failure. */
  public String wsResult() {
    return wsResult;
  }

  /** Seconds for a {@code Retry-After} header, or 0 when retrying the same request cannot help. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public String description() {
    return description;
  }
}
