package io.pulsarproxy.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Ports for settings that name a port up front (a cluster's member list), where binding port 0 is not possible.
 *
 * <p>A port found free by binding port 0 comes from the kernel's ephemeral range, which the machine's outgoing
 * connections draw from too: between the test closing its probe and the process binding the port, another test's
 * connection (or another test JVM's probe) could take it. These ports come from below that range (15000–30999),
 * a slice of 4000 per test JVM ({@code testkit.forkNumber}, which the build sets from Surefire's fork number), handed
 * out in turn within the slice and checked free by binding each.
 */
public final class Ports {
  private static final int FIRST = 15_000;
  private static final int PER_FORK = 4_000;
  private static final int SLICES = 4;
  private static int next;

  private Ports() {}

  /** A port of this JVM's slice that nothing listens on now and that this JVM has not handed out before. */
  public static synchronized int free() {
    int base = FIRST + (forkNumber() - 1) % SLICES * PER_FORK;
    for (int tried = 0; tried < PER_FORK; tried++) {
      int port = base + next++ % PER_FORK;
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("No free port in " + base + "–" + (base + PER_FORK - 1));
  }

  private static int forkNumber() {
    try {
      return Math.max(1, Integer.parseInt(System.getProperty("testkit.forkNumber", "1").trim()));
    } catch (NumberFormatException unresolved) {
      return 1; // run outside Maven's forks
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
