package io.pulsarproxy.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.ClientBuilder;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pulsar standalone broker (broker, bookie and RocksDB metadata store in one JVM) run as a child process of
 * this JVM from the distribution in {@link PulsarDistribution#home()}.
 *
 * <p>Each instance owns a work directory: {@code conf/standalone.conf} (the distribution's, with this instance's
 * ports), {@code data/} (kept across {@link #stop()}/{@link #start()} and across instances on the same directory),
 * {@code logs/pulsar-standalone.log} (the broker's output, appended to on every start) and {@code pulsar.pid}.
 * Only the broker and web ports are chosen by the testkit; the bookie picks a free port on its first start and
 * records it in its data directory, and no functions worker, stream storage or ZooKeeper is started.
 *
 * <p>Every instance still running when the JVM exits is stopped by a shutdown hook (SIGTERM to its process tree,
 * SIGKILL after 20 s). An instance left behind by a JVM that was killed is killed when a new instance starts in
 * the same or a sibling directory.
 *
 * <p>Lifecycle methods block the calling thread (start-up takes seconds) and are serialized per instance.
 */
public final class StandalonePulsar implements PulsarBroker, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandalonePulsar.class);

  static final String HOST = "127.0.0.1";
  private static final String READINESS_TOPIC = "persistent://public/default/testkit-readiness";
  private static final Duration POLL_INTERVAL = Duration.ofMillis(500);
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  private static final Duration SHUTDOWN_HOOK_GRACE = Duration.ofSeconds(20);
  private static final Duration KILL_WAIT = Duration.ofSeconds(15);
  private static final int PORT_ATTEMPTS = 3;
  private static final int LOG_TAIL_LINES = 50;
  /** Starts tried when the bookie's registration churns after start-up. */
  private static final int MAX_START_ATTEMPTS = 3;
  private static final Duration CHURN_WINDOW = Duration.ofSeconds(2);
  private static final int CHURN_EVENTS = 5;

  private static final Set<StandalonePulsar> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(StandalonePulsar::stopAllOnExit, "pulsar-standalone-stop"));
  }

  private final Path home;
  private final Path workDir;
  private final int brokerPort;
  private final int webPort;
  private final Duration startupTimeout;
  /** Token authentication and authorisation, or null for a broker that lets everyone in. */
  private final TokenAuth auth;
  /** TLS on a second broker port, or null. */
  private final BrokerTls tls;
  private final int tlsPort;
  private final LazyAdmin admin;

  private volatile Process process;
  private volatile boolean closed;

  private StandalonePulsar(Path home, Path workDir, int brokerPort, int webPort, Duration startupTimeout,
      TokenAuth auth, BrokerTls tls, int tlsPort) {
    this.home = home;
    this.workDir = workDir;
    this.brokerPort = brokerPort;
    this.webPort = webPort;
    this.startupTimeout = startupTimeout;
    this.auth = auth;
    this.tls = tls;
    this.tlsPort = tlsPort;
    this.admin = new LazyAdmin(adminUrl(), auth == null ? null : auth.adminToken());
  }

  /**
   * Starts a new standalone broker on free ports, using {@code workDir} for its configuration, data and logs,
   * and returns once it is ready (admin API answers, {@code public/default} exists, a message can be produced).
   * The caller closes it. Independent of the broker shared by {@link PulsarExtension}.
   */
  public static StandalonePulsar startNew(Path workDir) {
    return startNew(workDir, 0, 0);
  }

  /**
   * Like {@link #startNew(Path)} on the given ports; {@code 0} means a free port. Data already in
   * {@code workDir/data} is reused, so a second start on the same directory keeps topics and messages.
   */
  public static StandalonePulsar startNew(Path workDir, int brokerPort, int webPort) {
    return startNew(PulsarDistribution.home(), workDir, brokerPort, webPort, Settings.startupTimeout(), null, null);
  }

  /**
   * Like {@link #startNew(Path)}, with token authentication and authorisation on ({@link TokenAuth}). The admin
   * client ({@link #admin()}) and {@link #clientBuilder()} act as {@link TokenAuth#ADMIN_ROLE}.
   */
  public static StandalonePulsar startNew(Path workDir, TokenAuth auth) {
    return startNew(PulsarDistribution.home(), workDir, 0, 0, Settings.startupTimeout(), auth, null);
  }

  /**
   * Like {@link #startNew(Path)}, with TLS on a second broker port ({@link BrokerTls}; {@link #serviceUrlTls()}) and
   * token authentication when {@code auth} is not null. The testkit's own clients keep using the plain port.
   */
  public static StandalonePulsar startNew(Path workDir, TokenAuth auth, BrokerTls tls) {
    return startNew(PulsarDistribution.home(), workDir, 0, 0, Settings.startupTimeout(), auth, tls);
  }

  static StandalonePulsar startNew(Path home, Path workDir, int brokerPort, int webPort, Duration startupTimeout) {
    return startNew(home, workDir, brokerPort, webPort, startupTimeout, null, null);
  }

  private static StandalonePulsar startNew(Path home, Path workDir, int brokerPort, int webPort,
      Duration startupTimeout, TokenAuth auth, BrokerTls tls) {
    Path dir = workDir.toAbsolutePath().normalize();
    prepareWorkDir(dir);
    boolean pickPorts = brokerPort == 0 || webPort == 0;
    for (int attempt = 1; ; attempt++) {
      int[] free = freePorts(3);
      int broker = brokerPort != 0 ? brokerPort : free[0];
      int web = webPort != 0 ? webPort : free[1];
      if (!pickPorts) {
        requireFree(broker, "broker");
        requireFree(web, "web service");
      }
      StandalonePulsar pulsar = new StandalonePulsar(home, dir, broker, web, startupTimeout, auth, tls,
          tls == null ? 0 : free[2]);
      try {
        pulsar.start();
        return pulsar;
      } catch (PortInUseException e) {
        pulsar.closed = true;
        if (!pickPorts || attempt == PORT_ATTEMPTS) {
          throw e;
        }
        LOG.info("Port {} or {} was taken while Pulsar started; trying other ports", broker, web);
      }
    }
  }

  @Override
  public String serviceUrl() {
    return "pulsar://" + HOST + ":" + brokerPort;
  }

  /** {@code pulsar+ssl://127.0.0.1:<TLS port>}; only for a broker started with {@link BrokerTls}. */
  public String serviceUrlTls() {
    if (tls == null) {
      throw new IllegalStateException("This standalone was started without TLS (BrokerTls)");
    }
    return "pulsar+ssl://" + HOST + ":" + tlsPort;
  }

  @Override
  public String adminUrl() {
    return "http://" + HOST + ":" + webPort;
  }

  @Override
  public String webSocketUrl() {
    return "ws://" + HOST + ":" + webPort;
  }

  @Override
  public ClientBuilder clientBuilder() {
    ClientBuilder builder = PulsarBroker.super.clientBuilder();
    return auth == null ? builder : builder.authentication(AuthenticationFactory.token(auth.adminToken()));
  }

  @Override
  public PulsarAdmin admin() {
    return admin.get();
  }

  @Override
  public boolean controllable() {
    return true;
  }

  public int brokerPort() {
    return brokerPort;
  }

  public int webPort() {
    return webPort;
  }

  public Path workDir() {
    return workDir;
  }

  /** The broker's console output, appended to on every start. */
  public Path logFile() {
    return workDir.resolve("logs").resolve("pulsar-standalone.log");
  }

  /** Whether the broker process is alive (it may still be starting or stopping). */
  public boolean isRunning() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /** Completes when the current broker process exits (at once if none is running). */
  public CompletableFuture<Void> onExit() {
    Process current = process;
    return current == null ? CompletableFuture.completedFuture(null) : current.onExit().thenApply(p -> null);
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("This Pulsar standalone has been closed");
    }
    if (isRunning()) {
      return;
    }
    long startedAt = System.nanoTime();
    try {
      writeConfig();
      for (int attempt = 1; ; attempt++) {
        long logStart = logSize();
        launch();
        awaitReady(startedAt + startupTimeout.toNanos());
        if (!bookieRegistrationChurns(logStart) || attempt == MAX_START_ATTEMPTS) {
          break;
        }
        // After a SIGKILL the standalone can come up with its bookie registering and unregistering itself without
        // end: new ledgers then fail now and then ("Not enough non-faulty bookies"). A clean stop and start settles it.
        LOG.warn("Pulsar standalone's bookie keeps re-registering (attempt {}): restarting it cleanly", attempt);
        destroyTree(false);
      }
    } catch (RuntimeException e) {
      destroyTree(true);
      throw e;
    }
    LOG.info("Pulsar standalone ready in {} ms: {} (admin {}, log {})",
        (System.nanoTime() - startedAt) / 1_000_000, serviceUrl(), adminUrl(), logFile());
  }

  @Override
  public synchronized void stop() {
    destroyTree(false);
  }

  @Override
  public synchronized void kill() {
    destroyTree(true);
  }

  /**
   * Freezes the broker (SIGSTOP to its processes): its connections stay open and nothing answers, as with a broker
   * hung or too busy to answer. {@link #resume()} lets it go on.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Lets a {@link #pause() paused} broker go on (SIGCONT). */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    Process current = process;
    if (current == null || !current.isAlive()) {
      throw new IllegalStateException("The Pulsar standalone is not running");
    }
    List<String> command = new ArrayList<>(List.of("kill", "-" + name, Long.toString(current.pid())));
    current.descendants().forEach(p -> command.add(Long.toString(p.pid())));
    try {
      int exit = new ProcessBuilder(command).redirectErrorStream(true).start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while signalling the Pulsar standalone", e);
    }
    LOG.info("Sent SIG{} to Pulsar standalone {} (pid {})", name, serviceUrl(), current.pid());
  }

  /** Stops the broker (SIGTERM, waiting) and releases the admin client. Data and logs stay in the work directory. */
  @Override
  public synchronized void close() {
    closed = true;
    admin.close();
    destroyTree(false);
  }

  @Override
  public String toString() {
    return "Pulsar standalone " + serviceUrl() + " in " + workDir;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private void launch() {
    Path conf = workDir.resolve("conf").resolve("standalone.conf");
    Path data = workDir.resolve("data");
    Path logs = workDir.resolve("logs");
    List<String> command = List.of(
        home.resolve("bin").resolve("pulsar").toString(), "standalone",
        "--no-functions-worker",
        "--no-stream-storage",
        "--advertised-address", HOST,
        "--bookkeeper-dir", data.resolve("bookkeeper").toString(),
        "--metadata-dir", data.resolve("metadata").toString(),
        "--config", conf.toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = builder.environment();
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("PULSAR_MEM", Settings.PULSAR_MEM);
    env.put("PULSAR_GC", Settings.PULSAR_GC);
    env.put("PULSAR_EXTRA_OPTS", Settings.PULSAR_EXTRA_OPTS);
    env.put("PULSAR_LOG_DIR", logs.toString());
    env.put("PULSAR_STANDALONE_CONF", conf.toString());
    try {
      Files.createDirectories(logs);
      Files.writeString(logFile(), "==== " + Instant.now() + " starting: " + String.join(" ", command)
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      LOG.info("Starting Pulsar standalone {} on broker port {}, web port {} in {}",
          PulsarDistribution.version(), brokerPort, webPort, workDir);
      Process started = builder.start();
      process = started;
      LIVE.add(this);
      Files.writeString(pidFile(), started.pid() + " " + ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + command.get(0), e);
    }
  }

  private long logSize() {
    try {
      return Files.exists(logFile()) ? Files.size(logFile()) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the bookie's registration keeps being deleted and created again, read from what the broker logged since
   * {@code logStart}: more than {@value #CHURN_EVENTS} such events within {@link #CHURN_WINDOW} after it was ready.
   */
  private boolean bookieRegistrationChurns(long logStart) {
    long before = registrationEvents(logStart);
    try {
      // Waiting on the process returns at once if it dies; the window is what the count is taken over.
      process.waitFor(CHURN_WINDOW.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while watching Pulsar standalone start", e);
    }
    return registrationEvents(logStart) - before > CHURN_EVENTS;
  }

  private long registrationEvents(long logStart) {
    try (var in = Files.newInputStream(logFile())) {
      in.skipNBytes(Math.min(logStart, Files.size(logFile())));
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> line.contains("PulsarRegistrationClient") && line.contains(" deleted. path: /ledgers/available/"))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void awaitReady(long deadlineNanos) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl() + "/admin/v2/namespaces/public"))
        .timeout(Duration.ofSeconds(5))
        .GET();
    if (auth != null) {
      request.header("Authorization", "Bearer " + auth.adminToken());
    }
    HttpRequest namespaces = request.build();
    boolean adminReady = false;
    String lastProblem = "no answer yet";
    PulsarClient client = null;
    try {
      while (true) {
        Process current = process;
        if (!current.isAlive()) {
          String tail = ProcessTree.tail(logFile(), LOG_TAIL_LINES);
          String message = "Pulsar standalone exited with code " + current.exitValue()
              + " during start-up. Last " + LOG_TAIL_LINES + " lines of " + logFile() + ":\n" + tail;
          if (tail.contains("Address already in use") || tail.contains("BindException")) {
            throw new PortInUseException(message);
          }
          throw new IllegalStateException(message);
        }
        if (System.nanoTime() - deadlineNanos > 0) {
          throw new IllegalStateException("Pulsar standalone not ready within " + startupTimeout.toSeconds()
              + " s (" + lastProblem + "). Last " + LOG_TAIL_LINES + " lines of " + logFile() + ":\n"
              + ProcessTree.tail(logFile(), LOG_TAIL_LINES));
        }
        try {
          if (!adminReady) {
            HttpResponse<String> response = http.send(namespaces, HttpResponse.BodyHandlers.ofString());
            adminReady = response.statusCode() == 200 && response.body().contains("\"public/default\"");
            lastProblem = "GET /admin/v2/namespaces/public: " + response.statusCode() + " " + response.body();
          }
          if (adminReady) {
            if (client == null) {
              client = clientBuilder()
                  .connectionTimeout(3, TimeUnit.SECONDS)
                  .operationTimeout(10, TimeUnit.SECONDS)
                  .build();
            }
            try (Producer<byte[]> producer = client.newProducer()
                .topic(READINESS_TOPIC)
                .sendTimeout(10, TimeUnit.SECONDS)
                .create()) {
              producer.send("ready".getBytes(StandardCharsets.UTF_8));
            }
            return;
          }
        } catch (IOException e) {
          // Also PulsarClientException: the broker is up but not serving yet.
          lastProblem = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Pulsar standalone to start", e);
        }
        // Waiting on the process returns at once if it dies, instead of sleeping through the poll interval.
        try {
          current.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("Interrupted while waiting for Pulsar standalone to start", e);
        }
      }
    } finally {
      if (client != null) {
        // Not waited for: a blocking close spends two seconds in Netty's quiet period.
        client.closeAsync();
      }
    }
  }

  private void destroyTree(boolean force) {
    Process current = process;
    if (current == null) {
      return;
    }
    if (current.isAlive()) {
      LOG.info("{} Pulsar standalone {} (pid {})", force ? "Killing" : "Stopping", serviceUrl(), current.pid());
      boolean exited = force ? ProcessTree.kill(current, KILL_WAIT) : ProcessTree.terminate(current, STOP_GRACE);
      if (!exited) {
        LOG.warn("Pulsar standalone {} (pid {}) or a process it started is still alive after SIGKILL",
            serviceUrl(), current.pid());
      }
    }
    process = null;
    LIVE.remove(this);
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      LOG.debug("Cannot delete {}: {}", pidFile(), e.toString());
    }
  }

  private static void stopAllOnExit() {
    CompletableFuture<?>[] stops = LIVE.stream()
        .map(pulsar -> pulsar.process)
        .filter(p -> p != null && p.isAlive())
        .map(p -> CompletableFuture.runAsync(() -> ProcessTree.terminate(p, SHUTDOWN_HOOK_GRACE)))
        .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(stops).get(SHUTDOWN_HOOK_GRACE.toSeconds() + 20, TimeUnit.SECONDS);
    } catch (Exception e) {
      // The JVM is exiting: nothing left to report to.
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  private Path pidFile() {
    return workDir.resolve("pulsar.pid");
  }

  /** The distribution's standalone.conf with this instance's ports and the settings the proxy's tests rely on. */
  private void writeConfig() {
    Map<String, String> overrides = configOverrides(brokerPort, webPort);
    if (auth != null) {
      overrides.putAll(auth.brokerSettings());
    }
    try {
      String original = Files.readString(home.resolve("conf").resolve("standalone.conf"), StandardCharsets.UTF_8);
      Path conf = workDir.resolve("conf").resolve("standalone.conf");
      Files.createDirectories(conf.getParent());
      if (tls != null) {
        overrides.putAll(tls.brokerSettings(Files.createDirectories(conf.getParent().resolve("tls")), tlsPort, auth));
      }
      Files.writeString(conf, applyOverrides(original, overrides), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the standalone configuration in " + workDir, e);
    }
  }

  static Map<String, String> configOverrides(int brokerPort, int webPort) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("brokerServicePort", Integer.toString(brokerPort));
    overrides.put("webServicePort", Integer.toString(webPort));
    overrides.put("advertisedAddress", HOST);
    overrides.put("webSocketServiceEnabled", "true");
    overrides.put("allowAutoTopicCreation", "true");
    overrides.put("brokerDeleteInactiveTopicsEnabled", "false");
    overrides.put("functionsWorkerEnabled", "false");
    // Tests read topics back with readers, which hold no subscription: without retention a broker may delete a
    // ledger that no subscription needs once it is closed (a restart closes it), and acknowledged messages would
    // look lost.
    overrides.put("defaultRetentionTimeInMinutes", "-1");
    overrides.put("defaultRetentionSizeInMB", "-1");
    return overrides;
  }

  /** Replaces {@code key=...} lines in place, appends keys the file does not have. */
  static String applyOverrides(String original, Map<String, String> overrides) {
    Map<String, String> pending = new LinkedHashMap<>(overrides);
    List<String> lines = new ArrayList<>();
    for (String line : original.split("\r?\n", -1)) {
      int eq = line.indexOf('=');
      String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq).trim() : null;
      if (key != null && overrides.containsKey(key)) {
        lines.add(key + "=" + overrides.get(key));
        pending.remove(key);
      } else {
        lines.add(line);
      }
    }
    StringBuilder result = new StringBuilder(String.join("\n", lines));
    if (result.length() > 0 && result.charAt(result.length() - 1) != '\n') {
      result.append('\n');
    }
    pending.forEach((key, value) -> result.append(key).append('=').append(value).append('\n'));
    return result.toString();
  }

  /**
   * Creates the work directory, and kills a broker left there or in a sibling directory by a JVM that no longer
   * exists (a test JVM killed before its shutdown hook could run).
   */
  private static void prepareWorkDir(Path dir) {
    try {
      Files.createDirectories(dir.resolve("logs"));
      reapOrphan(dir, true);
      Path parent = dir.getParent();
      if (parent != null) {
        try (Stream<Path> siblings = Files.list(parent)) {
          siblings.filter(Files::isDirectory).filter(s -> !s.equals(dir)).forEach(s -> reapOrphan(s, false));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare " + dir, e);
    }
  }

  /** Returns true when {@code dir} holds no broker any more (none, or an orphan that was killed). */
  static boolean reapOrphan(Path dir, boolean mustBeFree) {
    Path pidFile = dir.resolve("pulsar.pid");
    if (!Files.isRegularFile(pidFile)) {
      return true;
    }
    try {
      String[] ids = Files.readString(pidFile).trim().split("\\s+");
      Optional<ProcessHandle> broker = ProcessHandle.of(Long.parseLong(ids[0]));
      boolean ownerAlive = ids.length > 1 && ProcessHandle.of(Long.parseLong(ids[1])).map(ProcessHandle::isAlive)
          .orElse(false);
      boolean brokerAlive = broker.map(ProcessHandle::isAlive).orElse(false)
          && broker.get().info().commandLine().map(cmd -> cmd.contains(dir.toString())).orElse(false);
      if (brokerAlive && ownerAlive) {
        if (mustBeFree) {
          throw new IllegalStateException("A Pulsar standalone (pid " + ids[0] + ") started by process " + ids[1]
              + " is running in " + dir);
        }
        return false;
      }
      if (brokerAlive) {
        LOG.info("Killing Pulsar standalone pid {} left running in {} by a JVM that has exited", ids[0], dir);
        ProcessTree.kill(broker.get(), KILL_WAIT);
      }
      Files.deleteIfExists(pidFile);
      return true;
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalStateException) {
        throw (IllegalStateException) e;
      }
      LOG.debug("Ignoring unreadable {}: {}", pidFile, e.toString());
      return true;
    }
  }

  /** Distinct ports that are free right now, found by binding all of them at once. */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(false);
        socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
        sockets.add(socket);
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find free ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing useful to do
        }
      }
    }
  }

  private static void requireFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
    } catch (IOException e) {
      throw new PortInUseException("The " + what + " port " + port + " is already in use");
    }
  }

  /** Start-up failed because a port was taken. */
  static final class PortInUseException extends IllegalStateException {
    PortInUseException(String message) {
      super(message);
    }
  }
}
