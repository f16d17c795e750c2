package dev.drover.config;

import static dev.drover.config.TestConfigs.error;
import static dev.drover.config.TestConfigs.onlyError;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One test per problem a single value or section can have: the message and where it points. */
class ConfigErrorsTest {

    @Test
    void malformedYamlNamesTheParserProblemAndPosition() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: "./api
                """))
                .isEqualTo(error(
                        4, 1, "", "invalid YAML: while scanning a quoted scalar: found unexpected end of stream"));
    }

    @Test
    void duplicateKey() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                  api:
                    command: ./other
                """))
                .isEqualTo(error(4, 3, "processes.api", "duplicate key `api` (first defined at line 2)"));
    }

    @Test
    void duplicateKeyDoesNotHideOtherProblems() {
        assertThat(TestConfigs.errors("""
                processes:
                  api:
                    command: ./api
                    command: ./api2
                    restart: never
                """)).extracting(ConfigError::line).containsExactly(4, 5);
    }

    @Test
    void unknownKeySuggestsTheKeyMeant() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    restrat: always
                """))
                .isEqualTo(error(4, 5, "processes.api.restrat", "unknown key `restrat`; did you mean `restart`?"));
    }

    @Test
    void unknownKeySuggestsUnderscoreForDash() {
        assertThat(onlyError("""
                processes:
                  db:
                    command: ./db
                  api:
                    command: ./api
                    depends-on: [db]
                """))
                .isEqualTo(error(
                        6, 5, "processes.api.depends-on", "unknown key `depends-on`; did you mean `depends_on`?"));
    }

    @Test
    void unknownKeyWithNothingCloseListsTheKnownKeys() {
        assertThat(onlyError("""
                colour: red
                processes:
                  api: {command: ./api}
                """))
                .isEqualTo(
                        error(
                                1,
                                1,
                                "colour",
                                "unknown key `colour`; expected one of: version, env, env_file, log_dir, processes, routes, proxy, api"));
    }

    @Test
    void unknownKeyInsideAProbe() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    readiness: {http: "http://127.0.0.1/", intervall: 2s}
                """))
                .isEqualTo(error(
                        4,
                        44,
                        "processes.api.readiness.intervall",
                        "unknown key `intervall`; did you mean `interval`?"));
    }

    @Test
    void extensionKeysAtTheTopLevelAreAllowed() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                x-common: &common {restart: always}
                processes:
                  api:
                    <<: *common
                    command: ./api
                """);

        assertThat(config.processes().get("api").restart()).isEqualTo(RestartPolicy.ALWAYS);
    }

    @Test
    void wrongTypeExpectedAMap() {
        assertThat(onlyError("processes: [api]\n")).isEqualTo(error(1, 12, "processes", "expected a map, got a list"));
    }

    @Test
    void wrongTypeExpectedAList() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes: {process: api}
                """)).isEqualTo(error(4, 9, "routes", "expected a list, got a map"));
    }

    @Test
    void wrongTypeExpectedAString() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    cwd: [a]
                """)).isEqualTo(error(4, 10, "processes.api.cwd", "expected a string, got a list"));
    }

    @Test
    void wrongTypeExpectedAnInteger() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    replicas: two
                """))
                .isEqualTo(error(4, 15, "processes.api.replicas", "expected an integer, got string \"two\""));
    }

    @Test
    void wrongTypeExpectedABoolean() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    enabled: maybe
                """))
                .isEqualTo(error(
                        4, 14, "processes.api.enabled", "expected a boolean (true or false), got string \"maybe\""));
    }

    @Test
    void wrongTypeInsideEnv() {
        assertThat(onlyError("""
                env: {A: [1]}
                processes:
                  api: {command: ./api}
                """)).isEqualTo(error(1, 10, "env.A", "expected a string, got a list"));
    }

    @Test
    void processThatIsNotAMap() {
        assertThat(onlyError("""
                processes:
                  api: ./api
                """)).isEqualTo(error(2, 8, "processes.api", "expected a map, got string \"./api\""));
    }

    @Test
    void bareNumberIsNotADuration() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    stop_timeout: 10
                """))
                .isEqualTo(error(
                        4, 19, "processes.api.stop_timeout", "expected a duration like 500ms, 10s, 5m, got \"10\""));
    }

    @Test
    void intervalMustBeLongerThanZero() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    liveness: {tcp: "127.0.0.1:${PORT}", interval: 0s}
                """)).isEqualTo(error(4, 52, "processes.api.liveness.interval", "must be longer than 0"));
    }

    @Test
    void badSize() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    limits: {memory: 10XB}
                """))
                .isEqualTo(error(
                        4, 22, "processes.api.limits.memory", "expected a size like 512KB, 10MB, 1GB, got \"10XB\""));
    }

    @Test
    void badCpuLimit() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    limits: {cpu: 0%}
                """))
                .isEqualTo(error(4, 19, "processes.api.limits.cpu", "must be more than 0%, got string \"0%\""));
    }

    @Test
    void badSignal() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    stop_signal: SIGFOO
                """))
                .isEqualTo(
                        error(
                                4,
                                18,
                                "processes.api.stop_signal",
                                "unknown signal \"SIGFOO\"; expected one of"
                                        + " HUP, INT, QUIT, KILL, USR1, USR2, TERM, CONT, STOP, WINCH (with or without SIG), or a number 1-64"));
    }

    @Test
    void badRestartPolicyListsTheAllowedValues() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    restart: sometimes
                """))
                .isEqualTo(error(
                        4,
                        14,
                        "processes.api.restart",
                        "expected one of always, on-failure, no, got string \"sometimes\""));
    }

    @Test
    void restartNoIsReadAsNoEvenThoughYamlSaysFalse() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                processes:
                  a: {command: ./a, restart: no}
                  b: {command: ./b, restart: "no"}
                  c: {command: ./c, restart: false}
                """);

        assertThat(config.processes().values()).extracting(ProcessSpec::restart).containsOnly(RestartPolicy.NO);
        assertThat(onlyError("processes:\n  a: {command: ./a, restart: yes}\n"))
                .isEqualTo(
                        error(2, 30, "processes.a.restart", "expected one of always, on-failure, no, got boolean yes"));
    }

    @Test
    void badDependencyCondition() {
        assertThat(onlyError("""
                processes:
                  db:
                    command: ./db
                  api:
                    command: ./api
                    depends_on:
                      db: {condition: ready}
                """))
                .isEqualTo(error(
                        7,
                        23,
                        "processes.api.depends_on.db.condition",
                        "expected one of started, healthy, completed, got \"ready\""));
    }

    @Test
    void badPort() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    port: 70000
                """))
                .isEqualTo(error(
                        4, 11, "processes.api.port", "expected a port number (1-65535) or auto, got number 70000"));
    }

    @Test
    void missingCommand() {
        assertThat(onlyError("""
                processes:
                  api:
                    cwd: ./api
                """)).isEqualTo(error(2, 3, "processes.api.command", "missing command"));
    }

    @Test
    void emptyCommandStringOrList() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ""
                """)).isEqualTo(error(3, 14, "processes.api.command", "missing command"));
        assertThat(onlyError("""
                processes:
                  api:
                    command: []
                """)).isEqualTo(error(3, 14, "processes.api.command", "missing command"));
        assertThat(onlyError("""
                processes:
                  api:
                    command:
                """)).isEqualTo(error(3, 5, "processes.api.command", "missing command"));
    }

    @Test
    void processesMissing() {
        assertThat(onlyError("version: 1\n"))
                .isEqualTo(error(1, 1, "processes", "missing `processes`: define at least one process"));
    }

    @Test
    void processesEmpty() {
        assertThat(onlyError("version: 1\nprocesses: {}\n"))
                .isEqualTo(error(2, 1, "processes", "`processes` is empty: define at least one process"));
        assertThat(onlyError("processes:\n"))
                .isEqualTo(error(1, 1, "processes", "`processes` is empty: define at least one process"));
    }

    @Test
    void emptyFile() {
        assertThat(onlyError("# nothing yet\n"))
                .isEqualTo(error(1, 1, "", "the file is empty; expected a map with `processes`"));
    }

    @Test
    void topLevelThatIsNotAMap() {
        assertThat(onlyError("- api\n"))
                .isEqualTo(error(1, 1, "", "expected a map with `processes` at the top level, got a list"));
    }

    @Test
    void versionOtherThanOne() {
        assertThat(onlyError("""
                version: 2
                processes:
                  api: {command: ./api}
                """))
                .isEqualTo(error(1, 10, "version", "unsupported version 2; this drover reads version 1"));
    }

    @Test
    void invalidProcessName() {
        assertThat(onlyError("""
                processes:
                  api.v2:
                    command: ./api
                """))
                .isEqualTo(
                        error(
                                2,
                                3,
                                "processes.api.v2",
                                "invalid process name \"api.v2\": use letters, digits, _ and - (a dot names a replica, like api.0)"));
    }

    @Test
    void replicasBelowOne() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    replicas: 0
                """)).isEqualTo(error(4, 15, "processes.api.replicas", "must be at least 1, got 0"));
    }

    @Test
    void probeWithoutACheck() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    readiness: {interval: 2s}
                """))
                .isEqualTo(error(4, 5, "processes.api.readiness", "a probe needs one of exec, http or tcp"));
    }

    @Test
    void probeWithTwoChecks() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    liveness: {exec: ./check, http: "http://127.0.0.1/"}
                """))
                .isEqualTo(error(
                        4,
                        31,
                        "processes.api.liveness",
                        "a probe runs exactly one of exec, http or tcp, but this one has exec and http"));
    }

    @Test
    void httpProbeWithoutScheme() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    readiness: {http: "127.0.0.1:8080/health"}
                """))
                .isEqualTo(error(
                        4,
                        23,
                        "processes.api.readiness.http",
                        "expected a URL starting with http:// (or https://), got \"127.0.0.1:8080/health\""));
    }

    @Test
    void tcpProbeWithoutPort() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    readiness: {tcp: localhost}
                """))
                .isEqualTo(error(
                        4,
                        22,
                        "processes.api.readiness.tcp",
                        "expected host:port like 127.0.0.1:8080, got \"localhost\""));
    }

    @Test
    void probeThresholdBelowOne() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    readiness: {exec: ./ready, failure_threshold: 0}
                """))
                .isEqualTo(error(4, 51, "processes.api.readiness.failure_threshold", "must be at least 1, got 0"));
    }

    @Test
    void backoffMultiplierBelowOneAndInitialAboveMax() {
        assertThat(TestConfigs.errors("""
                processes:
                  api:
                    command: ./api
                    backoff: {initial: 1m, multiplier: 0.5}
                """))
                .containsExactly(
                        error(
                                4,
                                24,
                                "processes.api.backoff.initial",
                                "backoff initial (1m) is longer than backoff max (30s)"),
                        error(
                                4,
                                40,
                                "processes.api.backoff.multiplier",
                                "must be at least 1 (delays never shrink), got 0.5"));
    }

    @Test
    void unsetVariable() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api --db ${DATABASE_URL}
                """))
                .isEqualTo(error(
                        3,
                        14,
                        "processes.api.command",
                        "variable DATABASE_URL is not set (use ${DATABASE_URL:-default} to give a default)"));
    }

    @Test
    void unsetVariableIsNotAlsoReportedAsABadValue() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    port: ${API_PORT}
                """))
                .isEqualTo(error(
                        4,
                        11,
                        "processes.api.port",
                        "variable API_PORT is not set (use ${API_PORT:-default} to give a default)"));
    }

    @Test
    void missingEnvFileIsNamed() {
        assertThat(onlyError("""
                env_file: .env.missing
                processes:
                  api: {command: ./api}
                """)).isEqualTo(error(1, 11, "env_file", "env file /project/.env.missing not found"));
    }

    @Test
    void routePathMustStartWithSlash() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: api, process: api}
                """)).isEqualTo(error(5, 12, "routes[0].path", "path must start with \"/\", got \"api\""));
    }

    @Test
    void routeWithoutProcess() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: /api}
                """))
                .isEqualTo(error(
                        5,
                        5,
                        "routes[0].process",
                        "missing process (or target): name the process this route sends traffic to"));
    }

    @Test
    void routesWithoutAProxyAreRefused() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                routes:
                  - {path: /api, process: api}
                """))
                .isEqualTo(error(
                        4, 3, "routes", "routes need a proxy to serve them: add proxy: {listen: \"127.0.0.1:8080\"}"));
    }

    @Test
    void aRouteNamesAProcessOrATargetNotBoth() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: /api, process: api, target: "http://127.0.0.1:9000"}
                """))
                .isEqualTo(error(5, 40, "routes[0].target", "a route names a process or a target, not both"));
    }

    @Test
    void aTargetMustBeAnHttpUrl() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: /static, target: "127.0.0.1:9000"}
                """))
                .isEqualTo(error(
                        5,
                        29,
                        "routes[0].target",
                        "expected a URL like http://127.0.0.1:9000, got \"127.0.0.1:9000\""));
    }

    @Test
    void twoRoutesWithTheSameHostAndPathAreRefused() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {host: example.test, path: /api, process: api}
                  - {host: example.test, path: /api, process: api, strip_prefix: true}
                """))
                .isEqualTo(error(
                        6,
                        5,
                        "routes[1]",
                        "the same host and path as routes[0] (example.test, /api): only the first would ever match"));
    }

    @Test
    void onDemandNeedsARouteAndIdleStopNeedsOnDemand() {
        assertThat(TestConfigs.errors("""
                processes:
                  lazy: {command: ./lazy, port: auto, start: on_demand}
                  eager: {command: ./eager, idle_stop: 10m}
                """))
                .containsExactly(
                        error(
                                2,
                                46,
                                "processes.lazy.start",
                                "start: on_demand needs a route to the process: only a routed request starts it"),
                        error(
                                3,
                                40,
                                "processes.eager.idle_stop",
                                "idle_stop needs start: on_demand (what stops for being idle must be started again by a request)"));
    }

    @Test
    void aRolloutMustBeAbleToReplaceAnInstance() {
        assertThat(onlyError("""
                processes:
                  web: {command: ./web, port: auto, rollout: {max_surge: 0, max_unavailable: 0}}
                """))
                .isEqualTo(error(
                        2,
                        37,
                        "processes.web.rollout",
                        "max_surge and max_unavailable cannot both be 0: a rollout could never replace an instance"));
    }

    @Test
    void routeWithAnEmptyProcessIsNotSilentlyDropped() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: /api, process: ""}
                """))
                .isEqualTo(error(
                        5,
                        27,
                        "routes[0].process",
                        "missing process (or target): name the process this route sends traffic to"));
    }

    @Test
    void proxyWithoutOrWithABadListenAddress() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api}
                proxy: {}
                """))
                .isEqualTo(
                        error(3, 1, "proxy.listen", "missing listen: the proxy needs an address like 127.0.0.1:8080"));
        assertThat(onlyError("""
                processes:
                  api: {command: ./api}
                proxy: {listen: 8080}
                """))
                .isEqualTo(error(3, 17, "proxy.listen", "expected host:port like 127.0.0.1:8080, got \"8080\""));
    }

    @Test
    void everyProblemIsReportedInOneRunInFileOrder() {
        assertThat(TestConfigs.errors("""
                version: 3
                processes:
                  api:
                    command: ./api
                    restart: sometimes
                    port: auto
                    replicas: 0
                    stop_timeout: 5
                  web:
                    comand: ./web
                """))
                .extracting(e -> e.line() + ":" + e.column() + " " + e.key())
                .containsExactly(
                        "1:10 version",
                        "5:14 processes.api.restart",
                        "7:15 processes.api.replicas",
                        "8:19 processes.api.stop_timeout",
                        "9:3 processes.web.command",
                        "10:5 processes.web.comand");
    }
}
