package io.pulsarproxy.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * A Vert.x transport whose accepted connections flush at most once per read and once per turn of their event loop:
 * Netty's {@link FlushConsolidationHandler} first in each accepted connection's pipeline.
 *
 * <p>Vert.x flushes every frame or response written on a connection's event loop outside a read at once: one
 * {@code write} system call each (and, on loopback, the receiver's TCP work). A producer socket whose group of frames
 * the broker has acknowledged writes a run of acks, a consumer socket a run of messages; each would be its own call.
 * With the handler, flushes outside a read schedule one flush task on the connection's own event loop, which writes
 * whatever the turn wrote in one call (at most 256 flushes are held); flushes during a read go out when the read is
 * complete. Nothing leaves the event loop: a connection's writes, their order and its write-queue accounting stay
 * Vert.x's (bytes written and not yet flushed count against the write queue, and a connection whose queue fills is
 * flushed at once).
 *
 * <p>Vert.x 5 exposes a connection's pipeline only through its transport SPI: this transport delegates everything to
 * the one Vert.x would pick and adds the handler to every connection its servers accept (before Vert.x sets the
 * connection up). Connections Vert.x opens as a client are left as they are.
 */
public final class FlushConsolidation {
  /** Flushes held at most before one goes out (Netty's default). */
  static final int MAX_HELD_FLUSHES = FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES;

  private FlushConsolidation() {}

  /** Vert.x's NIO transport (what {@code Vertx.builder()} uses unless told otherwise), with flushes consolidated. */
  public static io.vertx.core.transport.Transport nio() {
    return wrap(io.vertx.core.transport.Transport.NIO);
  }

  /** {@code base} with flushes of the connections its servers accept consolidated. */
  public static io.vertx.core.transport.Transport wrap(io.vertx.core.transport.Transport base) {
    Transport implementation = new Consolidating(base.implementation());
    return new io.vertx.core.transport.Transport() {
      @Override
      public String name() {
        return base.name();
      }

      @Override
      public boolean available() {
        return base.available();
      }

      @Override
      public Throwable unavailabilityCause() {
        return base.unavailabilityCause();
      }

      @Override
      public Transport implementation() {
        return implementation;
      }
    };
  }

  /** Adds the handler to each connection a server channel accepts, before the server's own initializer runs. */
  @ChannelHandler.Sharable
  static final class OnAccept extends ChannelInboundHandlerAdapter {
    static final OnAccept INSTANCE = new OnAccept();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel accepted) {
        accepted.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(MAX_HELD_FLUSHES, true));
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Vert.x's transport SPI, delegated, with the server channels' pipelines extended. */
  private record Consolidating(Transport delegate) implements Transport {
    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      ChannelFactory<? extends ServerChannel> factory = delegate.serverChannelFactory(domainSocket);
      return () -> {
        ServerChannel channel = factory.newChannel();
        // Before ServerBootstrap's acceptor, which it adds when the channel is registered.
        channel.pipeline().addLast(OnAccept.INSTANCE);
        return channel;
      };
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return delegate.channelFactory(domainSocket);
    }

    @Override
    public boolean supportsDomainSockets() {
      return delegate.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return delegate.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return delegate.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return delegate.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public SocketAddress convert(java.net.SocketAddress address) {
      return delegate.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return delegate.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory threadFactory, int ioRatio) {
      return delegate.eventLoopGroup(type, threads, threadFactory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return delegate.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return delegate.datagramChannel(family);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      delegate.configure(channel, options);
    }

    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      delegate.configure(options, connectTimeout, domainSocket, bootstrap);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      delegate.configure(options, domainSocket, bootstrap);
    }
  }
}
