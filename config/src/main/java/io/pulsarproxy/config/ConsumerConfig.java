package io.pulsarproxy.config;

import java.time.Duration;

/**
 * The consume service. Reloadable.
 *
 * @param maxSessions   {@code consumer.maxSessions}: Pulsar consumers and readers open at once for clients (WebSocket,
 *                      HTTP, SSE); beyond it new sessions are refused with 503
 * @param maxTrackedIds {@code consumer.maxTrackedIds}: per session, ids of delivered, unacknowledged messages kept
 *                      for acknowledgement; older ones are forgotten and their acks decode the id instead
 * @param ackGroupTime  {@code consumer.ackGroupTime}: how long a Pulsar consumer gathers acknowledgements before it
 *                      sends them; applies to sessions opened after a reload
 */
public record ConsumerConfig(int maxSessions, int maxTrackedIds, Duration ackGroupTime) {}
