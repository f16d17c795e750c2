package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The `./drover` script a newcomer runs: it trains the start-up caches after a build, then runs the
 * short commands on the jlink'ed runtime with the jar of Drover's own classes in front, and every
 * other command on the JDK. Each path must print what the jar itself prints.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void theShortCommandsRunOnTheLeanPathAndSayWhatTheJarSays() throws Exception {
        Files.writeString(dir.resolve("drover.yaml"), """
                processes:
                  web:
                    command: ["sleep", "600"]
                    replicas: 2
                """);
        try (DaemonHarness drover = new DaemonHarness(dir).throughLauncher().env("NO_COLOR", null)) {
            // The first call may build nothing (the jar is fresh) but trains the caches: minutes at most.
            DaemonHarness.Result version = drover.run(Duration.ofSeconds(180), "version");
            assertThat(version.exitCode()).as("%s", version).isZero();
            assertThat(version.output())
                    .as("the version comes from the manifest of the jar in front")
                    .containsPattern("(?m)^drover \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java 25");

            DaemonHarness.Result up = drover.up();
            assertThat(up.exitCode()).as("%s", up).isZero();

            // Which java and class path the script picked: sh -x shows its exec line.
            DaemonHarness.Result traced = traced(drover, "ps");
            assertThat(traced.exitCode()).as("%s", traced).isZero();
            assertThat(traced.output())
                    .as("ps runs on the java.base runtime with Drover's own classes first")
                    .contains("target/client-runtime/bin/java")
                    .contains("target/original-drover.jar:")
                    .contains("-XX:AOTCache=")
                    .contains("dev.drover.cli.Main ps");

            DaemonHarness.Result ps = drover.run("ps");
            assertThat(ps.exitCode()).as("%s", ps).isZero();
            assertThat(ps.output())
                    .containsPattern("(?m)^web\\.0 +running")
                    .containsPattern("(?m)^web\\.1 +running")
                    .as("no colours into a pipe")
                    .doesNotContain("\u001b[");

            DaemonHarness.Result health = drover.run("health");
            assertThat(health.exitCode()).as("%s", health).isZero();

            DaemonHarness.Result unknown = drover.run("start", "nope");
            assertThat(unknown.exitCode()).as("%s", unknown).isEqualTo(1);
            assertThat(unknown.output()).contains("unknown process nope (known: web, web.0, web.1)");

            DaemonHarness.Result restart = drover.run("restart", "web.1");
            assertThat(restart.exitCode()).as("%s", restart).isZero();

            // No daemon for this file: the message reads the (absent) state file, a path through Jackson.
            DaemonHarness.Result none = drover.run("ps", "-f", "other.yaml");
            assertThat(none.exitCode()).as("%s", none).isEqualTo(3);
            assertThat(none.output())
                    .contains("no drover daemon is running for")
                    .contains("other.yaml");

            DaemonHarness.Result json = drover.run("ps", "--json");
            assertThat(json.exitCode()).as("%s", json).isZero();
            assertThat(json.output()).contains("\"id\":\"web.0\"");

            DaemonHarness.Result down = traced(drover, "down");
            assertThat(down.exitCode()).as("%s", down).isZero();
            assertThat(down.output())
                    .as("down runs on the java.base runtime too")
                    .contains("target/client-runtime/bin/java")
                    .contains("dev.drover.cli.Main down")
                    .contains("all processes stopped; daemon exited");
            assertThat(drover.daemon().isRunning())
                    .as("the daemon after down: %s", drover.daemonLogText())
                    .isFalse();
        }
    }

    /** `drover COMMAND` through the script under `sh -x`, whose trace shows the java and class path it picked. */
    private static DaemonHarness.Result traced(DaemonHarness drover, String command) {
        return drover.runWith(
                Duration.ofSeconds(60),
                "/bin/sh",
                "-x",
                DaemonHarness.launcher().toString(),
                command);
    }
}
