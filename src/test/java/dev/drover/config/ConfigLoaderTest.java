package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline as a whole: files, env files, the environment, and how errors read. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void missingConfigFileIsAnErrorWithoutPosition() {
        Path file = dir.resolve("nope.yaml");

        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(failure.errors()).containsExactly(new ConfigError(file, 0, 0, "", "config file not found"));
        assertThat(failure.getMessage()).isEqualTo(file + ": config file not found");
    }

    @Test
    void relativePathsResolveBesideTheConfigFile() throws IOException, ConfigException {
        Path file = Files.writeString(dir.resolve("drover.yaml"), """
                log_dir: logs/../var/logs
                processes:
                  api: {command: ./api, cwd: services/api}
                """);

        DroverConfig config = ConfigLoader.load(file, Map.of());

        assertThat(config.logDir()).isEqualTo(dir.resolve("var/logs"));
        assertThat(config.processes().get("api").cwd()).isEqualTo(dir.resolve("services/api"));
    }

    @Test
    void loadWithoutAnEnvironmentUsesTheProcessEnvironment() throws IOException, ConfigException {
        Path file = Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  api: {command: ./api, env: {P: "${PATH}"}}
                """);

        assertThat(ConfigLoader.load(file).processes().get("api").env()).containsEntry("P", System.getenv("PATH"));
    }

    @Test
    void envFileProblemsPointIntoTheEnvFile() throws IOException {
        Path file = Files.writeString(dir.resolve("drover.yaml"), """
                env_file: [.env, other.env]
                processes:
                  api: {command: ./api}
                """);
        Files.writeString(dir.resolve(".env"), "# settings\nOK=1\nthis is not a pair\n");

        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(failure.errors())
                .containsExactlyInAnyOrder(
                        new ConfigError(
                                dir.resolve(".env"), 3, 1, "", "expected KEY=VALUE, got \"this is not a pair\""),
                        new ConfigError(
                                file, 1, 18, "env_file[1]", "env file " + dir.resolve("other.env") + " not found"));
    }

    @Test
    void envFileNamesUseOnlyTheEnvironmentNotOtherEnvFiles() throws IOException {
        Path file = Files.writeString(dir.resolve("drover.yaml"), """
                env_file: [a.env, "${FROM_A}.env"]
                processes:
                  api: {command: ./api}
                """);
        Files.writeString(dir.resolve("a.env"), "FROM_A=b\n");

        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file, Map.of()));

        assertThat(failure.errors())
                .containsExactly(new ConfigError(
                        file,
                        1,
                        19,
                        "env_file[1]",
                        "variable FROM_A is not set (use ${FROM_A:-default} to give a default)"));
    }

    @Test
    void envFileValuesFeedInterpolationAndTheEnvironmentWins() throws IOException, ConfigException {
        Path file = Files.writeString(dir.resolve("drover.yaml"), """
                env_file: .env
                processes:
                  api: {command: "./api --db ${DB_URL} --mode ${MODE}"}
                """);
        Files.writeString(dir.resolve(".env"), "DB_URL=postgres://localhost/app\nMODE=dev\n");

        DroverConfig config = ConfigLoader.load(file, Map.of("MODE", "prod"));

        assertThat(config.processes().get("api").command())
                .isEqualTo(new Command.Exec(List.of("./api", "--db", "postgres://localhost/app", "--mode", "prod")));
        assertThat(config.env()).containsEntry("MODE", "prod").containsEntry("DB_URL", "postgres://localhost/app");
    }

    @Test
    void parseResolvesEnvFilesBesideTheFileNamedForMessages() throws IOException, ConfigException {
        Files.writeString(dir.resolve("vars.env"), "NAME=from-file\n");

        DroverConfig config = ConfigLoader.parse("""
                env_file: vars.env
                processes:
                  api: {command: "./api ${NAME}"}
                """, dir.resolve("drover.yaml"), Map.of());

        assertThat(config.processes().get("api").command()).isEqualTo(new Command.Exec(List.of("./api", "from-file")));
    }

    @Test
    void errorsReadAsFileLineColumnKeyMessageOnePerLine() {
        ConfigException failure = catchThrowableOfType(ConfigException.class, () -> TestConfigs.parse("""
                processes:
                  api: {command: ./api, replicas: 0, restart: never}
                """));

        assertThat(failure.getMessage()).isEqualTo("""
                /project/drover.yaml:2:35: processes.api.replicas: must be at least 1, got 0
                /project/drover.yaml:2:47: processes.api.restart: expected one of always, on-failure, no, got string "never\"""");
        assertThat(new ConfigError(Path.of("d.yaml"), 3, 0, "", "whole file").toString())
                .isEqualTo("d.yaml:3: whole file");
    }
}
