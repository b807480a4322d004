package io.pulsarproxy.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Builds the {@link ProxyConfig} from its sources, lowest precedence first: built-in defaults, the YAML file, the
 * environment, system properties.
 *
 * <p>Every key is {@code section.key} in YAML (nested: {@code http:} then {@code port: 9000}), {@code PROXY_} +
 * section + key in upper snake case in the environment ({@code http.maxBodySize} is {@code PROXY_HTTP_MAX_BODY_SIZE})
 * and {@code proxy.} + section + key as a system property ({@code -Dproxy.http.port=9000}). A key may have more
 * levels ({@code http.tls.certFile}): in YAML as nested mappings ({@code http:}, {@code tls:}, {@code certFile:}) or
 * with the rest of the name as one key ({@code tls.certFile:} under {@code http:}), in the environment as
 * {@code PROXY_HTTP_TLS_CERT_FILE}. The keys are declared in {@link ConfigKeys}; only those are read from the
 * environment and system properties, and structures ({@code log.loggers}, {@code auth.apiKeys}, ...) only from the
 * YAML file. Unknown keys in the YAML file are rejected.
 *
 * <p>Everything here is synchronous and thread-safe. I/O: {@link #load(Path, Map, Properties)} reads the file, and
 * {@link #build(JsonObject)} checks that the files the configuration names (certificates, keys) can be read.
 */
public final class ConfigLoader {

  /** Prefix of the environment variables that set config keys. */
  public static final String ENV_PREFIX = "PROXY_";
  /** Prefix of the system properties that set config keys. */
  public static final String SYSPROP_PREFIX = "proxy.";

  private static final String LOGGERS = "log.loggers";
  private static final String API_KEYS = "auth.apiKeys";
  private static final String RULES = "authorization.rules";
  private static final String QUOTA_OVERRIDES = "quotas.overrides";
  private static final List<String> ACTIONS = List.of("produce", "consume", "read");

  /** Key → default, in documentation order, from {@link ConfigKeys#ALL}. A {@code null} default means "not set". */
  private static final Map<String, Object> DEFAULTS = defaultTable();

  private ConfigLoader() {}

  private static Map<String, Object> defaultTable() {
    Map<String, Object> d = new LinkedHashMap<>();
    ConfigKeys.ALL.forEach(key -> d.put(key.name(), key.defaultValue()));
    return Collections.unmodifiableMap(d);
  }

  private static boolean yamlOnly(String key) {
    return !ConfigKeys.get(key).overridable();
  }

  /** Every key, {@code section.key}, in documentation order. */
  public static List<String> keys() {
    return List.copyOf(DEFAULTS.keySet());
  }

  /**
   * The sections, in documentation order: pulsar, http, management, producer, produce, consumer, httpConsumer, ws,
   * resilience, log, shutdown, auth, authorization, cors, quotas, cluster.
   */
  public static List<String> sections() {
    return DEFAULTS.keySet().stream().map(ConfigLoader::section).distinct().toList();
  }

  /**
   * The environment variable that sets {@code key}, e.g. {@code PROXY_HTTP_MAX_BODY_SIZE} for {@code http.maxBodySize}.
   * Defined for every key, though {@code log.loggers} is not read from the environment.
   */
  public static String envVarName(String key) {
    StringBuilder sb = new StringBuilder(ENV_PREFIX);
    for (char c : key.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  /** The system property that sets {@code key}, e.g. {@code proxy.http.port}. */
  public static String systemPropertyName(String key) {
    return SYSPROP_PREFIX + key;
  }

  /**
   * The built-in defaults as nested JSON (a new copy on every call), with dotted names below the section
   * ({@code "tls.certFile"}); the keys that have no default ({@code pulsar.authToken}, the TLS files) are absent.
   */
  public static JsonObject defaults() {
    JsonObject json = new JsonObject();
    DEFAULTS.forEach((key, value) -> {
      JsonObject section = json.getJsonObject(section(key));
      if (section == null) {
        section = new JsonObject();
        json.put(section(key), section);
      }
      if (value != null) {
        section.put(name(key), ConfigKeys.get(key).defaultCopy());
      }
    });
    return json;
  }

  /** The default configuration: no file, no environment, no system properties. */
  public static ProxyConfig defaultConfig() {
    return build(defaults());
  }

  /**
   * Parses the text of a YAML config file into nested JSON, without validating keys or values (that is
   * {@link #build(JsonObject)}'s job). Only {@code true}/{@code false} are booleans and only decimal numbers are
   * numbers; duplicate keys are an error. An empty document is an empty object.
   *
   * @param source names the file in error messages
   * @throws ConfigException if the text is not YAML or its top level is not a mapping; the message gives the line
   *                         and column but does not quote the file
   */
  public static JsonObject parseYaml(String yaml, String source) {
    return YamlParser.parse(yaml, source);
  }

  /**
   * Merges the sources, lowest precedence first: {@link #defaults()}, {@code yaml} (deeply), then each known key found
   * in {@code env} and in {@code systemProperties}. Values from the environment and system properties are strings;
   * an empty {@code PROXY_PULSAR_AUTH_TOKEN} means "no token". Nothing is validated here.
   *
   * @param yaml             the parsed file, or {@code null} when there is none
   * @param env              environment variables, e.g. {@code System.getenv()}
   * @param systemProperties e.g. {@code System.getProperties()}
   */
  public static JsonObject merge(JsonObject yaml, Map<String, String> env, Properties systemProperties) {
    JsonObject merged = defaults();
    if (yaml != null) {
      merged.mergeIn(flatten(withoutEmptySections(yaml)), true);
    }
    override(merged, key -> env.get(envVarName(key)));
    override(merged, key -> systemProperties.getProperty(systemPropertyName(key)));
    return merged;
  }

  /**
   * A copy of {@code json} without the sections that have no value: a section whose keys are all commented out
   * ({@code http:} alone on its line) means "defaults", not "no section".
   */
  private static JsonObject withoutEmptySections(JsonObject json) {
    JsonObject copy = json.copy();
    for (String section : sections()) {
      if (copy.containsKey(section) && copy.getValue(section) == null) {
        copy.remove(section);
      }
    }
    return copy;
  }

  /**
   * A copy of {@code json} where the mappings nested within a section ({@code auth:} → {@code jwt:} →
   * {@code roleClaim:}) become dotted key names ({@code jwt.roleClaim} within {@code auth}), the form of the table of
   * keys and of the environment. A mapping that is itself a key's value ({@code log.loggers}) stays as it is; one with
   * no value ({@code jwt:} alone on its line) means its defaults.
   */
  static JsonObject flatten(JsonObject json) {
    JsonObject copy = json.copy();
    for (String section : copy.fieldNames()) {
      if (copy.getValue(section) instanceof JsonObject keys) {
        JsonObject flat = new JsonObject();
        flattenInto(section, "", keys, flat);
        copy.put(section, flat);
      }
    }
    return copy;
  }

  private static void flattenInto(String section, String prefix, JsonObject keys, JsonObject flat) {
    for (String name : keys.fieldNames()) {
      String dotted = prefix + name;
      Object value = keys.getValue(name);
      boolean isKey = DEFAULTS.containsKey(section + "." + dotted);
      boolean isGroup = !isKey && DEFAULTS.keySet().stream().anyMatch(k -> k.startsWith(section + "." + dotted + "."));
      if (isGroup && value instanceof JsonObject group) {
        flattenInto(section, dotted + ".", group, flat);
      } else if (!(isGroup && value == null)) {
        flat.put(dotted, value);
      }
    }
  }

  private static void override(JsonObject merged, Function<String, String> lookup) {
    for (String key : DEFAULTS.keySet()) {
      if (yamlOnly(key)) {
        continue;
      }
      String value = lookup.apply(key);
      // A section that is not a mapping stays as it is: build() reports it, an override must not hide it.
      if (value != null && merged.getValue(section(key)) instanceof JsonObject section) {
        section.put(name(key), value);
      }
    }
  }

  /**
   * The keys set in the file ({@code yaml}) that the environment or a system property sets too, each with the name of
   * the variable or property that wins (the system property when both do).
   */
  public static Map<String, String> overriddenInFile(JsonObject yaml, Map<String, String> env,
      Properties systemProperties) {
    JsonObject flat = flatten(withoutEmptySections(yaml));
    Map<String, String> overridden = new LinkedHashMap<>();
    for (String key : DEFAULTS.keySet()) {
      if (yamlOnly(key) || !(flat.getValue(section(key)) instanceof JsonObject s)
          || !s.containsKey(name(key))) {
        continue;
      }
      if (systemProperties.getProperty(systemPropertyName(key)) != null) {
        overridden.put(key, "system property " + systemPropertyName(key));
      } else if (env.get(envVarName(key)) != null) {
        overridden.put(key, "environment variable " + envVarName(key));
      }
    }
    return overridden;
  }

  /**
   * Names of {@code PROXY_*} environment variables and {@code proxy.*} system properties that set no key, most likely
   * typos. They are ignored; callers should warn about them. {@code PROXY_CONFIG} (the config file) is not reported.
   */
  public static List<String> unrecognizedOverrides(Map<String, String> env, Properties systemProperties) {
    List<String> known = new ArrayList<>();
    for (String key : DEFAULTS.keySet()) {
      if (!yamlOnly(key)) {
        known.add(envVarName(key));
        known.add(systemPropertyName(key));
      }
    }
    known.add(ConfigVerticle.CONFIG_FILE_ENV);
    List<String> unknown = new ArrayList<>();
    env.keySet().stream().filter(n -> n.startsWith(ENV_PREFIX) && !known.contains(n)).sorted().forEach(unknown::add);
    systemProperties.stringPropertyNames().stream()
        .filter(n -> n.startsWith(SYSPROP_PREFIX) && !known.contains(n)).sorted().forEach(unknown::add);
    return unknown;
  }

  /**
   * Validates {@code json} and builds the config. Keys absent from {@code json} take their default, so both the
   * output of {@link #merge} and a partial object such as {@code {"http":{"port":0}}} are accepted. Values may be
   * numbers, booleans or strings ({@code "8088"}, {@code "30s"}, {@code "5MB"}). Every key is first read and checked
   * as its declaration in {@link ConfigKeys} says; what is checked here is what involves several keys.
   *
   * @throws ConfigException listing every problem found, each naming the key and the bad value (the value of
   *                         a secret is never shown)
   */
  public static ProxyConfig build(JsonObject json) {
    return resolve(json).config();
  }

  /** {@link #build}, keeping each key's value too. */
  static Loaded resolve(JsonObject json) {
    JsonObject merged = defaults().mergeIn(flatten(withoutEmptySections(json)), true);
    Fields f = new Fields(merged, DEFAULTS);

    PulsarConfig pulsar = new PulsarConfig(f.get("pulsar.serviceUrl"), f.get("pulsar.authToken"),
        f.get("pulsar.operationTimeout"), f.get("pulsar.connectionTimeout"), f.get("pulsar.ioThreads"),
        f.get("pulsar.listenerThreads"), f.get("pulsar.memoryLimit"), f.get("pulsar.probeInterval"),
        f.get("pulsar.probeTopic"), f.get("pulsar.serviceUrls"), f.get("pulsar.failoverAfter"),
        f.get("pulsar.switchBackAfter"), brokerTls(f), f.get("pulsar.authPlugin"), f.get("pulsar.authParams"),
        f.get("pulsar.statsInterval"), f.get("pulsar.webServiceUrl"), f.get("pulsar.webServiceUrls"),
        f.get("pulsar.schemaCacheMaxEntries"));
    List<String> webUrls = f.get("pulsar.webServiceUrls");
    if (!webUrls.isEmpty() && webUrls.size() != pulsar.serviceUrls().size()) {
      f.problem("pulsar.webServiceUrls: has " + webUrls.size() + " URLs for " + pulsar.serviceUrls().size()
          + " pulsar.serviceUrls (one per cluster, in the same order)");
    }
    if (f.present("pulsar.authPlugin") && f.present("pulsar.authToken")) {
      f.problem("pulsar.authPlugin: set either pulsar.authToken or pulsar.authPlugin, not both");
    } else if (f.present("pulsar.authParams") && !f.present("pulsar.authPlugin")) {
      f.problem("pulsar.authParams: needs pulsar.authPlugin (the class that reads them)");
    }

    long maxBody = f.get("http.maxBodySize");
    long maxMessage = f.get("http.maxMessageSize");
    if (f.valid("http.maxBodySize") && f.valid("http.maxMessageSize") && maxMessage > maxBody) {
      f.problem("http.maxMessageSize: '" + f.display("http.maxMessageSize")
          + "' is larger than http.maxBodySize '" + f.display("http.maxBodySize") + "'");
    }
    long maxInFlightBytes = f.get("http.maxInFlightBytes");
    if (f.valid("http.maxBodySize") && f.valid("http.maxInFlightBytes") && maxInFlightBytes < maxBody) {
      // A body of the largest allowed size would never fit: retrying could not help.
      f.problem("http.maxInFlightBytes: '" + f.display("http.maxInFlightBytes")
          + "' is smaller than http.maxBodySize '" + f.display("http.maxBodySize") + "'");
    }
    HttpConfig http = new HttpConfig(f.get("http.host"), f.get("http.port"), maxBody, maxMessage,
        f.get("http.maxMessagesPerRequest"), f.get("http.maxInFlightRequests"), maxInFlightBytes, tls(f, "http"));

    ManagementConfig management = new ManagementConfig(f.get("management.host"), f.get("management.port"),
        tls(f, "management"), f.get("management.metricsToken"), f.get("management.lagInterval"),
        f.get("management.lagMaxSeries"));

    ProducerConfig producer = new ProducerConfig(f.get("producer.sendTimeout"), f.get("producer.maxPendingMessages"),
        f.get("producer.batchingEnabled"), f.get("producer.batchingMaxPublishDelay"),
        f.get("producer.batchingMaxMessages"), f.get("producer.keyBasedBatching"), f.get("producer.compressionType"),
        f.get("producer.cacheMaxProducers"), f.get("producer.cacheIdleTimeout"), f.get("producer.outageWait"));

    ProduceConfig produce = new ProduceConfig(f.get("produce.idempotencyWindow"), f.get("produce.idempotencyMaxKeys"));

    ConsumerConfig consumer = new ConsumerConfig(f.get("consumer.maxSessions"), f.get("consumer.maxTrackedIds"),
        f.get("consumer.ackGroupTime"));

    HttpConsumerConfig httpConsumer = new HttpConsumerConfig(f.get("httpConsumer.idleTimeout"),
        f.get("httpConsumer.maxInstances"), f.get("httpConsumer.maxInstancesPerClient"),
        f.get("httpConsumer.maxWait"), f.get("httpConsumer.maxMessages"), f.get("httpConsumer.sseHeartbeatInterval"),
        f.get("httpConsumer.sseConfirmDelay"), f.get("httpConsumer.sseMaxUnconfirmed"));
    if (f.valid("httpConsumer.sseMaxUnconfirmed") && f.valid("consumer.maxTrackedIds")
        && httpConsumer.sseMaxUnconfirmed() > consumer.maxTrackedIds()) {
      // The consume service keeps the ids of unconfirmed messages to acknowledge them later: they must fit.
      f.problem("httpConsumer.sseMaxUnconfirmed: '" + f.display("httpConsumer.sseMaxUnconfirmed")
          + "' is larger than consumer.maxTrackedIds '" + f.display("consumer.maxTrackedIds") + "'");
    }

    WsConfig ws = new WsConfig(f.get("ws.maxSockets"), f.get("ws.maxFrameSize"), f.get("ws.idleTimeout"),
        f.get("ws.pingInterval"), f.get("ws.maxInFlightPerProducer"), f.get("ws.forwardClientTokens"),
        f.get("ws.maxTokenClients"), f.get("ws.tokenClientIdleTimeout"));

    ResilienceConfig resilience = new ResilienceConfig(f.get("resilience.retryInitialDelay"),
        f.get("resilience.retryMaxDelay"), f.get("resilience.breakerMaxFailures"),
        f.get("resilience.breakerResetTimeout"));

    LogConfig log = new LogConfig(f.get("log.level"), loggers(f), f.get("log.format"), f.get("log.access"));
    TracingConfig tracing = new TracingConfig(f.<String>get("tracing.exporter").toLowerCase(Locale.ROOT),
        f.<Optional<String>>get("tracing.endpoint"), Double.parseDouble(f.<String>get("tracing.samplingRatio").trim()),
        f.get("tracing.serviceName"));

    ShutdownConfig shutdown = new ShutdownConfig(f.get("shutdown.timeout"));

    AuthConfig auth = auth(f);
    AuthorizationConfig authorization = new AuthorizationConfig(
        f.<String>get("authorization.mode").toLowerCase(Locale.ROOT), rules(f));
    CorsConfig cors = new CorsConfig(f.get("cors.allowedOrigins"), f.get("cors.allowedHeaders"),
        f.get("cors.allowCredentials"), f.get("cors.maxAge"));
    if (cors.allowCredentials() && cors.allowedOrigins().contains("*")) {
      f.problem("cors.allowCredentials: browsers refuse credentials with the origin '*'; list the origins instead");
    }

    QuotasConfig quotas = quotas(f);

    EdgeConfig edge = new EdgeConfig(f.get("edge.instances"));
    ClusterConfig cluster = cluster(f);

    if (!f.unused().isEmpty()) {
      throw new IllegalStateException("declared in ConfigKeys but not bound to ProxyConfig: " + f.unused());
    }
    f.rejectUnknownKeys();
    if (!f.problems().isEmpty()) {
      throw new ConfigException(f.problems());
    }
    return new Loaded(new ProxyConfig(pulsar, http, management, producer, produce, consumer, httpConsumer, ws,
        resilience, log, shutdown, auth, authorization, cors, quotas, tracing, edge, cluster), f.values());
  }

  private static QuotasConfig quotas(Fields f) {
    QuotasConfig.Limits defaults = new QuotasConfig.Limits(f.<Integer>get("quotas.produceMessagesPerSecond"),
        f.get("quotas.produceBytesPerSecond"), f.get("quotas.maxWebSockets"), f.get("quotas.maxSseStreams"),
        f.get("quotas.maxConsumerInstances"), f.get("quotas.maxInFlightRequests"));
    List<QuotasConfig.RoleLimits> overrides = new ArrayList<>();
    List<JsonObject> items = mappings(f, QUOTA_OVERRIDES, "a list of {role, <quota keys>} mappings");
    List<String> known = new ArrayList<>(List.of("role"));
    known.addAll(QuotasConfig.Limits.KEYS);
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.get(i);
      String at = QUOTA_OVERRIDES + "[" + i + "]";
      String role = item.getValue("role") instanceof String r && !r.isBlank() ? r.trim() : null;
      if (role == null) {
        f.problem(at + ".role: must name the principal the limits are for");
        continue;
      }
      if (!known.containsAll(item.fieldNames())) {
        f.problem(at + ": unknown field (known: " + String.join(", ", known) + ")");
        continue;
      }
      if (overrides.stream().anyMatch(o -> o.role().equals(role))) {
        f.problem(at + ".role: '" + Fields.shorten(role) + "' has an override already");
        continue;
      }
      int before = f.problems().size();
      QuotasConfig.Limits limits = defaults.with(key -> overrideValue(f, at + "." + key, item.getValue(key),
          key.equals("produceBytesPerSecond"), key.startsWith("max") ? Integer.MAX_VALUE : Long.MAX_VALUE));
      if (f.problems().size() == before) {
        overrides.add(new QuotasConfig.RoleLimits(role, limits));
      }
    }
    return new QuotasConfig(f.get("quotas.enabled"), defaults, f.get("quotas.maxPrincipals"), overrides);
  }

  /** A limit of an override: a whole number (a size for bytes) of at least 0; null when absent or bad (reported). */
  private static Long overrideValue(Fields f, String at, Object raw, boolean size, long max) {
    if (raw == null) {
      return null;
    }
    Long value = null;
    if (raw instanceof Integer || raw instanceof Long) {
      value = ((Number) raw).longValue();
    } else if (raw instanceof String s) {
      try {
        value = size ? Sizes.parse(s) : Long.parseLong(s.trim());
      } catch (IllegalArgumentException e) {
        // reported below
      }
    }
    if (value == null || value < 0 || value > max) {
      f.problem(at + ": '" + Fields.shorten(raw) + "' is not " + (size ? "a size (e.g. 512, 64KB, 5MB)"
          : "a whole number from 0 to " + max) + " (0: unlimited)");
      return null;
    }
    return value;
  }

  private static AuthConfig auth(Fields f) {
    List<String> providers = f.get("auth.providers");
    if (providers.isEmpty()) {
      if (f.valid("auth.providers")) {
        f.problem("auth.providers: must list at least one of " + String.join(", ", ConfigKeys.AUTH_PROVIDERS)
            + " ('none' for no authentication)");
      }
      providers = List.of(AuthConfig.NONE);
    }
    AuthConfig.JwtConfig jwt = new AuthConfig.JwtConfig(f.get("auth.jwt.secretKey"), f.get("auth.jwt.publicKey"),
        f.get("auth.jwt.jwksFile"), f.get("auth.jwt.jwksUrl"), f.get("auth.jwt.jwksRefresh"),
        f.get("auth.jwt.roleClaim"), f.get("auth.jwt.issuer"), f.get("auth.jwt.audience"),
        f.get("auth.jwt.clockSkew"));
    if (providers.contains(AuthConfig.JWT) && !jwt.hasKey()) {
      f.problem("auth.providers: 'jwt' needs a key: set auth.jwt.secretKey, auth.jwt.publicKey, auth.jwt.jwksFile "
          + "or auth.jwt.jwksUrl");
    }
    List<AuthConfig.ApiKey> apiKeys = apiKeys(f);
    if (providers.contains(AuthConfig.APIKEY) && apiKeys.isEmpty()) {
      f.problem("auth.providers: 'apikey' needs at least one key in " + API_KEYS);
    }
    return new AuthConfig(providers, jwt, apiKeys, f.<String>get("auth.mtls.principal").toLowerCase(Locale.ROOT),
        f.get("auth.cacheSize"), f.get("auth.closeOnExpiry"));
  }

  private static List<AuthConfig.ApiKey> apiKeys(Fields f) {
    List<AuthConfig.ApiKey> keys = new ArrayList<>();
    List<JsonObject> items = mappings(f, API_KEYS, "a list of {role, sha256} mappings");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.get(i);
      String at = API_KEYS + "[" + i + "]";
      String role = item.getValue("role") instanceof String r && !r.isBlank() ? r.trim() : null;
      String hash = item.getValue("sha256") instanceof String h ? h.trim().toLowerCase(Locale.ROOT) : "";
      if (role == null) {
        f.problem(at + ".role: must name the principal the key stands for");
      } else if (!hash.matches("[0-9a-f]{64}")) {
        f.problem(at + ".sha256: must be the key's SHA-256 hash in hex (64 characters; printf %s KEY | sha256sum)");
      } else if (!item.fieldNames().stream().allMatch(n -> n.equals("role") || n.equals("sha256"))) {
        f.problem(at + ": unknown field (known: role, sha256)");
      } else {
        keys.add(new AuthConfig.ApiKey(role, hash));
      }
    }
    return keys;
  }

  private static List<AuthorizationConfig.TopicRule> rules(Fields f) {
    List<AuthorizationConfig.TopicRule> rules = new ArrayList<>();
    List<JsonObject> items = mappings(f, RULES, "a list of {role, actions, topics} mappings");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.get(i);
      String at = RULES + "[" + i + "]";
      String role = item.getValue("role") instanceof String r && !r.isBlank() ? r.trim() : null;
      List<String> actions = strings(item.getValue("actions"));
      List<String> topics = strings(item.getValue("topics"));
      if (role == null) {
        f.problem(at + ".role: must name a principal, or * for every authenticated one");
      } else if (actions == null || actions.isEmpty() || !ACTIONS.containsAll(actions)) {
        f.problem(at + ".actions: must be a list of " + String.join(", ", ACTIONS));
      } else if (topics == null || topics.isEmpty()
          || !topics.stream().allMatch(t -> t.startsWith("persistent://") || t.startsWith("non-persistent://"))) {
        f.problem(at + ".topics: must be a list of full topic names or patterns "
            + "(persistent://tenant/namespace/topic, * matches any characters)");
      } else if (!item.fieldNames().stream().allMatch(n -> List.of("role", "actions", "topics").contains(n))) {
        f.problem(at + ": unknown field (known: role, actions, topics)");
      } else {
        rules.add(new AuthorizationConfig.TopicRule(role, actions, topics));
      }
    }
    return rules;
  }

  private static List<JsonObject> mappings(Fields f, String key, String what) {
    Object raw = f.get(key);
    List<JsonObject> items = new ArrayList<>();
    if (raw == null) {
      return items;
    }
    if (!(raw instanceof JsonArray array) || !array.stream().allMatch(JsonObject.class::isInstance)) {
      f.problem(key + ": must be " + what);
      return items;
    }
    array.forEach(item -> items.add((JsonObject) item));
    return items;
  }

  /** The strings of a YAML list, or null when it is not a list of strings. */
  private static List<String> strings(Object value) {
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      return null;
    }
    return array.stream().map(v -> ((String) v).trim()).toList();
  }

  /** The {@code pulsar.tls.*} keys: a client certificate comes with its key. */
  private static PulsarTlsConfig brokerTls(Fields f) {
    PulsarTlsConfig tls = new PulsarTlsConfig(f.get("pulsar.tls.trustFile"), f.get("pulsar.tls.certFile"),
        f.get("pulsar.tls.keyFile"), f.get("pulsar.tls.hostnameVerification"));
    if (f.present("pulsar.tls.certFile") != f.present("pulsar.tls.keyFile")) {
      f.problem(f.present("pulsar.tls.certFile") ? "pulsar.tls.keyFile: required with pulsar.tls.certFile"
          : "pulsar.tls.certFile: required with pulsar.tls.keyFile");
    }
    return tls;
  }

  /**
   * The {@code cluster.*} keys. The member list may come with commas from the environment; TLS is always mutual and
   * needs the trust bundle the peers' certificates chain to.
   */
  private static ClusterConfig cluster(Fields f) {
    List<String> members = f.<List<String>>get("cluster.members").stream()
        .flatMap(item -> java.util.Arrays.stream(item.split(","))).map(String::trim).filter(m -> !m.isEmpty())
        .toList();
    TlsConfig tls = tls(f, "cluster");
    if (tls.enabled() && tls.trustFile().isEmpty()) {
      f.problem("cluster.tls.trustFile: required with cluster TLS (the CAs the nodes' certificates chain to)");
    }
    if (f.present("cluster.kubernetesService") && !members.isEmpty()) {
      f.problem("cluster.kubernetesService: set either cluster.members or cluster.kubernetesService, not both");
    }
    return new ClusterConfig(f.get("cluster.enabled"), f.get("cluster.host"), f.get("cluster.port"), members,
        f.get("cluster.kubernetesService"), f.get("cluster.eventBusPort"), tls, f.get("cluster.takeoverDelay"),
        f.get("cluster.handoverWait"));
  }

  /**
   * The {@code <prefix>.tls.*} keys: the files named must be readable, and must make a whole. A prefix without
   * {@code clientAuth} and {@code reloadInterval} keys (the cluster's) requires client certificates and is not
   * reloaded.
   */
  private static TlsConfig tls(Fields f, String listener) {
    String p = listener + ".tls.";
    Optional<Path> cert = f.get(p + "certFile");
    Optional<Path> key = f.get(p + "keyFile");
    Optional<Path> keyStore = f.get(p + "keyStoreFile");
    Optional<Secret> password = f.get(p + "keyStorePassword");
    boolean listenerKeys = ConfigKeys.get(p + "clientAuth") != null;
    String clientAuth = listenerKeys ? f.<String>get(p + "clientAuth").toUpperCase(Locale.ROOT) : "REQUIRE";
    Optional<Path> trust = f.get(p + "trustFile");
    Duration reloadInterval = listenerKeys ? f.get(p + "reloadInterval") : Duration.ZERO;
    boolean pem = f.present(p + "certFile") || f.present(p + "keyFile");
    if (pem && f.present(p + "keyStoreFile")) {
      f.problem(p + "keyStoreFile: set either " + p + "certFile and " + p + "keyFile (PEM) or " + p
          + "keyStoreFile (PKCS#12), not both");
    } else if (f.present(p + "certFile") != f.present(p + "keyFile")) {
      String missing = f.present(p + "certFile") ? "keyFile" : "certFile";
      f.problem(p + missing + ": required with " + p + (missing.equals("keyFile") ? "certFile" : "keyFile"));
    }
    if (listenerKeys && !clientAuth.equals("NONE") && f.valid(p + "clientAuth") && !f.present(p + "trustFile")) {
      f.problem(p + "trustFile: required when " + p + "clientAuth is " + clientAuth.toLowerCase(Locale.ROOT)
          + " (the CAs that client certificates must chain to)");
    }
    return new TlsConfig(cert, key, keyStore, password, TlsConfig.ClientAuth.valueOf(clientAuth), trust,
        reloadInterval);
  }

  private static Map<String, String> loggers(Fields f) {
    Object raw = f.get(LOGGERS);
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof JsonObject map)) {
      f.problem(LOGGERS + ": must be a mapping of logger name to level, e.g. 'io.pulsarproxy: DEBUG'");
      return Map.of();
    }
    List<String> levels = ConfigKeys.get("log.level").choices();
    Map<String, String> loggers = new LinkedHashMap<>();
    for (String name : map.fieldNames()) {
      String key = LOGGERS + "[" + name + "]";
      Object level = map.getValue(name);
      if (name.isBlank() || name.equalsIgnoreCase("ROOT")) {
        f.problem(key + ": not a logger name (set the root level with log.level)");
      } else if (level instanceof String s && levels.contains(s.trim().toUpperCase(Locale.ROOT))) {
        loggers.put(name, s.trim().toUpperCase(Locale.ROOT));
      } else {
        f.problem(key + ": '" + Fields.shorten(level) + "' is not one of " + String.join(", ", levels));
      }
    }
    return loggers;
  }

  /**
   * Reads, merges and builds in one call. Blocking (reads the file): for command-line tools and tests, not for an
   * event loop; {@link ConfigVerticle} does the same without blocking.
   *
   * @param file the YAML file, or {@code null} for none
   * @throws ConfigException if the file cannot be read or the configuration is invalid
   */
  public static ProxyConfig load(Path file, Map<String, String> env, Properties systemProperties) {
    JsonObject yaml = null;
    if (file != null) {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new ConfigException(List.of(unreadable(file, e)));
      }
      yaml = parseYaml(text, fileSource(file));
    }
    return build(merge(yaml, env, systemProperties));
  }

  static String fileSource(Path file) {
    return "config file " + file;
  }

  /** A one-line reason why {@code file} could not be read, naming the file. */
  static String unreadable(Path file, Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String reason = cause instanceof NoSuchFileException ? "no such file"
        : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    return fileSource(file) + ": cannot be read (" + reason + ")";
  }

  static String section(String key) {
    return key.substring(0, key.indexOf('.'));
  }

  static String name(String key) {
    return key.substring(key.indexOf('.') + 1);
  }
}
