package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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

/** `drover scale`: replica counts changed at run time, through the real CLI, daemon and processes. */
@Timeout(240)
class ScaleCliIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private DaemonHarness drover;

    @BeforeEach
    void setUp() throws Exception {
        drover = new DaemonHarness(dir);
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: "exec sleep 300"
                    port: auto
                  fixed:
                    command: "exec sleep 300"
                    port: 1
                    enabled: false
                  logged:
                    command: "exec sleep 300"
                    log_file: logged.log
                    enabled: false
                """);
    }

    @AfterEach
    void tearDown() {
        drover.close();
    }

    @Test
    void scaleUpThenDownStartsAndStopsInstancesAndPsSaysSoUntilReload() throws Exception {
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        int single = drover.pid("web");

        DaemonHarness.Result three = drover.run("scale", "web", "3");
        assertThat(three.exitCode()).as(three.toString()).isZero();
        assertThat(three.output())
                .contains("web: 3 instances (scaled to 3 (file: 1) until reload): web.0, web.1, web.2");
        awaitRunning(List.of("web.0", "web.1", "web.2"));
        Map<String, JsonNode> scaled = drover.processes();
        assertThat(scaled).doesNotContainKey("web");
        assertThat(alive(single))
                .as("from one instance the names change: web was replaced")
                .isFalse();
        int first = scaled.get("web.0").get("pid").asInt();
        int second = scaled.get("web.1").get("pid").asInt();
        int third = scaled.get("web.2").get("pid").asInt();
        assertThat(List.of(first, second, third)).doesNotHaveDuplicates().allMatch(ScaleCliIT::alive);
        assertThat(scaled.get("web.1").get("scaled").get("replicas").asInt()).isEqualTo(3);
        assertThat(scaled.get("web.1").get("scaled").get("fileReplicas").asInt())
                .isEqualTo(1);
        DaemonHarness.Result ps = drover.run("ps");
        assertThat(ps.output()).as(ps.toString()).contains("scaled to 3 (file: 1) until reload");
        assertThat(drover.daemonLogText()).contains("scaled web to 3 until the next reload (the file says 1)");

        DaemonHarness.Result two = drover.run("scale", "web", "2");
        assertThat(two.exitCode()).as(two.toString()).isZero();
        Waits.until(
                WAIT,
                "web.2 to go and its process to end",
                () -> !drover.processes().containsKey("web.2") && !alive(third),
                () -> drover.run("ps").toString() + Describe.process(third));
        Map<String, JsonNode> down = drover.processes();
        assertThat(down.get("web.0").get("pid").asInt())
                .as("the instances both counts have keep running")
                .isEqualTo(first);
        assertThat(down.get("web.1").get("pid").asInt()).isEqualTo(second);
        assertThat(drover.run("ps").output()).contains("scaled to 2 (file: 1) until reload");

        DaemonHarness.Result one = drover.run("scale", "web", "1");
        assertThat(one.exitCode()).as(one.toString()).isZero();
        assertThat(one.output()).contains("web: 1 instance (as the file says)");
        awaitRunning(List.of("web"));
        Waits.until(
                WAIT,
                "web.0 and web.1 to end",
                () -> !alive(first) && !alive(second),
                () -> Describe.process(first) + Describe.process(second));
        Map<String, JsonNode> back = drover.processes();
        assertThat(back).containsOnlyKeys("web", "fixed", "logged");
        assertThat(back.get("web").get("scaled").isNull()).isTrue();
        assertThat(drover.run("ps").output()).doesNotContain("scaled to");
    }

    @Test
    void aReloadRestoresTheFilesCount() throws Exception {
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();

        assertThat(drover.run("scale", "web", "3").exitCode()).isZero();
        awaitRunning(List.of("web.0", "web.1", "web.2"));
        DaemonHarness.Result reload = drover.run("reload");
        assertThat(reload.exitCode()).as(reload.toString()).isZero();

        awaitRunning(List.of("web"));
        Waits.until(
                WAIT,
                "only the file's one instance of web",
                () -> drover.processes().keySet().equals(java.util.Set.of("web", "fixed", "logged")),
                () -> drover.run("ps").toString());
        assertThat(drover.run("ps").output()).doesNotContain("scaled to");
    }

    @Test
    void anUnknownProcessOrABadCountIsRefusedAndChangesNothing() throws Exception {
        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        int pid = drover.pid("web");

        DaemonHarness.Result unknown = drover.run("scale", "nope", "2");
        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.output()).contains("unknown process nope (known: web, fixed, logged)");

        DaemonHarness.Result instance = drover.run("scale", "web.0", "2");
        assertThat(instance.exitCode()).as(instance.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(instance.output()).contains("unknown process web.0");

        DaemonHarness.Result word = drover.run("scale", "web", "three");
        assertThat(word.exitCode()).as(word.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(word.output()).contains("N must be a whole number of instances (1 or more), got \"three\"");

        DaemonHarness.Result negative = drover.run("scale", "web", "-1");
        assertThat(negative.exitCode()).as(negative.toString()).isEqualTo(ExitCodes.USAGE);

        DaemonHarness.Result zero = drover.run("scale", "web", "0");
        assertThat(zero.exitCode()).as(zero.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(zero.output()).contains("replicas must be 1 or more, got 0", "drover stop web");

        DaemonHarness.Result fixedPort = drover.run("scale", "fixed", "2");
        assertThat(fixedPort.exitCode()).as(fixedPort.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(fixedPort.output()).contains("fixed port 1");

        DaemonHarness.Result sharedLog = drover.run("scale", "logged", "2");
        assertThat(sharedLog.exitCode()).as(sharedLog.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(sharedLog.output()).contains("logged.log, which 2 replicas cannot share");

        DaemonHarness.Result missing = drover.run("scale", "web");
        assertThat(missing.exitCode()).as(missing.toString()).isEqualTo(ExitCodes.USAGE);

        assertThat(drover.processes()).containsOnlyKeys("web", "fixed", "logged");
        assertThat(drover.pid("web")).isEqualTo(pid);
    }

    private void awaitRunning(List<String> ids) {
        Waits.until(
                WAIT,
                ids + " running with a PID each",
                () -> {
                    Map<String, JsonNode> all = drover.processes();
                    return ids.stream()
                            .allMatch(id -> all.containsKey(id)
                                    && all.get(id).get("state").asText().equals("running")
                                    && all.get(id).get("pid").asInt() > 0);
                },
                () -> drover.run("ps").toString() + drover.daemonLogText());
    }

    private static boolean alive(int pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
