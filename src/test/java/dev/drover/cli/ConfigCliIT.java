package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover config` and several `-f` files, through the real CLI (and, for `up`, the real daemon). */
@Timeout(180)
class ConfigCliIT {
    @TempDir
    Path dir;

    private DaemonHarness drover;

    @BeforeEach
    void setUp() throws Exception {
        drover = new DaemonHarness(dir);
        Files.writeString(dir.resolve(".env"), "DB_URL=postgres://app:hunter2@db/app\nMODE=dev\n");
        Files.writeString(dir.resolve("drover.yaml"), """
                env_file: .env
                env: {LOG_LEVEL: info, SESSION_SECRET: s3cr3t}
                processes:
                  web:
                    command: "exec sleep 300"
                    port: auto
                    env: {GREETING: "hello ${MODE}"}
                """);
    }

    @AfterEach
    void tearDown() {
        drover.close();
    }

    @Test
    void printsTheResolvedConfigWithDefaultsAndSecretsMaskedUnlessAsked() {
        DaemonHarness.Result config = drover.run("config");

        assertThat(config.exitCode()).as(config.toString()).isZero();
        assertThat(config.output())
                .contains("restart: on-failure", "stop_timeout: 10s", "replicas: 1", "GREETING: hello dev")
                .contains("DB_URL: '******'", "SESSION_SECRET: '******'", "LOG_LEVEL: info")
                .doesNotContain("hunter2", "s3cr3t", "env_file");

        DaemonHarness.Result shown = drover.run("config", "--show-secrets");
        assertThat(shown.exitCode()).as(shown.toString()).isZero();
        assertThat(shown.output()).contains("postgres://app:hunter2@db/app", "SESSION_SECRET: s3cr3t");
    }

    @Test
    void jsonIsTheSameTree() throws Exception {
        DaemonHarness.Result json = drover.run("config", "--json");

        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode tree = new ObjectMapper().readTree(json.output());
        assertThat(tree.at("/processes/web/port").asText()).isEqualTo("auto");
        assertThat(tree.at("/processes/web/env/DB_URL").asText()).isEqualTo("******");
        assertThat(tree.at("/processes/web/backoff/initial").asText()).isEqualTo("1s");
    }

    @Test
    void whatItPrintsLoadsAgainAndPrintsTheSame() throws Exception {
        DaemonHarness.Result first = drover.run("config", "--show-secrets");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        Files.createDirectories(dir.resolve("copy"));
        Files.writeString(dir.resolve("copy/resolved.yaml"), first.output());

        DaemonHarness.Result valid = drover.run("validate", "-f", "copy/resolved.yaml");
        assertThat(valid.exitCode()).as(valid.toString()).isZero();
        DaemonHarness.Result again = drover.run("config", "--show-secrets", "-f", "copy/resolved.yaml");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.output()).isEqualTo(first.output());
    }

    @Test
    void filesMergeInOrderAndTheOverrideFileIsPickedUpByEveryCommand() throws Exception {
        Files.writeString(dir.resolve("drover.override.yaml"), """
                env: {LOG_LEVEL: debug}
                processes:
                  web: {replicas: 2}
                """);
        Files.writeString(dir.resolve("later.yaml"), """
                processes:
                  web: {replicas: 3, stop_timeout: 2s}
                """);

        DaemonHarness.Result picked = drover.run("config");
        assertThat(picked.exitCode()).as(picked.toString()).isZero();
        assertThat(picked.output()).contains("replicas: 2", "LOG_LEVEL: debug");

        DaemonHarness.Result named = drover.run("config", "-f", "drover.yaml", "-f", "later.yaml");
        assertThat(named.exitCode()).as(named.toString()).isZero();
        assertThat(named.output())
                .as("named files only: no override file pick-up")
                .contains("replicas: 3", "stop_timeout: 2s", "LOG_LEVEL: info");

        DaemonHarness.Result all =
                drover.run("config", "-f", "drover.yaml", "-f", "drover.override.yaml", "-f", "later.yaml");
        assertThat(all.output()).contains("replicas: 3", "LOG_LEVEL: debug");

        // `up` runs what `config` prints: the override's two replicas.
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(drover.processes()).containsOnlyKeys("web.0", "web.1");
        DaemonHarness.Result reload = drover.run("reload");
        assertThat(reload.exitCode()).as(reload.toString()).isZero();
        assertThat(reload.output()).as("the daemon re-reads the same files").contains("unchanged [web]");
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        DaemonHarness.Result missing = drover.run("config", "-f", "drover.yaml", "-f", "nope.yaml");

        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.output()).contains("no config file at ", "nope.yaml (named with -f)");

        DaemonHarness.Result noBase = drover.run("config", "-f", "absent.yaml");
        assertThat(noBase.exitCode()).as(noBase.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(noBase.output()).contains("no config file at", "absent.yaml");

        DaemonHarness.Result invalid = drover.run("config", "--show-secrets", "-f", "drover.yaml", "-f", ".env");
        assertThat(invalid.exitCode()).as(invalid.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(invalid.output()).contains(".env");
    }
}
