package dev.drover.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.drover.Describe;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real jar as a CLI (and so the real daemon through `up -d`) with an environment and an
 * optional wrapper of the test's choosing (e.g. {@code sh -c 'ulimit -n 64; exec "$0" "$@"'}), and
 * cleans up after it: `down`, then the daemon and every process the test recorded, by PID and start
 * time only.
 */
final class DaemonHarness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one CLI run did. */
    record Result(int exitCode, String output, Duration took) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + took.toMillis() + " ms:\n" + output;
        }
    }

    private final Path dir;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> removedEnv = new ArrayList<>();
    private final List<String> wrapper = new ArrayList<>();
    private final List<ProcessRef> tracked = new CopyOnWriteArrayList<>();
    private volatile ProcessRef daemon;
    private boolean throughLauncher;

    DaemonHarness(Path dir) {
        this.dir = dir;
    }

    /** Runs every later command through the project's `./drover` script instead of `java -jar`. */
    DaemonHarness throughLauncher() {
        throughLauncher = true;
        return this;
    }

    /** The project's `./drover` script, beside the {@code target} directory of the jar under test. */
    static Path launcher() {
        return Path.of(DroverProcess.jar())
                .toAbsolutePath()
                .getParent()
                .getParent()
                .resolve("drover");
    }

    /** Sets (or, with null, removes) a variable in the environment of every later CLI run, and so of the daemon. */
    DaemonHarness env(String name, String value) {
        if (value == null) {
            env.remove(name);
            removedEnv.add(name);
        } else {
            env.put(name, value);
            removedEnv.remove(name);
        }
        return this;
    }

    /** Runs the next `up -d` through {@code sh -c SCRIPT}, whose script must end with {@code exec "$0" "$@"}. */
    DaemonHarness wrapUpWith(String script) {
        wrapper.clear();
        wrapper.addAll(List.of("/bin/sh", "-c", script));
        return this;
    }

    Path dir() {
        return dir;
    }

    Path runtime() {
        return dir.resolve(".drover");
    }

    Path daemonLog() {
        return runtime().resolve("drover.log");
    }

    String daemonLogText() {
        try {
            return Files.exists(daemonLog()) ? Files.readString(daemonLog(), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    Result run(String... args) {
        return run(Duration.ofSeconds(60), false, args);
    }

    Result run(Duration timeout, String... args) {
        return run(timeout, false, args);
    }

    /** Like {@link #run}, but a command that does not finish in time is killed and reported with exit code -1. */
    Result attempt(Duration timeout, String... args) {
        return run(timeout, false, false, args);
    }

    private Result run(Duration timeout, boolean wrapped, String... args) {
        return run(timeout, wrapped, true, args);
    }

    private Result run(Duration timeout, boolean wrapped, boolean failOnTimeout, String... args) {
        List<String> command = new ArrayList<>();
        if (wrapped) {
            command.addAll(wrapper);
        }
        if (throughLauncher) {
            command.add(launcher().toString());
        } else {
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", DroverProcess.jar()));
        }
        command.addAll(List.of(args));
        return execute(command, timeout, failOnTimeout, "drover " + String.join(" ", args));
    }

    /** Runs {@code command} as given (a wrapper of drover, say) in the test's directory and environment. */
    Result runWith(Duration timeout, String... command) {
        return execute(List.of(command), timeout, true, String.join(" ", command));
    }

    private Result execute(List<String> command, Duration timeout, boolean failOnTimeout, String label) {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().remove("NO_COLOR");
        // A developer's own DROVER_* settings (DROVER_NO_AOT, DROVER_JAVA_OPTS, a DROVER_PROCESS when
        // the suite runs under Drover) must not change what a test sees: tests set theirs with env().
        builder.environment().keySet().removeIf(name -> name.startsWith("DROVER_"));
        removedEnv.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process process = builder.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (InputStream in = process.getInputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // gone
                }
            });
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                if (!failOnTimeout) {
                    reader.join(5000);
                    return new Result(
                            -1,
                            "(no answer within " + timeout.toSeconds() + " s) " + out.toString(StandardCharsets.UTF_8),
                            Duration.ofNanos(System.nanoTime() - start));
                }
                throw new AssertionError(label + " did not finish within " + timeout + "; output:\n"
                        + out.toString(StandardCharsets.UTF_8));
            }
            reader.join(5000);
            return new Result(
                    process.exitValue(),
                    out.toString(StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + label, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** `drover up -d ARGS` (through the wrapper if one is set); remembers the daemon. */
    Result up(String... args) {
        List<String> all = new ArrayList<>(List.of("up", "-d"));
        all.addAll(List.of(args));
        Result result = run(Duration.ofSeconds(120), !wrapper.isEmpty(), all.toArray(String[]::new));
        try {
            Path pidFile = runtime().resolve("drover.pid");
            if (Files.exists(pidFile)) {
                daemon =
                        ProcessRef.of(Integer.parseInt(Files.readString(pidFile).trim()));
            }
        } catch (IOException | NumberFormatException e) {
            // no daemon
        }
        return result;
    }

    ProcessRef daemon() {
        return daemon;
    }

    /** The daemon's resident set size in KiB, or -1 when it is gone. */
    long daemonRssKiB() {
        ProcessRef d = daemon;
        if (d == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(d.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** How many descriptors the daemon has open, or -1 when it is gone. */
    int daemonOpenFds() {
        ProcessRef d = daemon;
        if (d == null) {
            return -1;
        }
        try (var fds = Files.list(Path.of("/proc", Integer.toString(d.pid()), "fd"))) {
            return (int) fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** id → process JSON, from `ps --json`; fails when the daemon does not answer. */
    Map<String, JsonNode> processes() {
        Result ps = run("ps", "--json");
        if (ps.exitCode() != 0) {
            throw new AssertionError("drover ps --json: " + ps);
        }
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        try {
            for (JsonNode p : JSON.readTree(ps.output()).get("processes")) {
                byId.put(p.get("id").asText(), p);
            }
        } catch (IOException e) {
            throw new AssertionError("ps --json printed no JSON: " + ps.output(), e);
        }
        return byId;
    }

    String state(String id) {
        return processes().get(id).get("state").asText();
    }

    int pid(String id) {
        return processes().get(id).get("pid").asInt();
    }

    /** Remembers a process to kill (by PID and start time) in {@link #close()} should it outlive the test. */
    void track(ProcessRef ref) {
        if (ref != null) {
            tracked.add(ref);
        }
    }

    void trackAll(List<ProcessRef> refs) {
        refs.forEach(this::track);
    }

    /**
     * The daemon named by the runtime directory's pid file, if that PID runs a drover daemon for this
     * directory (its command line names it): for a clean-up after `up -d` failed half-way.
     */
    private ProcessRef daemonFromPidFile() {
        try {
            int pid = Integer.parseInt(
                    Files.readString(runtime().resolve("drover.pid")).trim());
            ProcessRef ref = ProcessRef.of(pid);
            String cmdline = new String(
                    Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")), StandardCharsets.UTF_8);
            return ref != null && cmdline.contains(runtime().toString()) && ref.equals(ProcessRef.of(pid)) ? ref : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (daemon == null) {
            daemon = daemonFromPidFile();
        }
        try {
            if (Files.exists(runtime().resolve("drover.sock")) && daemon != null && daemon.isRunning()) {
                try {
                    run(Duration.ofSeconds(60), "down");
                } catch (AssertionError e) {
                    System.err.println("[harness] drover down failed: " + e.getMessage());
                }
            }
        } finally {
            ProcessRef d = daemon;
            if (d != null && d.isRunning()) {
                // SIGTERM twice (the second kills everything at once), SIGKILL only last: killing the
                // daemon first would orphan its children.
                Signals.send(d, Signals.SIGTERM);
                if (!waitGone(d, Duration.ofSeconds(20))) {
                    Signals.send(d, Signals.SIGTERM);
                    if (!waitGone(d, Duration.ofSeconds(20))) {
                        Signals.send(d, Signals.SIGKILL);
                    }
                }
            }
            for (ProcessRef ref : tracked) {
                if (ref.isRunning()) {
                    Signals.send(ref, Signals.SIGKILL);
                }
            }
        }
    }

    /** Whether {@code ref} is gone within {@code timeout}; if not, says on stderr what it still is. */
    static boolean waitGone(ProcessRef ref, Duration timeout) {
        try {
            Waits.until(
                    timeout, "pid " + ref.pid() + " to be gone", () -> !ref.isRunning(), () -> Describe.process(ref));
            return true;
        } catch (AssertionError e) {
            if (!(e.getCause() instanceof org.awaitility.core.ConditionTimeoutException)) {
                throw e;
            }
            System.err.println("[harness] " + e.getMessage());
            return false;
        }
    }

    /**
     * For a wait that ran out: `drover ps` now (or why it did not answer within 30 s), the daemon's
     * process and the end of its log.
     */
    String describe() {
        String ps;
        try {
            ps = attempt(Duration.ofSeconds(30), "ps").toString();
        } catch (AssertionError e) {
            ps = "failed: " + e.getMessage();
        }
        return "drover ps: " + ps + "\ndaemon " + (daemon == null ? "(none)" : Describe.process(daemon)) + "\n"
                + Describe.file(daemonLog());
    }
}
