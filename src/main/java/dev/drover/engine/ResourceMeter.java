package dev.drover.engine;

import dev.drover.config.LimitsSpec;
import dev.drover.launch.Child;
import dev.drover.launch.Usage;
import dev.drover.state.Failure;
import java.util.Locale;

/**
 * The resource figures of one process instance, fed one {@link Usage} sample at a time by the
 * {@link ResourceMonitor}: CPU percent between the last two samples (since the start, at the first), resident memory, CPU seconds
 * used by all its children so far, and whether a limit has been broken for several samples in a row.
 */
final class ResourceMeter {
    /** A limit must be broken this many samples in a row before the process is restarted. */
    static final int BREACHES_IN_A_ROW = 3;

    private final LimitsSpec limits;
    private Child child;
    private long lastCpuNanos;
    private long lastAtNanos;
    private long totalCpuNanos;
    private int memoryBreaches;
    private int cpuBreaches;
    private volatile Double cpuPercent;
    private volatile Long memoryBytes;
    private volatile double cpuSeconds;

    ResourceMeter(LimitsSpec limits) {
        this.limits = limits;
    }

    /**
     * Takes one sample of {@code current}; returns why a limit is broken past the allowance (the
     * breach count then starts over), or null.
     */
    synchronized Failure record(Child current, Usage usage, long atNanos) {
        if (current != child) {
            // A new child: its CPU counts from zero, and a breach of the last one is forgotten.
            // Its first figure is its average since its start.
            child = current;
            lastCpuNanos = 0;
            lastAtNanos = current == null ? atNanos : current.startedAtNanos();
            memoryBreaches = 0;
            cpuBreaches = 0;
            cpuPercent = null;
        }
        long cpuDelta = Math.max(0, usage.cpuNanos() - lastCpuNanos);
        totalCpuNanos += cpuDelta;
        cpuSeconds = totalCpuNanos / 1e9;
        long wall = atNanos - lastAtNanos;
        Double percent = wall > 0 ? 100.0 * cpuDelta / wall : null;
        cpuPercent = percent;
        lastCpuNanos = usage.cpuNanos();
        lastAtNanos = atNanos;
        memoryBytes = usage.rssBytes();

        Failure broken = null;
        if (limits.memoryBytes() != null) {
            memoryBreaches = usage.rssBytes() > limits.memoryBytes() ? memoryBreaches + 1 : 0;
            if (memoryBreaches >= BREACHES_IN_A_ROW) {
                broken = new Failure.LimitBroken(
                        Failure.Resource.MEMORY,
                        "using " + bytes(usage.rssBytes()) + ", over the limit of " + bytes(limits.memoryBytes())
                                + " for " + memoryBreaches + " samples in a row");
            }
        }
        if (broken == null && limits.cpuPercent() != null && percent != null) {
            cpuBreaches = percent > limits.cpuPercent() ? cpuBreaches + 1 : 0;
            if (cpuBreaches >= BREACHES_IN_A_ROW) {
                broken = new Failure.LimitBroken(
                        Failure.Resource.CPU,
                        String.format(
                                Locale.ROOT,
                                "using %.0f%% of a core, over the limit of %.0f%% for %d samples in a row",
                                percent,
                                limits.cpuPercent(),
                                cpuBreaches));
            }
        }
        if (broken != null) {
            memoryBreaches = 0;
            cpuBreaches = 0;
        }
        return broken;
    }

    /** Nothing runs: no current figures, the totals stay. */
    synchronized void idle() {
        child = null;
        cpuPercent = null;
        memoryBytes = null;
        memoryBreaches = 0;
        cpuBreaches = 0;
    }

    /** Percent of one core between the last two samples (at the first, since the child's start), or null before any. */
    Double cpuPercent() {
        return cpuPercent;
    }

    /** Resident bytes of the current child's whole tree at the last sample, or null. */
    Long memoryBytes() {
        return memoryBytes;
    }

    /** CPU seconds used by every child of this instance, as far as sampled. */
    double cpuSeconds() {
        return cpuSeconds;
    }

    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
}
