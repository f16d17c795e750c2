package dev.drover.config;

import static dev.drover.config.TestConfigs.errors;
import static dev.drover.config.TestConfigs.onlyError;
import static dev.drover.config.TestConfigs.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys of everyday operations: user and umask, hooks, start_delay, schedule, probe expectations. */
class OperationsConfigTest {

    @Test
    void readsUserGroupsUmaskHooksAndStartDelay() throws Exception {
        ProcessSpec job = parse("""
                        processes:
                          job:
                            command: ./job
                            user: nobody
                            groups: [nogroup]
                            umask: "027"
                            start_delay: 2s
                            pre_start:
                              - make build
                              - [./check, --strict]
                            post_stop: "rm -f job.lock"
                        """).processes().get("job");
        assertThat(job.runAs()).isEqualTo(new RunAs("nobody", null, List.of("nogroup"), 027));
        assertThat(job.runAs().umaskText()).isEqualTo("0027");
        assertThat(job.startDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(job.hooks().preStart())
                .containsExactly(
                        new Command.Exec(List.of("make", "build")), new Command.Exec(List.of("./check", "--strict")));
        assertThat(job.hooks().postStop()).containsExactly(new Command.Exec(List.of("rm", "-f", "job.lock")));
    }

    @Test
    void anUnknownUserOrGroupAndABadUmaskAreReportedWhereTheyAre() {
        List<ConfigError> found = errors("""
                processes:
                  job:
                    command: ./job
                    user: no-such-user-here
                    group: no-such-group-here
                    umask: "999"
                """);
        assertThat(found)
                .extracting(ConfigError::key, ConfigError::line, ConfigError::message)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(
                                "processes.job.user", 4, "no user \"no-such-user-here\" on this system"),
                        org.assertj.core.groups.Tuple.tuple(
                                "processes.job.group", 5, "no group \"no-such-group-here\" on this system"),
                        org.assertj.core.groups.Tuple.tuple(
                                "processes.job.umask",
                                6,
                                "expected an octal umask from 000 to 777 like \"027\", got \"999\""));
    }

    @Test
    void groupsWithoutAUserAreRefused() {
        assertThat(onlyError("""
                                processes:
                                  job:
                                    command: ./job
                                    group: nogroup
                                """).message())
                .isEqualTo("group needs user: the process runs as that user with these groups");
    }

    @Test
    void readsCronAndIntervalSchedulesWithZoneOverlapAndCatchUp() throws Exception {
        Map<String, ProcessSpec> processes = parse("""
                        processes:
                          nightly:
                            command: ./backup
                            restart: "no"
                            schedule: "30 2 * * *"
                            timezone: Europe/Berlin
                            overlap: queue
                            catch_up: true
                          poll:
                            command: ./poll
                            schedule: "@every 30s"
                          hourly:
                            command: ./rotate
                            schedule: "@hourly"
                        """).processes();
        ScheduleSpec nightly = processes.get("nightly").schedule();
        assertThat(nightly.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(processes.get("poll").schedule().zone())
                .as("without a timezone, the system's")
                .isEqualTo(ZoneId.systemDefault());
        assertThat(nightly.overlap()).isEqualTo(ScheduleSpec.Overlap.QUEUE);
        assertThat(nightly.catchUp()).isTrue();
        // 2026-12-04 10:00 UTC is 11:00 in Berlin: the next 02:30 Berlin is 01:30 UTC on the 5th.
        assertThat(nightly.next(Instant.parse("2026-12-04T10:00:00Z")))
                .isEqualTo(Instant.parse("2026-12-05T01:30:00Z"));
        ScheduleSpec poll = processes.get("poll").schedule();
        assertThat(poll.every()).isEqualTo(Duration.ofSeconds(30));
        assertThat(poll.next(Instant.parse("2026-12-04T10:00:00Z"))).isEqualTo(Instant.parse("2026-12-04T10:00:30Z"));
        assertThat(poll.overlap()).isEqualTo(ScheduleSpec.Overlap.SKIP);
        assertThat(processes.get("hourly").schedule().next(Instant.parse("2026-12-04T10:15:00Z")))
                .isEqualTo(Instant.parse("2026-12-04T11:00:00Z"));
        assertThat(processes.get("poll").schedule().catchUp()).isFalse();
    }

    @Test
    void badSchedulesAreExplained() {
        List<ConfigError> found = errors("""
                processes:
                  a:
                    command: ./a
                    schedule: "61 * * * *"
                  b:
                    command: ./b
                    schedule: "@every soon"
                  c:
                    command: ./c
                    schedule: "@daily"
                    restart: always
                  d:
                    command: ./d
                    overlap: queue
                    timezone: Mars/Olympus
                """);
        assertThat(found)
                .extracting(ConfigError::key)
                .contains(
                        "processes.a.schedule",
                        "processes.b.schedule",
                        "processes.c.schedule",
                        "processes.d.overlap",
                        "processes.d.timezone");
        assertThat(found.stream()
                        .filter(e -> e.key().equals("processes.a.schedule"))
                        .findFirst()
                        .orElseThrow()
                        .message())
                .startsWith("invalid cron expression \"61 * * * *\"");
        assertThat(found.stream()
                        .filter(e -> e.key().equals("processes.c.schedule"))
                        .findFirst()
                        .orElseThrow()
                        .message())
                .contains("restart: always");
        assertThat(found.stream()
                        .filter(e -> e.key().equals("processes.d.overlap"))
                        .findFirst()
                        .orElseThrow()
                        .message())
                .isEqualTo("overlap needs schedule");
    }

    @Test
    void anHttpProbeMayExpectAStatusABodyAndJsonFields() throws Exception {
        ProbeSpec probe = parse("""
                        processes:
                          api:
                            command: ./api
                            readiness:
                              http: "http://127.0.0.1:8080/health"
                              expect: {status: 200, body: '"status":"ok"', json: {checks.db: up}}
                        """).processes().get("api").readiness();
        assertThat(probe.check())
                .isEqualTo(new ProbeCheck.Http(
                        "http://127.0.0.1:8080/health",
                        new ProbeCheck.Expect(200, "\"status\":\"ok\"", Map.of("checks.db", "up"))));
        assertThat(onlyError("""
                                processes:
                                  api:
                                    command: ./api
                                    readiness: {tcp: "127.0.0.1:8080", expect: {status: 200}}
                                """).message()).isEqualTo("expect needs an http probe");
    }

    @Test
    void replicasNeedAPidFileEach() {
        assertThat(onlyError("""
                                processes:
                                  web:
                                    command: ./web
                                    replicas: 2
                                    port: auto
                                    pid_file: run/web.pid
                                """).message()).startsWith("with 2 replicas each needs its own PID file");
    }

    @Test
    void logFileAndOutputPlaceTheLog() throws Exception {
        DroverConfig config = parse("""
                processes:
                  web:
                    command: ./web
                    replicas: 2
                    port: auto
                    log_file: logs/web-${DROVER_REPLICA}.log
                    output: journal
                  worker: {command: ./worker, log_file: /var/log/worker.log, output: file, log: {keep: 2}}
                  plain: {command: ./plain}
                """);
        LogSpec web = config.processes().get("web").log();
        assertThat(web.file()).isEqualTo(TestConfigs.FILE.getParent() + "/logs/web-${DROVER_REPLICA}.log");
        assertThat(web.echo()).isTrue();
        LogSpec worker = config.processes().get("worker").log();
        assertThat(worker.file()).isEqualTo("/var/log/worker.log");
        assertThat(worker.echo()).isFalse();
        assertThat(worker.keep()).isEqualTo(2);
        assertThat(config.processes().get("plain").log()).isEqualTo(Defaults.LOG);
    }

    @Test
    void replicasNeedALogFileEachAndOutputIsOneOfThree() {
        assertThat(onlyError("""
                                processes:
                                  web: {command: ./web, replicas: 3, port: auto, log_file: web.log}
                                """).message())
                .startsWith("with 3 replicas each needs its own log file: put ${DROVER_REPLICA} in the path");
        ConfigError output = onlyError("""
                processes:
                  web: {command: ./web, output: syslog}
                """);
        assertThat(output.message()).isEqualTo("expected file, stdout or journal, got \"syslog\"");
        assertThat(output.key()).isEqualTo("processes.web.output");
    }
}
