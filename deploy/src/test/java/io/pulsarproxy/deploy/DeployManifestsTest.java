package io.pulsarproxy.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.pulsarproxy.config.ConfigLoader;
import io.pulsarproxy.config.ProxyConfig;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes against the proxy's runtime contract: every manifest parses into typed Kubernetes objects, and
 * probes, ports, the config file and the shutdown timing agree with what the proxy does. The tests that change one
 * line of a manifest show that each check can fail.
 */
class DeployManifestsTest {
  private static Map<String, String> files;

  @BeforeAll
  static void read() throws IOException {
    files = DeployManifests.readDirectory();
  }

  @Test
  void everyManifestIsATypedKubernetesObject() {
    DeployManifests manifests = DeployManifests.parse(files);
    assertThat(files).containsKeys(DeployManifests.KUSTOMIZATION, "deployment.yaml", "configmap.yaml");
    assertThat(manifests.ofType(Deployment.class)).hasSize(1);
    assertThat(manifests.ofType(Service.class)).hasSize(2);
    assertThat(manifests.ofType(ConfigMap.class)).hasSize(1);
    assertThat(manifests.ofType(PodDisruptionBudget.class)).hasSize(1);
    // autoscaling/v2, not the v1 API that knows only CPU and no scaling behaviour
    assertThat(manifests.ofType(HorizontalPodAutoscaler.class)).hasSize(1);
    assertThat(manifests.all()).hasSize(6);
  }

  @Test
  void manifestsAgreeWithTheRuntimeContract() {
    assertThat(DeployManifests.parse(files).problems()).isEmpty();
  }

  @Test
  void theConfigMapIsAConfigurationTheProxyAccepts() {
    DeployManifests manifests = DeployManifests.parse(files);
    ProxyConfig config = manifests.proxyConfig();
    assertThat(manifests.configPath()).contains("/etc/pulsar-proxy/proxy.yaml");
    assertThat(config.http().port()).isEqualTo(8088);
    assertThat(config.management().port()).isEqualTo(8089);
    assertThat(config.shutdown().timeout()).hasSeconds(20);
    assertThat(config.pulsar().serviceUrl()).startsWith("pulsar://");
  }

  @Test
  void theClusterSettingsUseTheDocumentedNames() {
    Map<String, String> env = DeployManifests.parse(files).environment();
    assertThat(env).containsEntry("PROXY_CLUSTER_ENABLED", "true")
        .containsEntry("PROXY_CLUSTER_HOST", "10.1.2.3") // the pod's IP
        .containsEntry("PROXY_CLUSTER_PORT", "5701")
        .containsEntry("PROXY_CLUSTER_KUBERNETES_SERVICE", "pulsar-proxy-cluster.default.svc.cluster.local")
        .containsKey("PROXY_EDGE_INSTANCES");
  }

  @Test
  void aWrongContainerPortIsFound() {
    assertThat(problemsAfter("deployment.yaml", "containerPort: 8088", "containerPort: 8090"))
        .anyMatch(p -> p.contains("container port 'http' is 8090, the proxy listens on 8088"));
  }

  @Test
  void aProbeOnTheClientPortIsFound() {
    assertThat(problemsAfter("deployment.yaml", "path: /health/ready\n              port: management",
        "path: /health/ready\n              port: 8088"))
        .containsExactly("readinessProbe asks port 8088 (8088), the management port is 8089");
  }

  @Test
  void aProbeOfAPathTheProxyDoesNotServeIsFound() {
    assertThat(problemsAfter("deployment.yaml", "path: /health/ready", "path: /healthz"))
        .containsExactly("readinessProbe asks /healthz, the proxy answers it on /health/ready");
  }

  @Test
  void aManagementPortMovedInTheConfigMapAloneIsFound() {
    assertThat(problemsAfter("configmap.yaml", "port: 8089", "port: 9089"))
        .containsExactlyInAnyOrder("container port 'management' is 8089, the proxy listens on 9089",
            "annotation prometheus.io/port 8089 is not the management port 9089",
            "livenessProbe asks port management (8089), the management port is 9089",
            "readinessProbe asks port management (8089), the management port is 9089",
            "startupProbe asks port management (8089), the management port is 9089");
  }

  @Test
  void aServiceSendingTrafficElsewhereIsFound() {
    assertThat(problemsAfter("service.yaml", "targetPort: http", "targetPort: 8089"))
        .containsExactly("Service pulsar-proxy sends port 8088 to 8089 (8089), the proxy's http port is 8088");
  }

  @Test
  void aHeadlessServiceOnAnotherPortThanTheClusterPortIsFound() {
    assertThat(problemsAfter("service-cluster.yaml", "port: 5701\n      targetPort: cluster",
        "port: 5702\n      targetPort: 5702"))
        .containsExactly("Service pulsar-proxy-cluster sends port 5702 to 5702 (5702), the proxy's cluster port is 5701",
            "Service pulsar-proxy-cluster offers port 5702, the documented cluster port is 5701");
  }

  @Test
  void aServiceThatSelectsOtherPodsIsFound() {
    assertThat(problemsAfter("service.yaml", "app.kubernetes.io/component: proxy\n  ports",
        "app.kubernetes.io/component: web\n  ports"))
        .anyMatch(p -> p.startsWith("Service pulsar-proxy selects {") && p.contains("app.kubernetes.io/component=web"));
  }

  @Test
  void anAutoscalerOfAnotherDeploymentIsFound() {
    assertThat(problemsAfter("horizontalpodautoscaler.yaml", "name: pulsar-proxy\n  minReplicas",
        "name: pulsar-proxi\n  minReplicas"))
        .containsExactly("HorizontalPodAutoscaler pulsar-proxy scales apps/v1 Deployment pulsar-proxi, not the"
            + " Deployment pulsar-proxy");
  }

  @Test
  void aGracePeriodShorterThanTheDrainIsFound() {
    assertThat(problemsAfter("deployment.yaml", "terminationGracePeriodSeconds: 60",
        "terminationGracePeriodSeconds: 40"))
        .containsExactly("terminationGracePeriodSeconds 40 is not more than preStop 10 s + shutdown.timeout 20 s"
            + " + 10 s to close: the pod would be killed mid-drain");
  }

  @Test
  void aStopWithoutPreStopWaitIsFound() {
    assertThat(problemsAfter("deployment.yaml", "command: [\"sleep\", \"10\"]", "command: [\"true\"]"))
        .containsExactly("the container has no preStop wait (exec sleep N or sleep action): clients would still be"
            + " sent to a pod that has begun to drain");
  }

  @Test
  void aConfigFileMountedWithSubPathIsFound() {
    assertThat(problemsAfter("deployment.yaml", "mountPath: /etc/pulsar-proxy\n",
        "mountPath: /etc/pulsar-proxy/proxy.yaml\n              subPath: proxy.yaml\n"))
        .containsExactly("the config volume is mounted with subPath: such a file never sees the ConfigMap's updates");
  }

  @Test
  void aConfigPathWhereNothingIsMountedIsFound() {
    assertThat(problemsAfter("deployment.yaml", "\"/etc/pulsar-proxy/proxy.yaml\"", "\"/config/proxy.yaml\""))
        .containsExactly("no volume is mounted at /config, where --config /config/proxy.yaml is read");
  }

  @Test
  void anUnknownConfigKeyIsFound() {
    assertThat(problemsAfter("configmap.yaml", "level: INFO", "levle: INFO"))
        .anyMatch(p -> p.startsWith("ConfigMap proxy.yaml: ") && p.contains("log.levle"));
  }

  @Test
  void anEnvironmentVariableThatSetsNoKeyIsFound() {
    assertThat(problemsAfter("deployment.yaml", "name: PROXY_EDGE_INSTANCES", "name: PROXY_EDGE_INSTANCE"))
        .containsExactly("env PROXY_EDGE_INSTANCE sets no config key");
  }

  @Test
  void aMisspelledKubernetesFieldIsFound() {
    assertThat(problemsAfter("deployment.yaml", "readinessProbe:", "readinesProbe:"))
        .containsExactlyInAnyOrder("readinessProbe is missing",
            "Deployment pulsar-proxy.spec.template.spec.containers[0]: unknown field(s) [readinesProbe]");
  }

  @Test
  void aManifestLeftOutOfTheKustomizationIsFound() {
    assertThat(problemsAfter(DeployManifests.KUSTOMIZATION, "  - poddisruptionbudget.yaml\n", ""))
        .containsExactly("poddisruptionbudget.yaml is not among the resources of kustomization.yaml (kubectl apply"
            + " -k would skip it)");
  }

  @Test
  void anImageTheKustomizationDoesNotSetIsFound() {
    assertThat(problemsAfter("deployment.yaml", "image: pulsar-proxy:", "image: proxy:"))
        .containsExactly("the container's image proxy:0.1.0-SNAPSHOT is not among the images of kustomization.yaml"
            + " [pulsar-proxy]: setting the registry there would not change it");
  }

  @Test
  void theEnvVarNamesOfPendingKeysFollowTheConfigPattern() {
    assertThat(ConfigLoader.envVarName("cluster.kubernetesService")).isEqualTo("PROXY_CLUSTER_KUBERNETES_SERVICE");
    assertThat(ConfigLoader.envVarName("edge.instances")).isEqualTo("PROXY_EDGE_INSTANCES");
  }

  /** The problems found once {@code text} (found exactly once in {@code file}) is replaced by {@code replacement}. */
  private static List<String> problemsAfter(String file, String text, String replacement) {
    String original = files.get(file);
    assertThat(original.split(java.util.regex.Pattern.quote(text), -1)).as("occurrences of %s in %s", text, file)
        .hasSize(2);
    Map<String, String> changed = new TreeMap<>(files);
    changed.put(file, original.replace(text, replacement));
    return DeployManifests.parse(changed).problems();
  }
}
