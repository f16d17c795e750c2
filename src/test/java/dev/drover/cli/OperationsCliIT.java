package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.drover.Describe;
import dev.drover.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `drover run`, what `ps` shows of a schedule, and `up --no-pre-start`, through the real CLI and daemon. */
@Timeout(180)
class OperationsCliIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private DaemonHarness drover;

    @BeforeEach
    void setUp() {
        drover = new DaemonHarness(dir);
    }

    @AfterEach
    void tearDown() {
        drover.close();
    }

    @Test
    void runStartsAScheduledJobNowAndPsShowsItsLastAndNextRun() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: "exec sleep 300"
                  report:
                    command: "echo report >> report.txt"
                    restart: "no"
                    schedule: "0 3 * * *"
                    timezone: UTC
                """);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(drover.state("report")).isEqualTo("stopped");
        DaemonHarness.Result ps = drover.run("ps");
        assertThat(ps.output()).as(ps.toString()).contains("scheduled 0 3 * * *: no run yet; next run in");

        DaemonHarness.Result run = drover.run("run", "report");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.output()).contains("report: run started; next run in");
        Waits.until(
                WAIT,
                "the run's result in ps",
                () -> drover.run("ps").output().contains("(exit code 0)"),
                () -> drover.run("ps").toString() + drover.daemonLogText());
        assertThat(Files.readString(dir.resolve("report.txt"))).isEqualTo("report\n");
        assertThat(drover.processes()
                        .get("report")
                        .get("schedule")
                        .get("lastResult")
                        .asText())
                .isEqualTo("exit code 0");

        DaemonHarness.Result notScheduled = drover.run("run", "web");
        assertThat(notScheduled.exitCode()).as(notScheduled.toString()).isNotZero();
        assertThat(notScheduled.output()).contains("web has no schedule");
        DaemonHarness.Result unknown = drover.run("run", "nope");
        assertThat(unknown.exitCode()).as(unknown.toString()).isNotZero();
        assertThat(drover.state("web")).isEqualTo("running");

        // On a terminal (a pty from script(1)) state and health are coloured, unless NO_COLOR.
        assertThat(onATerminal(Map.of(), "ps")).contains("\u001b[32mrunning\u001b[0m");
        assertThat(onATerminal(Map.of("NO_COLOR", "1"), "ps"))
                .contains("running")
                .doesNotContain("\u001b[");
        assertThat(drover.run("ps").output()).doesNotContain("\u001b[");
    }

    /** What drover prints when its output is a terminal: run under script(1), which gives it a pty. */
    private String onATerminal(Map<String, String> env, String... args) throws Exception {
        String javaCommand = ProcessHandle.current().info().command().orElse("java");
        StringBuilder command = new StringBuilder("'" + javaCommand + "' -jar '" + DroverProcess.jar() + "'");
        for (String arg : args) {
            command.append(" '").append(arg).append("'");
        }
        ProcessBuilder builder = new ProcessBuilder("script", "-qec", command.toString(), "/dev/null")
                .directory(dir.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(env);
        Process script = builder.start();
        String output = new String(script.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(script.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                .as(output)
                .isTrue();
        return output;
    }

    @Test
    void upNoPreStartSkipsThePreStartHooks() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: "exec sleep 300"
                    pre_start: "touch pre-start-ran"
                """);
        DaemonHarness.Result up = drover.up("--no-pre-start");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(drover.state("web")).isEqualTo("running");
        assertThat(dir.resolve("pre-start-ran")).doesNotExist();
        assertThat(drover.run("down").exitCode()).isZero();

        DaemonHarness.Result again = drover.up();
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(dir.resolve("pre-start-ran")).exists();
    }

    @Test
    void execRunsACommandWithTheProcesssEnvironmentDirectoryAndUserAndPassesItsExitCodeThrough() throws Exception {
        Files.createDirectories(dir.resolve("app"));
        boolean root = dev.drover.config.Accounts.currentUid() == 0;
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  plain:
                    command: "exec sleep 300"
                  web:
                    command: "exec sleep 300"
                    cwd: app
                    port: auto
                    env: {GREETING: hello}
                %s
                """.formatted(root ? "    user: nobody" : ""));
        if (root) {
            dev.drover.config.Accounts.user("nobody").orElseThrow();
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        int port = drover.processes().get("web").get("port").asInt();
        DaemonHarness.Result exec =
                drover.run("exec", "web", "--", "sh", "-c", "echo \"$PORT $GREETING $(pwd) $(id -u)\"; exit 7");
        assertThat(exec.exitCode()).as(exec.toString()).isEqualTo(7);
        assertThat(exec.output())
                .contains(port + " hello " + dir.resolve("app").toRealPath() + " " + (root ? "65534" : ""));
        DaemonHarness.Result missing = drover.run("exec", "web");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(2);
        // As a shell says it: 127 for a program that is not there, 126 for one that cannot be run;
        // for web (as root: with a user, through setpriv) and plain (started by this JVM) alike.
        Path notExecutable = Files.writeString(dir.resolve("app/notes.txt"), "not a program\n");
        for (String name : List.of("web", "plain")) {
            DaemonHarness.Result notFound = drover.run("exec", name, "--", "no-such-program-anywhere");
            assertThat(notFound.exitCode()).as(notFound.toString()).isEqualTo(127);
            DaemonHarness.Result cannotRun = drover.run("exec", name, "--", notExecutable.toString());
            assertThat(cannotRun.exitCode()).as(cannotRun.toString()).isEqualTo(126);
        }
    }

    @Test
    void logsFilterBySinceGrepAndStreamAndPrintTimestampsOrJson() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  talker:
                    command: "echo apple one; echo banana two >&2; echo apple three >&2; exec sleep 300"
                """);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        Waits.until(
                WAIT,
                "talker's three lines",
                () -> drover.run("logs", "talker").output().contains("apple three"),
                () -> drover.run("logs", "talker").toString());

        DaemonHarness.Result stderr = drover.run("logs", "--stderr", "talker");
        assertThat(stderr.output()).contains("talker | ! banana two", "talker | ! apple three");
        assertThat(stderr.output()).doesNotContain("apple one").doesNotContain("[drover]");

        DaemonHarness.Result grep = drover.run("logs", "--grep", "^apple", "talker");
        assertThat(grep.output().lines().toList()).containsExactly("talker | apple one", "talker | ! apple three");

        DaemonHarness.Result json = drover.run("logs", "--json", "--grep", "banana", "talker");
        var line = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json.output().strip());
        assertThat(line.get("stream").asText()).isEqualTo("stderr");
        assertThat(line.get("line").asText()).isEqualTo("banana two");
        assertThat(line.get("process").asText()).isEqualTo("talker");

        assertThat(drover.run("logs", "--since", "1h", "--grep", "apple", "talker")
                        .output())
                .contains("apple one");
        String future = java.time.Instant.now().plusSeconds(3600).toString();
        assertThat(drover.run("logs", "--since", future, "talker").output()).isEmpty();
        assertThat(drover.run("logs", "--timestamps", "--grep", "apple one", "talker")
                        .output())
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z talker \\| apple one\\n");

        DaemonHarness.Result badSince = drover.run("logs", "--since", "yesterday-ish", "talker");
        assertThat(badSince.exitCode()).as(badSince.toString()).isEqualTo(2);
        assertThat(badSince.output()).contains("--since needs a duration");
        DaemonHarness.Result badGrep = drover.run("logs", "--grep", "(", "talker");
        assertThat(badGrep.exitCode()).as(badGrep.toString()).isEqualTo(2);
    }

    @Test
    void logFilePlacesEachReplicasLogAndOutputStdoutEchoesItsLinesToTheDaemonsOutput() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: "echo web says $$DROVER_REPLICA; echo web complains >&2; exec sleep 300"
                    replicas: 2
                    log_file: own/web-${DROVER_REPLICA}.log
                    output: journal
                  quiet:
                    command: "echo quiet says hi; exec sleep 300"
                """);
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        Path first = dir.resolve("own/web-0.log");
        Path second = dir.resolve("own/web-1.log");
        Waits.until(
                WAIT,
                "each replica's lines in its own log_file and web's in the daemon's output",
                () -> Files.exists(first)
                        && Files.exists(second)
                        && Files.exists(dir.resolve(".drover/logs/quiet.log"))
                        && Files.readString(first).contains("! web complains")
                        && Files.readString(second).contains("web says 1")
                        && drover.daemonLogText().contains("web.1 ! web complains")
                        && Files.readString(dir.resolve(".drover/logs/quiet.log"))
                                .contains("quiet says hi"),
                () -> Describe.file(first) + Describe.file(second) + "daemon log:\n" + drover.daemonLogText());
        assertThat(Files.readString(first)).contains("web says 0").doesNotContain("web says 1");
        assertThat(dir.resolve(".drover/logs/web.0.log")).doesNotExist();
        assertThat(drover.daemonLogText())
                .contains("web.0 | web says 0", "web.1 | web says 1")
                .doesNotContain("quiet says hi");
        // drover logs still reads the lines from wherever they are kept.
        assertThat(drover.run("logs", "web").output()).contains("web.0 | web says 0", "web.1 | ! web complains");
    }
}
