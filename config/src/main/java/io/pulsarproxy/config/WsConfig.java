package io.pulsarproxy.config;

import java.time.Duration;

/**
 * The WebSocket API (Pulsar's protocol). Reloadable for new sockets.
 *
 * @param maxSockets             {@code ws.maxSockets}: sockets open at once; the handshake beyond it is answered 503
 * @param maxFrameBytes          {@code ws.maxFrameSize}: larger text frames close the socket with 1009
 * @param idleTimeout            {@code ws.idleTimeout}: a socket with no frame either way for this long is closed
 *                               ({@code 0}: never)
 * @param pingInterval           {@code ws.pingInterval}: server pings keep intermediaries from cutting idle sockets
 *                               ({@code 0}: none)
 * @param maxInFlightPerProducer {@code ws.maxInFlightPerProducer}: sends of one producer socket awaiting the broker
 *                               or the writing of their ack; at it the proxy stops reading the socket until acks free
 *                               room (nothing is refused)
 * @param forwardClientTokens    {@code ws.forwardClientTokens}: pass the client's token ({@code Authorization: Bearer}
 *                               or {@code ?token=}) on to the broker instead of the proxy's own credentials
 * @param maxTokenClients        {@code ws.maxTokenClients}: Pulsar clients kept for forwarded tokens (one per distinct
 *                               token); a handshake with a new token beyond it, while every one is in use, is
 *                               answered 503
 * @param tokenClientIdleTimeout {@code ws.tokenClientIdleTimeout}: a token's client unused for this long is closed
 */
public record WsConfig(
    int maxSockets,
    long maxFrameBytes,
    Duration idleTimeout,
    Duration pingInterval,
    int maxInFlightPerProducer,
    boolean forwardClientTokens,
    int maxTokenClients,
    Duration tokenClientIdleTimeout) {}
