package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportKubernetesTest {
    @TempDir
    Path dir;

    private String yaml;
    private KubernetesList list;

    @BeforeEach
    void export() throws Exception {
        Fixtures.copy("export", dir);
        Path file = dir.resolve("drover.yaml");
        Files.writeString(
                file,
                Files.readString(file)
                        + "proxy: {listen: \"127.0.0.1:8080\"}\n"
                        + "routes:\n  - {host: shop.example.test, path: /, process: web}\n");
        DroverConfig config = ConfigLoader.load(file, Map.of());
        ExportResult result = Exporting.run(ExportTarget.KUBERNETES, config, new ExportOptions("shop", "shop:1.0"));
        yaml = result.files().getFirst().content();
        list = DroverYaml.mapper().readValue(yaml, KubernetesList.class);
    }

    @Test
    void theManifestsParseBackIntoTheModelWithNothingUnknown() throws Exception {
        for (HasMetadata item : list.getItems()) {
            assertThat(unknownKeys(item, new IdentityHashMap<>()))
                    .as(item.getKind())
                    .isEmpty();
        }
        // the check sees a key the model does not know
        var tampered = (com.fasterxml.jackson.databind.node.ObjectNode)
                DroverYaml.mapper().readTree(yaml);
        ((com.fasterxml.jackson.databind.node.ObjectNode)
                        tampered.get("items").get(1).get("spec"))
                .put("bogus", 1);
        KubernetesList bad = DroverYaml.mapper().treeToValue(tampered, KubernetesList.class);
        assertThat(unknownKeys(bad.getItems().get(1), new IdentityHashMap<>())).containsExactly("JobSpec.bogus");
        JsonNode written = DroverYaml.mapper().readTree(yaml);
        JsonNode again = DroverYaml.mapper().valueToTree(list);
        // as text: the tree read from YAML holds ints where the model holds longs
        assertThat(again.toString()).isEqualTo(written.toString());
    }

    @Test
    void aDeploymentPerServiceAJobPerOneShotAServicePerPortAndAnIngress() {
        assertThat(list.getItems())
                .extracting(i -> i.getKind() + "/" + i.getMetadata().getName())
                .containsExactly(
                        "ConfigMap/migrate-env",
                        "Job/migrate",
                        "ConfigMap/web-env",
                        "Service/web",
                        "Deployment/web",
                        "ConfigMap/worker-env",
                        "Deployment/worker",
                        "ConfigMap/docs-env",
                        "Deployment/docs",
                        "Ingress/shop");
        Deployment web = item(Deployment.class, "web");
        Container container =
                web.getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(container.getImage()).isEqualTo("shop:1.0");
        assertThat(container.getCommand())
                .containsExactly("python3", "-u", "-m", "http.server", "18090", "--bind", "127.0.0.1");
        assertThat(container.getPorts().getFirst().getContainerPort()).isEqualTo(18090);
        assertThat(container.getResources().getLimits().get("memory").toString())
                .isEqualTo("268435456");
        assertThat(container.getResources().getLimits().get("cpu").toString()).isEqualTo("500m");
        assertThat(container.getReadinessProbe().getExec().getCommand()).startsWith("python3", "-c");
        assertThat(container.getReadinessProbe().getPeriodSeconds()).isEqualTo(2);
        assertThat(container.getReadinessProbe().getFailureThreshold()).isEqualTo(4);
        assertThat(web.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isEqualTo(5);
        assertThat(item(ConfigMap.class, "web-env").getData())
                .containsEntry("GREETING", "hello, 100% sure")
                .containsEntry("SHOP_MODE", "test");

        Deployment worker = item(Deployment.class, "worker");
        assertThat(worker.getSpec().getReplicas()).isEqualTo(2);
        assertThat(worker.getSpec().getTemplate().getSpec().getInitContainers())
                .singleElement()
                .satisfies(
                        init -> assertThat(String.join(" ", init.getCommand())).contains("nc -z web 18090"));
        assertThat(item(Deployment.class, "docs").getSpec().getReplicas()).isZero();

        Job migrate = item(Job.class, "migrate");
        assertThat(migrate.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(migrate.getSpec().getBackoffLimit()).isZero();

        assertThat(item(Service.class, "web").getSpec().getPorts().getFirst().getPort())
                .isEqualTo(18090);
        var rule = item(Ingress.class, "shop").getSpec().getRules().getFirst();
        assertThat(rule.getHost()).isEqualTo("shop.example.test");
        assertThat(rule.getHttp()
                        .getPaths()
                        .getFirst()
                        .getBackend()
                        .getService()
                        .getName())
                .isEqualTo("web");
    }

    @Test
    void anImageIsRequired() throws Exception {
        DroverConfig config = ConfigLoader.load(dir.resolve("drover.yaml"), Map.of());
        assertThatThrownBy(() -> Exporting.run(ExportTarget.KUBERNETES, config, new ExportOptions(null, " ")))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("--image IMAGE is required for kubernetes");
    }

    private <T extends HasMetadata> T item(Class<T> kind, String name) {
        return list.getItems().stream()
                .filter(kind::isInstance)
                .map(kind::cast)
                .filter(i -> i.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " " + name));
    }

    /** Keys the model did not know, anywhere under an object: fabric8 keeps them in additionalProperties. */
    private static List<String> unknownKeys(Object object, IdentityHashMap<Object, Boolean> seen) throws Exception {
        List<String> unknown = new ArrayList<>();
        if (object == null || seen.put(object, true) != null) {
            return unknown;
        }
        if (object instanceof Collection<?> items) {
            for (Object item : items) {
                unknown.addAll(unknownKeys(item, seen));
            }
            return unknown;
        }
        if (!object.getClass().getPackageName().startsWith("io.fabric8")) {
            return unknown;
        }
        for (Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")) {
                continue;
            }
            Object value = getter.invoke(object);
            if (getter.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
                extra.keySet().forEach(k -> unknown.add(object.getClass().getSimpleName() + "." + k));
            } else if (value != null && !(value instanceof Class<?>)) {
                unknown.addAll(unknownKeys(value, seen));
            }
        }
        return unknown;
    }
}
