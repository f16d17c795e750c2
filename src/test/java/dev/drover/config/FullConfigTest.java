package dev.drover.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.drover.config.Dependency.Condition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loads complete files from disk and checks every field of the result. */
class FullConfigTest {

    /** The example of DESIGN.md section 2, verbatim. */
    static final String DESIGN_EXAMPLE = """
            version: 1
            env: {LOG_LEVEL: info}          # for every process
            env_file: .env                  # optional, may be a list
            log_dir: .drover/logs           # default
            processes:
              db:
                command: ["redis-server", "--port", "6390"]   # list: exec directly
                readiness: {exec: "redis-cli -p 6390 ping", interval: 1s}
              api:
                command: "java -jar api.jar --port ${PORT}"   # string: run with /bin/sh -c
                cwd: ./api
                env: {DB: "redis://127.0.0.1:6390"}
                port: auto                  # or a number; exported as $PORT
                replicas: 2                 # instances api.0, api.1, each its own $PORT
                depends_on:
                  db: {condition: healthy}  # started | healthy | completed
                restart: always             # always | on-failure (default) | no
                max_restarts: 10            # within restart_window; then FATAL
                restart_window: 60s
                backoff: {initial: 1s, max: 30s, multiplier: 2, reset_after: 60s}
                stop_signal: TERM
                stop_timeout: 10s           # then SIGKILL to everything it started
                readiness:                  # gates dependents and proxy traffic
                  http: "http://127.0.0.1:${PORT}/health"
                  interval: 2s
                  timeout: 1s
                  initial_delay: 0s
                  failure_threshold: 3
                  success_threshold: 1
                liveness: {tcp: "127.0.0.1:${PORT}", interval: 5s, failure_threshold: 3}  # failing → restart
                limits: {memory: 512MB, cpu: 90%}   # sustained breach → restart
                log: {max_size: 10MB, keep: 5, timestamps: true}
                enabled: true
              migrate:
                command: "./migrate.sh"
                restart: "no"               # a one-shot; dependents may wait for `completed`
            routes:                         # reverse proxy (see section 8)
              - {host: "example.test", path: /api, process: api}
            proxy: {listen: "127.0.0.1:8080"}
            api: {listen: "127.0.0.1:9900", token: "${DROVER_TOKEN}"}   # TCP is optional
            """;

    private static final String TOKEN = "t0ken-with-more-than-20-chars";

    @TempDir
    Path dir;

    @Test
    void designExampleLoadsWithEveryFieldAsWritten() throws IOException, ConfigException {
        Path file = write("drover.yaml", DESIGN_EXAMPLE);
        write(".env", "SECRET=from-env-file\n");

        DroverConfig config = ConfigLoader.load(file, Map.of("DROVER_TOKEN", TOKEN));

        Path base = dir.toAbsolutePath().normalize();
        assertThat(config.file()).isEqualTo(base.resolve("drover.yaml"));
        assertThat(config.baseDir()).isEqualTo(base);
        assertThat(config.version()).isEqualTo(1);
        assertThat(config.env()).containsExactly(entry("SECRET", "from-env-file"), entry("LOG_LEVEL", "info"));
        assertThat(config.logDir()).isEqualTo(base.resolve(".drover/logs"));
        assertThat(config.processes().keySet()).containsExactly("db", "api", "migrate");
        assertThat(config.routes()).containsExactly(RouteSpec.toProcess("example.test", "/api", "api"));
        assertThat(config.proxy())
                .isEqualTo(new ProxySpec(
                        "127.0.0.1:8080",
                        null,
                        Defaults.PROXY_TIMEOUTS,
                        null,
                        Defaults.PROXY_MAX_BODY,
                        Defaults.QUEUE_TIMEOUT));
        assertThat(config.api()).isEqualTo(new ApiSpec("127.0.0.1:9900", TOKEN));

        Map<String, String> sharedEnv = Map.of("SECRET", "from-env-file", "LOG_LEVEL", "info");
        ProcessSpec db = config.processes().get("db");
        assertThat(db)
                .isEqualTo(new ProcessSpec(
                        "db",
                        new Command.Exec(List.of("redis-server", "--port", "6390")),
                        base,
                        sharedEnv,
                        null,
                        1,
                        List.of(),
                        RestartPolicy.ON_FAILURE,
                        10,
                        Duration.ofSeconds(60),
                        Defaults.BACKOFF,
                        StopSignal.TERM,
                        Duration.ofSeconds(10),
                        new ProbeSpec(
                                new ProbeCheck.Exec(new Command.Exec(List.of("redis-cli", "-p", "6390", "ping"))),
                                Duration.ofSeconds(1),
                                Duration.ofSeconds(1),
                                Duration.ZERO,
                                3,
                                1),
                        null,
                        new LimitsSpec(null, null),
                        new LogSpec(10 << 20, 5, true),
                        true,
                        Defaults.MIN_UPTIME,
                        null,
                        Defaults.TRAFFIC,
                        RunAs.NONE,
                        Hooks.NONE,
                        Defaults.START_DELAY,
                        null,
                        null,
                        null));

        ProcessSpec api = config.processes().get("api");
        assertThat(api.name()).isEqualTo("api");
        assertThat(api.command()).isEqualTo(new Command.Exec(List.of("java", "-jar", "api.jar", "--port", "${PORT}")));
        assertThat(api.cwd()).isEqualTo(base.resolve("api"));
        assertThat(api.env())
                .containsExactly(
                        entry("SECRET", "from-env-file"),
                        entry("LOG_LEVEL", "info"),
                        entry("DB", "redis://127.0.0.1:6390"));
        assertThat(api.port()).isEqualTo(new PortSpec.Auto());
        assertThat(api.replicas()).isEqualTo(2);
        assertThat(api.dependsOn()).containsExactly(new Dependency("db", Condition.HEALTHY));
        assertThat(api.restart()).isEqualTo(RestartPolicy.ALWAYS);
        assertThat(api.maxRestarts()).isEqualTo(10);
        assertThat(api.restartWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(api.backoff())
                .isEqualTo(new BackoffSpec(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, Duration.ofSeconds(60)));
        assertThat(api.stopSignal()).isEqualTo(new StopSignal("TERM", 15));
        assertThat(api.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(api.readiness())
                .isEqualTo(new ProbeSpec(
                        new ProbeCheck.Http("http://127.0.0.1:${PORT}/health"),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        3,
                        1));
        assertThat(api.liveness())
                .isEqualTo(new ProbeSpec(
                        new ProbeCheck.Tcp("127.0.0.1:${PORT}"),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        3,
                        1));
        assertThat(api.limits()).isEqualTo(new LimitsSpec(512L << 20, 90.0));
        assertThat(api.log()).isEqualTo(new LogSpec(10 << 20, 5, true));
        assertThat(api.enabled()).isTrue();

        ProcessSpec migrate = config.processes().get("migrate");
        assertThat(migrate.command()).isEqualTo(new Command.Exec(List.of("./migrate.sh")));
        assertThat(migrate.restart()).isEqualTo(RestartPolicy.NO);
        assertThat(migrate)
                .isEqualTo(new ProcessSpec(
                        "migrate",
                        migrate.command(),
                        base,
                        sharedEnv,
                        null,
                        1,
                        List.of(),
                        RestartPolicy.NO,
                        10,
                        Duration.ofSeconds(60),
                        Defaults.BACKOFF,
                        StopSignal.TERM,
                        Duration.ofSeconds(10),
                        null,
                        null,
                        Defaults.LIMITS,
                        Defaults.LOG,
                        true,
                        Defaults.MIN_UPTIME,
                        null,
                        Defaults.TRAFFIC,
                        RunAs.NONE,
                        Hooks.NONE,
                        Defaults.START_DELAY,
                        null,
                        null,
                        null));
    }

    @Test
    void everyKeyIsReadWhenItDiffersFromTheDefault() throws IOException, ConfigException {
        Path file = write("drover.yaml", """
                env: {LOG_LEVEL: debug, WORKERS: 4, VERBOSE: yes, EMPTY: , FROM_FILES: "${B}"}
                env_file: [base.env, "${ENV_DIR}/local.env"]
                log_dir: /var/log/drover
                processes:
                  worker:
                    command: ["./worker", "--queue", "${QUEUE:-jobs}", 6390]
                    cwd: /srv/worker
                    env: {LOG_LEVEL: warn}
                    port: 7000
                    depends_on: [db, cache]
                    restart: on-failure
                    max_restarts: 0
                    restart_window: 5m
                    backoff: {initial: 500ms, max: 1m, multiplier: 1.5, reset_after: 2m}
                    stop_signal: SIGINT
                    stop_timeout: 1m30s
                    readiness:
                      exec: [./ready, --quick]
                      interval: 500ms
                      timeout: 2s
                      initial_delay: 3s
                      failure_threshold: 5
                      success_threshold: 2
                    liveness: {http: "https://localhost:7000/alive"}
                    limits: {memory: 1GiB, cpu: 150}
                    log: {max_size: 512KB, keep: 0, timestamps: false}
                    enabled: false
                    min_uptime: 2s
                    start_period: 10s
                    drain_timeout: 5s
                    rollout: {max_surge: 2, max_unavailable: 1, ready_timeout: 45s}
                  db:
                    command: pg_ctl start && tail -f /dev/null
                    port: "5432"
                  cache: {command: ./cache, depends_on: {db: {condition: completed}}, replicas: 3, port: auto, start: on_demand, idle_stop: 10m}
                routes:
                  - {process: cache, balance: least_conn}
                  - {host: "*.api.test", path: /v1, process: worker, strip_prefix: true}
                  - {path: /static, target: "http://127.0.0.1:9000"}
                proxy:
                  listen: "127.0.0.1:8080"
                  tls: {listen: "127.0.0.1:8443", acme: {directory: "https://acme.test/dir", email: ops@example.test, domains: [app.example.test], ca_cert: ca.pem}}
                  timeouts: {connect: 1s, idle: 30s, request: 2m}
                  access_log: {path: logs/access.log}
                  max_body: 1MB
                  queue_timeout: 3s
                api: {listen: "[::1]:0", token: "${B}-0123456789abcdef"}
                """);
        write("base.env", "A=base\nB=base\n");
        Files.createDirectories(dir.resolve("conf"));
        write("conf/local.env", "B=local\n");

        DroverConfig config = ConfigLoader.load(file, Map.of("A", "shell", "ENV_DIR", "conf"));

        assertThat(config.env())
                .containsExactly(
                        entry("A", "shell"),
                        entry("B", "local"),
                        entry("LOG_LEVEL", "debug"),
                        entry("WORKERS", "4"),
                        entry("VERBOSE", "yes"),
                        entry("EMPTY", ""),
                        entry("FROM_FILES", "local"));
        assertThat(config.logDir()).isEqualTo(Path.of("/var/log/drover"));
        assertThat(config.routes())
                .containsExactly(
                        new RouteSpec(null, "/", "cache", null, false, RouteSpec.Balance.LEAST_CONN),
                        new RouteSpec("*.api.test", "/v1", "worker", null, true, RouteSpec.Balance.ROUND_ROBIN),
                        new RouteSpec(
                                null, "/static", null, "http://127.0.0.1:9000", false, RouteSpec.Balance.ROUND_ROBIN));
        Path base = dir.toAbsolutePath().normalize();
        assertThat(config.proxy())
                .isEqualTo(new ProxySpec(
                        "127.0.0.1:8080",
                        new ProxySpec.TlsSpec(
                                "127.0.0.1:8443",
                                null,
                                null,
                                new ProxySpec.AcmeSpec(
                                        "https://acme.test/dir",
                                        "ops@example.test",
                                        List.of("app.example.test"),
                                        base.resolve("ca.pem"),
                                        base.resolve(".drover/acme"))),
                        new ProxySpec.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2)),
                        base.resolve("logs/access.log"),
                        1L << 20,
                        Duration.ofSeconds(3)));
        assertThat(config.api()).isEqualTo(new ApiSpec("[::1]:0", "local-0123456789abcdef"));

        ProcessSpec worker = config.processes().get("worker");
        assertThat(worker.command()).isEqualTo(new Command.Exec(List.of("./worker", "--queue", "jobs", "6390")));
        assertThat(worker.cwd()).isEqualTo(Path.of("/srv/worker"));
        assertThat(worker.env()).containsEntry("LOG_LEVEL", "warn").containsEntry("A", "shell");
        assertThat(worker.port()).isEqualTo(new PortSpec.Fixed(7000));
        assertThat(worker.dependsOn())
                .containsExactly(new Dependency("db", Condition.STARTED), new Dependency("cache", Condition.STARTED));
        assertThat(worker.restart()).isEqualTo(RestartPolicy.ON_FAILURE);
        assertThat(worker.maxRestarts()).isZero();
        assertThat(worker.restartWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(worker.backoff())
                .isEqualTo(new BackoffSpec(Duration.ofMillis(500), Duration.ofMinutes(1), 1.5, Duration.ofMinutes(2)));
        assertThat(worker.stopSignal()).isEqualTo(new StopSignal("INT", 2));
        assertThat(worker.stopTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(worker.readiness())
                .isEqualTo(new ProbeSpec(
                        new ProbeCheck.Exec(new Command.Exec(List.of("./ready", "--quick"))),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3),
                        5,
                        2));
        assertThat(worker.liveness()).isEqualTo(Defaults.probe(new ProbeCheck.Http("https://localhost:7000/alive")));
        assertThat(worker.limits()).isEqualTo(new LimitsSpec(1L << 30, 150.0));
        assertThat(worker.log()).isEqualTo(new LogSpec(512 << 10, 0, false));
        assertThat(worker.enabled()).isFalse();
        assertThat(worker.minUptime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(worker.startPeriod()).isEqualTo(Duration.ofSeconds(10));
        assertThat(worker.traffic())
                .isEqualTo(new TrafficSpec(Duration.ofSeconds(5), 2, 1, Duration.ofSeconds(45), false, null));

        assertThat(config.processes().get("db").command())
                .isEqualTo(new Command.Shell("pg_ctl start && tail -f /dev/null"));
        assertThat(config.processes().get("db").port()).isEqualTo(new PortSpec.Fixed(5432));
        ProcessSpec cache = config.processes().get("cache");
        assertThat(cache.dependsOn()).containsExactly(new Dependency("db", Condition.COMPLETED));
        assertThat(cache.replicas()).isEqualTo(3);
        assertThat(cache.traffic().onDemand()).isTrue();
        assertThat(cache.traffic().idleStop()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void processesKeepFileOrderAndTheResultIsImmutable() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                processes:
                  zeta: {command: ./z}
                  alpha: {command: ./a}
                  mid: {command: ./m}
                """);

        assertThat(config.processes().keySet()).containsExactly("zeta", "alpha", "mid");
        assertThat(config.processes()).isUnmodifiable();
        assertThat(config.env()).isUnmodifiable();
        assertThat(config.routes()).isUnmodifiable();
        assertThat(config.processes().get("zeta").env()).isUnmodifiable();
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
