package io.pulsarproxy.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pulsarproxy.config.ConfigException;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Kubernetes manifests of {@code deploy/kubernetes}, read into typed objects (fabric8's model), and the ways they
 * can disagree with the proxy's runtime contract: {@link #problems()} names each one.
 */
final class DeployManifests {
  /** The directory of the manifests, from this module (the tests' working directory). */
  static final Path DIRECTORY = Path.of("kubernetes");
  static final String KUSTOMIZATION = "kustomization.yaml";

  /**
   * After {@code shutdown.timeout}, how long the proxy's stop may still take to close its producers, consumers and
   * Pulsar client (ProxyApp.stop) before it exits.
   */
  static final long CLOSE_SECONDS = 10;

  static final String LIVE_PATH = "/health/live";
  static final String READY_PATH = "/health/ready";

  /** What the kubelet puts in {@code fieldRef} variables, for resolving the environment as a pod would see it. */
  private static final Map<String, String> FIELD_VALUES = Map.of("status.podIP", "10.1.2.3",
      "metadata.namespace", "default", "metadata.name", "pulsar-proxy-0", "spec.nodeName", "node-1");
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final Map<String, List<HasMetadata>> byFile;
  private final List<String> kustomizationResources;
  private final List<String> kustomizationImages;
  private final List<String> problems = new ArrayList<>();

  private DeployManifests(Map<String, List<HasMetadata>> byFile, List<String> kustomizationResources,
      List<String> kustomizationImages) {
    this.byFile = byFile;
    this.kustomizationResources = kustomizationResources;
    this.kustomizationImages = kustomizationImages;
  }

  /** The text of every {@code *.yaml} file of {@link #DIRECTORY}, by file name. */
  static Map<String, String> readDirectory() throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(DIRECTORY)) {
      for (Path file : list.filter(p -> p.getFileName().toString().endsWith(".yaml")).toList()) {
        files.put(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  /** Parses the files (name → YAML text): the kustomization as a map, every other one as Kubernetes objects. */
  static DeployManifests parse(Map<String, String> files) {
    KubernetesSerialization serialization = new KubernetesSerialization();
    Map<String, List<HasMetadata>> byFile = new LinkedHashMap<>();
    List<String> resources = List.of();
    List<String> images = List.of();
    for (Map.Entry<String, String> file : files.entrySet()) {
      if (file.getKey().equals(KUSTOMIZATION)) {
        Map<?, ?> kustomization = serialization.unmarshal(file.getValue(), Map.class);
        resources = ((List<?>) kustomization.get("resources")).stream().map(String::valueOf).toList();
        images = Optional.ofNullable((List<?>) kustomization.get("images")).orElse(List.of()).stream()
            .map(image -> String.valueOf(((Map<?, ?>) image).get("name"))).toList();
        continue;
      }
      Object parsed = serialization.unmarshal(file.getValue());
      List<?> objects = parsed instanceof List<?> list ? list : List.of(parsed);
      byFile.put(file.getKey(), objects.stream().map(HasMetadata.class::cast).toList());
    }
    return new DeployManifests(byFile, resources, images);
  }

  Stream<HasMetadata> all() {
    return byFile.values().stream().flatMap(List::stream);
  }

  <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return all().filter(type::isInstance).map(type::cast).toList();
  }

  Deployment deployment() {
    return single(Deployment.class, d -> true);
  }

  ConfigMap configMap() {
    return single(ConfigMap.class, c -> true);
  }

  /** The headless Service (clusterIP None): Hazelcast's discovery. */
  Service clusterService() {
    return single(Service.class, s -> "None".equals(s.getSpec().getClusterIP()));
  }

  /** The clients' Service: the one that is not headless. */
  Service clientService() {
    return single(Service.class, s -> !"None".equals(s.getSpec().getClusterIP()));
  }

  private <T extends HasMetadata> T single(Class<T> type, Predicate<T> which) {
    List<T> found = ofType(type).stream().filter(which).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + " of the kind wanted, found " + found.size());
    }
    return found.get(0);
  }

  Container container() {
    List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
    if (containers.size() != 1) {
      throw new AssertionError("expected one container in the Deployment, found " + containers.size());
    }
    return containers.get(0);
  }

  /** The container's environment as the pod sees it: fieldRefs filled in, {@code $(VAR)} references expanded. */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable : Optional.ofNullable(container().getEnv()).orElse(List.of())) {
      String value = variable.getValue();
      if (variable.getValueFrom() != null && variable.getValueFrom().getFieldRef() != null) {
        value = FIELD_VALUES.get(variable.getValueFrom().getFieldRef().getFieldPath());
      }
      if (value == null) {
        continue; // from a Secret or another ConfigMap: not known here
      }
      Matcher reference = ENV_REFERENCE.matcher(value);
      value = reference.replaceAll(m -> Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
      env.put(variable.getName(), value);
    }
    return env;
  }

  /** The path after {@code --config} / {@code -c} in the container's arguments, else {@code PROXY_CONFIG}. */
  Optional<String> configPath() {
    List<String> args = new ArrayList<>(Optional.ofNullable(container().getArgs()).orElse(List.of()));
    Optional.ofNullable(container().getCommand()).ifPresent(command -> args.addAll(0, command));
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if ((arg.equals("--config") || arg.equals("-c")) && i + 1 < args.size()) {
        return Optional.of(args.get(i + 1));
      }
      if (arg.startsWith("--config=")) {
        return Optional.of(arg.substring("--config=".length()));
      }
    }
    return Optional.ofNullable(environment().get("PROXY_CONFIG"));
  }

  /** The ConfigMap's file read by the proxy's own loader, with the Deployment's environment over it. */
  ProxyConfig proxyConfig() {
    String fileName = configPath().map(p -> Path.of(p).getFileName().toString()).orElse("proxy.yaml");
    String text = Optional.ofNullable(configMap().getData()).map(d -> d.get(fileName))
        .orElseThrow(() -> new AssertionError("the ConfigMap has no " + fileName));
    JsonObject yaml = ConfigLoader.parseYaml(text, "ConfigMap " + configMap().getMetadata().getName());
    return ConfigLoader.build(ConfigLoader.merge(yaml, environment(), new Properties()));
  }

  /** Everything that disagrees with the proxy's runtime contract, one line each; empty when all is well. */
  List<String> problems() {
    problems.clear();
    checkFiles();
    all().forEach(object -> unknownFields(object, object.getKind() + " " + object.getMetadata().getName()));
    ProxyConfig config;
    try {
      config = proxyConfig();
    } catch (ConfigException invalid) {
      invalid.problems().forEach(p -> problem("ConfigMap proxy.yaml: " + p));
      config = ConfigLoader.defaultConfig();
    }
    checkEnvironment();
    checkPorts(config);
    checkProbes(config);
    checkConfigMount();
    checkServices(config);
    checkShutdown(config);
    checkResourcesAndSecurity();
    checkDisruptionBudgetAndAutoscaler();
    return List.copyOf(problems);
  }

  private void problem(String text) {
    problems.add(text);
  }

  private void checkFiles() {
    for (String file : byFile.keySet()) {
      if (!kustomizationResources.contains(file)) {
        problem(file + " is not among the resources of " + KUSTOMIZATION + " (kubectl apply -k would skip it)");
      }
    }
    String image = container().getImage();
    String repository = image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image;
    if (!kustomizationImages.contains(repository)) {
      problem("the container's image " + image + " is not among the images of " + KUSTOMIZATION + " "
          + kustomizationImages + ": setting the registry there would not change it");
    }
    for (String resource : kustomizationResources) {
      if (!byFile.containsKey(resource)) {
        problem(KUSTOMIZATION + " names " + resource + ", which is not in " + DIRECTORY);
      }
    }
  }

  private void checkEnvironment() {
    Map<String, String> env = environment();
    Map<String, String> names = Optional.ofNullable(container().getEnv()).orElse(List.of()).stream()
        .collect(Collectors.toMap(EnvVar::getName, v -> "", (a, b) -> a));
    for (String unknown : ConfigLoader.unrecognizedOverrides(names, new Properties())) {
      problem("env " + unknown + " sets no config key");
    }
    String clusterPort = env.get(ConfigLoader.envVarName("cluster.port"));
    if (!"true".equals(env.get(ConfigLoader.envVarName("cluster.enabled")))) {
      problem("env PROXY_CLUSTER_ENABLED is not \"true\": the pods would not form one cluster");
    }
    if (!FIELD_VALUES.get("status.podIP").equals(env.get(ConfigLoader.envVarName("cluster.host")))) {
      problem("env PROXY_CLUSTER_HOST does not come from the pod's IP (fieldRef status.podIP)");
    }
    if (clusterPort == null || !clusterPort.matches("\\d+")) {
      problem("env PROXY_CLUSTER_PORT is not a port number: " + clusterPort);
    }
    String instances = env.get(ConfigLoader.envVarName("edge.instances"));
    Quantity cpuLimit = limits().get("cpu");
    if (instances != null && cpuLimit != null
        && new BigDecimal(instances).compareTo(Quantity.getAmountInBytes(cpuLimit)) > 0) {
      problem("env PROXY_EDGE_INSTANCES " + instances + " is more than the CPU limit " + cpuLimit);
    }
  }

  private int clusterPort() {
    String port = environment().get(ConfigLoader.envVarName("cluster.port"));
    return port != null && port.matches("\\d+") ? Integer.parseInt(port) : -1;
  }

  private void checkPorts(ProxyConfig config) {
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("http", config.http().port());
    expected.put("management", config.management().port());
    expected.put("cluster", clusterPort());
    expected.forEach((name, port) -> {
      Integer declared = containerPorts().get(name);
      if (!port.equals(declared)) {
        problem("container port '" + name + "' is " + declared + ", the proxy listens on " + port);
      }
    });
    for (String host : List.of(config.http().host(), config.management().host())) {
      if (!host.equals("0.0.0.0") && !host.equals("::")) {
        problem("the proxy listens on " + host + " only: probes and Services reach the pod's IP");
      }
    }
    Map<String, String> annotations = Optional.ofNullable(
        deployment().getSpec().getTemplate().getMetadata().getAnnotations()).orElse(Map.of());
    String scrapePort = annotations.get("prometheus.io/port");
    if (scrapePort != null && !scrapePort.equals(String.valueOf(config.management().port()))) {
      problem("annotation prometheus.io/port " + scrapePort + " is not the management port "
          + config.management().port());
    }
  }

  private Map<String, Integer> containerPorts() {
    Map<String, Integer> ports = new HashMap<>();
    for (ContainerPort port : Optional.ofNullable(container().getPorts()).orElse(List.of())) {
      if (port.getName() != null) {
        ports.put(port.getName(), port.getContainerPort());
      }
    }
    return ports;
  }

  /** A probe's or Service's port (a number, or the name of a container port) as a number; -1 if the name is unknown. */
  private int resolve(IntOrString port) {
    if (port == null) {
      return -1;
    }
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return containerPorts().getOrDefault(port.getStrVal(), -1);
  }

  private static String show(IntOrString port) {
    return port == null ? "none" : port.getIntVal() != null ? port.getIntVal().toString() : port.getStrVal();
  }

  private void checkProbes(ProxyConfig config) {
    Container c = container();
    checkProbe("livenessProbe", c.getLivenessProbe(), LIVE_PATH, config, true);
    checkProbe("readinessProbe", c.getReadinessProbe(), READY_PATH, config, true);
    checkProbe("startupProbe", c.getStartupProbe(), LIVE_PATH, config, false);
  }

  private void checkProbe(String name, Probe probe, String path, ProxyConfig config, boolean required) {
    if (probe == null) {
      if (required) {
        problem(name + " is missing");
      }
      return;
    }
    HTTPGetAction get = probe.getHttpGet();
    if (get == null) {
      problem(name + " is not an HTTP GET of " + path);
      return;
    }
    if (!path.equals(get.getPath())) {
      problem(name + " asks " + get.getPath() + ", the proxy answers it on " + path);
    }
    int port = resolve(get.getPort());
    if (port != config.management().port()) {
      problem(name + " asks port " + show(get.getPort()) + " (" + port + "), the management port is "
          + config.management().port());
    }
    String scheme = config.management().tls().enabled() ? "HTTPS" : "HTTP";
    String declared = get.getScheme() == null ? "HTTP" : get.getScheme().toUpperCase(Locale.ROOT);
    if (!declared.equals(scheme)) {
      problem(name + " uses " + declared + ", the management port speaks " + scheme);
    }
  }

  private void checkConfigMount() {
    Optional<String> path = configPath();
    if (path.isEmpty()) {
      problem("the container is not started with --config: the ConfigMap would not be read");
      return;
    }
    Path file = Path.of(path.get());
    String directory = String.valueOf(file.getParent());
    String fileName = file.getFileName().toString();
    Optional<VolumeMount> mount = Optional.ofNullable(container().getVolumeMounts()).orElse(List.of()).stream()
        .filter(m -> Path.of(m.getMountPath()).equals(file.getParent()) || Path.of(m.getMountPath()).equals(file))
        .findFirst();
    if (mount.isEmpty()) {
      problem("no volume is mounted at " + directory + ", where --config " + path.get() + " is read");
      return;
    }
    if (mount.get().getSubPath() != null && !mount.get().getSubPath().isEmpty()) {
      problem("the config volume is mounted with subPath: such a file never sees the ConfigMap's updates");
    }
    Optional<Volume> volume = deployment().getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(mount.get().getName())).findFirst();
    String configMapName = configMap().getMetadata().getName();
    if (volume.isEmpty() || volume.get().getConfigMap() == null
        || !configMapName.equals(volume.get().getConfigMap().getName())) {
      problem("the volume mounted at " + directory + " is not the ConfigMap " + configMapName);
      return;
    }
    boolean hasFile = volume.get().getConfigMap().getItems() == null || volume.get().getConfigMap().getItems()
        .isEmpty()
        ? configMap().getData() != null && configMap().getData().containsKey(fileName)
        : volume.get().getConfigMap().getItems().stream().anyMatch(i -> i.getPath().equals(fileName));
    if (!hasFile) {
      problem("the ConfigMap " + configMapName + " gives no file " + fileName + " at " + directory);
    }
  }

  private void checkServices(ProxyConfig config) {
    Map<String, String> podLabels = Optional.ofNullable(
        deployment().getSpec().getTemplate().getMetadata().getLabels()).orElse(Map.of());
    if (!selects(deployment().getSpec().getSelector().getMatchLabels(), podLabels)) {
      problem("the Deployment's selector does not select its own pods' labels " + podLabels);
    }
    for (Service service : ofType(Service.class)) {
      if (!selects(service.getSpec().getSelector(), podLabels)) {
        problem("Service " + service.getMetadata().getName() + " selects " + service.getSpec().getSelector()
            + ", not the Deployment's pods " + podLabels);
      }
    }
    Service client = clientService();
    checkServicePort(client, "http", config.http().port());
    Service cluster = clusterService();
    checkServicePort(cluster, "cluster", clusterPort());
    if (!Boolean.TRUE.equals(cluster.getSpec().getPublishNotReadyAddresses())) {
      problem("Service " + cluster.getMetadata().getName() + " does not publish not-ready addresses: a starting pod"
          + " could not find the cluster it must join to become ready");
    }
    String dnsName = environment().get(ConfigLoader.envVarName("cluster.kubernetesService"));
    if (dnsName == null || !dnsName.startsWith(cluster.getMetadata().getName() + ".")) {
      problem("env PROXY_CLUSTER_KUBERNETES_SERVICE is " + dnsName + ", not the DNS name of the headless Service "
          + cluster.getMetadata().getName());
    }
  }

  private void checkServicePort(Service service, String name, int expected) {
    String what = "Service " + service.getMetadata().getName();
    List<ServicePort> ports = service.getSpec().getPorts();
    if (ports == null || ports.size() != 1) {
      problem(what + " should have one port, the " + name + " port " + expected);
      return;
    }
    ServicePort port = ports.get(0);
    int target = port.getTargetPort() == null ? port.getPort() : resolve(port.getTargetPort());
    if (target != expected) {
      problem(what + " sends port " + port.getPort() + " to " + show(port.getTargetPort()) + " (" + target
          + "), the proxy's " + name + " port is " + expected);
    }
    if (port.getPort() != expected) {
      problem(what + " offers port " + port.getPort() + ", the documented " + name + " port is " + expected);
    }
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && !selector.isEmpty()
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private void checkShutdown(ProxyConfig config) {
    PodSpec pod = deployment().getSpec().getTemplate().getSpec();
    long grace = Optional.ofNullable(pod.getTerminationGracePeriodSeconds()).orElse(30L);
    long preStop = preStopSeconds();
    long shutdown = (config.shutdown().timeout().toMillis() + 999) / 1000;
    if (preStop < 0) {
      problem("the container has no preStop wait (exec sleep N or sleep action): clients would still be sent to a"
          + " pod that has begun to drain");
      preStop = 0;
    }
    if (grace <= preStop + shutdown + CLOSE_SECONDS) {
      problem("terminationGracePeriodSeconds " + grace + " is not more than preStop " + preStop
          + " s + shutdown.timeout " + shutdown + " s + " + CLOSE_SECONDS + " s to close: the pod would be killed"
          + " mid-drain");
    }
  }

  /** Seconds the preStop hook waits, -1 without one. */
  private long preStopSeconds() {
    LifecycleHandler preStop = Optional.ofNullable(container().getLifecycle()).map(l -> l.getPreStop()).orElse(null);
    if (preStop == null) {
      return -1;
    }
    if (preStop.getSleep() != null) {
      return preStop.getSleep().getSeconds();
    }
    if (preStop.getExec() != null) {
      List<String> command = preStop.getExec().getCommand();
      if (command.size() == 2 && command.get(0).equals("sleep") && command.get(1).matches("\\d+")) {
        return Long.parseLong(command.get(1));
      }
    }
    return -1;
  }

  private Map<String, Quantity> limits() {
    return Optional.ofNullable(container().getResources()).map(r -> r.getLimits()).orElse(Map.of());
  }

  private void checkResourcesAndSecurity() {
    Map<String, Quantity> requests = Optional.ofNullable(container().getResources()).map(r -> r.getRequests())
        .orElse(Map.of());
    for (String resource : List.of("cpu", "memory")) {
      if (!requests.containsKey(resource)) {
        problem("the container requests no " + resource);
      }
      if (!limits().containsKey(resource)) {
        problem("the container has no " + resource + " limit");
      }
    }
    Integer replicas = deployment().getSpec().getReplicas();
    if (replicas == null || replicas != 3) {
      problem("the Deployment runs " + replicas + " replicas, not 3");
    }
    PodSecurityContext pod = Optional.ofNullable(deployment().getSpec().getTemplate().getSpec().getSecurityContext())
        .orElse(new PodSecurityContext());
    SecurityContext own = Optional.ofNullable(container().getSecurityContext()).orElse(new SecurityContext());
    boolean nonRoot = Boolean.TRUE.equals(own.getRunAsNonRoot() != null ? own.getRunAsNonRoot()
        : pod.getRunAsNonRoot());
    Long user = own.getRunAsUser() != null ? own.getRunAsUser() : pod.getRunAsUser();
    if (!nonRoot || user == null || user == 0) {
      problem("the container does not run as a non-root user (runAsNonRoot, runAsUser)");
    }
    if (!Boolean.TRUE.equals(own.getReadOnlyRootFilesystem())) {
      problem("the container's root filesystem is writable (readOnlyRootFilesystem)");
    }
    if (!Boolean.FALSE.equals(own.getAllowPrivilegeEscalation())) {
      problem("the container may escalate privileges (allowPrivilegeEscalation)");
    }
  }

  private void checkDisruptionBudgetAndAutoscaler() {
    Deployment deployment = deployment();
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    for (PodDisruptionBudget pdb : ofType(PodDisruptionBudget.class)) {
      if (!selects(pdb.getSpec().getSelector().getMatchLabels(), podLabels)) {
        problem("PodDisruptionBudget " + pdb.getMetadata().getName() + " does not select the Deployment's pods");
      }
      IntOrString min = pdb.getSpec().getMinAvailable();
      if (min != null && min.getIntVal() != null && min.getIntVal() >= deployment.getSpec().getReplicas()) {
        problem("PodDisruptionBudget minAvailable " + min.getIntVal() + " leaves no pod to evict: drains would hang");
      }
    }
    if (ofType(PodDisruptionBudget.class).size() != 1) {
      problem("expected one PodDisruptionBudget");
    }
    List<HorizontalPodAutoscaler> autoscalers = ofType(HorizontalPodAutoscaler.class);
    if (autoscalers.size() != 1) {
      problem("expected one HorizontalPodAutoscaler (autoscaling/v2)");
    }
    for (HorizontalPodAutoscaler hpa : autoscalers) {
      var target = hpa.getSpec().getScaleTargetRef();
      if (!"Deployment".equals(target.getKind()) || !"apps/v1".equals(target.getApiVersion())
          || !deployment.getMetadata().getName().equals(target.getName())) {
        problem("HorizontalPodAutoscaler " + hpa.getMetadata().getName() + " scales " + target.getApiVersion() + " "
            + target.getKind() + " " + target.getName() + ", not the Deployment " + deployment.getMetadata().getName());
      }
      int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
      if (Objects.requireNonNullElse(hpa.getSpec().getMinReplicas(), 1) > replicas
          || hpa.getSpec().getMaxReplicas() < replicas) {
        problem("HorizontalPodAutoscaler range " + hpa.getSpec().getMinReplicas() + "-" + hpa.getSpec().getMaxReplicas()
            + " does not include the Deployment's " + replicas + " replicas");
      }
      boolean cpu = Optional.ofNullable(hpa.getSpec().getMetrics()).orElse(List.of()).stream()
          .map(MetricSpec::getResource).filter(Objects::nonNull).anyMatch(r -> "cpu".equals(r.getName()));
      if (!cpu) {
        problem("HorizontalPodAutoscaler " + hpa.getMetadata().getName() + " does not scale on CPU");
      }
    }
  }

  /**
   * A field the model does not know (a typo such as {@code readinesProbe}) is kept by fabric8 in the object's
   * additional properties rather than refused; Kubernetes would ignore it. Each one found is a problem.
   */
  private void unknownFields(Object node, String path) {
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]");
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((key, value) -> unknownFields(value, path + "." + key));
      return;
    }
    if (node == null || !node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || !isModel(getter.getReturnType())) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          problem(path + ": unknown field(s) " + extra.keySet());
        }
        continue;
      }
      String field = getter.getName().substring(3);
      unknownFields(value, path + "." + Character.toLowerCase(field.charAt(0)) + field.substring(1));
    }
  }

  private static boolean isModel(Class<?> type) {
    return Collection.class.isAssignableFrom(type) || Map.class.isAssignableFrom(type)
        || type.getPackageName().startsWith("io.fabric8.kubernetes.api.model");
  }
}
