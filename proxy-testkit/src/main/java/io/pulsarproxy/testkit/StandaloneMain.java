package io.pulsarproxy.testkit;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one Pulsar standalone in the foreground until SIGTERM / SIGINT, then stops it.
 *
 * <pre>
 * java -cp ... io.pulsarproxy.testkit.StandaloneMain [--broker-port 6650] [--web-port 8080] [--data-dir DIR]
 * </pre>
 * Each option can also be given as a system property ({@code -Dbroker-port=6650}). Ports default to 6650 and
 * 8080; {@code 0} picks a free port. The directory (default {@code ~/.cache/pulsar-proxy/standalone}) holds the
 * configuration, data and logs, and is reused by the next run. Exits with 1 if Pulsar stops on its own.
 */
public final class StandaloneMain {

  private StandaloneMain() {
  }

  public static void main(String[] args) {
    int brokerPort = Integer.parseInt(option(args, "broker-port", "6650"));
    int webPort = Integer.parseInt(option(args, "web-port", "8080"));
    Path dir = Path.of(option(args, "data-dir", Settings.cacheDir().resolve("standalone").toString()));

    StandalonePulsar pulsar = StandalonePulsar.startNew(dir, brokerPort, webPort);
    AtomicBoolean shuttingDown = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shuttingDown.set(true);
      pulsar.close();
    }, "standalone-main-stop"));
    System.out.println("Pulsar standalone ready: " + pulsar.serviceUrl() + "  admin " + pulsar.adminUrl()
        + "  websocket " + pulsar.webSocketUrl() + "  log " + pulsar.logFile());
    pulsar.onExit().join();
    if (!shuttingDown.get()) {
      System.err.println("Pulsar standalone exited on its own; see " + pulsar.logFile());
      System.exit(1);
    }
  }

  private static String option(String[] args, String name, String defaultValue) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--" + name)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        return args[i + 1];
      }
      if (args[i].startsWith("--" + name + "=")) {
        return args[i].substring(name.length() + 3);
      }
    }
    return System.getProperty(name, defaultValue);
  }
}
