package io.pulsarproxy.core.consume;

/** What a session opens on the Pulsar side: a subscription ({@link ConsumerSpec}) or a reader ({@link ReaderSpec}). */
public sealed interface SessionSpec permits ConsumerSpec, ReaderSpec {
  /** Window of messages Pulsar may prefetch for this session; also what the edges use as push window. */
  int receiverQueueSize();
}
