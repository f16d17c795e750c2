package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultsTest {

    private static final String MINIMAL = """
            processes:
              api:
                command: ./api
            """;

    @Test
    void topLevelKeysLeftOutGetTheirDefaults() throws ConfigException {
        DroverConfig config = TestConfigs.parse(MINIMAL);

        assertThat(config.file()).isEqualTo(TestConfigs.FILE);
        assertThat(config.baseDir()).isEqualTo(TestConfigs.BASE_DIR);
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.env()).isEmpty();
        assertThat(config.logDir()).isEqualTo(TestConfigs.BASE_DIR.resolve(".drover/logs"));
        assertThat(config.processes()).containsOnlyKeys("api");
        assertThat(config.routes()).isEmpty();
        assertThat(config.proxy()).isNull();
        assertThat(config.api()).isNull();
    }

    @Test
    void processKeysLeftOutGetTheirDefaults() throws ConfigException {
        ProcessSpec api = TestConfigs.parse(MINIMAL).processes().get("api");

        assertThat(api)
                .isEqualTo(new ProcessSpec(
                        "api",
                        new Command.Exec(List.of("./api")),
                        TestConfigs.BASE_DIR,
                        Map.of(),
                        null,
                        1,
                        List.of(),
                        RestartPolicy.ON_FAILURE,
                        10,
                        Duration.ofSeconds(60),
                        new BackoffSpec(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, Duration.ofSeconds(60)),
                        new StopSignal("TERM", 15),
                        Duration.ofSeconds(10),
                        null,
                        null,
                        new LimitsSpec(null, null),
                        new LogSpec(10 * 1024 * 1024, 5, true),
                        true,
                        Duration.ofSeconds(1),
                        null,
                        new TrafficSpec(Duration.ofSeconds(30), 1, 0, Duration.ofSeconds(30), false, null),
                        RunAs.NONE,
                        Hooks.NONE,
                        Duration.ZERO,
                        null,
                        null,
                        null));
        assertThat(api).isEqualTo(Defaults.process("api", new Command.Exec(List.of("./api")), TestConfigs.BASE_DIR));
    }

    @Test
    void partlyWrittenSectionsAreCompletedWithDefaults() throws ConfigException {
        ProcessSpec api = TestConfigs.parse("""
                processes:
                  api:
                    command: ./api
                    backoff: {initial: 2s}
                    readiness: {tcp: "127.0.0.1:${PORT}"}
                    limits: {cpu: 50}
                    log: {keep: 0}
                """).processes().get("api");

        assertThat(api.backoff())
                .isEqualTo(new BackoffSpec(Duration.ofSeconds(2), Duration.ofSeconds(30), 2.0, Duration.ofSeconds(60)));
        assertThat(api.readiness())
                .isEqualTo(new ProbeSpec(
                        new ProbeCheck.Tcp("127.0.0.1:${PORT}"),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        3,
                        1));
        assertThat(api.readiness()).isEqualTo(Defaults.probe(new ProbeCheck.Tcp("127.0.0.1:${PORT}")));
        assertThat(api.limits()).isEqualTo(new LimitsSpec(null, 50.0));
        assertThat(api.log()).isEqualTo(new LogSpec(10 * 1024 * 1024, 0, true));
    }

    @Test
    void keysWithNoValueCountAsLeftOut() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                env:
                log_dir:
                processes:
                  api:
                    command: ./api
                    port:
                    restart:
                    readiness:
                    depends_on:
                routes:
                """);

        assertThat(config.logDir()).isEqualTo(TestConfigs.BASE_DIR.resolve(".drover/logs"));
        assertThat(config.processes().get("api"))
                .isEqualTo(Defaults.process("api", new Command.Exec(List.of("./api")), TestConfigs.BASE_DIR));
    }
}
