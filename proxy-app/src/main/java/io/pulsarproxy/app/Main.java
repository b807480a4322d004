package io.pulsarproxy.app;

import io.pulsarproxy.config.ConfigException;
import io.pulsarproxy.config.ConfigVerticle;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code java -jar pulsar-proxy.jar [--config FILE.yaml]}. Exits 0 after a graceful stop on SIGTERM or SIGINT, 2 when
 * the configuration is invalid, 1 when the proxy cannot start.
 */
@Command(name = "pulsar-proxy", mixinStandardHelpOptions = true,
    description = "HTTP, WebSocket and SSE edge proxy for Apache Pulsar.")
public final class Main implements java.util.concurrent.Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML configuration file (default: $PROXY_CONFIG, else built-in defaults)")
  private Path configFile;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    ProxyApp app;
    try {
      app = ProxyApp.start(ConfigVerticle.fromEnvironment(configFile))
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof ConfigException invalid) {
        System.err.println("Invalid configuration:");
        invalid.problems().forEach(problem -> System.err.println("  " + problem));
        return 2;
      }
      LOG.error("Could not start the proxy: {}", cause.toString());
      return 1;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean once = new AtomicBoolean();
    Runnable shutdown = () -> {
      if (once.compareAndSet(false, true)) {
        app.stop().onComplete(done -> stopped.countDown());
      }
    };
    // Handling the signals ourselves (instead of only a shutdown hook) lets the JVM exit 0 after a graceful stop.
    Signal.handle(new Signal("TERM"), sig -> shutdown.run());
    Signal.handle(new Signal("INT"), sig -> shutdown.run());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown.run();
      awaitQuietly(stopped, app);
    }, "pulsar-proxy-shutdown"));
    stopped.await();
    return 0;
  }

  private static void awaitQuietly(CountDownLatch stopped, ProxyApp app) {
    try {
      stopped.await(app.config().shutdown().timeout().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
