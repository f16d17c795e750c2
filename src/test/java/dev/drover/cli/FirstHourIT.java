package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user meets in the first hour, each a defect that was reproduced once: the real jar,
 * real processes, and what the user would see in the terminal.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class FirstHourIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<DroverProcess> foreground = new ArrayList<>();
    private final List<String> configs = new ArrayList<>(List.of("drover.yaml"));
    private final List<ProcessRef> toKill = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        try {
            for (DroverProcess up : foreground) {
                up.close();
            }
            for (String config : configs) {
                if (Files.exists(dir.resolve(config))) {
                    DroverProcess.run(dir, "down", "--force", "--file", config);
                    DroverProcess.run(dir, "cleanup", "--file", config);
                }
            }
        } finally {
            // Even when drover itself cannot be run: what the test started on its own must end.
            for (ProcessRef ref : toKill) {
                Signals.send(ref, Signals.SIGKILL);
            }
        }
    }

    private void config(String yaml) throws Exception {
        config("drover.yaml", yaml);
    }

    private void config(String file, String yaml) throws Exception {
        Files.writeString(dir.resolve(file), yaml);
        if (!configs.contains(file)) {
            configs.add(file);
        }
    }

    private DroverProcess drover(String... args) throws Exception {
        return DroverProcess.run(dir, args);
    }

    private DroverProcess up(Map<String, String> env) throws Exception {
        DroverProcess up = DroverProcess.start(dir, env, "up");
        foreground.add(up);
        up.awaitLine("supervising");
        return up;
    }

    /** name → pid, from `ps --json`. */
    private Map<String, Integer> pids(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("ps", "--json"));
        args.addAll(List.of(options));
        DroverProcess ps = drover(args.toArray(String[]::new));
        assertThat(ps.exitCode()).as(ps.text()).isZero();
        Map<String, Integer> pids = new HashMap<>();
        for (JsonNode p : JSON.readTree(ps.text()).get("processes")) {
            pids.put(p.get("id").asText(), p.get("pid").asInt());
        }
        return pids;
    }

    private String ps() throws Exception {
        return drover("ps").text();
    }

    @Test
    void aForegroundUpServesTheControlSocketSoEveryCommandWorksFromAnotherTerminal() throws Exception {
        config("processes:\n  web: {command: \"echo hello from web; exec sleep 300\"}\n");
        DroverProcess up = up(Map.of());
        Waits.until(WAIT, "web to run", () -> pids().getOrDefault("web", 0) > 0, this::ps);
        DroverProcess logs = drover("logs", "web");
        assertThat(logs.text()).contains("hello from web");
        int before = pids().get("web");
        assertThat(drover("restart", "web").exitCode()).isZero();
        Waits.until(
                WAIT,
                "web to run again",
                () -> pids().getOrDefault("web", 0) > 0 && pids().get("web") != before,
                this::ps);

        DroverProcess second = drover("up");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.text())
                .contains("already running")
                .contains("pid " + up.pid())
                .contains("drover.yaml");
        DroverProcess detached = drover("up", "-d");
        assertThat(detached.exitCode()).isEqualTo(1);
        assertThat(detached.text()).contains("already running").contains("pid " + up.pid());
        assertThat(pids()).hasSize(1);

        assertThat(drover("down").exitCode()).isZero();
        assertThat(up.waitFor(WAIT)).isZero();
        assertThat(up.startedChildren()).as("children still alive after down").isEmpty();
    }

    @Test
    void aTerminalHangUpStopsEverythingGracefullyAndSaysSo() throws Exception {
        config(
                "processes:\n  web: {command: \"trap 'echo web got TERM; exit 0' TERM; while :; do sleep 0.1; done\"}\n");
        DroverProcess up = up(Map.of());
        up.awaitLine("started (pid");
        List<ProcessRef> children = up.startedChildren();
        assertThat(children).hasSize(1);
        up.signal(Signals.SIGHUP);
        assertThat(up.waitFor(WAIT)).as(up.text()).isZero();
        assertThat(up.text())
                .contains("the terminal hung up (SIGHUP): stopping")
                .contains("web got TERM")
                .contains("all processes stopped");
        assertThat(children).noneMatch(ProcessRef::isAlive);
    }

    @Test
    void childrenDoNotInheritSystemdsNotifyOrSocketActivationVariables() throws Exception {
        config("processes:\n  web: {command: \"env > env.txt; exec sleep 300\"}\n");
        Map<String, String> env = Map.of(
                "NOTIFY_SOCKET",
                dir.resolve("nobody-listens.sock").toString(),
                "WATCHDOG_USEC",
                "30000000",
                "WATCHDOG_PID",
                "1",
                "LISTEN_FDS",
                "1",
                "LISTEN_PID",
                "1",
                "LISTEN_FDNAMES",
                "web",
                "KEPT_VARIABLE",
                "yes");
        up(env);
        Waits.until(
                WAIT,
                "the child's environment",
                () -> Files.exists(dir.resolve("env.txt"))
                        && Files.readString(dir.resolve("env.txt")).contains("KEPT"),
                this::ps);
        String seen = Files.readString(dir.resolve("env.txt"));
        assertThat(seen).contains("KEPT_VARIABLE=yes").contains("DROVER_PROCESS=web");
        assertThat(seen)
                .doesNotContain(
                        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");
    }

    @Test
    void aSecondSigtermToTheDaemonKillsAtOnceInsteadOfWaitingOutStopTimeout() throws Exception {
        config(
                "processes:\n  stubborn: {command: \"trap '' TERM; while :; do sleep 0.1; done\", stop_timeout: 120s}\n");
        DroverProcess up = drover("up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        ProcessRef daemon = ProcessRef.of(Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).trim()));
        ProcessRef child = ProcessRef.of(pids().get("stubborn"));
        Signals.send(daemon, Signals.SIGTERM);
        Waits.until(
                WAIT,
                "the daemon to begin stopping",
                () -> Files.readString(dir.resolve(".drover/drover.log")).contains("stubborn: stopping"),
                () -> Files.readString(dir.resolve(".drover/drover.log")));
        long before = System.nanoTime();
        Signals.send(daemon, Signals.SIGTERM);
        Waits.until(
                WAIT,
                "the daemon to exit",
                () -> !daemon.isRunning(),
                () -> Files.readString(dir.resolve(".drover/drover.log")));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
        assertThat(child.isAlive()).isFalse();
        assertThat(Files.readString(dir.resolve(".drover/drover.log")))
                .contains("second signal: killing everything now");
    }

    @Test
    void downForceDoesNotWaitOutStopTimeout() throws Exception {
        config(
                "processes:\n  stubborn: {command: \"trap '' TERM; while :; do sleep 0.1; done\", stop_timeout: 120s}\n");
        assertThat(drover("up", "-d").exitCode()).isZero();
        ProcessRef child = ProcessRef.of(pids().get("stubborn"));
        long before = System.nanoTime();
        DroverProcess down = drover("down", "--force");
        assertThat(down.exitCode()).as(down.text()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(20));
        assertThat(child.isAlive()).isFalse();
        assertThat(Files.readString(dir.resolve(".drover/logs/stubborn.log")))
                .as("a forced stop gives no stop_timeout to run out")
                .contains("stopped (forced stop, killed at once; killed by SIGKILL)")
                .doesNotContain("after stop_timeout");
    }

    @Test
    void upDetachedDoesNotCallAServerReadyThatCrashesASecondLaterAndShowsItsLastLines() throws Exception {
        config(
                "processes:\n  web: {command: \"sleep 0.5; echo 'OSError: [Errno 98] Address already in use' >&2; exit 1\"}\n");
        DroverProcess up = drover("up", "-d", "--timeout", "10s");
        assertThat(up.exitCode()).as(up.text()).isEqualTo(1);
        assertThat(up.text())
                .doesNotContain("ready.")
                .contains("not ready after 10s")
                .contains("web:")
                .contains("| OSError: [Errno 98] Address already in use");
        // It cycles between a try and its back-off: wait for a look at the back-off.
        java.util.concurrent.atomic.AtomicReference<String> seen =
                new java.util.concurrent.atomic.AtomicReference<>("");
        Waits.until(
                WAIT,
                "ps to show web in its crash-loop back-off",
                () -> {
                    seen.set(ps());
                    return seen.get().contains("crash loop");
                },
                seen::get);
        assertThat(seen.get())
                .contains("crash loop: exited (exit code 1)")
                .contains("next try in")
                .contains("| OSError: [Errno 98]");
    }

    @Test
    void upDetachedSaysAtOnceWhatWaitsForAOneShotThatFailed() throws Exception {
        config("""
                processes:
                  migrate: {command: "echo migrating; echo 'relation users already exists' >&2; exit 1", restart: "no"}
                  app: {command: "sleep 300", depends_on: {migrate: {condition: completed}}}
                  web: {command: "sleep 300"}
                """);
        long before = System.nanoTime();
        DroverProcess up = drover("up", "-d", "--timeout", "60s");
        Duration took = Duration.ofNanos(System.nanoTime() - before);
        assertThat(up.exitCode()).as(up.text()).isEqualTo(1);
        assertThat(up.text())
                .doesNotContain("not ready after")
                .contains("migrate: exited (exit code 1)")
                .contains("| relation users already exists")
                .contains("app: stopped, waiting for migrate to complete (it exited (exit code 1))")
                .doesNotContain("web:");
        // Not the whole --timeout: nothing left could have started app.
        assertThat(took).as(up.text()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aFixedPortThatIsTakenIsRefusedBeforeSpawningNamingWhoHoldsIt() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process holder = new ProcessBuilder(
                        "python3", "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("holder.out").toFile())
                .start();
        toKill.add(ProcessRef.of((int) holder.pid()));
        Waits.until(
                WAIT,
                "the holder to listen",
                () -> {
                    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                        return true;
                    } catch (java.io.IOException e) {
                        return false;
                    }
                },
                () -> Files.readString(dir.resolve("holder.out")));
        config("processes:\n  web: {command: \"touch spawned; exec sleep 300\", port: " + port + "}\n");
        DroverProcess up = drover("up", "-d");
        assertThat(up.exitCode()).as(up.text()).isEqualTo(1);
        assertThat(up.text())
                .contains("port " + port + " is in use by pid " + holder.pid() + " (")
                .contains("python3 -m http.server " + port);
        assertThat(dir.resolve("spawned")).doesNotExist();
    }

    @Test
    void logsDashFFollowsAndTheConfigFileIsNamedBeforeTheVerbOrWithFile() throws Exception {
        config(
                "other.yaml",
                "processes:\n  web: {command: \"echo first; while [ ! -f go ]; do sleep 0.05; done; echo second; exec sleep 300\"}\n");
        DroverProcess up = drover("--file", "other.yaml", "up", "-d");
        assertThat(up.exitCode()).as(up.text()).isZero();
        DroverProcess follow = DroverProcess.start(dir, "-f", "other.yaml", "logs", "-f", "web");
        try {
            follow.awaitLine("first");
            Files.writeString(dir.resolve("go"), "");
            follow.awaitLine("second");
        } finally {
            follow.close();
        }
        DroverProcess once = drover("logs", "--file", "other.yaml", "web");
        assertThat(once.exitCode()).isZero();
        assertThat(once.text()).contains("second");
        DroverProcess help = drover("help");
        assertThat(help.text()).contains("after `logs`, -f follows");
    }

    @Test
    void aDaemonThatHoldsItsLockButDoesNotAnswerYetIsNotCalledAbsent() throws Exception {
        config("processes:\n  web: {command: \"exec sleep 300\"}\n");
        dev.drover.daemon.RuntimeDir runtime = dev.drover.daemon.RuntimeDir.resolve(dir.resolve("drover.yaml"), null);
        Files.createDirectories(runtime.dir());
        // What a daemon between its lock and its socket looks like from outside.
        try (var held = dev.drover.daemon.DaemonLock.tryAcquire(runtime)) {
            assertThat(held).as("the test holds the runtime directory's lock").isNotNull();
            DroverProcess ps = drover("ps");
            assertThat(ps.exitCode()).as(ps.text()).isEqualTo(3);
            assertThat(ps.text())
                    .contains("does not answer on " + runtime.socket() + " yet: it is starting")
                    .doesNotContain("no drover daemon is running")
                    .doesNotContain("start one with `drover up -d`");
            DroverProcess up = drover("up", "-d");
            assertThat(up.exitCode()).as(up.text()).isEqualTo(1);
            assertThat(up.text())
                    .contains("a drover daemon is already starting for " + dir.resolve("drover.yaml"))
                    .doesNotContain("pid -1");
        }
        DroverProcess ps = drover("ps");
        assertThat(ps.text()).as("once the lock is free").contains("no drover daemon is running");
    }

    @Test
    void eachConfigFileInOneDirectoryHasItsOwnDaemonAndEveryMessageNamesIt() throws Exception {
        config("crash.yaml", "processes:\n  crasher: {command: \"exec sleep 300\"}\n");
        config("other.yaml", "processes:\n  other: {command: \"exec sleep 300\"}\n");
        assertThat(drover("up", "-d", "--file", "crash.yaml").exitCode()).isZero();
        DroverProcess psOther = drover("ps", "--file", "other.yaml");
        assertThat(psOther.exitCode()).isEqualTo(3);
        assertThat(psOther.text()).contains("no drover daemon is running for " + dir.resolve("other.yaml"));
        assertThat(drover("up", "-d", "--file", "other.yaml").exitCode()).isZero();
        assertThat(pids("--file", "other.yaml")).containsOnlyKeys("other");
        assertThat(pids("--file", "crash.yaml")).containsOnlyKeys("crasher");
        DroverProcess again = drover("up", "-d", "--file", "crash.yaml");
        assertThat(again.text()).contains("already running for " + dir.resolve("crash.yaml"));
        assertThat(drover("down", "--file", "other.yaml").exitCode()).isZero();
        assertThat(pids("--file", "crash.yaml")).containsOnlyKeys("crasher");
        assertThat(dir.resolve(".drover/crash/drover.sock")).exists();
    }

    @Test
    void afterTheDaemonIsKilledPsPointsToCleanupWhichStopsWhatItLeft() throws Exception {
        config("processes:\n  web: {command: \"exec sleep 300\"}\n  worker: {command: \"exec sleep 300\"}\n");
        assertThat(drover("up", "-d").exitCode()).isZero();
        List<ProcessRef> children = pids().values().stream().map(ProcessRef::of).toList();
        toKill.addAll(children);
        ProcessRef daemon = ProcessRef.of(Integer.parseInt(
                Files.readString(dir.resolve(".drover/drover.pid")).trim()));
        Signals.send(daemon, Signals.SIGKILL);
        Waits.until(WAIT, "the daemon to die", () -> !daemon.isRunning(), () -> "pid " + daemon.pid());
        DroverProcess ps = drover("ps");
        assertThat(ps.exitCode()).isEqualTo(3);
        assertThat(ps.text()).contains("2 of its processes are still running").contains("drover cleanup");
        DroverProcess cleanup = drover("cleanup");
        assertThat(cleanup.exitCode()).as(cleanup.text()).isZero();
        assertThat(cleanup.text())
                .contains("stopped 2 processes left running by the daemon (pid " + daemon.pid() + ")")
                .contains("web (pid " + children.getFirst().pid() + ")");
        // Orphaned by the dead daemon, they may stay zombies until init reaps them: dead all the same.
        assertThat(children).noneMatch(ProcessRef::isRunning);
        assertThat(drover("cleanup").text()).contains("nothing to clean up");
        assertThat(drover("ps").text()).contains("start one with `drover up -d`");
    }

    @Test
    void upDetachedCountsTheInstancesThatAreReadyInGoodEnglish() throws Exception {
        config("""
                processes:
                  greeter: {command: "exec sleep 300", replicas: 2, min_uptime: 0s}
                  lonely: {command: "exec sleep 300", min_uptime: 0s}
                  idle: {command: "exec sleep 300", replicas: 3}
                """);
        DroverProcess up = drover("up", "-d", "greeter");
        assertThat(up.text()).as(up.text()).contains("2 processes ready.");
        assertThat(drover("down").exitCode()).isZero();
        DroverProcess one = drover("up", "-d", "lonely");
        assertThat(one.text()).as(one.text()).contains("1 process ready.");
    }

    @Test
    void theCliSuggestsWhatWasMeant() throws Exception {
        DroverProcess typo = drover("stauts");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.text()).contains("did you mean `drover status`?");
        assertThat(drover("-v").text()).startsWith("drover ");
        assertThat(drover("--version").text()).startsWith("drover ");
        DroverProcess missing = drover("up");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.text())
                .contains("no config file at " + dir.resolve("drover.yaml"))
                .contains("--file FILE");
        DroverProcess stop = drover("start", "web");
        assertThat(stop.exitCode()).isEqualTo(3);
    }

    @Test
    void theSystemdUnitUsesTheProjectsRuntimeDirAStableJarAnEnvFileAndAUser() throws Exception {
        config("processes:\n  web: {command: \"exec sleep 300\"}\n");
        Files.writeString(dir.resolve("secrets.env"), "DROVER_TOKEN=abcdefghijklmnopqrstuvwxyz\n");
        DroverProcess print =
                drover("install", "systemd", "--print", "--env-file", "secrets.env", "--run-as", "nobody");
        assertThat(print.exitCode()).as(print.text()).isZero();
        String unit = print.text();
        assertThat(unit)
                .doesNotContain("--runtime-dir")
                .doesNotContain("PrivateTmp")
                .doesNotContain("/target/drover.jar")
                .contains("EnvironmentFile=" + dir.resolve("secrets.env"))
                .contains("User=nobody")
                .contains("/usr/local/lib/drover/drover.jar daemon --file " + dir.resolve("drover.yaml"));
        assertThat(drover("install", "systemd", "--print", "--user=nobody").text())
                .contains("User=nobody");

        Path home = dir.resolve("home");
        Files.createDirectories(home);
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", null);
        env.put("XDG_DATA_HOME", null);
        DroverProcess install = DroverProcess.run(dir, env, "install", "systemd", "--user");
        assertThat(install.exitCode()).as(install.text()).isZero();
        String name = "drover-" + dir.getFileName();
        Path unitFile = home.resolve(".config/systemd/user/" + name + ".service");
        Path jar = home.resolve(".local/share/drover/drover.jar");
        assertThat(unitFile).exists();
        assertThat(jar).exists().hasSameBinaryContentAs(Path.of(DroverProcess.jar()));
        assertThat(Files.readString(unitFile)).contains(jar + " daemon --file " + dir.resolve("drover.yaml"));
        Path manPage = home.resolve(".local/share/man/man1/drover.1");
        assertThat(manPage).exists();
        assertThat(Files.readString(manPage)).startsWith(".TH DROVER 1").contains(".SS install");
        if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
            Process verify = new ProcessBuilder("systemd-analyze", "verify", unitFile.toString())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(verify.getInputStream().readAllBytes());
            assertThat(verify.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(verify.exitValue()).as(output).isZero();
        }
        DroverProcess uninstall = DroverProcess.run(dir, env, "uninstall", "systemd", "--user");
        assertThat(uninstall.exitCode()).as(uninstall.text()).isZero();
        assertThat(unitFile).doesNotExist();
        assertThat(jar).doesNotExist();
        assertThat(manPage).doesNotExist();
    }
}
