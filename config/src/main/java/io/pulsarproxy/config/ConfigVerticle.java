package io.pulsarproxy.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>The sources are read through a vertx-config {@link ConfigRetriever}: the file (format {@link YamlFileProcessor}),
 * the environment variables and the system properties that set keys. Every scan period the retriever reads them again;
 * when what it read changed and yields a valid configuration different from the running one, that replaces it,
 * applies the log levels and is published on {@link Addresses#CONFIG_CHANGED} (local only; the body is the new
 * {@link ProxyConfig}). Each verticle applies what concerns it; a changed key declared
 * {@link ConfigKey#restart() restart-only} is named in a WARN line here. A change that is invalid, or a file that
 * cannot be read, is logged once as a WARN line and the running configuration stays. Environment variables and
 * system properties are those of the process (or those given to the constructor); they keep overriding the file
 * after a reload. Replace the file atomically (write elsewhere, then rename) to never have a half-written file read;
 * if it is read anyway, the next scan picks up the complete file.
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
  /** Read the process' own environment and system properties with vertx-config's env and sys stores. */
  private final boolean processSources;
  private final Duration scanPeriod;
  private final LogLevels logLevels = new LogLevels();

  private volatile ProxyConfig current;

  // Event-loop state (this verticle's context only).
  private ConfigRetriever retriever;
  private Loaded running;
  private String lastFailure;
  private Future<Void> applying;
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
    this(file, env, systemProperties, scanPeriod, false);
  }

  private ConfigVerticle(Path file, Map<String, String> env, Properties systemProperties, Duration scanPeriod,
      boolean processSources) {
    this.file = file;
    this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
    this.systemProperties = new Properties();
    Objects.requireNonNull(systemProperties, "systemProperties").stringPropertyNames()
        .forEach(name -> this.systemProperties.setProperty(name, systemProperties.getProperty(name)));
    if (scanPeriod.toMillis() < 1) {
      throw new IllegalArgumentException("scanPeriod must be at least 1ms: " + scanPeriod);
    }
    this.scanPeriod = scanPeriod;
    this.processSources = processSources;
  }

  /**
   * A ConfigVerticle reading this process' environment and system properties, with the file resolved by
   * {@link #resolveConfigFile(Path, Map)}.
   *
   * @param fileOrNull the file given on the command line, if any
   */
  public static ConfigVerticle fromEnvironment(Path fileOrNull) {
    Map<String, String> env = System.getenv();
    return new ConfigVerticle(resolveConfigFile(fileOrNull, env), env, System.getProperties(), DEFAULT_SCAN_PERIOD,
        true);
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

  /**
   * Reads the configuration once from the same sources, without deploying: for what must be known before Vert.x
   * exists (whether it runs clustered, and how). Blocking (reads the file): not on an event loop.
   *
   * @throws ConfigException when the file cannot be read or the configuration is invalid
   */
  public ProxyConfig readNow() {
    return ConfigLoader.load(file, env, systemProperties);
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
    retriever = ConfigRetriever.create(vertx, retrieverOptions());
    // Changes seen while the first load is still being built are applied after it, in the order they were seen.
    Promise<Void> started = Promise.promise();
    applying = started.future();
    retriever.listen(change -> {
      JsonObject sources = change.getNewConfiguration();
      applying = applying.transform(done -> onChange(sources));
    });
    return retriever.getConfig().compose(this::load).onSuccess(loaded -> {
      running = loaded;
      current = loaded.config();
      logLevels.apply(loaded.config().log());
      LOG.info("configuration loaded from {}: {}", describeSources(), loaded.config());
      started.complete();
    }).onFailure(err -> retriever.close());
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    return retriever == null ? Future.succeededFuture() : retriever.close();
  }

  private ConfigRetrieverOptions retrieverOptions() {
    // Without a file there is nothing that could change: no scans.
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .setScanPeriod(file == null ? 0 : scanPeriod.toMillis());
    if (file != null) {
      // Optional: a file that cannot be read leaves its entry out (see load) instead of failing every scan.
      options.addStore(new ConfigStoreOptions().setType("file").setFormat(YamlFileProcessor.NAME).setOptional(true)
          .setConfig(new JsonObject().put("path", file.toString())));
    }
    List<String> envNames = ConfigKeys.ALL.stream().filter(ConfigKey::overridable).map(ConfigKey::envVar).toList();
    if (processSources) {
      options.addStore(new ConfigStoreOptions().setType("env")
          .setConfig(new JsonObject().put("raw-data", true).put("keys", new JsonArray(envNames))));
      options.addStore(new ConfigStoreOptions().setType("sys").setConfig(new JsonObject().put("raw-data", true)));
    } else {
      JsonObject given = new JsonObject();
      env.forEach((name, value) -> {
        if (envNames.contains(name)) {
          given.put(name, value);
        }
      });
      systemProperties.stringPropertyNames().stream().filter(n -> n.startsWith(ConfigLoader.SYSPROP_PREFIX))
          .forEach(name -> given.put(name, systemProperties.getProperty(name)));
      options.addStore(new ConfigStoreOptions().setType("json").setConfig(given));
    }
    return options;
  }

  /**
   * Builds the configuration from what the retriever read, off the event loop; completes on this verticle's context.
   * Fails with a {@link ConfigException} when the file cannot be read or the configuration is invalid.
   */
  private Future<Loaded> load(JsonObject sources) {
    JsonObject yaml = sources.getJsonObject(YamlFileProcessor.FILE);
    if (file != null && yaml == null && !sources.containsKey(YamlFileProcessor.PROBLEMS)) {
      // The optional file store left the file out: read it once more for the reason.
      return vertx.fileSystem().readFile(file.toString()).transform(read -> Future.failedFuture(new ConfigException(
          List.of(ConfigLoader.unreadable(file, read.failed() ? read.cause() : new NoSuchFileException(file.toString()))))));
    }
    Map<String, String> envValues = new HashMap<>();
    Properties sysValues = new Properties();
    for (ConfigKey key : ConfigKeys.ALL) {
      if (sources.getValue(key.envVar()) != null) {
        envValues.put(key.envVar(), String.valueOf(sources.getValue(key.envVar())));
      }
      if (sources.getValue(key.systemProperty()) != null) {
        sysValues.setProperty(key.systemProperty(), String.valueOf(sources.getValue(key.systemProperty())));
      }
    }
    return vertx.executeBlocking(() -> {
      if (sources.getValue(YamlFileProcessor.PROBLEMS) instanceof JsonArray problems) {
        throw new ConfigException(problems.stream().map(String::valueOf).toList());
      }
      Loaded loaded = ConfigLoader.resolve(ConfigLoader.merge(yaml, envValues, sysValues));
      if (yaml != null) {
        // A value in the file that the environment or a system property replaces is easy to miss: say so.
        ConfigLoader.overriddenInFile(yaml, envValues, sysValues).forEach((key, source) ->
            LOG.info("{} in {} is overridden by {}", key, file, source));
      }
      return loaded;
    }, false);
  }

  private Future<Void> onChange(JsonObject sources) {
    if (stopped) {
      return Future.succeededFuture();
    }
    return load(sources).transform(built -> {
      if (stopped) {
        return Future.succeededFuture();
      }
      if (built.succeeded()) {
        lastFailure = null;
        replace(built.result());
        return Future.succeededFuture();
      }
      Throwable err = built.cause();
      String problems = err instanceof ConfigException e ? String.join("; ", e.problems()) : err.toString();
      if (problems.equals(lastFailure)) {
        return Future.succeededFuture();
      }
      lastFailure = problems;
      if (err instanceof ConfigException e && e.problems().size() == 1
          && e.problems().get(0).startsWith(ConfigLoader.fileSource(file) + ": cannot be read")) {
        LOG.warn("{}; keeping the running configuration", problems);
      } else {
        LOG.warn("{} changed but is not valid, keeping the running configuration: {}",
            ConfigLoader.fileSource(file), problems);
        vertx.eventBus().publish(Addresses.CONFIG_REJECTED, problems, new DeliveryOptions().setLocalOnly(true));
      }
      return Future.succeededFuture();
    });
  }

  private void replace(Loaded next) {
    Loaded previous = running;
    running = next;
    if (next.config().equals(previous.config())) {
      LOG.debug("{} changed, the effective configuration did not", ConfigLoader.fileSource(file));
      return;
    }
    current = next.config();
    logLevels.apply(next.config().log());
    LOG.info("configuration reloaded from {}, changed sections {}: {}",
        ConfigLoader.fileSource(file), changedSections(previous.config(), next.config()), next.config());
    List<String> needRestart = previous.changedKeys(next).stream().filter(key -> !ConfigKeys.get(key).live()).toList();
    if (!needRestart.isEmpty()) {
      LOG.warn("changed {} take effect after a restart (see the reloads column of the configuration reference)",
          needRestart);
    }
    vertx.eventBus().publish(Addresses.CONFIG_CHANGED, next.config(), new DeliveryOptions().setLocalOnly(true));
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
