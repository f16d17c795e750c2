package dev.drover.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.drover.config.Dependency.Condition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of {@link ConfigLoader#parse} with Jazzer. The property: every input
 * gives either a config that keeps the validator's promises, or a {@link ConfigException} with at
 * least one located error that says something; never another exception, never a hang.
 *
 * <p>An input is either raw text (the seeds in {@code ConfigLoaderFuzzTestInputs} and their
 * mutations: valid configs, anchors, merges, interpolation, many errors), or a document built by
 * {@link FuzzedConfigs}: well-formed YAML with fuzzed values, which gets past the parser into the
 * binders and the validator. The input's last byte picks which (even: raw text).
 *
 * <p>How it runs: the surefire execution {@code fuzz} in pom.xml runs this class (tag {@code
 * jazzer}) in its own JVM with {@code JAZZER_FUZZ=1}, for {@code maxDuration} below; it prints
 * libFuzzer's statistics and, at the end, how many inputs ran. The generated corpus is kept in
 * {@code target/jazzer/.cifuzz-corpus} and a crashing input is written to {@code target/jazzer/};
 * to keep one as a regression input, copy it to {@code
 * src/test/resources/dev/drover/config/ConfigLoaderFuzzTestInputs/fuzzConfig/}. Longer runs:
 * {@code ./mvnw test -Dtest=ConfigLoaderFuzzTest -Djazzer.max_duration=10m}; only the seeds, no
 * fuzzing: {@code -Djazzer.fuzz=false}.
 *
 * <p>{@link Timeout} is, while fuzzing, libFuzzer's limit for one input: an input that takes
 * longer fails the run as a hang (JUnit's own timeouts are off in that JVM, since to JUnit the
 * whole fuzzing run is one invocation).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigLoaderFuzzTest {

    static final Map<String, String> ENVIRONMENT = Map.of(
            "HOME", "/home/fuzz",
            "TOKEN", "0123456789abcdefghij-token",
            "EMPTY", "",
            "A", "a-value",
            "NESTED", "${TOKEN}",
            "DOLLAR", "$",
            "LOG_LEVEL", "debug");

    @TempDir
    static Path dir;

    private static Path configFile;
    private static long inputs;
    private static long structured;
    private static long loaded;
    private static long rejected;
    private static long slowestNanos;
    private static long startNanos;

    @BeforeAll
    static void projectDirectory() throws IOException {
        configFile = dir.resolve("drover.yaml");
        Files.writeString(
                dir.resolve(".env"), "export A=from-file\nB='quoted # not a comment'\n# comment\nPORT_BASE=9000\n");
        Files.writeString(dir.resolve("bad.env"), "NOEQUALS\n1X=y\nQ=\"unclosed\nOK=fine\n");
        Files.createDirectories(dir.resolve("sub"));
        startNanos = System.nanoTime();
    }

    @AfterAll
    static void summary() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf(
                "ConfigLoaderFuzzTest: %d inputs in %.1f s (%d structured, %d raw): %d loaded, %d rejected"
                        + " with errors; slowest input %.1f ms%n",
                inputs, seconds, structured, inputs - structured, loaded, rejected, slowestNanos / 1e6);
    }

    @FuzzTest(maxDuration = "45s")
    @DictionaryEntries({
        "processes:",
        "command:",
        "version: 1",
        "env:",
        "env_file:",
        "log_dir:",
        "routes:",
        "proxy:",
        "api:",
        "listen:",
        "token:",
        "cwd:",
        "port: auto",
        "replicas:",
        "depends_on:",
        "condition:",
        "healthy",
        "completed",
        "started",
        "restart:",
        "always",
        "on-failure",
        "max_restarts:",
        "restart_window:",
        "backoff:",
        "initial:",
        "max:",
        "multiplier:",
        "reset_after:",
        "stop_signal:",
        "stop_timeout:",
        "readiness:",
        "liveness:",
        "exec:",
        "http:",
        "tcp:",
        "interval:",
        "timeout:",
        "initial_delay:",
        "failure_threshold:",
        "success_threshold:",
        "limits:",
        "memory:",
        "cpu:",
        "log:",
        "max_size:",
        "keep:",
        "timestamps:",
        "enabled:",
        "host:",
        "path:",
        "process:",
        "x-",
        "<<: *",
        "&a",
        "*a",
        "${",
        "${PORT}",
        ":-",
        "$$",
        "}",
        "ms",
        "10s",
        "5m",
        "1h",
        "MB",
        "KiB",
        "%",
        "SIG",
        "TERM",
        "127.0.0.1:",
        "http://",
        "---",
        "...",
        "? ",
        "!!binary",
        "!!str",
        "|",
        ">-",
        "- "
    })
    void fuzzConfig(FuzzedDataProvider data) {
        boolean build = data.consumeBoolean();
        String yaml = build
                ? FuzzedConfigs.generate(data)
                : new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
        inputs++;
        if (build) {
            structured++;
        }
        long start = System.nanoTime();
        check(yaml, configFile);
        slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
    }

    /**
     * Loads the text and checks the outcome; anything but a config or a ConfigException escapes and
     * is a finding. Plain checks throwing AssertionError, since this runs thousands of times a second.
     */
    static void check(String yaml, Path file) {
        DroverConfig config;
        try {
            config = ConfigLoader.parse(yaml, file, ENVIRONMENT);
        } catch (ConfigException e) {
            checkErrors(yaml, file, e);
            rejected++;
            return;
        }
        if (config == null) {
            throw new AssertionError("parse returned null for:\n" + yaml);
        }
        checkPromises(config, yaml);
        loaded++;
    }

    private static void checkErrors(String yaml, Path file, ConfigException e) {
        List<ConfigError> errors = e.errors();
        if (errors.isEmpty()) {
            throw new AssertionError("a ConfigException without errors for:\n" + yaml);
        }
        long lines = yaml.lines().count();
        for (ConfigError error : errors) {
            if (error.message() == null || error.message().isBlank() || error.file() == null) {
                throw new AssertionError("an error without a message or file: " + error + " for:\n" + yaml);
            }
            if (error.line() < 0 || error.column() < 0 || (error.file().equals(file) && error.line() > lines + 2)) {
                throw new AssertionError(
                        "an error outside the file (" + lines + " lines): " + error + " for:\n" + yaml);
            }
            if (error.toString().isBlank()) {
                throw new AssertionError("an error that renders as nothing for:\n" + yaml);
            }
        }
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new AssertionError("a ConfigException without a message for:\n" + yaml);
        }
    }

    /** What the loader promises about a config it accepts (docs/configuration.md, "Validation"). */
    private static void checkPromises(DroverConfig config, String yaml) {
        Map<String, ProcessSpec> processes = config.processes();
        expect(!processes.isEmpty(), "no processes", yaml);
        expect(config.version() == Defaults.VERSION, "version " + config.version(), yaml);
        Map<Integer, String> fixedPorts = new HashMap<>();
        for (ProcessSpec p : processes.values()) {
            expect(ProcessBinder.NAME.matcher(p.name()).matches(), "process name \"" + p.name() + "\"", yaml);
            switch (p.command()) {
                case Command.Exec(List<String> argv) ->
                    expect(!argv.isEmpty() && !argv.getFirst().isBlank(), p.name() + ": empty argv " + argv, yaml);
                case Command.Shell(String script) -> expect(!script.isBlank(), p.name() + ": blank script", yaml);
            }
            expect(p.replicas() >= 1, p.name() + ": replicas " + p.replicas(), yaml);
            expect(p.maxRestarts() >= 0, p.name() + ": max_restarts " + p.maxRestarts(), yaml);
            expect(positive(p.restartWindow()), p.name() + ": restart_window " + p.restartWindow(), yaml);
            expect(!p.stopTimeout().isNegative(), p.name() + ": stop_timeout " + p.stopTimeout(), yaml);
            BackoffSpec b = p.backoff();
            expect(
                    !b.initial().isNegative()
                            && b.initial().compareTo(b.max()) <= 0
                            && !b.resetAfter().isNegative(),
                    p.name() + ": backoff " + b,
                    yaml);
            expect(
                    Double.isFinite(b.multiplier()) && b.multiplier() >= 1,
                    p.name() + ": multiplier " + b.multiplier(),
                    yaml);
            for (ProbeSpec probe : new ProbeSpec[] {p.readiness(), p.liveness()}) {
                if (probe != null) {
                    expect(
                            positive(probe.interval())
                                    && positive(probe.timeout())
                                    && !probe.initialDelay().isNegative()
                                    && probe.failureThreshold() >= 1
                                    && probe.successThreshold() >= 1,
                            p.name() + ": probe " + probe,
                            yaml);
                }
            }
            if (p.limits().memoryBytes() != null) {
                expect(
                        p.limits().memoryBytes() > 0,
                        p.name() + ": memory limit " + p.limits().memoryBytes(),
                        yaml);
            }
            if (p.limits().cpuPercent() != null) {
                expect(
                        Double.isFinite(p.limits().cpuPercent()) && p.limits().cpuPercent() > 0,
                        p.name() + ": cpu limit " + p.limits().cpuPercent(),
                        yaml);
            }
            expect(p.log().maxSize() > 0 && p.log().keep() >= 0, p.name() + ": log " + p.log(), yaml);
            if (p.port() instanceof PortSpec.Fixed(int port)) {
                expect(p.replicas() == 1, p.name() + ": fixed port with replicas " + p.replicas(), yaml);
                String owner = fixedPorts.putIfAbsent(port, p.name());
                expect(owner == null, "port " + port + " used by " + owner + " and " + p.name(), yaml);
            }
            for (Dependency d : p.dependsOn()) {
                ProcessSpec target = processes.get(d.process());
                expect(target != null, p.name() + " depends on unknown " + d.process(), yaml);
                expect(!p.enabled() || target.enabled(), p.name() + " depends on disabled " + d.process(), yaml);
                expect(
                        d.condition() != Condition.COMPLETED || target.restart() != RestartPolicy.ALWAYS,
                        p.name() + " waits for " + d.process() + " to complete, which restarts always",
                        yaml);
            }
        }
        expect(acyclic(processes), "a dependency cycle", yaml);
        for (RouteSpec route : config.routes()) {
            ProcessSpec target = route.process() == null ? null : processes.get(route.process());
            expect(
                    route.target() != null || (target != null && target.port() != null),
                    "route to " + route.process(),
                    yaml);
            expect(route.path().startsWith("/"), "route path " + route.path(), yaml);
        }
        if (config.api() != null) {
            ApiSpec api = config.api();
            expect(api.listen() == null || api.token() != null, "api.listen without a token", yaml);
            expect(
                    api.token() == null || api.token().length() >= ConfigValidator.MIN_TOKEN_LENGTH,
                    "short token",
                    yaml);
        }
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static boolean acyclic(Map<String, ProcessSpec> processes) {
        Set<String> done = new HashSet<>();
        for (String name : processes.keySet()) {
            if (!visit(name, processes, new HashSet<>(), done)) {
                return false;
            }
        }
        return true;
    }

    private static boolean visit(String name, Map<String, ProcessSpec> processes, Set<String> path, Set<String> done) {
        if (done.contains(name) || !processes.containsKey(name)) {
            return true;
        }
        if (!path.add(name)) {
            return false;
        }
        for (Dependency d : processes.get(name).dependsOn()) {
            if (!visit(d.process(), processes, path, done)) {
                return false;
            }
        }
        path.remove(name);
        done.add(name);
        return true;
    }

    private static void expect(boolean promise, String broken, String yaml) {
        if (!promise) {
            throw new AssertionError(
                    "the loader accepted a config that breaks its promises (" + broken + "):\n" + yaml);
        }
    }
}
