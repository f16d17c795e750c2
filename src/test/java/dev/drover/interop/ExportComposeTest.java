package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import dev.drover.config.ProcessSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportComposeTest {
    @TempDir
    Path dir;

    private DroverConfig original;
    private Path compose;

    @BeforeEach
    void export() throws Exception {
        Fixtures.copy("export", dir);
        original = ConfigLoader.load(dir.resolve("drover.yaml"), Map.of());
        ExportResult result = Exporting.run(ExportTarget.COMPOSE, original, new ExportOptions(null, "shop:1.0"));
        assertThat(result.files()).extracting(ExportedFile::name).containsExactly("compose.yaml");
        compose = Files.createDirectories(dir.resolve("out")).resolve("compose.yaml");
        Files.writeString(compose, result.files().getFirst().content());
    }

    @Test
    void dockerComposeConfigAcceptsIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/docker-compose")), "docker-compose is not installed");
        Process check = new ProcessBuilder("docker-compose", "-f", compose.toString(), "config", "-q")
                .redirectErrorStream(true)
                .start();
        String output = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).isEmpty();
    }

    @Test
    void importingTheExportGivesBackAnEquivalentConfiguration() throws Exception {
        Path output = dir.resolve("out/drover.yaml");
        ImportResult back = Importing.run(compose, null, output, new ImportOptions(null, Map.of()));
        DroverConfig again = ConfigLoader.parse(back.yaml(), output, Map.of());
        assertThat(again.processes().keySet())
                .containsExactlyElementsOf(original.processes().keySet());
        for (ProcessSpec before : original.processes().values()) {
            ProcessSpec after = again.processes().get(before.name());
            assertThat(after.command()).as(before.name()).isEqualTo(withPortFilledIn(before));
            assertThat(after.cwd()).isEqualTo(before.cwd());
            assertThat(after.env()).as(before.name()).isEqualTo(before.env());
            assertThat(after.port()).isEqualTo(before.port());
            assertThat(after.replicas()).isEqualTo(before.replicas());
            assertThat(after.dependsOn()).isEqualTo(before.dependsOn());
            assertThat(after.restart()).isEqualTo(before.restart());
            assertThat(after.maxRestarts()).isEqualTo(before.maxRestarts());
            assertThat(after.restartWindow()).isEqualTo(before.restartWindow());
            assertThat(after.backoff().initial()).isEqualTo(before.backoff().initial());
            assertThat(after.stopSignal()).isEqualTo(before.stopSignal());
            assertThat(after.stopTimeout()).isEqualTo(before.stopTimeout());
            assertThat(after.readiness()).as(before.name()).isEqualTo(before.readiness());
            assertThat(after.limits()).isEqualTo(before.limits());
            assertThat(after.enabled()).isEqualTo(before.enabled());
        }
        // a fixed delay comes back whole
        assertThat(again.processes().get("web").backoff())
                .isEqualTo(original.processes().get("web").backoff());
    }

    @Test
    void anImageIsRequired() {
        assertThatThrownBy(() -> Exporting.run(ExportTarget.COMPOSE, original, new ExportOptions(null, null)))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("--image IMAGE is required for compose");
    }

    /** Compose has no per-instance variables: the fixed port is written into the command. */
    private static Command withPortFilledIn(ProcessSpec p) {
        if (p.command() instanceof Command.Exec exec && p.port() instanceof PortSpec.Fixed fixed) {
            List<String> argv = exec.argv().stream()
                    .map(w -> w.replace("${PORT}", Integer.toString(fixed.port())))
                    .toList();
            return new Command.Exec(argv);
        }
        return p.command();
    }
}
