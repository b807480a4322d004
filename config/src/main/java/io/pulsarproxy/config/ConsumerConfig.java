package io.pulsarproxy.config;

/**
 * The consume service. Reloadable.
 *
 * @param maxSessions   {@code consumer.maxSessions}: Pulsar consumers and readers open at once for clients (WebSocket,
 *                      HTTP, SSE); beyond it new sessions are refused with 503
 * @param maxTrackedIds {@code consumer.maxTrackedIds}: per session, ids of delivered, unacknowledged messages kept
 *                      for acknowledgement; older ones are forgotten and their acks decode the id instead
 */
public record ConsumerConfig(int maxSessions, int maxTrackedIds) {}
