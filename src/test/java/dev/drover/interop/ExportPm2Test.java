package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.config.ProcessSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportPm2Test {
    @TempDir
    Path dir;

    private DroverConfig original;
    private Path ecosystem;

    @BeforeEach
    void export() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/node")), "node is not installed");
        Fixtures.copy("export", dir);
        original = ConfigLoader.load(dir.resolve("drover.yaml"), Map.of());
        ExportResult result = Exporting.run(ExportTarget.PM2, original, new ExportOptions(null, null));
        ecosystem = Files.createDirectories(dir.resolve("pm2")).resolve("ecosystem.config.js");
        Files.writeString(ecosystem, result.files().getFirst().content());
    }

    @Test
    void nodeLoadsItWithDependenciesListedFirst() throws Exception {
        Process node = new ProcessBuilder(
                        "node",
                        "-e",
                        "process.stdout.write(JSON.stringify(require(process.argv[1])))",
                        ecosystem.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(node.getInputStream().readAllBytes());
        assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        JsonNode apps = new ObjectMapper().readTree(output).get("apps");
        List<String> names = new ArrayList<>();
        apps.forEach(a -> names.add(a.get("name").asText()));
        assertThat(names).containsExactly("migrate", "web", "worker", "docs");
        JsonNode web = apps.get(1);
        assertThat(web.get("interpreter").asText()).isEqualTo("none");
        assertThat(web.get("kill_timeout").asLong()).isEqualTo(5000);
        assertThat(web.get("max_memory_restart").asText()).isEqualTo("262144K");
        assertThat(apps.get(3).get("autostart").asBoolean()).isFalse();
        assertThat(apps.get(2).get("stop_exit_codes").get(0).asInt()).isZero();
    }

    @Test
    void importingTheExportGivesBackWhatPm2CanHold() throws Exception {
        Path output = dir.resolve("pm2/drover.yaml");
        ImportResult back = Importing.run(ecosystem, null, output, new ImportOptions(null, Map.of()));
        DroverConfig again = ConfigLoader.parse(back.yaml(), output, Map.of());
        assertThat(again.processes().keySet())
                .containsExactlyInAnyOrderElementsOf(original.processes().keySet());
        for (ProcessSpec before : original.processes().values()) {
            ProcessSpec after = again.processes().get(before.name());
            assertThat(after.command()).as(before.name()).isEqualTo(before.command());
            assertThat(after.cwd()).isEqualTo(before.cwd());
            Map<String, String> env = new LinkedHashMap<>(after.env());
            env.remove("PORT");
            assertThat(env).as(before.name()).isEqualTo(before.env());
            assertThat(after.replicas()).isEqualTo(before.replicas());
            assertThat(after.restart()).as(before.name()).isEqualTo(before.restart());
            assertThat(after.maxRestarts()).isEqualTo(before.maxRestarts());
            assertThat(after.minUptime()).isEqualTo(before.minUptime());
            assertThat(after.stopTimeout()).isEqualTo(before.stopTimeout());
            assertThat(after.backoff().initial()).isEqualTo(before.backoff().initial());
            assertThat(after.limits().memoryBytes()).isEqualTo(before.limits().memoryBytes());
            assertThat(after.enabled()).isEqualTo(before.enabled());
        }
    }
}
