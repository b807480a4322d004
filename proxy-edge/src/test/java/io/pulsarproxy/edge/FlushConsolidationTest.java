package io.pulsarproxy.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.spi.transport.Transport;
import io.vertx.junit5.VertxTestContext;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FlushConsolidationTest {

  @Test
  void serverChannelsHandTheHandlerToEveryConnectionTheyAccept() {
    ServerChannel server = FlushConsolidation.nio().implementation().serverChannelFactory(false).newChannel();
    try {
      assertThat(server.pipeline().get(FlushConsolidation.OnAccept.class)).isNotNull();
    } finally {
      server.unsafe().closeForcibly();
    }
    EmbeddedChannel acceptor = new EmbeddedChannel(FlushConsolidation.OnAccept.INSTANCE);
    EmbeddedChannel accepted = new EmbeddedChannel();
    acceptor.writeInbound(accepted);
    assertThat((Object) acceptor.readInbound()).isSameAs(accepted); // handed on to the server's acceptor
    assertThat(accepted.pipeline().first()).isInstanceOf(FlushConsolidationHandler.class);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void writesOutsideAReadLeaveWithOneFlushAtTheEndOfTheTurn() throws Exception {
    Transport transport = FlushConsolidation.nio().implementation();
    EventLoopGroup loop = transport.eventLoopGroup(Transport.IO_EVENT_LOOP_GROUP, 1,
        Executors.defaultThreadFactory(), 50);
    AtomicInteger flushes = new AtomicInteger();
    CompletableFuture<Channel> accepted = new CompletableFuture<>();
    try {
      Channel server = new ServerBootstrap().group(loop)
          .channelFactory(transport.serverChannelFactory(false))
          .childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
              // Next to the network, below the consolidation: counts the flushes that reach the socket.
              channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                  flushes.incrementAndGet();
                  ctx.flush();
                }
              });
              accepted.complete(channel);
            }
          })
          .bind("127.0.0.1", 0).sync().channel();
      int port = ((InetSocketAddress) server.localAddress()).getPort();
      try (Socket client = new Socket("127.0.0.1", port)) {
        Channel connection = accepted.get(30, TimeUnit.SECONDS);
        int flushedDuringTheTurn = connection.eventLoop().submit(() -> {
          for (int i = 1; i <= 3; i++) {
            connection.writeAndFlush(Unpooled.copiedBuffer("ack-" + i + "\n", StandardCharsets.US_ASCII));
          }
          return flushes.get();
        }).get(30, TimeUnit.SECONDS);
        byte[] received = client.getInputStream().readNBytes(18);
        assertThat(flushedDuringTheTurn).isZero();
        assertThat(new String(received, StandardCharsets.US_ASCII)).isEqualTo("ack-1\nack-2\nack-3\n");
        assertThat(flushes.get()).isEqualTo(1);
      }
      server.close().sync();
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aWebSocketGetsEveryFrameInOrderAndTheCloseAfterThem() throws Throwable {
    Vertx vertx = Vertx.builder().withTransport(FlushConsolidation.nio()).build();
    VertxTestContext ctx = new VertxTestContext();
    int frames = 500;
    try {
      HttpServer server = vertx.createHttpServer().webSocketHandler(socket ->
          // Outside the read of the handshake, as acks and deliveries are written.
          vertx.setTimer(10, t -> {
            for (int i = 0; i < frames; i++) {
              socket.writeTextMessage("frame-" + i);
            }
            socket.close((short) 1000, "done");
          }));
      int port = server.listen(0, "127.0.0.1").await().actualPort();
      WebSocketClient client = vertx.createWebSocketClient();
      List<String> received = new ArrayList<>();
      client.webSocket()
          .textMessageHandler(received::add)
          .closeHandler(v -> ctx.verify(() -> {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
              expected.add("frame-" + i);
            }
            assertThat(received).isEqualTo(expected);
            ctx.completeNow();
          }))
          .connect(port, "127.0.0.1", "/")
          .onFailure(ctx::failNow);
      assertThat(ctx.awaitCompletion(50, TimeUnit.SECONDS)).isTrue();
      if (ctx.failed()) {
        throw ctx.causeOfFailure();
      }
      client.close().await();
    } finally {
      vertx.close().await();
    }
  }
}
