package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.Dependency;
import dev.drover.config.Dependency.Condition;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProbeCheck;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportProcessComposeTest {
    private static final Map<String, String> ENV = Map.of("WEB_PORT", "18766");

    @TempDir
    Path dir;

    private ImportResult result;
    private DroverConfig config;

    @BeforeEach
    void importTheShop() throws Exception {
        Fixtures.copy("process-compose", dir);
        Path output = dir.resolve("drover.yaml");
        result = Importing.run(dir.resolve("process-compose.yaml"), null, output, new ImportOptions(null, ENV));
        config = ConfigLoader.parse(result.yaml(), output, ENV);
    }

    @Test
    void processesKeepTheirCommandsEnvironmentAndAvailability() {
        assertThat(result.format()).isEqualTo(SourceFormat.PROCESS_COMPOSE);
        assertThat(config.processes()).containsOnlyKeys("migrate", "web", "worker", "docs");
        assertThat(config.env()).containsEntry("SHOP_MODE", "test");
        ProcessSpec web = config.processes().get("web");
        assertThat(web.command()).isEqualTo(Command.fromString("python3 -u -m http.server 18766 --bind 127.0.0.1"));
        assertThat(web.env()).containsEntry("GREETING", "hello");
        assertThat(web.restart()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(web.maxRestarts()).isEqualTo(5);
        assertThat(web.backoff().initial()).isEqualTo(Duration.ofSeconds(2));
        assertThat(web.backoff().max()).isEqualTo(Duration.ofSeconds(2));
        assertThat(web.stopSignal().number()).isEqualTo(2);
        assertThat(web.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.processes().get("migrate").restart()).isEqualTo(RestartPolicy.NO);
        assertThat(config.processes().get("worker").restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(config.processes().get("worker").replicas()).isEqualTo(2);
        assertThat(config.processes().get("docs").enabled()).isFalse();
    }

    @Test
    void conditionsAndProbesCarryOver() {
        ProcessSpec web = config.processes().get("web");
        assertThat(web.dependsOn()).containsExactly(new Dependency("migrate", Condition.COMPLETED));
        assertThat(web.readiness().check()).isEqualTo(new ProbeCheck.Http("http://127.0.0.1:18766/"));
        assertThat(web.readiness().interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(web.readiness().timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(web.readiness().failureThreshold()).isEqualTo(5);
        ProcessSpec worker = config.processes().get("worker");
        assertThat(worker.dependsOn()).containsExactly(new Dependency("web", Condition.HEALTHY));
        assertThat(worker.liveness().check()).isEqualTo(new ProbeCheck.Exec(Command.fromString("test -d /proc/self")));
        assertThat(worker.liveness().interval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void whatDroverLacksIsReportedWithWhy() {
        assertThat(result.notes())
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("processes.docs.is_daemon");
                    assertThat(n.isMapped()).isFalse();
                    assertThat(n.detail()).contains("foreground");
                })
                .anySatisfy(n -> {
                    assertThat(n.source()).isEqualTo("log_location");
                    assertThat(n.isMapped()).isFalse();
                })
                .anySatisfy(n -> assertThat(n.source()).isEqualTo("processes.docs.description"));
    }

    @Test
    void aProcessWithoutCommandIsRefused() throws Exception {
        Files.writeString(dir.resolve("process-compose.yaml"), "processes:\n  a:\n    working_dir: /tmp\n");
        assertThatThrownBy(() -> Importing.run(
                        dir.resolve("process-compose.yaml"), null, dir.resolve("x.yaml"), new ImportOptions(null, ENV)))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("processes.a has no command");
    }
}
