package io.pulsarproxy.core.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.pulsar.client.api.PulsarClientException;

/** Maps what the Pulsar client throws to the proxy's error model. */
public final class PulsarErrors {
  private PulsarErrors() {}

  /** Maps a failed send (or anything else) to a {@link ProxyException}; a ProxyException is returned as it is. */
  public static ProxyException map(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ProxyException p) {
      return p;
    }
    return new ProxyException(codeOfChain(t), messageOf(t), java.util.List.of(), t);
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
          "timed out creating the producer: " + messageOf(t), java.util.List.of(), t);
    }
    return map(t);
  }

  static ErrorCode codeOf(Throwable t) {
    if (t instanceof PulsarClientException.ProducerBusyException
        || t instanceof PulsarClientException.ConsumerBusyException
        || t instanceof PulsarClientException.ProducerFencedException
        || t instanceof PulsarClientException.IncompatibleSchemaException) {
      return ErrorCode.CONFLICT;
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

  private static String messageOf(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
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
