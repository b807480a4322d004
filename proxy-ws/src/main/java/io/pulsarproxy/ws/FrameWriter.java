package io.pulsarproxy.ws;

import io.vertx.core.http.ServerWebSocket;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes runs of text frames to sockets from its own thread, so that each run costs one flush.
 *
 * <p>Vert.x flushes a frame written on the socket's event loop outside a read at once: one {@code write} system call
 * (and, on loopback, the receiver's TCP work) per frame. A producer socket answering a group of frames wrote its acks
 * one call each: 83,000 calls a second at 67,000 msg/s, a third of the proxy's CPU. Frames written from another
 * thread are queued and written by the event loop in one go with one flush, so a run handed over here costs one call.
 *
 * <p>Order: runs are written in the order they were handed over (one thread), and a session that has frames here
 * routes everything it writes through here until they are written ({@link SocketSession}), so a socket's frames never
 * overtake each other. Bounded by the sessions: a producer counts its frames still here against its in-flight window,
 * so this queue holds at most the windows of the open sockets. The thread ends when idle and when the server stops.
 */
final class FrameWriter {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private final ThreadPoolExecutor thread;

  FrameWriter() {
    thread = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread t = new Thread(task, "pulsar-proxy-ws-writer-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    thread.allowCoreThreadTimeOut(true);
  }

  /**
   * Writes the frames, then runs {@code after} (on this writer's thread).
   *
   * @return false when the writer has stopped (the caller writes them itself)
   */
  boolean write(ServerWebSocket socket, List<String> frames, Runnable after) {
    try {
      thread.execute(() -> {
        try {
          for (String frame : frames) {
            socket.writeTextMessage(frame);
          }
        } finally {
          after.run();
        }
      });
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Runs a task after everything handed over so far; false when the writer has stopped. */
  boolean then(Runnable task) {
    try {
      thread.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Writes what it holds and stops. */
  void stop() {
    thread.shutdown();
  }
}
