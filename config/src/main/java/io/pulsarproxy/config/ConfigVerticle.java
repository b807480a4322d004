package io.pulsarproxy.config;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the configuration at runtime: loads it when deployed, applies the log levels, and reloads it when the YAML file
 * changes.
 *
 * <p>Deploy it first, and read {@link #current()} once the deployment succeeded:
 * <pre>{@code
 * ConfigVerticle configVerticle = ConfigVerticle.fromEnvironment(pathFromCommandLineOrNull);
 * vertx.deployVerticle(configVerticle)
 *     .onSuccess(id -> deployTheRest(configVerticle.current()))
 *     .onFailure(err -> exit(err.getMessage()));   // a ConfigException lists every problem
 * }</pre>
 * The deployment fails with a {@link ConfigException} when the file cannot be read or the configuration is invalid.
 *
 * <p>Reload: every scan period the file is read (asynchronously) and compared with the content seen last. A changed
 * content that yields a valid configuration different from the running one replaces it, applies the log levels and is
 * published on {@link Addresses#CONFIG_CHANGED} (local only; the body is the new {@link ProxyConfig}). Each verticle
 * applies what concerns it, and ignores what it cannot change without a restart. A changed content that is invalid, or
 * a file that cannot be read, is logged once as a WARN line and the running configuration stays. Environment variables
 * and system properties are those given at construction; they keep overriding the file after a reload. Replace the
 * file atomically (write elsewhere, then rename) to never have a half-written file read; if it is read anyway, the
 * next scan picks up the complete file.
 *
 * <p>The file is watched here rather than with a vertx-config {@code ConfigRetriever}, whose scan logs a failed parse
 * at ERROR on every period and gives no way to warn once about an invalid file.
 */
public final class ConfigVerticle extends VerticleBase {
  /** Environment variable naming the config file when none is given explicitly. */
  public static final String CONFIG_FILE_ENV = "PROXY_CONFIG";
  /** How often the file is checked for changes unless told otherwise. */
  public static final Duration DEFAULT_SCAN_PERIOD = Duration.ofSeconds(1);

  private static final Logger LOG = LoggerFactory.getLogger(ConfigVerticle.class);

  private final Path file;
  private final Map<String, String> env;
  private final Properties systemProperties;
  private final Duration scanPeriod;
  private final LogLevels logLevels = new LogLevels();

  private volatile ProxyConfig current;

  // Event-loop state (this verticle's context only).
  private Buffer lastContent;
  private String lastReadFailure;
  private long timerId = -1;
  private boolean scanning;
  private boolean stopped;

  /**
   * @param file             the YAML file, or {@code null} to run on defaults, environment and system properties only
   *                         (nothing is watched then)
   * @param env              environment variables (copied), e.g. {@code System.getenv()}
   * @param systemProperties system properties (copied), e.g. {@code System.getProperties()}
   */
  public ConfigVerticle(Path file, Map<String, String> env, Properties systemProperties) {
    this(file, env, systemProperties, DEFAULT_SCAN_PERIOD);
  }

  /** Same as {@link #ConfigVerticle(Path, Map, Properties)}, checking the file every {@code scanPeriod}. */
  public ConfigVerticle(Path file, Map<String, String> env, Properties systemProperties, Duration scanPeriod) {
    this.file = file;
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.systemProperties = new Properties();
    Objects.requireNonNull(systemProperties, "systemProperties").stringPropertyNames()
        .forEach(name -> this.systemProperties.setProperty(name, systemProperties.getProperty(name)));
    if (scanPeriod.toMillis() < 1) {
      throw new IllegalArgumentException("scanPeriod must be at least 1ms: " + scanPeriod);
    }
    this.scanPeriod = scanPeriod;
  }

  /**
   * A ConfigVerticle reading this process' environment and system properties, with the file resolved by
   * {@link #resolveConfigFile(Path, Map)}.
   *
   * @param fileOrNull the file given on the command line, if any
   */
  public static ConfigVerticle fromEnvironment(Path fileOrNull) {
    Map<String, String> env = System.getenv();
    return new ConfigVerticle(resolveConfigFile(fileOrNull, env), env, System.getProperties());
  }

  /**
   * The config file to use: {@code explicit} if not {@code null}, else the path in {@link #CONFIG_FILE_ENV} if set and
   * not blank, else {@code null} (no file).
   */
  public static Path resolveConfigFile(Path explicit, Map<String, String> env) {
    if (explicit != null) {
      return explicit;
    }
    String fromEnv = env.get(CONFIG_FILE_ENV);
    return fromEnv == null || fromEnv.isBlank() ? null : Path.of(fromEnv.trim());
  }

  /**
   * The running configuration. Thread-safe: may be read from any thread once the deployment has succeeded; a reload
   * replaces the instance, so hold on to one instance for a consistent view.
   *
   * @throws IllegalStateException before the verticle has started
   */
  public ProxyConfig current() {
    ProxyConfig config = current;
    if (config == null) {
      throw new IllegalStateException("the ConfigVerticle has not started");
    }
    return config;
  }

  /** The watched file, or {@code null} when there is none. */
  public Path file() {
    return file;
  }

  @Override
  public Future<?> start() {
    ProxyConfigCodec.register(vertx);
    ConfigLoader.unrecognizedOverrides(env, systemProperties).forEach(name ->
        LOG.warn("ignoring {}: it sets no configuration key (see the configuration reference)", name));
    Future<Buffer> content = file == null ? Future.succeededFuture() : vertx.fileSystem().readFile(file.toString())
        .recover(err -> Future.failedFuture(new ConfigException(List.of(ConfigLoader.unreadable(file, err)))));
    return content.compose(text -> build(text).onSuccess(config -> {
      lastContent = text;
      current = config;
      logLevels.apply(config.log());
      LOG.info("configuration loaded from {}: {}", describeSources(), config);
      if (file != null) {
        timerId = vertx.setPeriodic(scanPeriod.toMillis(), id -> scan());
      }
    }));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
    }
    return Future.succeededFuture();
  }

  /** Parses and validates off the event loop; completes on this verticle's context. */
  private Future<ProxyConfig> build(Buffer content) {
    return vertx.executeBlocking(() -> {
      JsonObject yaml = content == null ? null
          : ConfigLoader.parseYaml(content.toString(StandardCharsets.UTF_8), ConfigLoader.fileSource(file));
      ProxyConfig built = ConfigLoader.build(ConfigLoader.merge(yaml, env, systemProperties));
      if (yaml != null) {
        // A value in the file that the environment or a system property replaces is easy to miss: say so.
        ConfigLoader.overriddenInFile(yaml, env, systemProperties).forEach((key, source) ->
            LOG.info("{} in {} is overridden by {}", key, file, source));
      }
      return built;
    }, false);
  }

  private void scan() {
    if (scanning || stopped) {
      return;
    }
    scanning = true;
    vertx.fileSystem().readFile(file.toString())
        .transform(read -> read.succeeded() ? onContent(read.result()) : onReadFailure(read.cause()))
        .onComplete(done -> scanning = false);
  }

  private Future<Void> onReadFailure(Throwable failure) {
    String reason = ConfigLoader.unreadable(file, failure);
    if (!reason.equals(lastReadFailure)) {
      lastReadFailure = reason;
      LOG.warn("{}; keeping the running configuration", reason);
    }
    // Forget the content: when the file comes back, it is loaded even if it is the same as before.
    lastContent = null;
    return Future.succeededFuture();
  }

  private Future<Void> onContent(Buffer content) {
    lastReadFailure = null;
    if (content.equals(lastContent)) {
      return Future.succeededFuture();
    }
    lastContent = content;
    return build(content).transform(built -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      if (built.failed()) {
        Throwable err = built.cause();
        String problems = err instanceof ConfigException e ? String.join("; ", e.problems()) : err.toString();
        LOG.warn("{} changed but is not valid, keeping the running configuration: {}",
            ConfigLoader.fileSource(file), problems);
        vertx.eventBus().publish(Addresses.CONFIG_REJECTED, problems, new DeliveryOptions().setLocalOnly(true));
      } else {
        replace(built.result());
      }
      return Future.succeededFuture();
    });
  }

  private void replace(ProxyConfig next) {
    ProxyConfig previous = current;
    if (next.equals(previous)) {
      LOG.debug("{} changed, the effective configuration did not", ConfigLoader.fileSource(file));
      return;
    }
    current = next;
    logLevels.apply(next.log());
    LOG.info("configuration reloaded from {}, changed sections {}: {}",
        ConfigLoader.fileSource(file), changedSections(previous, next), next);
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, next, new DeliveryOptions().setLocalOnly(true));
  }

  private static List<String> changedSections(ProxyConfig a, ProxyConfig b) {
    List<String> changed = new ArrayList<>();
    for (java.lang.reflect.RecordComponent section : ProxyConfig.class.getRecordComponents()) {
      try {
        if (!section.getAccessor().invoke(a).equals(section.getAccessor().invoke(b))) {
          changed.add(section.getName());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return changed;
  }

  private String describeSources() {
    return (file == null ? "defaults (no config file)" : ConfigLoader.fileSource(file))
        + ", environment and system properties";
  }
}
