package dev.drover.cli;

import dev.drover.Describe;
import dev.drover.launch.ProcessRef;
import dev.drover.launch.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real `java -jar drover.jar` run as a child of the test, with its output collected. */
final class DroverProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("started \\(pid (\\d+)\\)");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private DroverProcess(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().start(this::read);
    }

    static DroverProcess start(Path dir, String... args) throws IOException {
        return start(dir, java.util.Map.of(), args);
    }

    /** With {@code env} added to (or, for a null value, removed from) the test's environment. */
    static DroverProcess start(Path dir, java.util.Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar()));
        command.addAll(List.of(args));
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().remove("NO_COLOR");
        env.forEach((key, value) -> {
            if (value == null) {
                builder.environment().remove(key);
            } else {
                builder.environment().put(key, value);
            }
        });
        return new DroverProcess(builder.start());
    }

    /** Runs drover with {@code env} to completion (30 s at most). */
    static DroverProcess run(Path dir, java.util.Map<String, String> env, String... args) throws Exception {
        DroverProcess drover = start(dir, env, args);
        drover.waitFor(Duration.ofSeconds(30));
        return drover;
    }

    /** Runs drover to completion and returns its exit code; the output is in {@link #output()}. */
    static DroverProcess run(Path dir, String... args) throws Exception {
        DroverProcess drover = start(dir, args);
        drover.waitFor(Duration.ofSeconds(30));
        return drover;
    }

    /**
     * For a wait that ran out: `drover ARGS` run to completion (30 s at most), with its exit code
     * and output, or why it did not finish; never throws.
     */
    static String attempt(Path dir, String... args) {
        String command = "drover " + String.join(" ", args);
        try (DroverProcess drover = start(dir, args)) {
            int exit = drover.waitFor(Duration.ofSeconds(30));
            return command + " (exit " + exit + "):\n" + drover.text() + "\n";
        } catch (Exception | AssertionError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return command + " failed: " + e.getMessage() + "\n";
        }
    }

    /** For a wait that ran out: what `drover ps` prints now and the end of the daemon's log in {@code dir}. */
    static String psAndLog(Path dir) {
        return attempt(dir, "ps") + Describe.file(dir.resolve(".drover/drover.log"));
    }

    static String jar() {
        String jar = System.getProperty("drover.jar");
        if (jar == null) {
            throw new IllegalStateException(
                    "system property drover.jar is not set (run through failsafe: ./mvnw verify)");
        }
        return jar;
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // process gone
        }
    }

    long pid() {
        return process.pid();
    }

    List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String text() {
        return String.join("\n", output());
    }

    void awaitLine(String fragment) {
        dev.drover.Waits.until(
                Duration.ofSeconds(30),
                "a line with \"" + fragment + "\"",
                () -> output().stream().anyMatch(l -> l.contains(fragment)),
                this::text);
    }

    /** The PIDs of the children drover reported starting, with their start times. */
    List<ProcessRef> startedChildren() {
        List<ProcessRef> refs = new ArrayList<>();
        for (String line : output()) {
            Matcher m = STARTED.matcher(line);
            if (m.find()) {
                ProcessRef ref = ProcessRef.of(Integer.parseInt(m.group(1)));
                if (ref != null) {
                    refs.add(ref);
                }
            }
        }
        return refs;
    }

    void signal(int signal) {
        Signals.send(ProcessRef.of((int) process.pid()), signal);
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("drover did not exit within " + timeout + "; output:\n" + text());
        }
        reader.join(5000);
        return process.exitValue();
    }

    int exitCode() {
        return process.exitValue();
    }

    /**
     * Stops drover if it still runs: SIGTERM (graceful), then a second SIGTERM (drover kills
     * everything it started at once), and only then SIGKILL — killing drover first would orphan
     * its children, and a child that ignores SIGTERM would outlive the test.
     */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            signal(Signals.SIGTERM);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                signal(Signals.SIGTERM);
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
