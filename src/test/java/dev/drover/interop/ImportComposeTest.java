package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.Dependency;
import dev.drover.config.Dependency.Condition;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportComposeTest {
    private static final Map<String, String> ENV = Map.of("WEB_PORT", "18767");

    @TempDir
    Path dir;

    private ImportResult result;
    private DroverConfig config;

    @BeforeEach
    void importTheShop() throws Exception {
        Fixtures.copy("compose", dir);
        Path output = dir.resolve("drover.yaml");
        result = Importing.run(dir.resolve("compose.yaml"), null, output, new ImportOptions(null, ENV));
        config = ConfigLoader.parse(result.yaml(), output, ENV);
    }

    @Test
    void servicesWithACommandBecomeProcessesAndImageOnlyOnesAreReported() {
        assertThat(result.format()).isEqualTo(SourceFormat.COMPOSE);
        assertThat(config.processes()).containsOnlyKeys("migrate", "web", "worker");
        assertThat(result.notes())
                .filteredOn(n -> n.source().startsWith("services.db."))
                .hasSize(3)
                .allSatisfy(n -> {
                    assertThat(n.isMapped()).isFalse();
                    assertThat(n.detail()).contains("runs only its image's own entrypoint (postgres:16)");
                });
        assertThat(result.notes())
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("services.web.depends_on.db");
                    assertThat(n.detail()).contains("not imported");
                })
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("services.web.image");
                    assertThat(n.detail()).contains("on the host");
                });
    }

    @Test
    void serviceKeysBecomeProcessKeys() {
        ProcessSpec web = config.processes().get("web");
        assertThat(web.command())
                .isEqualTo(new Command.Exec(
                        List.of("python3", "-u", "-m", "http.server", "18767", "--bind", "127.0.0.1")));
        assertThat(web.env())
                .containsEntry("GREETING", "hello")
                .containsEntry("SHOP_MODE", "test")
                .containsEntry("PAGE_SIZE", "20");
        assertThat(web.dependsOn()).containsExactly(new Dependency("migrate", Condition.COMPLETED));
        assertThat(web.restart()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(web.stopSignal().number()).isEqualTo(2);
        assertThat(web.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.limits().memoryBytes()).isEqualTo(256L << 20);
        assertThat(web.limits().cpuPercent()).isEqualTo(50.0);
        assertThat(web.readiness().check()).isInstanceOf(ProbeCheck.Exec.class);
        assertThat(web.readiness().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(web.readiness().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.readiness().failureThreshold()).isEqualTo(5);

        ProcessSpec worker = config.processes().get("worker");
        assertThat(worker.replicas()).isEqualTo(2);
        assertThat(worker.dependsOn()).containsExactly(new Dependency("web", Condition.HEALTHY));
        assertThat(worker.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(worker.maxRestarts()).isEqualTo(3);
        assertThat(worker.backoff().initial()).isEqualTo(Duration.ofSeconds(2));
        assertThat(worker.restartWindow()).isEqualTo(Duration.ofSeconds(120));
        // Compose's $$ is drover's $$: both load as one literal $ for the shell
        assertThat(((Command.Exec) worker.command()).argv().get(2))
                .isEqualTo("echo \"worker up, mode $SHOP_MODE\"; exec sleep 3600");
        assertThat(config.processes().get("migrate").restart()).isEqualTo(RestartPolicy.NO);
    }
}
