package io.pulsarproxy.core.error;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.PulsarClientException;

/**
 * Maps what the Pulsar client throws to the proxy's error model, with a message fit for a client: the broker's own
 * words when it gave some (its {@code errorMsg} when it answered with JSON), never Java exception text.
 */
public final class PulsarErrors {
  private PulsarErrors() {}

  /** {@code "errorMsg":"…"} in a broker's JSON answer that the client passes on as an exception's message. */
  private static final Pattern BROKER_JSON_MESSAGE = Pattern.compile("\"errorMsg\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  /** A Java class name such as {@code java.util.concurrent.CompletionException} or {@code io.netty…}. */
  private static final Pattern JAVA_TEXT = Pattern.compile(
      "\\b(?:[a-z][a-z0-9_]*\\.){2,}[A-Z]\\w*|\\w+(?:Exception|Error)\\b|\\bat [a-z]\\w*\\.");
  private static final int MAX_MESSAGE_LENGTH = 300;

  /** Maps a failed send (or anything else) to a {@link ProxyException}; a ProxyException is returned as it is. */
  public static ProxyException map(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ProxyException p) {
      return p;
    }
    ErrorCode code = codeOfChain(t);
    return new ProxyException(code, clientMessage(code, t), List.of(), t);
  }

  /**
   * What a client is told: for an unreachable broker always the same sentence (the causes are connection details of
   * the proxy's side), otherwise the broker's words when they read as words, else the code's description.
   */
  static String clientMessage(ErrorCode code, Throwable t) {
    if (code == ErrorCode.BROKER_UNAVAILABLE) {
      return "the Pulsar broker is not reachable; retry later";
    }
    if (code == ErrorCode.SCHEMA_INCOMPATIBLE) {
      return schemaReason(t);
    }
    String words = brokerWords(t);
    if (words == null) {
      return lowerFirst(code.description());
    }
    return code == ErrorCode.TOPIC_NOT_FOUND && !words.toLowerCase(java.util.Locale.ROOT).contains("not found")
        ? "not found: " + words
        : words;
  }

  /**
   * The broker's reason for refusing a schema, without the Java class names it is wrapped in (e.g. "Error during
   * schema compatibility check with strategy FULL: …").
   */
  private static String schemaReason(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m == null || m.isBlank()) {
        continue;
      }
      Matcher json = BROKER_JSON_MESSAGE.matcher(m);
      if (json.find()) {
        m = json.group(1).replace("\\\"", "\"");
      }
      m = JAVA_CLASS_PREFIX.matcher(m).replaceAll("").strip();
      int end = m.indexOf('\n');
      m = (end < 0 ? m : m.substring(0, end)).strip();
      if (!m.isEmpty()) {
        m = m.length() > MAX_MESSAGE_LENGTH ? m.substring(0, MAX_MESSAGE_LENGTH) + "…" : m;
        return "the broker refused the schema as incompatible with the topic's: " + m;
      }
    }
    return lowerFirst(ErrorCode.SCHEMA_INCOMPATIBLE.description());
  }

  /** {@code org.apache.avro.SchemaValidationException: } and the like. */
  private static final Pattern JAVA_CLASS_PREFIX = Pattern.compile("(?:[a-z][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*: ");

  /** The first message in the cause chain that is plain words, or null. */
  private static String brokerWords(Throwable t) {
    Throwable current = t;
    for (int depth = 0; current != null && depth < 10; depth++, current = current.getCause()) {
      String m = current.getMessage();
      if (m == null || m.isBlank()) {
        continue;
      }
      Matcher json = BROKER_JSON_MESSAGE.matcher(m);
      if (json.find()) {
        m = json.group(1).replace("\\\"", "\"");
      } else if (m.contains("{")) {
        continue; // other JSON or a Java object's text
      }
      m = m.strip();
      if (!m.isEmpty() && !JAVA_TEXT.matcher(m).find()) {
        return m.length() > MAX_MESSAGE_LENGTH ? m.substring(0, MAX_MESSAGE_LENGTH) + "…" : m;
      }
    }
    return null;
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  /** The code of the first exception in the cause chain that says more than "internal error". */
  private static ErrorCode codeOfChain(Throwable t) {
    Throwable current = t;
    for (int depth = 0; current != null && depth < 10; depth++, current = current.getCause()) {
      ErrorCode code = codeOf(current);
      if (code != ErrorCode.INTERNAL_ERROR) {
        return code;
      }
    }
    return ErrorCode.INTERNAL_ERROR;
  }

  /**
   * Maps a failure to create a producer. A timeout there means the broker could not be reached or looked up in time
   * (503, retry later), unlike a send timeout (504).
   */
  public static ProxyException mapCreation(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof PulsarClientException.TimeoutException) {
      return new ProxyException(ErrorCode.BROKER_UNAVAILABLE,
          "the Pulsar broker did not answer in time; retry later", List.of(), t);
    }
    return map(t);
  }

  static ErrorCode codeOf(Throwable t) {
    if (t instanceof PulsarClientException.ProducerBusyException
        || t instanceof PulsarClientException.ConsumerBusyException
        || t instanceof PulsarClientException.ProducerFencedException) {
      return ErrorCode.CONFLICT;
    }
    if (t instanceof PulsarClientException.IncompatibleSchemaException) {
      return ErrorCode.SCHEMA_INCOMPATIBLE;
    }
    if (t instanceof PulsarClientException.TopicDoesNotExistException
        || t instanceof PulsarClientException.NotFoundException) {
      return ErrorCode.TOPIC_NOT_FOUND;
    }
    if (t instanceof PulsarClientException.InvalidTopicNameException) {
      return ErrorCode.INVALID_TOPIC;
    }
    if (t instanceof PulsarClientException.InvalidConfigurationException) {
      return ErrorCode.BAD_REQUEST;
    }
    if (t instanceof PulsarClientException.SubscriptionNotFoundException) {
      return ErrorCode.NOT_FOUND;
    }
    if (t instanceof PulsarClientException.AuthenticationException) {
      return ErrorCode.UNAUTHENTICATED;
    }
    if (t instanceof PulsarClientException.AuthorizationException
        || t instanceof PulsarClientException.NotAllowedException) {
      return ErrorCode.FORBIDDEN;
    }
    if (t instanceof PulsarClientException.ProducerQueueIsFullError
        || t instanceof PulsarClientException.MemoryBufferIsFullError) {
      return ErrorCode.PRODUCER_QUEUE_FULL;
    }
    if (t instanceof PulsarClientException.ProducerBlockedQuotaExceededError
        || t instanceof PulsarClientException.ProducerBlockedQuotaExceededException) {
      return ErrorCode.QUOTA_EXCEEDED;
    }
    if (t instanceof PulsarClientException.TopicTerminatedException) {
      return ErrorCode.TOPIC_TERMINATED;
    }
    if (t instanceof PulsarClientException.TooManyRequestsException) {
      return ErrorCode.TOO_MANY_REQUESTS;
    }
    if (t instanceof PulsarClientException.TimeoutException) {
      return ErrorCode.TIMEOUT;
    }
    if (t instanceof PulsarClientException.InvalidMessageException) {
      return ErrorCode.PAYLOAD_TOO_LARGE;
    }
    if (t instanceof PulsarClientException.ConnectException
        || t instanceof PulsarClientException.LookupException
        || t instanceof PulsarClientException.NotConnectedException
        || t instanceof PulsarClientException.AlreadyClosedException
        || t instanceof PulsarClientException.ServiceNotReadyException
        || t instanceof PulsarClientException.BrokerPersistenceException
        || t instanceof PulsarClientException.BrokerMetadataException
        || t instanceof PulsarClientException.TopicMigrationException
        || t instanceof java.net.ConnectException
        || t instanceof java.nio.channels.ClosedChannelException) {
      return ErrorCode.BROKER_UNAVAILABLE;
    }
    return ErrorCode.INTERNAL_ERROR;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable current = t;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
