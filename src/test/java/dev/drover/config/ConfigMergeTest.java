package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several config files merged in order, as Compose merges override files. */
class ConfigMergeTest {
    @TempDir
    Path dir;

    @Test
    void mapsMergeKeyByKeyAndTheLaterFileWins() throws Exception {
        Path base = write("drover.yaml", """
                env: {A: base, B: base}
                processes:
                  api: {command: ./api, env: {X: "1"}, stop_timeout: 5s}
                  db: {command: ./db}
                """);
        Path override = write("drover.override.yaml", """
                env: {B: override, C: override}
                processes:
                  api: {env: {Y: "2"}, replicas: 3, port: auto}
                  cache: {command: ./cache}
                """);

        DroverConfig config = ConfigLoader.load(List.of(base, override), Map.of());

        assertThat(config.env()).containsExactly(entry("A", "base"), entry("B", "override"), entry("C", "override"));
        ProcessSpec api = config.processes().get("api");
        assertThat(api.env()).containsEntry("X", "1").containsEntry("Y", "2");
        assertThat(api.replicas()).isEqualTo(3);
        assertThat(api.stopTimeout()).hasSeconds(5);
        assertThat(config.processes()).containsOnlyKeys("api", "db", "cache");
        assertThat(config.files()).containsExactly(base, override);
        assertThat(config.file()).isEqualTo(base);
    }

    @Test
    void listsAndScalarsAreReplacedWholeInFileOrder() throws Exception {
        Path base = write("drover.yaml", """
                processes:
                  api: {command: [./api, --slow], depends_on: [db], port: auto}
                  db: {command: ./db}
                routes: [{path: /a, process: api}, {path: /b, process: api}]
                proxy: {listen: "127.0.0.1:0"}
                """);
        Path second = write("second.yaml", """
                processes:
                  api: {command: [./api, --fast]}
                routes: [{path: /c, process: api}]
                """);
        Path third = write("third.yaml", """
                processes:
                  api: {command: "./api --fastest"}
                """);

        DroverConfig config = ConfigLoader.load(List.of(base, second, third), Map.of());

        assertThat(config.processes().get("api").command()).isEqualTo(new Command.Exec(List.of("./api", "--fastest")));
        assertThat(config.processes().get("api").dependsOn()).hasSize(1);
        assertThat(config.routes()).extracting(RouteSpec::path).containsExactly("/c");
    }

    @Test
    void relativePathsInAnOverrideResolveBesideTheFirstFile() throws Exception {
        Path base = write("drover.yaml", "processes:\n  api: {command: ./api}\n");
        Files.createDirectories(dir.resolve("elsewhere"));
        Path override = write("elsewhere/more.yaml", "processes:\n  api: {cwd: services/api}\n");

        DroverConfig config = ConfigLoader.load(List.of(base, override), Map.of());

        assertThat(config.processes().get("api").cwd()).isEqualTo(dir.resolve("services/api"));
    }

    @Test
    void anErrorInAnOverrideNamesThatFileAndItsLine() throws Exception {
        Path base = write("drover.yaml", "processes:\n  api: {command: ./api}\n");
        Path override = write("drover.override.yaml", "processes:\n  api:\n    replicas: many\n");

        ConfigException failure =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(List.of(base, override), Map.of()));

        assertThat(failure.errors()).singleElement().satisfies(error -> {
            assertThat(error.file()).isEqualTo(override);
            assertThat(error.line()).isEqualTo(3);
            assertThat(error.key()).isEqualTo("processes.api.replicas");
        });
    }

    @Test
    void aMissingOverrideIsAnErrorNamingIt() throws Exception {
        Path base = write("drover.yaml", "processes:\n  api: {command: ./api}\n");
        Path missing = dir.resolve("nope.yaml");

        ConfigException failure =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(List.of(base, missing), Map.of()));

        assertThat(failure.errors()).containsExactly(new ConfigError(missing, 0, 0, "", "config file not found"));
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
