package dev.drover.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.drover.config.Command;
import dev.drover.config.ConfigLoader;
import dev.drover.config.DroverConfig;
import dev.drover.config.PortSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportProcfileTest {
    @TempDir
    Path dir;

    @Test
    void eachLineBecomesAShellProcessWithAPortAndTheDotEnv() throws Exception {
        Fixtures.copy("procfile", dir);
        Path output = dir.resolve("drover.yaml");
        ImportResult result = Importing.run(dir.resolve("Procfile"), null, output, new ImportOptions(null, Map.of()));
        assertThat(result.format()).isEqualTo(SourceFormat.PROCFILE);
        DroverConfig config = ConfigLoader.parse(result.yaml(), output, Map.of());
        assertThat(config.processes()).containsOnlyKeys("web", "worker", "clock");
        assertThat(config.env()).containsEntry("GREETING", "hello").containsEntry("SHOP_MODE", "development");
        assertThat(config.processes().values()).allMatch(p -> p.port() instanceof PortSpec.Auto);
        // the shell, not drover, expands the variables at run time: the text reaches it as written
        assertThat(config.processes().get("worker").command())
                .isEqualTo(new Command.Shell("echo \"worker sees $GREETING in ${SHOP_MODE}\"; exec sleep 3600"));
        assertThat(config.processes().get("clock").command())
                .isEqualTo(new Command.Shell("while true; do echo \"tick $$\"; sleep 60; done"));
        assertThat(result.notes())
                .anyMatch(n -> n.source().equals(".env") && n.target().equals("env_file"));
        assertThat(result.notes())
                .anyMatch(n -> n.source().equals("Procfile:2 web") && n.target().endsWith("command"));
    }

    @Test
    void aProcfileElsewhereRunsInItsOwnDirectory() throws Exception {
        Fixtures.copy("procfile", dir.resolve("app"));
        Path output = dir.resolve("drover.yaml");
        ImportResult result =
                Importing.run(dir.resolve("app/Procfile"), null, output, new ImportOptions(null, Map.of()));
        DroverConfig config = ConfigLoader.parse(result.yaml(), output, Map.of());
        assertThat(config.processes().get("web").cwd())
                .isEqualTo(dir.resolve("app").toAbsolutePath());
        assertThat(result.yaml()).contains("env_file: app/.env");
    }

    @Test
    void aLineThatIsNotNameColonCommandIsRefusedWithItsNumber() throws Exception {
        Files.writeString(dir.resolve("Procfile"), "web: sleep 1\nthis is not a process\n");
        assertThatThrownBy(() -> Importing.run(
                        dir.resolve("Procfile"), null, dir.resolve("drover.yaml"), new ImportOptions(null, Map.of())))
                .isInstanceOf(InteropException.class)
                .hasMessageContaining("Procfile:2: expected `name: command`");
    }
}
