package dev.drover.config;

import static dev.drover.config.TestConfigs.error;
import static dev.drover.config.TestConfigs.onlyError;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One test per problem that spans processes: dependencies, ports, routes, the API token. */
class ConfigValidatorTest {

    @Test
    void dependencyOnAnUnknownProcessListsTheKnownOnes() {
        assertThat(onlyError("""
                processes:
                  db:
                    command: ./db
                  api:
                    command: ./api
                    depends_on: [db, cache]
                """))
                .isEqualTo(error(
                        6,
                        22,
                        "processes.api.depends_on.cache",
                        "depends on unknown process \"cache\" (known: db, api)"));
    }

    @Test
    void dependencyCycleIsNamedInOrder() {
        assertThat(onlyError("""
                processes:
                  a:
                    command: ./a
                    depends_on: [b]
                  b:
                    command: ./b
                    depends_on: [c]
                  c:
                    command: ./c
                    depends_on:
                      a: {condition: started}
                """))
                .isEqualTo(error(4, 18, "processes.a.depends_on.b", "dependency cycle: a -> b -> c -> a"));
    }

    @Test
    void processDependingOnItselfIsACycle() {
        assertThat(onlyError("""
                processes:
                  a:
                    command: ./a
                    depends_on: [a]
                """)).isEqualTo(error(4, 18, "processes.a.depends_on.a", "dependency cycle: a -> a"));
    }

    @Test
    void cycleReachedFromOutsideStartsWhereItCloses() {
        assertThat(onlyError("""
                processes:
                  web: {command: ./web, depends_on: [api]}
                  api: {command: ./api, depends_on: [db]}
                  db: {command: ./db, depends_on: [api]}
                """))
                .isEqualTo(error(3, 38, "processes.api.depends_on.db", "dependency cycle: api -> db -> api"));
    }

    @Test
    void completedConditionOnAProcessThatAlwaysRestarts() {
        assertThat(onlyError("""
                processes:
                  worker:
                    command: ./worker
                    restart: always
                  api:
                    command: ./api
                    depends_on:
                      worker: {condition: completed}
                """))
                .isEqualTo(
                        error(
                                8,
                                7,
                                "processes.api.depends_on.worker",
                                "condition completed can never be met: \"worker\" never completes because it has restart: always"));
    }

    @Test
    void dependencyOnADisabledProcess() {
        assertThat(onlyError("""
                processes:
                  db:
                    command: ./db
                    enabled: false
                  api:
                    command: ./api
                    depends_on: [db]
                """))
                .isEqualTo(error(
                        7,
                        18,
                        "processes.api.depends_on.db",
                        "depends on disabled process \"db\" (enable it, or remove the dependency)"));
    }

    @Test
    void disabledProcessesAreKept() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                processes:
                  db: {command: ./db, enabled: false}
                  tools: {command: ./tools, enabled: false, depends_on: [db]}
                  api: {command: ./api}
                """);

        assertThat(config.processes().keySet()).containsExactly("db", "tools", "api");
        assertThat(config.processes().get("db").enabled()).isFalse();
    }

    @Test
    void twoProcessesOnOneFixedPort() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    port: 8080
                  web:
                    command: ./web
                    port: 8080
                """))
                .isEqualTo(error(7, 11, "processes.web.port", "port 8080 is already used by process \"api\""));
    }

    @Test
    void replicasOnOneFixedPort() {
        assertThat(onlyError("""
                processes:
                  api:
                    command: ./api
                    port: 8080
                    replicas: 2
                """))
                .isEqualTo(error(
                        4,
                        11,
                        "processes.api.port",
                        "fixed port 8080 cannot serve 2 replicas (each needs its own); use port: auto"));
    }

    @Test
    void routeToAnUnknownProcess() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api, port: auto}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {host: example.test, path: /api, process: apx}
                """))
                .isEqualTo(error(5, 47, "routes[0].process", "route to unknown process \"apx\" (known: api)"));
    }

    @Test
    void routeToAProcessWithoutAPortPointsAtTheRightRouteAfterADroppedOne() {
        assertThat(TestConfigs.errors("""
                processes:
                  api: {command: ./api, port: auto}
                  worker: {command: ./worker}
                proxy: {listen: "127.0.0.1:8080"}
                routes:
                  - {path: /broken}
                  - {path: /api, process: api}
                  - {path: /jobs, process: worker}
                """))
                .containsExactly(
                        error(
                                6,
                                5,
                                "routes[0].process",
                                "missing process (or target): name the process this route sends traffic to"),
                        error(
                                8,
                                28,
                                "routes[2].process",
                                "route to process \"worker\", which has no port (give it port: auto or a number)"));
    }

    @Test
    void apiListenWithoutToken() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api}
                api: {listen: "127.0.0.1:9900"}
                """))
                .isEqualTo(error(
                        3,
                        15,
                        "api.listen",
                        "api.listen is set but api.token is not: the TCP API must require a token"));
    }

    @Test
    void apiTokenTooShort() {
        assertThat(onlyError("""
                processes:
                  api: {command: ./api}
                api: {listen: "127.0.0.1:9900", token: short}
                """))
                .isEqualTo(error(3, 40, "api.token", "token is too short (5 characters); use at least 20"));
    }

    @Test
    void apiTokenWithoutListenIsFine() throws ConfigException {
        DroverConfig config = TestConfigs.parse("""
                processes:
                  api: {command: ./api}
                api: {token: 0123456789abcdef0123}
                """);

        assertThat(config.api()).isEqualTo(new ApiSpec(null, "0123456789abcdef0123"));
        assertThat(config.api().toString()).doesNotContain("0123456789");
    }

    @Test
    void validationRunsEvenWhenValuesAreBroken() {
        assertThat(TestConfigs.errors("""
                processes:
                  a:
                    command: ./a
                    stop_timeout: forever
                    depends_on: [b, ghost]
                  b:
                    command: ./b
                    depends_on: [a]
                """))
                .extracting(ConfigError::message)
                .containsExactly(
                        "expected a duration like 500ms, 10s, 5m, got \"forever\"",
                        "dependency cycle: a -> b -> a",
                        "depends on unknown process \"ghost\" (known: a, b)");
    }
}
