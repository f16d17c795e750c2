package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `drover config`'s tree: every default written out, secrets masked, and what it prints loads again as the same config. */
class ConfigTreeTest {
    private static final String TOKEN = "t0ken-with-more-than-20-chars";
    private static final Map<String, String> ENVIRONMENT = Map.of("DROVER_TOKEN", TOKEN);

    /** Keys of §9 and the proxy that the design example leaves out. */
    private static final String OPERATIONS = """
            version: 1
            env: {PLAIN: "costs $$5 and ${DOLLARS:-$$6}", DB_PASSWORD: swordfish}
            processes:
              job:
                command: ["sh", "-c", "echo $$HOME"]
                schedule: "@every 30s"
                timezone: UTC
                overlap: queue
                catch_up: true
                umask: "027"
                pre_start: ["true", ["echo", "pre"]]
                post_stop: "echo post"
                start_delay: 1.5s
                pid_file: run/job.pid
              web:
                command: "serve --port ${PORT} && echo"
                port: auto
                replicas: 2
                pid_file: run/web-${DROVER_REPLICA}.pid
                readiness:
                  http: "http://127.0.0.1:${PORT}/health"
                  expect: {status: 200, body: ok, json: {status: up}}
                start: on_demand
                idle_stop: 5m
                drain_timeout: 2s
                rollout: {max_surge: 2, max_unavailable: 1, ready_timeout: 20s}
                min_uptime: 250ms
                start_period: 3s
                depends_on: [job]
            routes:
              - {path: /, process: web, strip_prefix: true, balance: least_conn}
              - {host: "*.example.test", path: /static, target: "http://127.0.0.1:9000"}
            proxy:
              listen: "127.0.0.1:8080"
              timeouts: {connect: 2s, idle: 1m, request: 90s}
              access_log: {path: logs/access.log}
              max_body: 1536KB
              queue_timeout: 4s
            """;

    @TempDir
    Path dir;

    @Test
    void theDesignExampleWrittenOutLoadsAsTheSameConfig() throws Exception {
        write(".env", "SECRET=from-env-file\n");
        Path file = write("drover.yaml", FullConfigTest.DESIGN_EXAMPLE);

        assertRoundTrip(file);
    }

    @Test
    void operationsKeysAndDollarsSurviveTheRoundTrip() throws Exception {
        Path file = write("drover.yaml", OPERATIONS);

        assertRoundTrip(file);
    }

    @Test
    void jsonOutputLoadsAsTheSameConfigToo() throws Exception {
        Path file = write("drover.yaml", OPERATIONS);
        ConfigLoader.Resolved resolved = ConfigLoader.resolve(List.of(file), ENVIRONMENT);

        Path json = write("out.json", ConfigTree.json(ConfigTree.of(resolved, true)));

        assertThat(comparable(ConfigLoader.load(json, ENVIRONMENT))).isEqualTo(comparable(resolved.config()));
    }

    @Test
    void everyDefaultIsWrittenOut() throws Exception {
        Path file = write("drover.yaml", "processes:\n  api: {command: ./api}\n");

        Map<String, Object> tree = ConfigTree.of(ConfigLoader.resolve(List.of(file), Map.of()), false);

        @SuppressWarnings("unchecked")
        Map<String, Object> api = (Map<String, Object>) ((Map<String, Object>) tree.get("processes")).get("api");
        assertThat(api)
                .containsEntry("replicas", 1)
                .containsEntry("restart", "on-failure")
                .containsEntry("stop_timeout", "10s")
                .containsEntry("stop_signal", "TERM")
                .containsEntry("cwd", dir.toAbsolutePath().normalize().toString())
                .containsKeys("backoff", "log", "rollout", "min_uptime", "start_delay");
    }

    @Test
    void envFileVariablesSecretLookingNamesAndTheTokenAreMaskedUnlessShown() throws Exception {
        write(".env", "DATABASE_URL=postgres://u:p@db/x\n");
        Path file = write("drover.yaml", """
                env_file: .env
                env: {LOG_LEVEL: info, STRIPE_API_KEY: sk_live, GITHUB_TOKEN: ghp}
                processes:
                  api: {command: ./api, env: {SESSION_SECRET: s3, MODE: dev}}
                api: {listen: "127.0.0.1:0", token: "${DROVER_TOKEN}"}
                """);
        ConfigLoader.Resolved resolved = ConfigLoader.resolve(List.of(file), ENVIRONMENT);

        String masked = ConfigTree.yaml(ConfigTree.of(resolved, false));
        String shown = ConfigTree.yaml(ConfigTree.of(resolved, true));

        assertThat(masked)
                .doesNotContain("postgres://", "sk_live", "ghp", "s3\n", TOKEN)
                .contains("DATABASE_URL: '******'", "STRIPE_API_KEY: '******'", "SESSION_SECRET: '******'")
                .contains("token: '******'", "LOG_LEVEL: info", "MODE: dev");
        assertThat(shown).contains("postgres://u:p@db/x", "sk_live", "ghp", "SESSION_SECRET: s3", TOKEN);
        assertThat(ConfigTree.looksSecret("my_password")).isTrue();
        assertThat(ConfigTree.looksSecret("HOME")).isFalse();
    }

    @Test
    void aSecretInterpolatedIntoAnotherValueIsMaskedThereToo() throws Exception {
        write(".env", "DB_PASS=hunter2\nID=7\n");
        Path file = write("drover.yaml", """
                env_file: .env
                processes:
                  api:
                    command: "./api --db postgres://app:${DB_PASS}@db --id ${ID}"
                    readiness: {exec: "check --password=${DB_PASS}"}
                """);
        ConfigLoader.Resolved resolved = ConfigLoader.resolve(List.of(file), Map.of());

        String masked = ConfigTree.yaml(ConfigTree.of(resolved, false));

        assertThat(masked)
                .doesNotContain("hunter2")
                .contains("postgres://app:******@db", "--password=******")
                .as("a value too short to look for elsewhere is masked as its variable only")
                .contains("- \"7\"", "ID: '******'");
        assertThat(ConfigTree.yaml(ConfigTree.of(resolved, true))).contains("postgres://app:hunter2@db");
    }

    /** Writes the tree as YAML beside the file, loads it, and compares everything but the file names. */
    private void assertRoundTrip(Path file) throws IOException, ConfigException {
        ConfigLoader.Resolved resolved = ConfigLoader.resolve(List.of(file), ENVIRONMENT);
        String yaml = ConfigTree.yaml(ConfigTree.of(resolved, true));
        Path written = write("resolved.yaml", yaml);

        DroverConfig again = ConfigLoader.load(written, ENVIRONMENT);

        assertThat(comparable(again))
                .as("the config loaded from what drover config printed:%n%s", yaml)
                .isEqualTo(comparable(resolved.config()));
        // And printing it again prints the same text.
        assertThat(ConfigTree.yaml(ConfigTree.of(ConfigLoader.resolve(List.of(written), ENVIRONMENT), true)))
                .isEqualTo(yaml);
    }

    /** The config without the names of the files it was read from. */
    private static DroverConfig comparable(DroverConfig config) {
        Path file = Path.of("/compared.yaml");
        return new DroverConfig(
                file,
                config.baseDir(),
                config.version(),
                config.env(),
                config.logDir(),
                config.processes(),
                config.routes(),
                config.proxy(),
                config.api());
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
