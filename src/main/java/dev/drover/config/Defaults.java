package dev.drover.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The value of every key a config file leaves out; the binder and tests read them from here. */
public final class Defaults {

    public static final int VERSION = 1;
    public static final String LOG_DIR = ".drover/logs";
    /** The config file whose state lives in {@code .drover/} itself; any other file's in {@code .drover/NAME/}. */
    public static final String DEFAULT_FILE_STEM = "drover";

    public static final int REPLICAS = 1;
    public static final RestartPolicy RESTART = RestartPolicy.ON_FAILURE;
    public static final int MAX_RESTARTS = 10;
    public static final Duration RESTART_WINDOW = Duration.ofSeconds(60);
    public static final BackoffSpec BACKOFF =
            new BackoffSpec(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, Duration.ofSeconds(60));
    public static final StopSignal STOP_SIGNAL = StopSignal.TERM;
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    public static final LimitsSpec LIMITS = new LimitsSpec(null, null);
    public static final LogSpec LOG = new LogSpec(10L << 20, 5, true);
    public static final boolean ENABLED = true;
    public static final Duration MIN_UPTIME = Duration.ofSeconds(1);
    public static final Duration START_PERIOD = null;
    public static final Duration START_DELAY = Duration.ZERO;
    public static final ScheduleSpec.Overlap OVERLAP = ScheduleSpec.Overlap.SKIP;
    public static final TrafficSpec TRAFFIC =
            new TrafficSpec(Duration.ofSeconds(30), 1, 0, Duration.ofSeconds(30), false, null);

    public static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);
    public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration PROBE_INITIAL_DELAY = Duration.ZERO;
    public static final int PROBE_FAILURE_THRESHOLD = 3;
    public static final int PROBE_SUCCESS_THRESHOLD = 1;

    public static final String ROUTE_PATH = "/";
    public static final ProxySpec.Timeouts PROXY_TIMEOUTS =
            new ProxySpec.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(60));
    public static final long PROXY_MAX_BODY = 16L << 20;
    public static final Duration QUEUE_TIMEOUT = Duration.ofSeconds(10);

    private Defaults() {}

    /**
     * Where a config file's runtime files (control socket, lock, state) and default log directory
     * live: {@code .drover/} beside {@code drover.yaml}, {@code .drover/NAME/} beside {@code
     * NAME.yaml}, so that two files in one directory never share a daemon or a log.
     */
    public static Path stateDir(Path configFile) {
        Path absolute = configFile.toAbsolutePath().normalize();
        String stem = absolute.getFileName().toString().replaceFirst("\\.(yaml|yml)$", "");
        Path base = absolute.getParent().resolve(".drover");
        return stem.equals(DEFAULT_FILE_STEM) || stem.isEmpty() ? base : base.resolve(stem);
    }

    /** A process with every setting at its default, for code and tests that build specs directly. */
    public static ProcessSpec process(String name, Command command, Path cwd) {
        return new ProcessSpec(
                name,
                command,
                cwd,
                Map.of(),
                null,
                REPLICAS,
                List.of(),
                RESTART,
                MAX_RESTARTS,
                RESTART_WINDOW,
                BACKOFF,
                STOP_SIGNAL,
                STOP_TIMEOUT,
                null,
                null,
                LIMITS,
                LOG,
                ENABLED,
                MIN_UPTIME,
                START_PERIOD,
                TRAFFIC,
                RunAs.NONE,
                Hooks.NONE,
                START_DELAY,
                null,
                null,
                null);
    }

    /** A probe with the default schedule. */
    public static ProbeSpec probe(ProbeCheck check) {
        return new ProbeSpec(
                check,
                PROBE_INTERVAL,
                PROBE_TIMEOUT,
                PROBE_INITIAL_DELAY,
                PROBE_FAILURE_THRESHOLD,
                PROBE_SUCCESS_THRESHOLD);
    }
}
