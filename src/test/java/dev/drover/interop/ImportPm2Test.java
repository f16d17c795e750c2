package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import dev.drover.config.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportPm2Test {
    @TempDir
    Path dir;

    @BeforeEach
    void copy() throws Exception {
        Fixtures.copy("pm2", dir);
    }

    private ImportResult run(String file, String env) throws Exception {
        return Importing.run(dir.resolve(file), null, dir.resolve("drover.yaml"), new ImportOptions(env, Map.of()));
    }

    private DroverConfig load(ImportResult result) throws Exception {
        return ConfigLoader.parse(result.yaml(), dir.resolve("drover.yaml"), Map.of());
    }

    @Test
    void anEcosystemConfigJsIsEvaluatedByNodeAndEachAppBecomesAProcess() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        ImportResult result = run("ecosystem.config.js", null);
        assertThat(result.format()).isEqualTo(SourceFormat.PM2);
        DroverConfig config = load(result);
        assertThat(config.processes()).containsOnlyKeys("web", "worker", "report");

        ProcessSpec web = config.processes().get("web");
        assertThat(web.command()).isEqualTo(new Command.Exec(List.of("node", "./server.js")));
        assertThat(web.env()).containsEntry("NODE_ENV", "development").containsKey("PORT");
        assertThat(web.limits().memoryBytes()).isEqualTo(200L << 20);
        assertThat(web.minUptime()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.backoff().initial()).isEqualTo(Duration.ofMillis(100));
        assertThat(web.backoff().multiplier()).isEqualTo(1.5);
        assertThat(web.backoff().max()).isEqualTo(Duration.ofSeconds(15));
        assertThat(web.stopTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(web.restart()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(web.maxRestarts()).isEqualTo(10);

        ProcessSpec worker = config.processes().get("worker");
        assertThat(worker.replicas()).isEqualTo(2);
        assertThat(worker.backoff().initial()).isEqualTo(Duration.ofSeconds(2));
        assertThat(worker.backoff().max()).isEqualTo(Duration.ofSeconds(2));
        assertThat(worker.stopTimeout()).isEqualTo(Duration.ofMillis(1600));

        ProcessSpec report = config.processes().get("report");
        assertThat(report.command())
                .isEqualTo(
                        new Command.Exec(List.of("python3", "report.py", "--daily", "--out", "/tmp/shop-report.txt")));
        assertThat(report.restart()).isEqualTo(RestartPolicy.NO);
    }

    @Test
    void whatPm2DoesAndDroverDoesNotIsReportedWithWhy() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        ImportResult result = run("ecosystem.config.js", null);
        assertThat(note(result, "apps[0].wait_ready").detail()).contains("readiness probe");
        assertThat(note(result, "apps[0].wait_ready").isMapped()).isFalse();
        assertThat(note(result, "apps[1].watch").detail()).contains("file changes");
        assertThat(note(result, "apps[1].exec_mode").detail()).contains("differs");
        assertThat(note(result, "apps[0].env_production").detail()).contains("--env production");
        // drover may not have `schedule` yet: then the note says what the loader said
        ImportNote cron = note(result, "apps[2].cron_restart");
        assertThat(cron.isMapped() ? cron.target() : cron.detail()).contains("schedule");
    }

    @Test
    void envNameAppliesThatEnvironment() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        DroverConfig config = load(run("ecosystem.config.js", "production"));
        assertThat(config.processes().get("web").env()).containsEntry("NODE_ENV", "production");
    }

    @Test
    void aJsonEcosystemNeedsNoNode() throws Exception {
        ImportResult result = run("ecosystem.json", "staging");
        DroverConfig config = load(result);
        ProcessSpec api = config.processes().get("api");
        assertThat(api.command()).isEqualTo(new Command.Exec(List.of("node", "api.js")));
        assertThat(api.env()).containsEntry("NODE_ENV", "staging");
        assertThat(api.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(api.replicas()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void anUnknownEnvNameIsRefusedNamingTheOnesThereAre() {
        assertThatThrownBy(() -> run("ecosystem.json", "nope"))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("no app has env_nope")
                .hasMessageContaining("env_staging");
    }

    @Test
    void aBrokenEcosystemFileReportsNodesError() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        Files.writeString(dir.resolve("ecosystem.config.js"), "module.exports = { apps: [ ;\n");
        assertThatThrownBy(() -> run("ecosystem.config.js", null))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("node could not read")
                .hasMessageContaining("SyntaxError");
    }

    @Test
    void anEsModuleEcosystemIsRefusedSayingWhichFormsWork() throws Exception {
        Files.writeString(dir.resolve("ecosystem.config.mjs"), "export default { apps: [] };\n");
        assertThatThrownBy(() -> run("ecosystem.config.mjs", null))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("is an ES module")
                .hasMessageContaining(".json or .yaml");
    }

    private static ImportNote note(ImportResult result, String source) {
        return result.notes().stream()
                .filter(n -> n.source().equals(source))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no note for " + source + " in " + result.notes()));
    }
}
